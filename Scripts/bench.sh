#!/bin/bash
# Side-by-side benchmark: `kws bench` (ours) and Tests/Reference/bench_reference.py
# (C microfrontend, LiteRT 2.3 XNNPACK / builtin / reference kernels, TFLite Micro)
# on the same model file, single-threaded, then one table of ratios.
#
#   Scripts/bench.sh [--model FILE]... [--runs N] [--rounds R] [--cpu NAME]
#
# --cpu NAME builds ours for that CPU (`-target-cpu`, e.g. haswell or znver3 for AVX2)
# in .build-bench-NAME; by default the portable release build (x86-64 baseline, SSE2).
#
# Each side runs R rounds (default 3), alternating, under `nice`; the table keeps, per
# item, the smallest median over the rounds (other processes only ever add time) and
# prints the load average next to it. Ratio = reference time / our time: above 1 means
# we are faster. Needs the release build and the venv (`make venv`); builds both.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=300
rounds=3
cpu=""
models=()
while [ $# -gt 0 ]; do
  case "$1" in
    --model) models+=(--model "$2"); shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --cpu) cpu="$2"; shift 2 ;;
    *) echo "usage: $0 [--model FILE]... [--runs N] [--rounds R] [--cpu NAME]" >&2; exit 2 ;;
  esac
done
if [ -n "$cpu" ]; then
  swift build -c release --product kws --scratch-path ".build-bench-$cpu" \
    -Xswiftc -target-cpu -Xswiftc "$cpu" >&2
  kws=".build-bench-$cpu/release/kws"
else
  swift build -c release --product kws >&2
  kws=.build/release/kws
fi
make -s venv >&2
python=.venv/bin/python
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for r in $(seq "$rounds"); do
  nice "$kws" bench --json --runs "$runs" ${models[@]+"${models[@]}"} > "$out/ours_$r.json"
  nice "$python" Tests/Reference/bench_reference.py --json --runs "$runs" ${models[@]+"${models[@]}"} \
    2>/dev/null > "$out/ref_$r.json"
done
"$python" - "$out" "$rounds" "${cpu:-x86-64 baseline}" <<'PY'
import json, sys
folder, rounds, cpu = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ours = [json.load(open(f"{folder}/ours_{r}.json")) for r in range(1, rounds + 1)]
refs = [json.load(open(f"{folder}/ref_{r}.json")) for r in range(1, rounds + 1)]
loads = sorted({o["load_average"] for o in ours} | {r["load_average"] for r in refs})

def best(values):
    return min(values)

print(f"ours built for {cpu}; single thread, best median of {rounds} rounds x {ours[0]['runs']} runs; "
      f"load average during the runs: {', '.join(loads)}")
print()
print("| item | ours | reference | reference time | ratio (ref / ours) |")
print("| --- | --- | --- | --- | --- |")
ours_fe = {f["name"]: best(o["frontends"][i]["us_per_audio_second_median"] for o in ours)
           for i, f in enumerate(ours[0]["frontends"])}
ref_fe = {f["key"]: (f["name"], best(r["frontends"][i]["us_per_audio_second_median"] for r in refs))
          for i, f in enumerate(refs[0]["frontends"])}
for name, us in ours_fe.items():
    ref = ref_fe.get("microfrontend") if name == "microfrontend" else None
    if ref:
        print(f"| {name} (us per s of audio) | {us:.1f} | {ref[0]} | {ref[1]:.1f} | {ref[1] / us:.2f} |")
    else:
        print(f"| {name} (us per s of audio) | {us:.1f} | (no reference timed) | | |")
for i, m in enumerate(ours[0]["models"]):
    us = best(o["models"][i]["us_per_inference_median"] for o in ours)
    macs = m["macs"]
    print(f"| {m['name']} (us per inference, {macs / 1e6:.2f} M MACs) | {us:.1f} "
          f"({macs / us / 1e3:.2f} GMAC/s) | | | |")
    for j, e in enumerate(refs[0]["models"][i]["references"]):
        ref_us = best(r["models"][i]["references"][j]["us_per_inference_median"] for r in refs)
        print(f"| | | {e['name']} | {ref_us:.1f} | {ref_us / us:.2f} |")
PY
