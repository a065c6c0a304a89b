# kws: the two commands a new machine needs are `make run` and `make test`.
# Both install what is missing first (Debian packages, the pinned Python venv).

SHELL := /bin/bash
SWIFT ?= swift
VENV ?= .venv
PYTHON := $(abspath $(VENV))/bin/python
CONFIG ?= release
KWS := .build/$(CONFIG)/kws

# Debian packages: system libraries for the host, tools for clips and firmware.
APT_PACKAGES := libasound2-dev libfftw3-dev libsndfile1-dev libsoxr-dev \
  alsa-utils espeak-ng sox qemu-system-arm gcc-arm-none-eabi chromium

export KWS_PYTHON := $(PYTHON)

.PHONY: all deps venv train-deps build run test test-swift test-recipe firmware firmware-test firmware-report bench model clean

all: build

# Installs only what is missing, so it is quick on a machine that has everything.
deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(VENV)/.stamp: Tests/Reference/requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r Tests/Reference/requirements.txt
	touch $@

venv: $(VENV)/.stamp

build: deps
	$(SWIFT) build -c $(CONFIG) --product kws

run: build venv
	@Scripts/run.sh $(KWS) $(PYTHON)

# The firmware is built before the tests: `kws validate` tests run it under QEMU.
test-swift: deps venv
	$(SWIFT) build --build-tests
	$(MAKE) -C Firmware KWS=$(abspath .build/debug/kws)
	$(SWIFT) test --skip-build

firmware: deps
	$(MAKE) -C Firmware

firmware-report: deps
	$(MAKE) -C Firmware report

firmware-test: deps
	$(MAKE) -C Firmware test

test: test-swift firmware-test test-recipe

# Side-by-side timings, ours vs the references (C microfrontend, LiteRT 2.3, TFLM).
bench: deps venv
	Scripts/bench.sh

# Training (not part of `make test`): TensorFlow lives in its own venv, and the
# synthetic voices need espeak-ng, flite, Piper (PyPI) and festival (held out).
TRAIN_VENV ?= .venv-train
TRAIN_APT := flite festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts
DATA ?= ../shared/data/speech_commands

$(TRAIN_VENV)/.stamp: Models/requirements.txt Models/requirements-nodeps.txt
	python3 -m venv $(TRAIN_VENV)
	$(TRAIN_VENV)/bin/pip install -q -r Models/requirements.txt
	$(TRAIN_VENV)/bin/pip install -q --no-deps -r Models/requirements-nodeps.txt
	touch $@

train-deps: deps $(TRAIN_VENV)/.stamp
	@$(MAKE) --no-print-directory deps APT_PACKAGES="$(TRAIN_APT)"

# The training recipe's own tests (Models/tests): split, augmentation, synthesis
# byte for byte with every engine, and features -> train -> export -> TFLM -> ship
# end to end on a tiny generated data set.
test-recipe: train-deps
	$(TRAIN_VENV)/bin/python -m pytest -q Models/tests

model: train-deps
	$(SWIFT) build -c release --product kws
	nice -n 19 $(TRAIN_VENV)/bin/python Models/train.py all --with-synth --data $(DATA) --kws $(abspath $(KWS))

clean:
	rm -rf .build Firmware/build
