#!/usr/bin/env bash
# Rebuilds the bundled sample clips from espeak-ng and sox (Debian packages), 16 kHz mono
# 16-bit. Synthetic speech only: no recordings of people are shipped.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sox -n -r 16000 -c 1 -b 16 "$tmp/sil.wav" trim 0 0.7
speak() { espeak-ng -v "$1" -s "$2" -w "$tmp/raw.wav" "$3" && sox "$tmp/raw.wav" -r 16000 -c 1 -b 16 "$4"; }

# okay-nabu-in-noise.wav: "okay nabu", "turn the lights on", "okay nabu" (another voice),
# mixed with quiet pink noise (the okay_nabu model fires on the first voice).
speak en-us 140 "okay nabu" "$tmp/a.wav"
speak en-gb+m3 150 "turn the lights on" "$tmp/b.wav"
speak en-us+f2 130 "okay nabu" "$tmp/c.wav"
sox "$tmp/sil.wav" "$tmp/a.wav" "$tmp/sil.wav" "$tmp/b.wav" "$tmp/sil.wav" "$tmp/c.wav" "$tmp/sil.wav" "$tmp/mix.wav"
sox -n -r 16000 -c 1 -b 16 "$tmp/noise.wav" synth "$(soxi -D "$tmp/mix.wav")" pinknoise vol 0.01
sox -m "$tmp/mix.wav" "$tmp/noise.wav" -b 16 okay-nabu-in-noise.wav

# keywords.wav: the ten Speech Commands keywords, one per second, then silence.
parts=("$tmp/sil.wav")
for w in yes no up down left right stop go on off; do
  speak en-us 150 "$w" "$tmp/$w-raw.wav"
  sox "$tmp/$w-raw.wav" "$tmp/$w.wav" pad 0.2 0 trim 0 1 pad 0 1 trim 0 1 2>/dev/null
  parts+=("$tmp/$w.wav")
done
parts+=("$tmp/sil.wav")
sox "${parts[@]}" keywords.wav
