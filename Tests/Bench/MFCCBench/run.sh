#!/usr/bin/env bash
# Host speed of MFCCFrontend (not a test: timings never are). Builds FixedPoint and
# Frontend as optimized static libraries in a temporary folder, then main.swift.
#
#   Tests/Bench/MFCCBench/run.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for module in FixedPoint Frontend; do
  swiftc -O -wmo -parse-as-library -module-name "$module" -I "$out" \
    -emit-module -emit-module-path "$out/$module.swiftmodule" \
    -emit-library -static -o "$out/lib$module.a" Sources/"$module"/*.swift
done
swiftc -O -I "$out" -L "$out" -lFrontend -lFixedPoint Tests/Bench/MFCCBench/main.swift -o "$out/mfcc-bench"
"$out/mfcc-bench"
