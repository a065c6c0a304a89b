#!/usr/bin/env python3
"""Live reference for the TFLM microfrontend (the C library inside pymicro-features).

Modes (audio is raw s16le mono 16 kHz, from FILE or stdin):

  features [FILE]
      The package's public API exactly as microWakeWord / ESPHome use it:
      `MicroFrontend().process_samples` fed 160-sample chunks, a final partial chunk
      dropped. Writes every frame's 40 uint16 values to stdout as raw uint16 LE.

  ctypes [CONFIG] [--chunk N] [FILE]
      The same C library, driven through its exported C API
      (FrontendPopulateState / FrontendProcessSamples) with any configuration, so
      the 20 ms micro_speech variant and the stage switches can be checked live.
      Feeds N samples per call (default: everything, call after call). Writes raw
      uint16 LE values, `channels` per frame.

  tables [CONFIG]
      The tables FrontendPopulateState builds from floats (window coefficients,
      kissfft twiddles, filterbank layout and weights, noise-reduction
      coefficients, PCAN gain LUT) as JSON.

  log --scale-shift S --correction-bits C
      LogScaleApply on raw uint32 LE values from stdin; writes uint16 LE.

  pcan-gain [CONFIG]
      WideDynamicFunction(x, gain LUT of CONFIG) on raw uint32 LE values from stdin;
      writes int16 LE.

CONFIG options: --window-ms --step-ms --channels --lower-hz --upper-hz
--smoothing-bits --even-smoothing --odd-smoothing --min-signal-remaining
--pcan {0,1} --strength --offset --gain-bits --log {0,1} --scale-shift.
Defaults are the microWakeWord settings.
"""

import argparse
import ctypes
import json
import sys

import micro_features_cpp
from pymicro_features import MicroFrontend

SAMPLE_RATE = 16000
CHUNK_SAMPLES = 160  # what pymicro-features consumes per call (10 ms)


# --- C structures (tensorflow/lite/experimental/microfrontend/lib/*.h) ---------------
class WindowConfig(ctypes.Structure):
    _fields_ = [("size_ms", ctypes.c_size_t), ("step_size_ms", ctypes.c_size_t)]


class FilterbankConfig(ctypes.Structure):
    _fields_ = [
        ("num_channels", ctypes.c_int),
        ("upper_band_limit", ctypes.c_float),
        ("lower_band_limit", ctypes.c_float),
        ("output_scale_shift", ctypes.c_int),
    ]


class NoiseReductionConfig(ctypes.Structure):
    _fields_ = [
        ("smoothing_bits", ctypes.c_int),
        ("even_smoothing", ctypes.c_float),
        ("odd_smoothing", ctypes.c_float),
        ("min_signal_remaining", ctypes.c_float),
    ]


class PcanGainControlConfig(ctypes.Structure):
    _fields_ = [
        ("enable_pcan", ctypes.c_int),
        ("strength", ctypes.c_float),
        ("offset", ctypes.c_float),
        ("gain_bits", ctypes.c_int),
    ]


class LogScaleConfig(ctypes.Structure):
    _fields_ = [("enable_log", ctypes.c_int), ("scale_shift", ctypes.c_int)]


class FrontendConfig(ctypes.Structure):
    _fields_ = [
        ("window", WindowConfig),
        ("filterbank", FilterbankConfig),
        ("noise_reduction", NoiseReductionConfig),
        ("pcan_gain_control", PcanGainControlConfig),
        ("log_scale", LogScaleConfig),
    ]


class ComplexInt16(ctypes.Structure):
    _fields_ = [("r", ctypes.c_int16), ("i", ctypes.c_int16)]


class WindowState(ctypes.Structure):
    _fields_ = [
        ("size", ctypes.c_size_t),
        ("coefficients", ctypes.POINTER(ctypes.c_int16)),
        ("step", ctypes.c_size_t),
        ("input", ctypes.POINTER(ctypes.c_int16)),
        ("input_used", ctypes.c_size_t),
        ("output", ctypes.POINTER(ctypes.c_int16)),
        ("max_abs_output_value", ctypes.c_int16),
    ]


class FftState(ctypes.Structure):
    _fields_ = [
        ("input", ctypes.POINTER(ctypes.c_int16)),
        ("output", ctypes.POINTER(ComplexInt16)),
        ("fft_size", ctypes.c_size_t),
        ("input_size", ctypes.c_size_t),
        ("scratch", ctypes.c_void_p),
        ("scratch_size", ctypes.c_size_t),
    ]


class FilterbankState(ctypes.Structure):
    _fields_ = [
        ("num_channels", ctypes.c_int),
        ("start_index", ctypes.c_int),
        ("end_index", ctypes.c_int),
        ("channel_frequency_starts", ctypes.POINTER(ctypes.c_int16)),
        ("channel_weight_starts", ctypes.POINTER(ctypes.c_int16)),
        ("channel_widths", ctypes.POINTER(ctypes.c_int16)),
        ("weights", ctypes.POINTER(ctypes.c_int16)),
        ("unweights", ctypes.POINTER(ctypes.c_int16)),
        ("work", ctypes.POINTER(ctypes.c_uint64)),
    ]


class NoiseReductionState(ctypes.Structure):
    _fields_ = [
        ("smoothing_bits", ctypes.c_int),
        ("even_smoothing", ctypes.c_uint16),
        ("odd_smoothing", ctypes.c_uint16),
        ("min_signal_remaining", ctypes.c_uint16),
        ("num_channels", ctypes.c_int),
        ("estimate", ctypes.POINTER(ctypes.c_uint32)),
    ]


class PcanGainControlState(ctypes.Structure):
    _fields_ = [
        ("enable_pcan", ctypes.c_int),
        ("noise_estimate", ctypes.POINTER(ctypes.c_uint32)),
        ("num_channels", ctypes.c_int),
        ("gain_lut", ctypes.POINTER(ctypes.c_int16)),
        ("snr_shift", ctypes.c_int32),
    ]


class LogScaleState(ctypes.Structure):
    _fields_ = [("enable_log", ctypes.c_int), ("scale_shift", ctypes.c_int)]


class FrontendState(ctypes.Structure):
    _fields_ = [
        ("window", WindowState),
        ("fft", FftState),
        ("filterbank", FilterbankState),
        ("noise_reduction", NoiseReductionState),
        ("pcan_gain_control", PcanGainControlState),
        ("log_scale", LogScaleState),
    ]


class FrontendOutput(ctypes.Structure):
    _fields_ = [("values", ctypes.POINTER(ctypes.c_uint16)), ("size", ctypes.c_size_t)]


# kissfft's private layout (kissfft/kiss_fft_guts.h, tools/kiss_fftr.c).
class KissFftrState(ctypes.Structure):
    _fields_ = [
        ("substate", ctypes.c_void_p),
        ("tmpbuf", ctypes.POINTER(ComplexInt16)),
        ("super_twiddles", ctypes.POINTER(ComplexInt16)),
    ]


KISS_MAXFACTORS = 32


class KissFftStateHead(ctypes.Structure):
    _fields_ = [
        ("nfft", ctypes.c_int),
        ("inverse", ctypes.c_int),
        ("factors", ctypes.c_int * (2 * KISS_MAXFACTORS)),
    ]


def load_library():
    lib = ctypes.CDLL(micro_features_cpp.__file__)
    lib.FrontendPopulateState.argtypes = [
        ctypes.POINTER(FrontendConfig),
        ctypes.POINTER(FrontendState),
        ctypes.c_int,
    ]
    lib.FrontendPopulateState.restype = ctypes.c_int
    lib.FrontendProcessSamples.argtypes = [
        ctypes.POINTER(FrontendState),
        ctypes.POINTER(ctypes.c_int16),
        ctypes.c_size_t,
        ctypes.POINTER(ctypes.c_size_t),
    ]
    lib.FrontendProcessSamples.restype = FrontendOutput
    lib.FrontendFreeStateContents.argtypes = [ctypes.POINTER(FrontendState)]
    lib.FrontendFreeStateContents.restype = None
    return lib


def add_config_arguments(parser):
    parser.add_argument("--window-ms", type=int, default=30)
    parser.add_argument("--step-ms", type=int, default=10)
    parser.add_argument("--channels", type=int, default=40)
    parser.add_argument("--lower-hz", type=float, default=125.0)
    parser.add_argument("--upper-hz", type=float, default=7500.0)
    parser.add_argument("--smoothing-bits", type=int, default=10)
    parser.add_argument("--even-smoothing", type=float, default=0.025)
    parser.add_argument("--odd-smoothing", type=float, default=0.06)
    parser.add_argument("--min-signal-remaining", type=float, default=0.05)
    parser.add_argument("--pcan", type=int, choices=[0, 1], default=1)
    parser.add_argument("--strength", type=float, default=0.95)
    parser.add_argument("--offset", type=float, default=80.0)
    parser.add_argument("--gain-bits", type=int, default=21)
    parser.add_argument("--log", type=int, choices=[0, 1], default=1)
    parser.add_argument("--scale-shift", type=int, default=6)


def make_config(args):
    # ctypes stores the Python floats as C floats, exactly as `0.025f` literals would be.
    config = FrontendConfig()
    config.window.size_ms = args.window_ms
    config.window.step_size_ms = args.step_ms
    config.filterbank.num_channels = args.channels
    config.filterbank.lower_band_limit = args.lower_hz
    config.filterbank.upper_band_limit = args.upper_hz
    config.noise_reduction.smoothing_bits = args.smoothing_bits
    config.noise_reduction.even_smoothing = args.even_smoothing
    config.noise_reduction.odd_smoothing = args.odd_smoothing
    config.noise_reduction.min_signal_remaining = args.min_signal_remaining
    config.pcan_gain_control.enable_pcan = args.pcan
    config.pcan_gain_control.strength = args.strength
    config.pcan_gain_control.offset = args.offset
    config.pcan_gain_control.gain_bits = args.gain_bits
    config.log_scale.enable_log = args.log
    config.log_scale.scale_shift = args.scale_shift
    return config


def populate(lib, args):
    state = FrontendState()
    if not lib.FrontendPopulateState(ctypes.byref(make_config(args)), ctypes.byref(state), SAMPLE_RATE):
        sys.exit("FrontendPopulateState failed for this configuration")
    return state


def read_audio(path):
    data = sys.stdin.buffer.read() if path in (None, "-") else open(path, "rb").read()
    if len(data) % 2:
        sys.exit(f"audio has an odd byte count ({len(data)}): expected s16le samples")
    return data


def run_features(args):
    audio = read_audio(args.file)
    frontend = MicroFrontend()
    out = bytearray()
    chunk_bytes = 2 * CHUNK_SAMPLES
    for start in range(0, len(audio) - chunk_bytes + 1, chunk_bytes):
        result = frontend.process_samples(audio[start : start + chunk_bytes])
        assert result.samples_read == CHUNK_SAMPLES, result.samples_read
        for f in result.features:
            # The package returns v * 0.0390625f (= v * 5 / 128, exact in float).
            v = round(f * 128 / 5)
            assert v * 5 / 128 == f, (v, f)
            out += int(v).to_bytes(2, "little")
    sys.stdout.buffer.write(bytes(out))


def run_ctypes(args):
    audio = read_audio(args.file)
    lib = load_library()
    state = populate(lib, args)
    count = len(audio) // 2
    samples = (ctypes.c_int16 * max(count, 1)).from_buffer_copy(audio + bytes(2 * (count == 0)))
    base = ctypes.addressof(samples)
    out = bytearray()
    position = 0
    while position < count:
        end = count if args.chunk <= 0 else min(count, position + args.chunk)
        # Like the C examples: keep calling while the chunk has unread samples.
        while position < end:
            read = ctypes.c_size_t(0)
            pointer = ctypes.cast(base + 2 * position, ctypes.POINTER(ctypes.c_int16))
            output = lib.FrontendProcessSamples(ctypes.byref(state), pointer, end - position, ctypes.byref(read))
            position += read.value
            if output.size:
                out += ctypes.string_at(output.values, 2 * output.size)
    lib.FrontendFreeStateContents(ctypes.byref(state))
    sys.stdout.buffer.write(bytes(out))


def kiss_factors(head):
    # (radix, remaining length) pairs, up to the pair whose remaining length is 1.
    factors = []
    for k in range(KISS_MAXFACTORS):
        factors += [head.factors[2 * k], head.factors[2 * k + 1]]
        if head.factors[2 * k + 1] == 1:
            break
    return factors


def run_tables(args):
    lib = load_library()
    state = populate(lib, args)
    window, fft, bank = state.window, state.fft, state.filterbank
    fftr = KissFftrState.from_address(fft.scratch)
    head = KissFftStateHead.from_address(fftr.substate)
    nfft = head.nfft
    twiddles = (ComplexInt16 * nfft).from_address(fftr.substate + ctypes.sizeof(KissFftStateHead))
    channels_plus_1 = bank.num_channels + 1
    weight_count = max(
        bank.channel_weight_starts[i] + bank.channel_widths[i] for i in range(channels_plus_1)
    )
    nr = state.noise_reduction
    pcan = state.pcan_gain_control
    tables = {
        "window_size": window.size,
        "window_step": window.step,
        "window_coefficients": [window.coefficients[i] for i in range(window.size)],
        "fft_size": fft.fft_size,
        "kiss_nfft": nfft,
        "kiss_factors": kiss_factors(head),
        "kiss_twiddles": [[t.r, t.i] for t in twiddles],
        "kiss_super_twiddles": [[fftr.super_twiddles[i].r, fftr.super_twiddles[i].i] for i in range(nfft // 2)],
        "filterbank_start_index": bank.start_index,
        "filterbank_end_index": bank.end_index,
        "filterbank_channel_frequency_starts": [bank.channel_frequency_starts[i] for i in range(channels_plus_1)],
        "filterbank_channel_weight_starts": [bank.channel_weight_starts[i] for i in range(channels_plus_1)],
        "filterbank_channel_widths": [bank.channel_widths[i] for i in range(channels_plus_1)],
        "filterbank_weights": [bank.weights[i] for i in range(weight_count)],
        "filterbank_unweights": [bank.unweights[i] for i in range(weight_count)],
        "noise_even_smoothing": nr.even_smoothing,
        "noise_odd_smoothing": nr.odd_smoothing,
        "noise_min_signal_remaining": nr.min_signal_remaining,
        "pcan_enabled": pcan.enable_pcan,
        # 129 segment ends + 1 padding entry (log_lut.h: kLogSegments + 1, padded).
        "log_lut": list((ctypes.c_uint16 * 130).in_dll(lib, "kLogLut")),
    }
    if pcan.enable_pcan:
        # 4 * 32 - 3 entries; index 4k - 3 (k >= 2) is never written or read by the C.
        lut_size = 4 * 32 - 3
        tables["pcan_snr_shift"] = pcan.snr_shift
        tables["pcan_gain_lut"] = [
            None if (i >= 5 and (i + 6) % 4 == 3) else pcan.gain_lut[i] for i in range(lut_size)
        ]
    lib.FrontendFreeStateContents(ctypes.byref(state))
    json.dump(tables, sys.stdout)


def read_uint32s():
    data = sys.stdin.buffer.read()
    if len(data) % 4:
        sys.exit(f"stdin has {len(data)} bytes: expected uint32 LE values")
    count = len(data) // 4
    return (ctypes.c_uint32 * max(count, 1)).from_buffer_copy(data + bytes(4 * (count == 0))), count


def run_log(args):
    lib = load_library()
    lib.LogScaleApply.argtypes = [
        ctypes.POINTER(LogScaleState),
        ctypes.POINTER(ctypes.c_uint32),
        ctypes.c_int,
        ctypes.c_int,
    ]
    lib.LogScaleApply.restype = ctypes.POINTER(ctypes.c_uint16)
    values, count = read_uint32s()
    state = LogScaleState(enable_log=1, scale_shift=args.scale_shift)
    out = lib.LogScaleApply(ctypes.byref(state), values, count, args.correction_bits)
    sys.stdout.buffer.write(ctypes.string_at(out, 2 * count))


def run_pcan_gain(args):
    lib = load_library()
    lib.WideDynamicFunction.argtypes = [ctypes.c_uint32, ctypes.POINTER(ctypes.c_int16)]
    lib.WideDynamicFunction.restype = ctypes.c_int16
    state = populate(lib, args)
    values, count = read_uint32s()
    lut = state.pcan_gain_control.gain_lut
    out = (ctypes.c_int16 * max(count, 1))()
    for i in range(count):
        out[i] = lib.WideDynamicFunction(values[i], lut)
    lib.FrontendFreeStateContents(ctypes.byref(state))
    sys.stdout.buffer.write(ctypes.string_at(out, 2 * count))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    modes = parser.add_subparsers(dest="mode", required=True)
    features = modes.add_parser("features")
    features.add_argument("file", nargs="?")
    via_ctypes = modes.add_parser("ctypes")
    add_config_arguments(via_ctypes)
    via_ctypes.add_argument("--chunk", type=int, default=0)
    via_ctypes.add_argument("file", nargs="?")
    tables = modes.add_parser("tables")
    add_config_arguments(tables)
    log = modes.add_parser("log")
    log.add_argument("--scale-shift", type=int, default=6)
    log.add_argument("--correction-bits", type=int, default=3)
    pcan_gain = modes.add_parser("pcan-gain")
    add_config_arguments(pcan_gain)
    args = parser.parse_args()
    runners = {
        "features": run_features,
        "ctypes": run_ctypes,
        "tables": run_tables,
        "log": run_log,
        "pcan-gain": run_pcan_gain,
    }
    runners[args.mode](args)


if __name__ == "__main__":
    main()
