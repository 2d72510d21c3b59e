"""Arrow arrays built straight from numpy buffers, for the result tables.

`pyarrow.array` imports pandas (about half a second) the first time it converts
anything, to look for pandas types. A run's tables hold numbers, flags, dates and
labels only, so they are built from their buffers, and neither `sim run` nor its
workers load pandas.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa


def numbers(values: np.ndarray, kind: pa.DataType, valid: np.ndarray | None = None) -> pa.Array:
    """A flat `values` as an array of `kind`, their own type; null where NaN or not `valid`.

    Null where NaN is what `pyarrow.array(..., from_pandas=True)` does with floats. The
    buffer is taken as it is, so another type of the same width would be misread: refused.
    """
    values = np.asarray(values)
    values = np.ascontiguousarray(values, dtype=values.dtype.newbyteorder("="))  # native order
    if values.ndim != 1 or pa.from_numpy_dtype(values.dtype) != kind:
        raise TypeError(f"{values.dtype} values of shape {values.shape} are not a flat {kind}")
    if valid is not None:
        valid = np.asarray(valid)
        if valid.dtype != bool or valid.shape != values.shape:
            raise TypeError(
                f"valid must be {values.shape[0]} booleans, not {valid.dtype} {valid.shape}"
            )
    if values.dtype.kind == "f":
        nan = np.isnan(values)
        valid = ~nan if valid is None else valid & ~nan
    data = pa.py_buffer(values.view(np.uint8))  # bytes: dates have no buffer format of their own
    return pa.Array.from_buffers(kind, len(values), [_bitmap(valid), data])


def booleans(values: np.ndarray) -> pa.Array:
    """A boolean array of `values`, none null (Arrow packs 8 flags to a byte)."""
    packed = np.packbits(np.asarray(values, dtype=bool), bitorder="little")
    return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(packed)])


def strings(labels: Sequence[str]) -> pa.Array:
    """A string array of `labels`: UTF-8 bytes laid end to end, with their offsets."""
    encoded = [label.encode() for label in labels]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int32)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    data = pa.py_buffer(b"".join(encoded))
    return pa.Array.from_buffers(pa.string(), len(encoded), [None, pa.py_buffer(offsets), data])


def categories(
    codes: np.ndarray, labels: Sequence[str], valid: np.ndarray | None = None
) -> pa.DictionaryArray:
    """Codes into `labels` as a dictionary array (int8 or int16 codes, by their dtype)."""
    kind = pa.from_numpy_dtype(codes.dtype)
    return pa.DictionaryArray.from_arrays(numbers(codes, kind, valid), strings(labels))


def _bitmap(valid: np.ndarray | None) -> pa.Buffer | None:
    """Arrow's validity bitmap (1 = a value, 0 = null), or None when nothing is null."""
    if valid is None or valid.all():
        return None
    return pa.py_buffer(np.packbits(valid, bitorder="little"))
