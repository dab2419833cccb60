"""Vectorised JSON text: Arrow string kernels build, for many rows at once, the exact bytes orjson writes.

orjson writes compact JSON (no spaces, keys in insertion order), so a record's text is constant fragments
around its values' JSON texts. Every helper returns a pyarrow string array with one entry per row.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

DAY = 86400
# Characters orjson escapes inside a string: the quote, the backslash and control characters.
NEEDS_ESCAPE = r'[\x00-\x1f"\\]'


def concat(*parts: pa.Array | str) -> pa.Array:
    """Element-wise concatenation of string arrays; plain str parts are repeated on every row."""
    return pc.binary_join_element_wise(*parts, "")


def integers(values: np.ndarray) -> pa.Array:
    """Decimal text of integers (as str(int) writes them)."""
    return pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string())


def strings(values: np.ndarray | pa.Array) -> pa.Array:
    """JSON string literals, quoted and escaped as orjson does."""
    array = values if isinstance(values, pa.Array) else pa.array(values, type=pa.string())
    if len(array) and pc.any(pc.match_substring_regex(array, NEEDS_ESCAPE)).as_py():
        return pa.array([orjson.dumps(value).decode() for value in array.to_pylist()], pa.string())
    return concat('"', array, '"')


def vocabulary(values) -> pa.Array:
    """orjson text of each value, to `take` by code: categorical columns are encoded once, not once per row."""
    return pa.array([orjson.dumps(value).decode() for value in values], pa.string())


def fragments(values) -> pa.Array:
    """Plain (unquoted) strings, to `take` by code."""
    return pa.array([str(value) for value in values], pa.string())


def booleans(values: np.ndarray) -> pa.Array:
    return fragments(["false", "true"]).take(pa.array(np.asarray(values, dtype=np.int8)))


def take(table: pa.Array, codes: np.ndarray) -> pa.Array:
    return table.take(pa.array(np.asarray(codes, dtype=np.int64)))


def choose(size: int, cases: list[tuple[np.ndarray, pa.Array]], default: str = "") -> pa.Array:
    """Row i gets the next value of the case whose (disjoint) mask holds at i, else `default`."""
    pieces = [pa.array([default], pa.string())]
    index = np.zeros(size, dtype=np.int64)
    start = 1
    for mask, values in cases:
        rows = np.flatnonzero(mask)
        if len(rows) != len(values):
            raise ValueError(f"case has {len(values)} values for {len(rows)} rows")
        index[rows] = start + np.arange(len(rows))
        pieces.append(values)
        start += len(rows)
    return pa.concat_arrays(pieces).take(pa.array(index))


@cache
def clock_texts() -> pa.Array:
    """'HH:MM:SS' for every second of a day."""
    return pa.array([f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(DAY)], pa.string())


def iso(seconds: np.ndarray, style: str = "seconds") -> pa.Array:
    """Same text as period.iso: 'seconds' -> 2025-01-03T10:11:12Z, 'millis' -> 2025-01-03T10:11:12.000Z."""
    seconds = np.asarray(seconds, dtype=np.int64)
    suffix = ".000Z" if style == "millis" else "Z"
    if not len(seconds):
        return pa.array([], pa.string())
    days, clock = np.divmod(seconds, DAY)
    first = days.min()
    day_texts = pa.array(np.datetime_as_string(np.arange(first, days.max() + 1).astype("datetime64[D]")))
    return concat(take(day_texts, days - first), "T", take(clock_texts(), clock), suffix)


HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def fixed_width(matrix: np.ndarray) -> pa.Array:
    """One ASCII string per row of a uint8 matrix, without copying it."""
    rows, width = matrix.shape
    offsets = np.arange(0, (rows + 1) * width, width, dtype=np.int32)
    return pa.StringArray.from_buffers(rows, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(matrix)))


def hex_digits(values: np.ndarray, width: int) -> pa.Array:
    """Lower-case hexadecimal, zero-padded to `width` (as f'{value:0{width}x}' for non-negative values)."""
    values = np.asarray(values, dtype=np.uint64)
    shifts = np.arange(width - 1, -1, -1, dtype=np.uint64) * np.uint64(4)
    return fixed_width(HEX_DIGITS[(values[:, None] >> shifts) & np.uint64(15)])


def uuid4_texts(raw: np.ndarray) -> pa.Array:
    """str(uuid.UUID(bytes=row, version=4)) for each row of 16 random bytes."""
    raw = np.array(raw, dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    digits = np.empty((len(raw), 32), dtype=np.uint8)
    digits[:, 0::2] = HEX_DIGITS[raw >> 4]
    digits[:, 1::2] = HEX_DIGITS[raw & 15]
    text = np.full((len(raw), 36), ord("-"), dtype=np.uint8)
    for start, stop, at in ((0, 8, 0), (8, 12, 9), (12, 16, 14), (16, 20, 19), (20, 32, 24)):
        text[:, at : at + stop - start] = digits[:, start:stop]
    return fixed_width(text)


def join_groups(values: pa.Array, offsets: np.ndarray, separator: str = ",") -> pa.Array:
    """values[offsets[k]:offsets[k + 1]] joined by `separator`, for every group k."""
    lists = pa.ListArray.from_arrays(pa.array(np.asarray(offsets, dtype=np.int32)), values)
    return pc.binary_join(lists, separator)


def distinct_per_group(group: np.ndarray, key: np.ndarray, rank: np.ndarray, groups: int) -> tuple:
    """Each group's distinct keys in order of first appearance (by rank), as (keys, offsets).

    Equivalent to dict.fromkeys over each group's keys in rank order; rank must order groups one after another."""
    order = np.lexsort((rank, key, group))
    first = np.ones(len(order), dtype=bool)
    first[1:] = (group[order][1:] != group[order][:-1]) | (key[order][1:] != key[order][:-1])
    kept = order[first]
    kept = kept[np.argsort(rank[kept], kind="stable")]
    offsets = np.r_[0, np.cumsum(np.bincount(group[kept], minlength=groups))]
    return key[kept], offsets


def write_lines(handle, lines: pa.Array) -> None:
    """Write each string followed by a newline, straight from the Arrow buffers."""
    if not len(lines):
        return
    text = concat(lines, "\n")
    _, offsets, data = text.buffers()
    bounds = np.frombuffer(offsets, dtype=np.int32)[text.offset : text.offset + len(text) + 1]
    handle.write(memoryview(data)[bounds[0] : bounds[-1]])
