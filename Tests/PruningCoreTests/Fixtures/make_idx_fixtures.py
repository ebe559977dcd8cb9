"""Writes small idx files (raw and gzip-compressed) and idx_expected.json.

Run with any Python that has numpy:

    python3 make_idx_fixtures.py

Each element type of the idx format gets one file; values are stored big-endian as the format
requires. Expected values are float32 bit patterns. `idx_u8_two_members.gz` holds the u8 file
split across two concatenated gzip members.
"""

import gzip
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def idx_bytes(array, code):
    header = bytes([0, 0, code, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + array.astype(TYPES[code]).tobytes()


def arrays():
    return {
        "idx_u8": (np.arange(24, dtype=np.uint8).reshape(2, 3, 4) * 10, 0x08),
        "idx_i8": (np.array([-128, -1, 0, 5, 127], dtype=np.int8), 0x09),
        "idx_i16": (np.array([[-32768, 300], [-2, 32767]], dtype=np.int16), 0x0B),
        "idx_i32": (np.array([-2147483648, 16777217, 7], dtype=np.int32), 0x0C),
        "idx_f32": (np.array([[1.5, -0.0], [3e38, 1e-45]], dtype=np.float32), 0x0D),
        "idx_f64": (np.array([1.0 / 3.0, -2.5e-3, 1e10], dtype=np.float64), 0x0E),
    }


def main():
    expected = {}
    for name, (array, code) in arrays().items():
        data = idx_bytes(array, code)
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(data)
        with open(os.path.join(HERE, name + ".gz"), "wb") as f:
            f.write(gzip.compress(data, mtime=0))
        expected[name] = {
            "shape": list(array.shape),
            "bits": [int(b) for b in array.astype(np.float32).reshape(-1).view(np.uint32)],
        }
    data = idx_bytes(*arrays()["idx_u8"])
    with open(os.path.join(HERE, "idx_u8_two_members.gz"), "wb") as f:
        f.write(gzip.compress(data[:10], mtime=0) + gzip.compress(data[10:], mtime=0))
    with open(os.path.join(HERE, "idx_expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
