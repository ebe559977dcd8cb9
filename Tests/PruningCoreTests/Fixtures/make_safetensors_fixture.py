"""Writes python_fixture.safetensors and python_fixture_expected.json.

Run with a Python that has torch and safetensors installed:

    python make_safetensors_fixture.py

The expected values are the float32 conversions computed by torch, stored as uint32 bit
patterns so that the comparison is exact (including -0, subnormals, infinities and NaN).
"""

import json
import os

import numpy as np
import torch
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))


def tensors():
    rng = np.random.default_rng(20240501)
    half_specials = np.array(
        [0.0, -0.0, 1.0, -2.5, 65504.0, 6.1e-05, 5.96e-08, 1e-06, np.inf, -np.inf, np.nan, 0.333],
        dtype=np.float16,
    )
    return {
        "weight_f32": torch.from_numpy(rng.standard_normal((3, 4)).astype(np.float32)),
        "scalar_f32": torch.tensor(3.25, dtype=torch.float32),
        "empty_f32": torch.zeros((0,), dtype=torch.float32),
        "empty_2d_f16": torch.zeros((2, 0), dtype=torch.float16),
        "specials_f16": torch.from_numpy(half_specials).reshape(3, 4),
        "bias_bf16": torch.from_numpy(rng.standard_normal((2, 3)).astype(np.float32)).to(torch.bfloat16),
        "cube_bf16": torch.linspace(-3, 3, 24, dtype=torch.float32).reshape(2, 3, 4).to(torch.bfloat16),
        "double_f64": torch.tensor([[1.0 / 3.0, -1e-40], [1e39, 2.0**-149]], dtype=torch.float64),
        "counts_i64": torch.tensor([0, -7, 2**40 + 1, -(2**62)], dtype=torch.int64),
        "ids_i32": torch.tensor([[1, -2], [2147483647, -2147483648]], dtype=torch.int32),
        "small_i16": torch.tensor([-32768, 0, 32767], dtype=torch.int16),
        "bytes_u8": torch.tensor([0, 1, 127, 128, 255], dtype=torch.uint8),
        "signed_i8": torch.tensor([-128, -1, 0, 127], dtype=torch.int8),
        "mask_bool": torch.tensor([True, False, True], dtype=torch.bool),
        "fp8_e4m3": torch.tensor([0.0, -0.001953125, 0.5, -1.75, 448.0, 3.0, 0.0136, 240.0],
                                 dtype=torch.float32).to(torch.float8_e4m3fn),
        "fp8_e5m2": torch.tensor([0.0, -1.5e-05, 0.5, -1.75, 57344.0, 3.0, float("inf"), 96.0],
                                 dtype=torch.float32).to(torch.float8_e5m2),
    }


def main():
    data = tensors()
    metadata = {"format": "pt", "source": "PruningCore fixture", "quote\"and\\slash": "é ünïcode"}
    save_file(data, os.path.join(HERE, "python_fixture.safetensors"), metadata=metadata)
    dtype_names = {
        torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64",
        torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.uint8: "U8", torch.int8: "I8",
        torch.bool: "BOOL", torch.float8_e4m3fn: "F8_E4M3", torch.float8_e5m2: "F8_E5M2",
    }
    expected = {"metadata": metadata, "tensors": {}}
    for name, tensor in data.items():
        values = tensor.to(torch.float32).numpy().reshape(-1)
        expected["tensors"][name] = {
            "dtype": dtype_names[tensor.dtype],
            "shape": list(tensor.shape),
            "bits": [int(b) for b in values.view(np.uint32)],
        }
    with open(os.path.join(HERE, "python_fixture_expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
