"""`make profile DATA=folder`: what ingest would make of a folder of exports, without loading anything.

Lists the files a built-in source or a configured file drop recognises, the files it skips, and for every other CSV,
JSONL or Parquet file prints a `file_drops` entry to paste into config/sources.yml: columns, inferred types, the id
column, the event time with the form it is written in, and a suggested canonical mapping. The whole output is YAML
(everything but the entries is comments). Only a sample of each file is read (ingest/profile_sample.py).

    python -m ingest.profile FOLDER [--sources-config config/sources.yml]
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import yaml

from ingest import file_drops
from ingest.file_drops import NAME_PATTERN
from ingest.profile_canonical import Canonical, fits, snake, suggest
from ingest.profile_sample import Column, Sample, UnreadableFile, guess_formats, header_of, read_sample
from ingest.registry import ENTITIES
from ingest.run import unmatched_files

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}
DEFAULT_SOURCES_CONFIG = Path(__file__).resolve().parent.parent / "config" / "sources.yml"
ID_NAMES = r"id|.+_id|.+id|key|.+_key|uuid|guid"
CREATED_NAMES = (
    r"(created|creation|create|submitted|sent|posted|occurred|event|order_purchase)(_?(at|date|time|on|ts))?"
)
TIME_NAMES = r"timestamp|datetime|date|time|ts|.+_(at|date|time|timestamp|ts|on)|.+(date|time)"
NAIVE_FORMS = {"iso8601_naive", "date"}


@dataclass
class Suggestion:
    name: str
    fmt: str
    pattern: str
    files: list[str]
    sample: Sample
    id_column: str | None = None
    id_reason: str = ""
    event_time: Column | None = None
    canonical: Canonical | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Profile:
    recognised: list[tuple[str, str]] = field(default_factory=list)  # (file, raw tables)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, why)
    suggestions: list[Suggestion] = field(default_factory=list)


def profile_folder(landing: Path, sources_config: Path | None = None) -> Profile:
    landing = Path(landing)
    if not landing.is_dir():
        raise FileNotFoundError(f"no such folder: {landing}")
    drops = file_drops.load_config(sources_config)
    tables: dict[Path, list[str]] = {}
    for entity in (*ENTITIES, *(drop.entity for drop in drops)):
        for path in entity.files(landing):
            tables.setdefault(path, []).append(entity.table)
    profile = Profile(recognised=[(_relative(landing, p), ", ".join(t)) for p, t in sorted(tables.items())])
    unmatched = [landing / name for name in unmatched_files(landing, set(tables))]
    profile.skipped = _not_exports(landing, set(tables) | set(unmatched))
    taken = {drop.name for drop in drops}
    with duckdb.connect() as con:
        data: list[Path] = []
        for path in unmatched:
            fmt = FORMATS.get(path.suffix.lower())
            if fmt is None:
                profile.skipped.append((_relative(landing, path), _why_not(path)))
            elif path.stat().st_size == 0:
                profile.skipped.append((_relative(landing, path), "empty file"))
            else:
                data.append(path)
        for fmt, files, pattern in _groups(con, landing, data, profile):
            name = _name(landing, files, taken)
            taken.add(name)
            try:
                sample = read_sample(con, fmt, files)
            except UnreadableFile as exc:
                profile.skipped += [(_relative(landing, path), str(exc)) for path in files]
                continue
            guess_formats(con, sample.columns)
            profile.suggestions.append(_infer(name, fmt, pattern, [_relative(landing, p) for p in files], sample))
    return profile


def _relative(landing: Path, path: Path) -> str:
    return path.relative_to(landing).as_posix()


def _not_exports(landing: Path, seen: set[Path]) -> list[tuple[str, str]]:
    """Hidden files (one line per hidden folder) and the demo manifest: never exports."""
    skipped: dict[str, str] = {}
    for path in sorted(p for p in landing.rglob("*") if p.is_file() and p not in seen):
        parts = path.relative_to(landing).parts
        hidden = next((i for i, part in enumerate(parts) if part.startswith(".")), None)
        if hidden is not None and hidden < len(parts) - 1:
            skipped.setdefault("/".join(parts[: hidden + 1]) + "/", "hidden folder")
        elif hidden is not None:
            skipped["/".join(parts)] = "hidden file"
        else:
            skipped["/".join(parts)] = "the demo generator's manifest, not an export"
    return list(skipped.items())


def _why_not(path: Path) -> str:
    if path.suffix.lower() == ".json":
        return "a JSON document: file drops read JSON Lines (.jsonl, one record per line), CSV or Parquet"
    return "not CSV, JSONL or Parquet"


def _groups(con, landing: Path, paths: list[Path], profile: Profile):
    """(format, files, glob) per drop: the files of one folder with one suffix and one header become one drop with
    the glob `folder/*.suffix` when that glob matches nothing else; any other file is a drop of its own."""
    by_folder: dict[tuple[Path, str], list[Path]] = {}
    for path in paths:
        by_folder.setdefault((path.parent, path.suffix), []).append(path)
    for (folder, suffix), files in by_folder.items():
        fmt = FORMATS[suffix.lower()]
        headers: dict[Path, tuple] = {}
        for path in files:
            try:
                headers[path] = tuple(header_of(con, fmt, path) or ())
            except UnreadableFile as exc:
                profile.skipped.append((_relative(landing, path), str(exc)))
        files = [path for path in files if path in headers]
        folder_glob = "/".join([*(glob.escape(part) for part in folder.relative_to(landing).parts), "*" + suffix])
        alike = len(files) > 1 and len(set(headers.values())) == 1
        if alike and set(landing.glob(folder_glob)) == set(files):
            yield fmt, files, folder_glob
        else:
            for path in files:
                yield fmt, [path], "/".join(glob.escape(part) for part in path.relative_to(landing).parts)


def _name(landing: Path, files: list[Path], taken: set[str]) -> str:
    """A drop name from the folder (several files) or the file name, valid and not yet taken."""
    folder = files[0].parent
    parent = snake(folder.name) if folder != landing else ""
    base = parent if len(files) > 1 and parent else snake(files[0].stem)
    if not re.match(r"[a-z]", base):  # a file named by its month (`2025-01.csv`), or by no Latin letter
        base = f"{parent}_{base}".strip("_") if parent and len(files) == 1 else base
        base = base if re.match(r"[a-z]", base) else f"drop_{base}".strip("_")
    candidates = [base, *([f"{parent}_{base}"] if parent and parent != base and len(files) == 1 else [])]
    candidates += [f"{base[:37]}_{n}" for n in range(2, 1000)]
    return next(c for c in (c[:41].rstrip("_") for c in candidates) if NAME_PATTERN.match(c) and c not in taken)


def _infer(name: str, fmt: str, pattern: str, files: list[str], sample: Sample) -> Suggestion:
    suggestion = Suggestion(name, fmt, pattern, files, sample)
    if not sample.rows:
        suggestion.notes.append("no records in the sample: columns only")
    suggestion.id_column, suggestion.id_reason = _id_column(sample)
    suggestion.event_time = _event_time(sample, suggestion.id_column)
    time_name = suggestion.event_time.name if suggestion.event_time else None
    suggestion.canonical = suggest(sample, name, suggestion.id_column, time_name)
    if suggestion.id_column is None:
        suggestion.notes.append("no column is unique and never blank in the sample: no id, so no canonical mapping")
    return suggestion


def _id_column(sample: Sample) -> tuple[str | None, str]:
    """The likely id, and why: unique and never blank in the sample, by name (`id`, `*_id`, `key`...) then position;
    else an id-named column never blank and nearly unique (a repeated id is a new version of its record)."""

    def score(column: Column) -> int:
        if re.fullmatch(r"column[0-9]+", column.name):
            return 0  # a pandas index
        return 3 if snake(column.name) == "id" else 2 if re.fullmatch(ID_NAMES, snake(column.name)) else 1

    full = [
        c
        for c in sample.columns
        if sample.rows and c.filled == sample.rows and c.type != "JSON" and c.avg_length <= 64
        if score(c) > 1 or c.share(c.times) < 0.8
    ]
    unique = [c for c in full if c.distinct == sample.rows]
    if unique:
        return max(unique, key=lambda c: (score(c), -c.position)).name, "unique and never blank in the sample"
    repeated = [c for c in full if score(c) > 1 and c.distinct >= 0.95 * sample.rows]
    if not repeated:
        return None, ""
    best = max(repeated, key=lambda c: (score(c), c.distinct, -c.position))
    return best.name, (
        f"never blank, {best.distinct / sample.rows:.1%} distinct in the sample: a repeated id is a new version "
        "of its record (the canonical views keep the latest)"
    )


def _time_name_score(name: str) -> int:
    if name.startswith("_"):
        return 0  # a loader's bookkeeping (`_fivetran_synced`), not the export's own time
    return 3 if fits(CREATED_NAMES, name) else 2 if re.fullmatch(TIME_NAMES, snake(name)) else 1


def _event_time(sample: Sample, id_column: str | None) -> Column | None:
    candidates = []
    for column in sample.columns:
        parsed = column.format_times if column.guessed_format else column.times
        epoch = any(form.startswith("epoch") for form in column.forms)
        if column.name == id_column or column.share(parsed) < 0.8 or (epoch and _time_name_score(column.name) < 2):
            continue
        share = column.share(parsed)
        # A time every record has first: interactions and touchpoints require theirs.
        full = column.filled == sample.rows
        candidates.append(((share >= 0.99, full, _time_name_score(column.name), share, -column.position), column))
    return max(candidates, key=lambda item: item[0])[1] if candidates else None


def _yaml(value) -> str:
    """A YAML scalar: plain when it reads back as itself, else double-quoted (JSON's quoting is valid YAML)."""
    text = str(value)
    plain = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", text) and yaml.safe_load(text) == text
    return text if plain else json.dumps(text, ensure_ascii=False)


def _comment(text: str | None, limit: int = 60) -> str:
    """A value for a comment: one line, shortened, quoted."""
    flat = " ".join(str(text or "").split())
    return json.dumps(flat if len(flat) <= limit else flat[: limit - 3] + "...", ensure_ascii=False)


def _spec(spec) -> str:
    if isinstance(spec, dict):
        return "{" + ", ".join(f"{key}: {_yaml(value)}" for key, value in spec.items()) + "}"
    return _yaml(spec)


def render_entry(suggestion: Suggestion) -> list[str]:
    sample = suggestion.sample
    columns = sample.columns
    if len(suggestion.files) == 1:
        read = f"{suggestion.files[0]}: {sample.rows} records sampled"
    else:
        read = f"{len(suggestion.files)} files: {sample.rows} records sampled from {sample.files_sampled}"
    lines = [f"  # {read}, {len(columns)} columns"]
    lines += [f"  # {note}" for note in suggestion.notes]
    lines += [
        f"  - name: {suggestion.name}",
        f"    format: {suggestion.fmt}",
        f"    glob: {_yaml(suggestion.pattern)}",
        f"    columns: [{', '.join(_yaml(c.name) for c in columns)}]",
    ]
    typed = [c for c in columns if c.type != "VARCHAR"]
    if typed:
        lines.append("    types:")
        lines += [f"      {_yaml(c.name)}: {c.type}  # e.g. {_comment(c.example)}" for c in typed]
    time = suggestion.event_time
    required = [name for name in (suggestion.id_column,) if name]
    entity = suggestion.canonical.entity if suggestion.canonical else None
    if time and (time.filled == sample.rows or entity in ("interactions", "touchpoints")):
        required.append(time.name)
    if required:
        why = f"  # {suggestion.id_column}: {suggestion.id_reason}" if suggestion.id_column else ""
        lines.append(f"    required: [{', '.join(_yaml(name) for name in required)}]{why}")
    if time:
        lines += _event_time_lines(time)
    else:
        lines.append("    # event_time: no column reads as timestamps in the sample")
    canonical = suggestion.canonical
    if canonical is None:
        lines.append('    # canonical: none suggested (no fitting columns); see README "Generic file drops"')
        return lines
    lines += [
        f"    canonical:  # {canonical.entity}: {canonical.why}",
        f"      entity: {canonical.entity}",
        "      columns:",
    ]
    lines += [
        f"        {target}: {_spec(spec)}" + (f"  # {comment}" if comment else "")
        for target, spec, comment in canonical.columns
    ]
    lines += [f"        # {hint}" for hint in canonical.hints]
    return lines


def _event_time_lines(time: Column) -> list[str]:
    name = _yaml(time.name)
    if time.guessed_format:
        share = time.share(time.format_times)
        recognised = f"recognised forms read {time.share(time.times):.0%}" if time.times else "no recognised form"
        also = f"; also reads as {', '.join(repr(f) for f in time.format_ties)}: check it" if time.format_ties else ""
        lines = [
            f"    event_time: {name}  # {recognised}; the format below reads {share:.0%}, "
            f"e.g. {_comment(time.example)}{also}",
            f"    event_time_format: {_yaml(time.guessed_format)}",
        ]
        naive = "%z" not in time.guessed_format and "%Z" not in time.guessed_format
    else:
        total = sum(time.forms.values())
        forms = ", ".join(
            f"{form} {count / total:.0%}" for form, count in sorted(time.forms.items(), key=lambda f: -f[1])
        )
        lines = [f"    event_time: {name}  # {forms} of the values, e.g. {_comment(time.time_example)}"]
        naive = bool(NAIVE_FORMS & set(time.forms))
    if time.share(time.format_times if time.guessed_format else time.times) < 1:
        lines.append(
            f"    # some values do not read as a time between 1990 and tomorrow, e.g. {_comment(time.bad_time_example)}"
        )
    if naive:
        lines.append(
            "    # time_zone: <set the IANA zone the export writes>  # times without an offset; read as UTC unless set"
        )
    return lines


def render(profile: Profile, landing: Path) -> str:
    lines = [f"# make profile: {landing}"]
    lines.append(f"# Recognised ({len(profile.recognised)} files, loaded as they are):")
    lines += [f"#   {name} -> raw.{tables}" for name, tables in profile.recognised] or ["#   (none)"]
    lines.append(f"# Skipped ({len(profile.skipped)}):")
    lines += [f"#   {name}: {why}" for name, why in profile.skipped] or ["#   (none)"]
    if not profile.suggestions:
        lines += ["# Every CSV, JSONL and Parquet file is recognised: no file drop to add.", "file_drops: []"]
        return "\n".join(lines) + "\n"
    lines += [
        f"# Not recognised ({len(profile.suggestions)} drops): paste these under `file_drops:` in config/sources.yml",
        "# (or the file OUTCOMES_SOURCES_CONFIG names), check each suggestion, then `make run DATA=...`.",
        "file_drops:",
    ]
    for suggestion in profile.suggestions:
        lines += render_entry(suggestion)
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest.profile", description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="the folder of exports (as for make run DATA=folder)")
    parser.add_argument(
        "--sources-config", type=Path, default=None, help="default: $OUTCOMES_SOURCES_CONFIG or config/sources.yml"
    )
    args = parser.parse_args(argv)
    config = args.sources_config or Path(os.environ.get("OUTCOMES_SOURCES_CONFIG") or DEFAULT_SOURCES_CONFIG)
    try:
        profile = profile_folder(args.folder, config)
    except (FileNotFoundError, file_drops.FileDropConfigError) as exc:
        print(f"profile: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(render(profile, args.folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
