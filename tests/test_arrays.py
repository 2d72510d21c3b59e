"""Arrow arrays from numpy buffers equal what `pyarrow.array` makes of the same values."""

from __future__ import annotations

import re

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


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (np.arange(3, dtype=np.int64), pa.int32()),  # another width
        (np.arange(3, dtype=np.int64), pa.float64()),  # same width, another type
        (np.arange(3, dtype=np.uint32), pa.int32()),
        (np.array(["2021-10"], "datetime64[s]"), pa.timestamp("ms")),
        (np.zeros((3, 2)), pa.float64()),  # not flat
    ],
)
def test_numbers_refuse_values_that_are_not_a_flat_column_of_the_type(values, kind):
    with pytest.raises(TypeError, match=re.escape(f"are not a flat {kind}")):
        arrays.numbers(values, kind)


@pytest.mark.parametrize("valid", [np.array([1, 1, 2]), np.array([False]), np.ones(4, bool)])
def test_numbers_refuse_a_validity_mask_that_is_not_one_flag_per_value(valid):
    with pytest.raises(TypeError, match="valid must be 3 booleans"):
        arrays.numbers(np.array([1.0, np.nan, 3.0]), pa.float64(), valid)


def test_big_endian_values_are_read_as_their_numbers():
    values = np.array([1, -2, 300], dtype=">i4")
    assert arrays.numbers(values, pa.int32()).to_pylist() == [1, -2, 300]


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
