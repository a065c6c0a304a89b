#!/usr/bin/env bash
# QEMU tests of the firmware: `make -C Firmware test` runs this after building.
#
#   tests/run.sh build/kws-firmware.elf okay_nabu.json path/to/kws
#
# The ELF links the shipped DS-CNN (make's default MODEL); `spot` also runs okay_nabu
# (microWakeWord) loaded at run time, packed by `kws pack-model`.
#
# Every check prints PASS/FAIL with what it compared; any FAIL makes the script
# exit 1. Clips are made with sox in a temporary folder, removed at the end.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "$here/.." && pwd)
# The live TFLM microfrontend (pymicro-features) from the pinned venv: `make venv`.
python=${KWS_PYTHON:-$root/.venv/bin/python}
if [[ ! -x $python ]]; then
  echo "FAIL  no reference venv at $python: run \`make venv\` in $root (or set KWS_PYTHON)"
  exit 1
fi
reference="$root/Tests/Reference/microfrontend_ref.py"
elf=$(realpath "${1:-$here/build/kws-firmware.elf}")
model=${2:+$(realpath "$2")}  # okay_nabu.json
kws=${3:-}
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

# ---- the runtime's libm, natively on the host against glibc ---------------------
clang="$(dirname "$(realpath "$(command -v swiftc)")")/clang"
if "$clang" -O2 -fno-builtin -o libm_test "$here/tests/libm_test.c" -lm && ./libm_test; then
  pass "Support/libm.c: bit-exact with glibc (tests/libm_test.c)"
else
  fail "Support/libm.c differs from glibc (tests/libm_test.c)"
fi

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

# ---- features: bit-exact with the live TFLM microfrontend, any chunking ------------
# Clips that reach the corners: speech (espeak-ng), tone + noise, digital silence,
# a full-scale square wave (samples at -32768 and 32767), and a clip shorter than
# one window (no frame at all).
espeak-ng -v en-us -s 150 -w speech.wav "okay nabu, turn on the kitchen lights" 2>/dev/null
sox speech.wav -r 16000 -c 1 -b 16 -e signed-integer -t raw speech.raw
sox -R -n -r 16000 -c 1 -b 16 -e signed-integer -t raw silence.raw trim 0 1 2>/dev/null
sox -R -n -r 16000 -c 1 -b 16 -e signed-integer -t raw square.raw synth 1 square 300 vol 1 2>/dev/null
head -c 900 clip.raw >short.raw  # 450 samples, under the 480-sample window

for case in speech:160 speech:1 speech:97 speech:4000 clip:160 clip:480 silence:160 \
  square:160 short:160; do
  name=${case%%:*}
  chunk=${case##*:}
  "$python" "$reference" features "$name.raw" >"$name.ref" || fail "reference on $name.raw"
  firmware features "$name.raw" "$name.$chunk.frames" "$chunk"
  frames=$(field frames | cut -d' ' -f1)
  if [[ $status -ne 0 ]]; then
    fail "features $name chunk $chunk: exit $status"; echo "$out"
  elif cmp -s "$name.ref" "$name.$chunk.frames"; then
    pass "features $name, chunks of $chunk: $frames frames identical to the live TFLM microfrontend"
  else
    fail "features $name, chunks of $chunk: frames differ from the reference"
    cmp "$name.ref" "$name.$chunk.frames" | head -3
  fi
  if [[ $chunk == 160 ]] && ! grep -qE "^heap: .* 0 after start-up" <<<"$out"; then
    fail "features $name: allocation after start-up"; echo "$out"
  fi
  if [[ $name == speech && $chunk == 160 ]]; then
    grep -E "^frontend" <<<"$out" | sed 's/^/      /'
  fi
done
[[ -s short.ref || -s short.160.frames ]] && fail "short clip: expected no frames"

# ---- spot: front end + models + detector on the device, settings from blobs ------
records="$here/tests/records.py"
if [[ -z $model || ! -f $model ]]; then
  fail "spot: no okay_nabu manifest (make venv)"
elif [[ -z $kws || ! -x $kws ]]; then
  fail "spot: no kws tool at '$kws' to pack okay_nabu (swift build --product kws)"
else
  # okay_nabu loaded at start-up with its packed settings: scores = live TFLM.
  "$kws" pack-model "$model" --tflite nabu.tflite --settings nabu.kwss || fail "kws pack-model $model"
  espeak-ng -v en-us -s 140 -w nabu.wav "okay nabu" 2>/dev/null
  sox nabu.wav -r 16000 -c 1 -b 16 -e signed-integer -t raw nabu-word.raw
  # 0.5 s of quiet before and 1 s after, so the model's window sees the whole word.
  sox -R -n -r 16000 -c 1 -b 16 -e signed-integer -t raw quiet.raw synth 0.5 whitenoise vol 0.002 2>/dev/null
  cat quiet.raw nabu-word.raw quiet.raw quiet.raw >nabu.raw
  for name in nabu speech clip; do
    "$python" "$here/tests/spot_reference.py" nabu.tflite "$name.raw" >"$name.scores.ref" ||
      fail "spot reference on $name.raw"
    firmware spot "$name.raw" "$name.records" 160 nabu.tflite nabu.kwss
    python3 "$records" scores "$name.records" >"$name.scores" 2>/dev/null
    if [[ $status -eq 0 ]] && cmp -s "$name.scores" "$name.scores.ref" && [[ -s $name.scores ]] &&
      grep -qE "^heap: .* 0 after start-up" <<<"$out"; then
      pass "spot okay_nabu (loaded) $name: $(stat -c %s "$name.scores") scores identical to live TFLM, detections: $(field detections)"
    else
      fail "spot okay_nabu $name: exit $status, scores differ from live TFLM or allocation"; echo "$out"
    fi
  done
  firmware spot nabu.raw - 160 nabu.tflite nabu.kwss
  [[ $(field detections | cut -d' ' -f1) == 0 ]] && fail "spot nabu: 'okay nabu' (espeak-ng) was not detected"

  # The linked model: the shipped DS-CNN, its settings decoded from flash.
  "$kws" pack-model "$root/Models/kws-speech-commands.json" --tflite shipped.tflite --settings shipped.kwss ||
    fail "kws pack-model (shipped model)"
  firmware dump linked.tflite linked.kwss
  if [[ $status -eq 0 ]] && cmp -s linked.tflite shipped.tflite && cmp -s linked.kwss shipped.kwss; then
    pass "dump: flash holds the shipped model ($(stat -c %s linked.tflite) bytes) and its packed settings ($(stat -c %s linked.kwss) bytes)"
  else
    fail "dump: exit $status, or the linked bytes are not the shipped model's"; echo "$out"
  fi
  firmware spot speech.raw speech.shipped.records
  summary=$(python3 "$records" summary speech.shipped.records 2>&1)
  if [[ $status -eq 0 ]] && grep -q "^model 0: linked" <<<"$out" && grep -qE "^heap: .* 0 after start-up" <<<"$out" &&
    [[ $summary == *complete ]] && [[ $summary != *invocation=0* ]]; then
    pass "spot shipped DS-CNN (linked): $summary, detections: $(field detections)"
    grep -E "^(model 0|total|front end|model|model per invocation):" <<<"$out" | sed 's/^/      /'
  else
    fail "spot shipped DS-CNN: exit $status, records '$summary'"; echo "$out"
  fi

  # Settings that belong to another model, and a cut blob: refused at start-up, named.
  firmware spot nabu.raw - 160 nabu.tflite shipped.kwss
  if [[ $status -eq 1 ]] && grep -q "error: nabu.tflite: the settings were made for another model" <<<"$out"; then
    pass "spot: settings packed for another model are refused (exit 1, named)"
  else
    fail "spot with another model's settings: exit $status"; echo "$out"
  fi
  head -c 30 nabu.kwss >cut.kwss
  firmware spot nabu.raw - 160 nabu.tflite cut.kwss
  if [[ $status -eq 1 ]] && grep -q "error: nabu.tflite: settings blob.*byte" <<<"$out"; then
    pass "spot: a cut settings blob is refused with the field and byte offset"
  else
    fail "spot with a cut settings blob: exit $status"; echo "$out"
  fi
fi

# ---- infer: every model the inference tests ship, bit-exact with live TFLM --------
shopt -s nullglob
models=("$root"/Tests/InferenceTests/Models/*.tflite "$root"/Tests/InferenceTests/OpModels/*.tflite)
[[ -n $model ]] && models+=("$(dirname "$model")"/*.tflite)
shopt -u nullglob
if "$python" "$here/tests/infer_check.py" "$run" "$elf" "${models[@]}" 2>/dev/null >infer.log; then
  pass "infer: ${#models[@]} models bit-exact with live TFLM on the device"
  grep -E "dscnn|okay_nabu" infer.log | sed 's/^PASS  /      /'
else
  grep -v "^PASS" infer.log
  fail "infer: some models differ from live TFLM (above)"
fi

# ---- layers and frontend: the cost commands behind perf.sh -------------------------
dscnn="$root/Models/kws-speech-commands.tflite"
head -c $((490 * 3)) /dev/urandom >dscnn.in
firmware layers "$dscnn" dscnn.in
total=$(sed -n 's/^inference per invocation: \([0-9]*\).*/\1/p' <<<"$out")
summed=$(awk '/^layer: / {s += $6} END {print s + 0}' <<<"$out")
nodes=$(grep -c "^layer: " <<<"$out")
if [[ $status -eq 0 && $nodes -eq 12 && -n $total && $summed -gt $((total * 95 / 100)) &&
  $summed -lt $((total * 105 / 100)) ]] && grep -qE "^heap: .* 0 after start-up" <<<"$out"; then
  pass "layers DS-CNN: 12 nodes, node-by-node outputs = invoke() outputs, $summed instructions summed over nodes vs $total per invoke()"
else
  fail "layers DS-CNN: exit $status, $nodes nodes, summed $summed vs total $total"; echo "$out"
fi
# The stack high-water mark (painted at reset, Board/*/startup.c) is reported and
# leaves a margin below the stack size.
read -r used size < <(sed -n 's/^stack: \([0-9]*\) of \([0-9]*\) bytes.*/\1 \2/p' <<<"$out")
if [[ -n $used && -n $size && $used -gt 0 && $used -lt $size ]]; then
  pass "stack high-water mark: $used of $size bytes after a DS-CNN run"
else
  fail "stack high-water mark: '$used' of '$size' (want 0 < used < size)"; echo "$out"
fi
want_sum=$(python3 -c "import struct,sys; d=open('speech.ref','rb').read(); print(sum(struct.unpack(f'<{len(d)//2}H', d)))")
firmware frontend microfrontend speech.raw
if [[ $status -eq 0 ]] && grep -q "feature sum $want_sum\$" <<<"$out" &&
  grep -q "^frontend per second of audio: " <<<"$out"; then
  pass "frontend microfrontend: feature sum $want_sum = the live TFLM microfrontend's; $(field 'frontend per second of audio')"
else
  fail "frontend microfrontend: exit $status, want feature sum $want_sum"; echo "$out"
fi
firmware frontend mfcc speech.raw
if [[ $status -eq 0 ]] && grep -q "^frontend per second of audio: " <<<"$out" &&
  grep -qE "^heap: .* 0 after start-up" <<<"$out"; then
  pass "frontend mfcc: $(field 'frontend per second of audio'), no allocation after start-up"
else
  fail "frontend mfcc: exit $status"; echo "$out"
fi

# ---- profile: the sampling profiler around a command's measured region ------------
firmware profile pcs.bin features speech.raw speech.profiled.frames
samples=$(sed -n 's/^profile: \([0-9]*\) samples.*/\1/p' <<<"$out")
if [[ $status -eq 0 && -n $samples && $samples -gt 1000 && $(stat -c %s pcs.bin) -eq $((4 * samples)) ]] &&
  cmp -s speech.profiled.frames speech.160.frames; then
  pass "profile features: $samples PC samples written, frames unchanged by the sampling interrupt"
else
  fail "profile features: exit $status, samples '$samples'"; echo "$out"
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
