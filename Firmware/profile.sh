#!/usr/bin/env bash
# Where the firmware's instructions go: runs a firmware command under `profile` in
# QEMU and maps the sampled program counters to functions and modules.
#
#   ./profile.sh features clip.raw /tmp/frames.bin
#   ./profile.sh infer model.tflite inputs.bin /tmp/outputs.bin
#   KWS_TOP=40 KWS_ELF=build-O/kws-firmware.elf ./profile.sh ...
#
# One sample per 1,000 instructions (Measure.profileIntervalTicks), taken only in
# the command's measured region, so a function's sample count x 1,000 estimates its
# instructions there. The timer interrupt itself adds about 2 %.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[[ $# -ge 1 ]] || { echo "usage: $0 <firmware command and arguments>" >&2; exit 2; }
top=${KWS_TOP:-25}
elf=${KWS_ELF:-$here/build/kws-firmware.elf}  # or another build, e.g. make SWIFT_OPT=-O BUILD=build-O
toolbin=$(dirname "$(realpath "$(command -v swiftc)")")
pcs=$(mktemp)
trap 'rm -f "$pcs"' EXIT
"$here/run-qemu.sh" "$elf" profile "$pcs" "$@" | grep -vE "^(kws firmware|heap|stack)"
"$toolbin/llvm-nm" --print-size --defined-only "$elf" |
  awk 'NF == 4 && $3 ~ /[tT]/' | python3 -c '
import bisect, re, struct, subprocess, sys
pcs_path, top, demangler = sys.argv[1], int(sys.argv[2]), sys.argv[3]
symbols = []
for line in sys.stdin:
    address, size, _, name = line.split()
    start = int(address, 16) & ~1  # Thumb functions have bit 0 set in their address
    symbols.append((start, start + int(size, 16), name))
symbols.sort()
starts = [s[0] for s in symbols]
data = open(pcs_path, "rb").read()
pcs = struct.unpack(f"<{len(data) // 4}I", data)
counts = {}
for pc in pcs:
    i = bisect.bisect_right(starts, pc) - 1
    name = symbols[i][2] if i >= 0 and pc < symbols[i][1] else f"?{pc:#x}"
    counts[name] = counts.get(name, 0) + 1
names = list(counts)
plain = subprocess.run([demangler, "--compact"], input="\n".join(names), capture_output=True,
                       text=True, check=True).stdout.splitlines()
total = len(pcs) or 1
modules = {}
def module_of(name):
    # Embedded Swift symbols are $e<length><Module>...; $es... is the standard library.
    m = re.match(r"\$e(?:(\d+)|(s))", name)
    if not m:
        return "C (runtime, libgcc)"
    if m.group(2):
        return "Swift (standard library, specialized)"
    start = m.end()
    return name[start:start + int(m.group(1))]
for name in names:
    modules[module_of(name)] = modules.get(module_of(name), 0) + counts[name]
print(f"\n{len(pcs)} samples; by module (inlined code counts where it was inlined):")
for module, n in sorted(modules.items(), key=lambda kv: -kv[1]):
    print(f"{100 * n / total:6.1f}%  {module}")
print(f"\ntop {top} functions:")
for name, text in sorted(zip(names, plain), key=lambda nt: -counts[nt[0]])[:top]:
    print(f"{100 * counts[name] / total:6.1f}%  {counts[name]:>6}  {text[:150]}")
' "$pcs" "$top" "$toolbin/swift-demangle"
