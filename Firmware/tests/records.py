#!/usr/bin/env python3
"""Reads the firmware's record stream (format: Sources/Spotter/SpotterRecord.swift).

    records.py scores RECORDS.bin [MODEL]   first output byte of every invocation of
                                            MODEL (default 0), as bytes on stdout
    records.py summary RECORDS.bin          counts per record kind, and whether the
                                            stream ends with its end record
Stdlib only; exits 1 on a malformed stream.
"""
import struct
import sys

KINDS = {1: "features", 2: "invocation", 3: "detection", 4: "end"}


def records(data):
    if data[:4] != b"KWSR" or struct.unpack_from("<H", data, 4)[0] != 1:
        sys.exit("not a version 1 record stream")
    offset = 8
    while offset < len(data):
        if len(data) - offset < 4:
            sys.exit(f"record header cut at byte {offset}")
        kind, source, length = struct.unpack_from("<BBH", data, offset)
        payload = data[offset + 4 : offset + 4 + length]
        if kind not in KINDS or len(payload) != length:
            sys.exit(f"bad record at byte {offset}")
        yield KINDS[kind], source, payload
        offset += 4 + length


def main():
    command, path = sys.argv[1], sys.argv[2]
    data = open(path, "rb").read()
    if command == "scores":
        model = int(sys.argv[3]) if len(sys.argv) > 3 else 0
        out = bytes(p[0] for k, s, p in records(data) if k == "invocation" and s == model)
        sys.stdout.buffer.write(out)
    elif command == "summary":
        counts = {}
        last = None
        for kind, _, _ in records(data):
            counts[kind] = counts.get(kind, 0) + 1
            last = kind
        print(" ".join(f"{k}={counts.get(k, 0)}" for k in KINDS.values()), "complete" if last == "end" else "cut")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
