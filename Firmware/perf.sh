#!/usr/bin/env bash
# Instruction counts of the firmware under QEMU (-icount shift=0: instructions, not
# cycles of real silicon): the DS-CNN per layer and per multiply-accumulate, averaged
# over real Speech Commands clips, and the front ends per second of real speech.
# `make -C Firmware report` (and `make firmware-report`) run it for -Osize and -O.
#
#   ./perf.sh LABEL=build/kws-firmware.elf [LABEL=other.elf ...]
#   KWS_PERF_MODEL=model.tflite KWS_PERF_DATA=speech_commands/ KWS_PERF_CLIPS=8 ./perf.sh ...
#
# The anchors (R§4 of the shared reference) were measured the same way: TFLM with
# CMSIS-NN kernels, gcc -O2, on the same DS-CNN architecture.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
[[ $# -ge 1 ]] || { echo "usage: $0 LABEL=firmware.elf..." >&2; exit 2; }
python=${KWS_PYTHON:-$root/.venv/bin/python}
[[ -x $python ]] || { echo "$0: no reference venv at $python: run \`make venv\` in $root" >&2; exit 1; }
model=$(realpath "${KWS_PERF_MODEL:-$root/Models/kws-speech-commands.tflite}")
# The shared data folder sits next to the checkout (main) or two levels up (a worktree).
data=${KWS_PERF_DATA:-$(ls -d "$root/../shared/data/speech_commands" "$root/../../shared/data/speech_commands" 2>/dev/null | head -1 || true)}
[[ -n $data ]] || { echo "$0: no Speech Commands folder: set KWS_PERF_DATA" >&2; exit 1; }
clips=${KWS_PERF_CLIPS:-8}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$python" "$here/perf/real_inputs.py" "$model" "$data" "$work/inputs.bin" "$work/speech.raw" --clips "$clips"
labels=()
for pair in "$@"; do
  label=${pair%%=*}
  elf=$(realpath "${pair#*=}")
  labels+=("$label")
  "$here/report.sh" "$elf" "$(dirname "$(realpath "$(command -v swiftc)")")/llvm-nm" |
    sed -n 2p >"$work/$label.size"
  (cd "$work" && "$here/run-qemu.sh" "$elf" layers "$model" inputs.bin >"$label.layers") ||
    { cat "$work/$label.layers"; exit 1; }
  for kind in microfrontend mfcc; do
    (cd "$work" && "$here/run-qemu.sh" "$elf" frontend "$kind" speech.raw >"$label.$kind") ||
      { cat "$work/$label.$kind"; exit 1; }
  done
done

python3 - "$work" "$model" "$clips" "${labels[@]}" <<'PY'
import os, re, sys
work, model, clips, labels = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
# CMSIS-NN + TFLM on this DS-CNN under the same QEMU method (R§4), per MAC.
ANCHOR = {"first CONV_2D": 3.49, "DEPTHWISE_CONV_2D": 7.8, "CONV_2D": 2.09}

def read(label, what):
    return open(os.path.join(work, f"{label}.{what}")).read()

def field(text, key):
    m = re.search(rf"^{re.escape(key)}: (.*)$", text, re.M)
    return m.group(1) if m else ""

runs = {label: read(label, "layers") for label in labels}
first = runs[labels[0]]
rows = [line.split()[1:5] for line in first.splitlines() if line.startswith("layer: ")]
per = {label: [int(l.split()[5]) for l in runs[label].splitlines() if l.startswith("layer: ")]
       for label in labels}
arena = re.search(r"arena (\d+)", first).group(1)
print(f"DS-CNN {os.path.basename(model)}: {field(first, 'multiply-accumulates per invocation')} MACs,"
      f" arena {arena} B; instructions per inference, average of"
      f" {clips} real clips (QEMU -icount: instructions, not cycles)")
head = f"| node | op | output | MACs | " + " | ".join(f"{l} | {l}/MAC" for l in labels) + " | CMSIS-NN/MAC |"
print(head)
print("|" + "---|" * (head.count("|") - 1))
seen_conv = False
for i, (node, op, shape, macs) in enumerate(rows):
    macs = int(macs)
    key = op
    if op == "CONV_2D" and not seen_conv:
        key, seen_conv = "first CONV_2D", True
    cells = []
    for label in labels:
        n = per[label][i]
        cells.append(f"{n:,} | " + (f"{n / macs:.2f}" if macs else ""))
    anchor = ANCHOR.get(key) if macs else None
    print(f"| {node} | {op} | {shape.removeprefix('1x')} | {macs:,} | " + " | ".join(cells) +
          f" | {anchor if anchor else ''} |")
totals = [int(field(runs[l], "inference per invocation").split()[0]) for l in labels]
macs = int(field(first, "multiply-accumulates per invocation"))
print(f"| | whole invoke() | | {macs:,} | " +
      " | ".join(f"**{t:,}** | **{t / macs:.2f}**" for t in totals) + " | 2.90 (7.70 M) |")
for label in labels:
    stack = field(runs[label], "stack")
    print(f"{label}: stack high-water mark during `layers`: {stack}")
print()
print("Sizes in bytes (flash = text + rodata + data; ram = data + bss, heap and stack not included):")
print("| build | text | rodata | data | bss | flash | ram |")
print("|---|---|---|---|---|---|---|")
for label in labels:
    cells = read(label, "size").split()[:6]
    print(f"| {label} | " + " | ".join(f"{int(c):,}" for c in cells) + " |")
print()
print(f"Front ends, {clips} s of real speech in 10 ms chunks (instructions per second of audio):")
print("| front end | " + " | ".join(labels) + " |")
print("|---|" + "---|" * len(labels))
for kind in ("microfrontend", "mfcc"):
    cells = [field(read(l, kind), "frontend per second of audio") for l in labels]
    print(f"| {kind} | " + " | ".join(cells) + " |")
PY
