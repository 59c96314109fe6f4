#!/usr/bin/python3
"""Writes tests/io/fixtures/python_written.safetensors by hand (struct + json + numpy, no safetensors
package), so the C++ reader is checked against an independent writer. Deterministic; rerun with
    /usr/bin/python3 tests/io/make_safetensors_fixture.py
The tensors (the C++ test hard-codes these formulas; keep both in sync):
  weight   F32  [2, 3]  arange(6) * 0.5 - 1          -> -1, -0.5, 0, 0.5, 1, 1.5
  scale    F64  [4]     arange(4) / 3                -> 0, 1/3, 2/3, 1 (exact IEEE division)
  ids      I64  [3]     [-2, 0, 2**40 + 7]
  step     I64  []      -1234567890123 (a 0-d tensor)
  pixels   U8   [2, 2, 2] arange(8) * 30             -> 0, 30, ..., 210
  mask     BOOL [5]     arange(5) % 2 == 0           -> 1, 0, 1, 0, 1
  empty    F32  [0, 3]  no data (size-0 tensor)
  metadata {"format": "pt", "producer": "make_safetensors_fixture.py"}
Data is laid out in the order above (not name order) and the header keys are sorted, so the reader's
offset sort is exercised; the header is compact JSON padded with spaces to a multiple of 8.
"""
import json
import os
import struct

import numpy as np

TENSORS = [
    ("weight", "F32", np.arange(6, dtype=np.float32).reshape(2, 3) * np.float32(0.5) - np.float32(1)),
    ("scale", "F64", np.arange(4, dtype=np.float64) / 3),
    ("ids", "I64", np.array([-2, 0, 2**40 + 7], dtype=np.int64)),
    ("step", "I64", np.array(-1234567890123, dtype=np.int64)),
    ("pixels", "U8", (np.arange(8) * 30).astype(np.uint8).reshape(2, 2, 2)),
    ("mask", "BOOL", np.arange(5) % 2 == 0),
    ("empty", "F32", np.zeros((0, 3), dtype=np.float32)),
]
METADATA = {"format": "pt", "producer": "make_safetensors_fixture.py"}


def build() -> bytes:
    header = {"__metadata__": METADATA}
    chunks = []
    offset = 0
    for name, dtype, array in TENSORS:
        raw = array.astype(array.dtype.newbyteorder("<")).tobytes()  # the format is little-endian
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":"), sort_keys=True).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def main() -> None:
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "python_written.safetensors")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    blob = build()
    assert len(blob) < 4096, len(blob)
    with open(out, "wb") as f:
        f.write(blob)
    print(f"wrote {out} ({len(blob)} bytes)")


if __name__ == "__main__":
    main()
