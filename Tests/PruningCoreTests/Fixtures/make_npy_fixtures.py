"""Writes small .npy files with numpy and npy_expected.json with their float32 values.

Run with any Python that has numpy:

    python3 make_npy_fixtures.py

Expected values are stored as uint32 bit patterns of the float32 conversion, for exact
comparison. `npy_fortran.npy` is Fortran-ordered and must be rejected by the reader.
"""

import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def arrays():
    return {
        "npy_f4": (np.arange(12, dtype=np.float32).reshape(3, 4) * 0.5 - 2, (1, 0)),
        "npy_f4_v2": (np.array([[1.5, -2.25], [1e-30, 3e38]], dtype=np.float32), (2, 0)),
        "npy_f4_v3": (np.array([7.0, -0.0], dtype=np.float32), (3, 0)),
        "npy_f4_scalar": (np.array(2.75, dtype=np.float32), (1, 0)),
        "npy_f4_empty": (np.zeros((0, 3), dtype=np.float32), (1, 0)),
        "npy_f4_big_endian": (np.array([1.0, -3.5, 1e-3], dtype=">f4"), (1, 0)),
        "npy_f8": (np.array([[1.0 / 3.0, -1e300], [2.0**-140, 42.0], [0.1, -0.2]], dtype="<f8"), (1, 0)),
        "npy_f2": (np.array([0.5, -65504.0, 6e-08, np.inf], dtype="<f2"), (1, 0)),
        "npy_i8": (np.array([0, -5, 2**53 + 1, -(2**40)], dtype="<i8"), (1, 0)),
        "npy_i4": (np.array([[1, -2147483648], [2147483647, 12]], dtype="<i4"), (1, 0)),
        "npy_i2_big_endian": (np.array([-300, 300, 7], dtype=">i2"), (1, 0)),
        "npy_u1": (np.array([[0, 1, 128], [200, 254, 255]], dtype="|u1"), (1, 0)),
        "npy_b1": (np.array([True, False, True, True], dtype="|b1"), (1, 0)),
    }


def main():
    expected = {}
    for name, (array, version) in arrays().items():
        with open(os.path.join(HERE, name + ".npy"), "wb") as f:
            np.lib.format.write_array(f, array, version=version)
        with np.errstate(over="ignore"):
            values = array.astype(np.float32).reshape(-1)
        expected[name] = {
            "shape": list(array.shape),
            "bits": [int(b) for b in values.astype("<f4").view(np.uint32)],
        }
    fortran = np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3))
    with open(os.path.join(HERE, "npy_fortran.npy"), "wb") as f:
        np.lib.format.write_array(f, fortran, version=(1, 0))
    with open(os.path.join(HERE, "npy_expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
