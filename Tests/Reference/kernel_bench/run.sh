#!/bin/bash
# Builds the kernel timing program (release, whole module) and runs it:
#   Tests/Reference/kernel_bench/run.sh [layers.json] [runs]
# from the package root. Prints the median host time of one DS-CNN-S inference on
# our int8 kernels (checked equal to TFLM's scores first).
set -euo pipefail
cd "$(dirname "$0")/../../.."
out=$(mktemp -d)
swiftc -O -wmo -parse-as-library -module-name FixedPoint -emit-module -emit-module-path "$out/FixedPoint.swiftmodule" \
  -emit-library -static Sources/FixedPoint/*.swift -o "$out/libFixedPoint.a"
swiftc -O -wmo -parse-as-library -module-name Inference -I "$out" -emit-module -emit-module-path "$out/Inference.swiftmodule" \
  -emit-library -static $(find Sources/Inference -name '*.swift') -o "$out/libInference.a"
swiftc -O -I "$out" -L "$out" -lInference -lFixedPoint Tests/Reference/kernel_bench/main.swift -o "$out/kernel_bench"
nice -n 19 "$out/kernel_bench" "$@"
rm -rf "$out"
