"""Vocabulary for synthetic speech: the keywords, the `unknown` words and phrases.

The model's 12 labels, in model order, are
`down go left no off on right stop up yes silence unknown`. Only the first ten
are spoken; `silence` comes from noise-only windows at training time.

`unknown` must teach the model what is *not* a keyword, so besides everyday words
it holds near-misses (words that share most phonemes with a keyword) and short
phrases. Homophones of keywords ("know", "write", "rite") are left out on purpose:
labelling them `unknown` would teach the model to contradict itself.
"""

KEYWORDS = ["down", "go", "left", "no", "off", "on", "right", "stop", "up", "yes"]

LABELS = KEYWORDS + ["silence", "unknown"]

# Words the real Speech Commands v2 set files under "unknown", so synthetic unknowns
# resemble the real ones a user with the full set would see.
SPEECH_COMMANDS_OTHERS = [
  "backward", "bed", "bird", "cat", "dog", "eight", "five", "follow", "forward",
  "four", "happy", "house", "learn", "marvin", "nine", "one", "seven", "sheila",
  "six", "three", "tree", "two", "visual", "wow", "zero",
]

# One row per keyword: words a listener could mistake for it.
NEAR_MISSES = {
  "down": ["dawn", "town", "gown", "dune", "done", "drown"],
  "go": ["goat", "gold", "grow", "glow", "ago", "coat"],
  "left": ["lift", "loft", "laughed", "lest", "theft", "deft"],
  "no": ["nope", "note", "snow", "new", "now", "known"],
  "off": ["of", "cough", "often", "awful", "scoff", "doff"],
  "on": ["in", "an", "own", "one", "upon", "john"],
  "right": ["bright", "ride", "light", "fight", "rice", "wide"],
  "stop": ["step", "top", "shop", "stock", "stomp", "drop"],
  "up": ["cup", "pup", "op", "hop", "upper", "sup"],
  "yes": ["yet", "yeah", "less", "guess", "mess", "yellow"],
}

# Everyday words and device-ish vocabulary a keyword spotter hears around it.
EVERYDAY = [
  "hello", "okay", "please", "thanks", "music", "light", "volume", "timer",
  "morning", "water", "table", "window", "coffee", "number", "paper", "maybe",
  "later", "never", "always", "little", "apple", "orange", "listen", "start",
]

# Short phrases without any keyword in them (checked by `tests`), spoken quickly so
# they fit one second; the model must not fire on connected speech.
PHRASES = [
  "thank you", "good morning", "what time is it", "turn the lights", "play music",
  "hey there", "how are you", "see you later", "not now", "wait a minute",
  "one two three", "the weather", "a little bit", "come here", "let me see",
  "that is fine",
]

UNKNOWN_WORDS = sorted(
  set(SPEECH_COMMANDS_OTHERS + EVERYDAY + [w for ws in NEAR_MISSES.values() for w in ws])
)
UNKNOWN_TEXTS = UNKNOWN_WORDS + PHRASES
