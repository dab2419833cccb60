"""Erasing the person from the text files the pipeline wrote: reports (HTML, text, JSON), hand-off files (CSV, JSON)
and logs.

JSON and CSV are read as such: a record that is the person's (an object in a list, a CSV row, with a value that is
one of their keys) is removed, as the hand-off lists their feedback items; anywhere else their identifiers and texts
become [erased]. Other text files have every occurrence replaced. A file is rewritten beside itself and renamed over
only when something changed.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
from pathlib import Path

from pipeline.publish.scrub.needles import ERASED, Needles
from pipeline.publish.scrub.tables import replace_with, staged_path

TEXT_SUFFIXES = frozenset(
    {".csv", ".tsv", ".json", ".jsonl", ".ndjson", ".html", ".htm", ".txt", ".md", ".log", ".out", ".err", ".xml"}
    | {".js", ".yml", ".yaml", ".eml"}
)


def is_text_file(path: Path) -> bool:
    """A file erasure reads as text: by its suffix, or a rotated log (dbt.log.1)."""
    return path.suffix.lower() in TEXT_SUFFIXES or any(suffix == ".log" for suffix in path.suffixes)


@functools.cache
def compiled_patterns(needles: Needles) -> list[re.Pattern]:
    """Compiled once per person, not per file."""
    return needles.file_patterns()


class Eraser:
    """Erases one person's needles from strings and records, counting what it changed."""

    def __init__(self, needles: Needles) -> None:
        self.needles = needles
        self.patterns = compiled_patterns(needles)
        self.changes = 0

    def text(self, value: str) -> str:
        for pattern in self.patterns:
            value, count = pattern.subn(ERASED, value)
            self.changes += count
        return value

    def is_persons(self, values) -> bool:
        return any(isinstance(value, str) and value.strip().lower() in self.needles.row_values for value in values)

    def json(self, value):
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            kept = []
            for item in value:
                if isinstance(item, dict) and self.is_persons(item.values()):
                    self.changes += 1
                else:
                    kept.append(self.json(item))
            return kept
        if isinstance(value, dict):
            return {self.text(key): self.json(item) for key, item in value.items()}
        return value


def erased_json(content: str, eraser: Eraser) -> str | None:
    try:
        document = json.loads(content)
    except ValueError:
        return None
    scrubbed = eraser.json(document)
    indent = 2 if "\n" in content.strip() else None
    return json.dumps(scrubbed, indent=indent, ensure_ascii=False) + ("\n" if content.endswith("\n") else "")


def erased_json_line(line: str, eraser: Eraser) -> str:
    """One line of JSON Lines: gone when it is one of the person's records."""
    try:
        record = json.loads(line) if line.strip() else None
    except ValueError:
        return eraser.text(line)
    if isinstance(record, dict) and eraser.is_persons(record.values()):
        eraser.changes += 1
        return ""
    return line if record is None else erased_json(line, eraser)


def erased_csv(content: str, eraser: Eraser, delimiter: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n" if "\r\n" in content else "\n")
    for row in csv.reader(io.StringIO(content, newline=""), delimiter=delimiter):
        if eraser.is_persons(row):
            eraser.changes += 1
            continue
        writer.writerow([eraser.text(cell) for cell in row])
    return out.getvalue()


def erased_content(path: Path, content: str, eraser: Eraser) -> str:
    suffix = path.suffix.lower()
    if suffix == ".json":
        scrubbed = erased_json(content, eraser)
        if scrubbed is not None:
            return scrubbed
    if suffix in (".jsonl", ".ndjson"):
        return "".join(erased_json_line(line, eraser) for line in content.splitlines(keepends=True))
    if suffix in (".csv", ".tsv"):
        return erased_csv(content, eraser, "\t" if suffix == ".tsv" else ",")
    return eraser.text(content)


def scrub_text_file(path: Path, needles: Needles) -> int:
    """Erase the person from one text file; the number of records removed and occurrences replaced."""
    content = path.read_text(encoding="utf-8", errors="surrogateescape")
    eraser = Eraser(needles)
    scrubbed = erased_content(path, content, eraser)
    if not eraser.changes:
        return 0
    staged = staged_path(path)
    try:
        staged.write_text(scrubbed, encoding="utf-8", errors="surrogateescape")
        replace_with(path, staged)
    finally:
        staged.unlink(missing_ok=True)
    return eraser.changes
