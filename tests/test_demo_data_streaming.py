"""The demo generator writes month by month in chunks, with JSON text built by Arrow kernels: same bytes as orjson."""

from __future__ import annotations

import uuid
from pathlib import Path

import numpy as np
import orjson
import pytest

from demo_data import generate, jsontext, writers
from demo_data.period import iso
from tests.conftest import TEST_SCALE, TEST_SEED
from tests.test_demo_data import digest


def test_chunk_size_does_not_change_a_byte(tmp_path, monkeypatch, demo_landing):
    # 150 rows: one page per chunk, and JSON-lines months split in many chunks (the path large scales take).
    monkeypatch.setattr(writers, "CHUNK_ROWS", 150)
    generate(tmp_path / "chunked", scale=TEST_SCALE, seed=TEST_SEED)
    assert digest(tmp_path / "chunked") == digest(demo_landing)


def test_every_json_line_is_what_orjson_writes_for_its_values(demo_landing: Path):
    files = sorted(demo_landing.rglob("*.jsonl"))
    assert len(files) > 100
    for path in files:
        for line in path.read_bytes().splitlines():
            assert orjson.dumps(orjson.loads(line)) == line, path


def test_text_helpers_match_their_python_counterparts():
    rng = np.random.default_rng(1)
    seconds = np.r_[0, 86_399, 86_400, 1_735_689_600, rng.integers(1_300_000_000, 1_800_000_000, 500)]
    for style in ("seconds", "millis"):
        assert jsontext.iso(seconds, style).to_pylist() == iso(seconds, style).tolist()
    raw = rng.integers(0, 256, (50, 16), dtype=np.uint8)
    assert jsontext.uuid4_texts(raw).to_pylist() == [str(uuid.UUID(bytes=row.tobytes(), version=4)) for row in raw]
    numbers = np.r_[0, 1, 255, rng.integers(0, 2**40, 50)]
    assert jsontext.hex_digits(numbers, 24).to_pylist() == [f"{number:024x}" for number in numbers.tolist()]
    assert jsontext.integers(np.array([-1, 0, 2**62])).to_pylist() == ["-1", "0", str(2**62)]
    tricky = ["plain", 'say "hi"', "back\\slash", "line\nbreak", "tab\t", "ünïcode ☃", ""]
    assert jsontext.strings(tricky).to_pylist() == [orjson.dumps(text).decode() for text in tricky]
    assert jsontext.strings(["safe", "ünïcode"]).to_pylist() == ['"safe"', '"ünïcode"']


def test_distinct_per_group_is_dict_fromkeys_per_group():
    rng = np.random.default_rng(2)
    group = np.sort(rng.integers(0, 7, 300))
    key = rng.integers(0, 20, 300)
    keys, offsets = jsontext.distinct_per_group(group, key, np.arange(300), 7)
    expected = [list(dict.fromkeys(key[group == g].tolist())) for g in range(7)]
    assert [keys[offsets[g] : offsets[g + 1]].tolist() for g in range(7)] == expected


def test_choose_takes_each_case_in_row_order():
    values = jsontext.choose(
        5,
        [
            (np.array([1, 0, 0, 1, 0], bool), jsontext.fragments(["a", "b"])),
            (np.array([0, 0, 1, 0, 0], bool), jsontext.fragments(["c"])),
        ],
        default="-",
    )
    assert values.to_pylist() == ["a", "-", "c", "b", "-"]
    with pytest.raises(ValueError):
        jsontext.choose(2, [(np.array([True, True]), jsontext.fragments(["a"]))])
