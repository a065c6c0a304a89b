#!/usr/bin/env bash
# `make run`: listen on the microphone with the shipped model; with no capture device,
# say so and spot keywords in the bundled sample clips instead.
set -euo pipefail
kws=$1
python=$2
models=()
if [ -f Models/kws-speech-commands.json ]; then
  models+=(--model Models/kws-speech-commands.json)
fi
# The microWakeWord okay_nabu model from the pinned reference venv (pymicro-wakeword).
nabu=$("$python" -c "import pymicro_wakeword, pathlib; print(pathlib.Path(pymicro_wakeword.__file__).parent / 'models' / 'okay_nabu.json')")
models+=(--model "$nabu")

if "$kws" listen --list-devices | grep -q '^no capture devices found'; then
  echo "make run: no audio capture device on this machine; spotting keywords in Audio/samples/ instead"
  echo "          (on a machine with a microphone this runs: kws listen ${models[*]})"
  exec "$kws" detect "${models[@]}" Audio/samples/*.wav
fi
exec "$kws" listen "${models[@]}"
