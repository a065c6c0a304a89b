#!/usr/bin/env bash
# Size report for the firmware ELF, llvm-size style, plus where the bytes come from.
#
#   ./report.sh build/kws-firmware.elf [llvm-nm]
#
# text   = code (incl. vector table), rodata = constants and tables (flash only),
# data   = initialised RAM (costs flash for its load image and RAM), bss = zeroed RAM.
# The heap and stack are the rest of RAM (see Board/*/link.ld) and are not counted.
set -euo pipefail
elf=${1:?usage: report.sh <elf> [llvm-nm]}
nm=${2:-llvm-nm}
map=${elf%.elf}.map
demangle=$(dirname "$(command -v swiftc)")/swift-demangle

python3 - "$elf" "$map" <<'PY'
import re, struct, sys
elf, mapfile = sys.argv[1], sys.argv[2]
data = open(elf, "rb").read()
# ELF32 little-endian section headers: name, type, flags, addr, offset, size, ...
shoff, = struct.unpack_from("<I", data, 0x20)
shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x2E)
def section(i):
    return struct.unpack_from("<10I", data, shoff + i * shentsize)
strtab = section(shstrndx)
def name(off):
    start = strtab[4] + off
    return data[start:data.index(b"\0", start)].decode()
groups = {"text": 0, "rodata": 0, "data": 0, "bss": 0}
for i in range(shnum):
    n, kind, flags, addr, off, size = section(i)[:6]
    if not flags & 0x2:      # SHF_ALLOC: only what is in the image counts
        continue
    nm = name(n)
    if kind == 8:            # SHT_NOBITS
        groups["bss"] += size
    elif flags & 0x4:        # SHF_EXECINSTR
        groups["text"] += size
    elif flags & 0x1:        # SHF_WRITE
        groups["data"] += size
    else:
        groups["rodata"] += size
print(f"{'text':>8} {'rodata':>8} {'data':>8} {'bss':>8} {'flash':>8} {'ram':>8}  file")
flash = groups["text"] + groups["rodata"] + groups["data"]
ram = groups["data"] + groups["bss"]
print(f"{groups['text']:>8} {groups['rodata']:>8} {groups['data']:>8} {groups['bss']:>8} "
      f"{flash:>8} {ram:>8}  {elf}")

# Per input object (from the linker map): which module the flash bytes belong to.
per = {}
line = re.compile(r"^\s*[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)\s+\d+\s{9}(\S+?):\((\S+)\)")
for text in open(mapfile):
    m = line.match(text)
    if not m:
        continue
    size, obj, sec = int(m.group(1), 16), m.group(2), m.group(3)
    if not sec.startswith((".vectors", ".text", ".rodata", ".data", ".got", ".ARM.exidx",
                           ".swift_modhash")):
        continue
    key = obj.split("/")[-1].removesuffix(".o")
    if "(" in obj or ".a(" in obj:
        key = "libgcc"
    elif obj == "<internal>":
        key = "linker (merged strings, GOT)"
    per[key] = per.get(key, 0) + size
print("\nflash bytes per object (text + rodata + data):")
for key, size in sorted(per.items(), key=lambda kv: -kv[1]):
    print(f"{size:>8}  {key}")
PY

echo
echo "largest symbols in flash (bytes):"
"$nm" --print-size --size-sort --radix=d "$elf" | awk '$3 ~ /[tTrR]/ {print}' | tail -15 | sort -k2 -nr |
  while read -r addr size kind sym; do
    printf '%8d  %s\n' "$((10#$size))" "$("$demangle" --compact "$sym")"
  done
