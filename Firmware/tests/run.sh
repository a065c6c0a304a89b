#!/usr/bin/env bash
# QEMU tests of the firmware: `make -C Firmware test` runs this after building.
#
#   tests/run.sh build/kws-firmware.elf
#
# Every check prints PASS/FAIL with what it compared; any FAIL makes the script
# exit 1. Clips are made with sox in a temporary folder, removed at the end.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
elf=$(realpath "${1:-$here/build/kws-firmware.elf}")
run="$here/run-qemu.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
failures=0

pass() { echo "PASS  $*"; }
fail() { echo "FAIL  $*"; failures=$((failures + 1)); }

# Runs the firmware with the given arguments; sets $out (console) and $status.
firmware() {
  out=$("$run" "$elf" "$@" 2>&1)
  status=$?
}

# A field from the firmware's `key: value` lines.
field() { sed -n "s/^$1: //p" <<<"$out" | head -1; }

# ---- checksum: start-up, semihosting file I/O, counter, exit status -------------
# 1.5 s of a 440 Hz tone plus white noise, s16le mono 16 kHz.
sox -R -n -r 16000 -c 1 -b 16 -e signed-integer -t raw clip.raw \
  synth 1.5 sine 440 synth 1.5 whitenoise amod 0.3 vol 0.6 2>/dev/null

firmware checksum clip.raw
expected=$(python3 - <<'PY'
import struct
data = open("clip.raw", "rb").read()
h = 0x811C9DC5
for b in data:
    h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
print(f"0x{h:08x} {sum(struct.unpack(f'<{len(data)//2}h', data))} {len(data)//2}")
PY
)
read -r want_hash want_sum want_samples <<<"$expected"
if [[ $status -eq 0 && $(field fnv1a) == "$want_hash" && $(field sum) == "$want_sum" ]]; then
  pass "checksum: exit 0, fnv1a $want_hash and sum $want_sum match the host"
else
  fail "checksum: exit $status, want fnv1a $want_hash sum $want_sum"; echo "$out"
fi
if grep -q "^clip: clip.raw, $want_samples samples" <<<"$out"; then
  pass "checksum: read all $want_samples samples through semihosting"
else
  fail "checksum: sample count"; echo "$out"
fi
if grep -qE "^heap: .* 0 after start-up" <<<"$out"; then
  pass "checksum: no allocation after start-up"
else
  fail "checksum: allocation after start-up"; echo "$out"
fi
work1=$(sed -n 's/^checksum: \([0-9]*\) instructions/\1/p' <<<"$out")
firmware checksum clip.raw
work2=$(sed -n 's/^checksum: \([0-9]*\) instructions/\1/p' <<<"$out")
if [[ -n $work1 && $work1 -gt 0 && $work1 == "$work2" ]]; then
  pass "checksum: instruction count $work1, identical on a second run"
else
  fail "checksum: instruction counts '$work1' and '$work2' (want equal and > 0)"
fi

# ---- errors: clear message and exit status, never a hang ------------------------
firmware checksum missing.raw
if [[ $status -eq 1 ]] && grep -q "error: cannot open missing.raw" <<<"$out"; then
  pass "missing clip: exit 1 naming the file"
else
  fail "missing clip: exit $status"; echo "$out"
fi
firmware
if [[ $status -eq 2 ]] && grep -q "^usage:" <<<"$out"; then
  pass "no command: exit 2 with usage"
else
  fail "no command: exit $status"; echo "$out"
fi

firmware selftest allocate
if [[ $status -eq 3 ]] && grep -qE "^heap: .* 1 after start-up" <<<"$out"; then
  pass "selftest allocate: a late allocation is counted and fails the run (exit 3)"
else
  fail "selftest allocate: exit $status"; echo "$out"
fi
firmware selftest trap
if [[ $status -eq 134 ]] && grep -q "Swift runtime trap at pc" <<<"$out"; then
  pass "selftest trap: a Swift trap is reported with its pc (exit 134)"
else
  fail "selftest trap: exit $status"; echo "$out"
fi

if [[ $failures -gt 0 ]]; then
  echo "$failures firmware check(s) failed"
  exit 1
fi
echo "all firmware checks passed"
