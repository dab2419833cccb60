"""SQL that reads one landing file with DuckDB's own readers, with explicit types so inference never varies."""

from __future__ import annotations

from collections.abc import Callable, Sequence

Columns = Sequence[tuple[str, str]]
ReadSql = Callable[[str], str]

# A Zendesk or X page of a few thousand records can exceed DuckDB's 16 MB default per JSON object.
MAX_OBJECT_BYTES = 512 * 1024 * 1024


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _struct_type(columns: Columns) -> str:
    return "STRUCT(" + ", ".join(f"{quote_ident(name)} {type_}" for name, type_ in columns) + ")"


def _select_fields(alias: str, columns: Columns) -> str:
    return ", ".join(f"{alias}.{quote_ident(name)} AS {quote_ident(name)}" for name, _ in columns)


def _read_json(path: str, columns_arg: dict[str, str], json_format: str) -> str:
    spec = "{" + ", ".join(f"{quote_literal(k)}: {quote_literal(v)}" for k, v in columns_arg.items()) + "}"
    return (
        f"read_json({quote_literal(path)}, format={quote_literal(json_format)}, columns={spec}, "
        f"maximum_object_size={MAX_OBJECT_BYTES})"
    )


def json_page_records(array_path: Sequence[str], columns: Columns, json_format: str = "newline_delimited") -> ReadSql:
    """Records of the array at `array_path` (e.g. ("includes", "users")) in each page (one JSON object per line).

    The page is declared as nested STRUCTs down to a list of record STRUCTs, so absent fields become NULL, unknown
    fields are ignored and JSON-typed fields keep their nested value as JSON text.
    """
    page_type = _struct_type(columns) + "[]"
    for key in reversed(array_path[1:]):
        page_type = f"STRUCT({quote_ident(key)} {page_type})"
    top = array_path[0]
    access = ".".join(quote_ident(key) for key in array_path)

    def read_sql(path: str) -> str:
        source = _read_json(path, {top: page_type}, json_format)
        return f"SELECT {_select_fields('rec', columns)} FROM (SELECT unnest({access}) AS rec FROM {source})"

    return read_sql


def json_lines(columns: Columns) -> ReadSql:
    """One record per line (Segment, SendGrid)."""

    def read_sql(path: str) -> str:
        source = _read_json(path, dict(columns), "newline_delimited")
        return f"SELECT {', '.join(quote_ident(name) for name, _ in columns)} FROM {source}"

    return read_sql


def csv_rows(column_names: Sequence[str]) -> ReadSql:
    """RFC 4180 CSV with a header row; every column VARCHAR.

    Columns are selected by header name, so a file whose header lacks a contract column fails instead of loading
    shifted values. Empty fields (quoted or not) load as NULL.
    """

    def read_sql(path: str) -> str:
        source = (
            f"read_csv({quote_literal(path)}, header=true, delim=',', quote='\"', escape='\"', all_varchar=true, "
            "strict_mode=true, null_padding=false)"
        )
        return f"SELECT {', '.join(quote_ident(name) for name in column_names)} FROM {source}"

    return read_sql
