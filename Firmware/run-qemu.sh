#!/usr/bin/env bash
# Runs the firmware under QEMU and exits with the firmware's own exit status.
#
#   ./run-qemu.sh build/kws-firmware.elf checksum clip.raw
#
# Paths in the arguments are opened by QEMU on the host (semihosting), relative to
# the current directory, and may not contain spaces. -icount shift=0 makes every
# instruction take 1 ns of virtual time, so TIMER0 counts instructions (40 per tick)
# and counts repeat exactly from run to run. The firmware's console (SYS_WRITE0)
# goes to standard output; QEMU's own complaints to standard error. KWS_QEMU_TIMEOUT (seconds, default
# 600) bounds a run that hangs; a timeout exits 124.
set -euo pipefail
if [[ $# -lt 1 ]]; then
  echo "usage: $0 <firmware.elf> [arguments...]" >&2
  exit 2
fi
elf=$1
shift
[[ -f $elf ]] || { echo "$0: no firmware at $elf (run make -C Firmware)" >&2; exit 2; }
for a in "$@"; do
  [[ $a != *" "* ]] || { echo "$0: argument with a space: '$a'" >&2; exit 2; }
done
exec timeout --foreground "${KWS_QEMU_TIMEOUT:-600}" \
  qemu-system-arm -M mps2-an386 -nographic -monitor none -serial none \
  -chardev stdio,id=console,signal=off \
  -semihosting-config enable=on,target=native,chardev=console -icount shift=0 \
  -kernel "$elf" -append "$*"
