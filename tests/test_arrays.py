"""Arrow arrays from numpy buffers equal what `pyarrow.array` makes of the same values."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from sim.runs import arrays


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (np.array([3, -1, 7], np.int32), pa.int32()),
        (np.array([2**40, 0], np.int64), pa.int64()),
        (np.array([1, 2, 3, 4, 5, 6, 7, 8, 9], np.int16), pa.int16()),
        (np.array([0.5, np.nan, -2.0, np.nan, 1e300, 0, 0, 0, 1]), pa.float64()),
        (np.array([np.nan, 1.5], np.float32), pa.float32()),
        (np.array(["2021-09", "2021-10"], "datetime64[M]").astype("datetime64[ms]"), None),
    ],
)
def test_numbers_are_those_of_pyarrow_with_nan_as_null(values, kind):
    expected = pa.array(values, kind, from_pandas=True)
    built = arrays.numbers(values, expected.type)
    assert built.equals(expected)
    assert built.null_count == expected.null_count


def test_numbers_refuse_values_of_another_width():
    with pytest.raises(TypeError, match="int64 values cannot fill an array of int32"):
        arrays.numbers(np.arange(3), pa.int32())


def test_a_strided_column_gives_its_own_values():
    values = np.arange(20.0).reshape(4, 5)[:, 2]  # not contiguous
    assert arrays.numbers(values, pa.float64()).to_pylist() == [2.0, 7.0, 12.0, 17.0]


@pytest.mark.parametrize("count", [1, 8, 9, 17])
def test_booleans_pack_across_bytes(count):
    values = np.arange(count) % 3 == 0
    assert arrays.booleans(values).equals(pa.array(values))


@pytest.mark.parametrize("labels", [[], ["baseline"], ["a", "", "ISIS-K — Khorasan", "a"]])
def test_strings_are_those_of_pyarrow(labels):
    assert arrays.strings(labels).equals(pa.array(labels, pa.string()))


def test_categories_with_nulls_where_not_valid():
    codes = np.array([1, -1, 0, 2], np.int16)
    labels = ["taliban", "isisk", "none"]
    built = arrays.categories(codes, labels, valid=codes >= 0)
    expected = pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0), pa.array(labels))
    assert built.equals(expected)
    assert built.to_pylist() == ["isisk", None, "taliban", "none"]
