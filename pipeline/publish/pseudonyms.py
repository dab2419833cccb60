"""Keyed pseudonyms for person identifiers in the serving copy: HMAC-SHA256 under a secret the operator holds.

The same identifier always gets the same pseudonym under the same key, so BI joins and trends keep working across
runs, while nobody without the key can recompute a pseudonym from an email or handle (a plain hash of an email can
be reversed by hashing a list of emails). The key comes from, in order:

1. the environment variable OUTCOMES_PSEUDONYM_KEY;
2. the Airflow connection `outcomes_pseudonym_key` (its password), when Airflow is importable and has one;
3. demo data only (a landing folder written by `python -m demo_data`): a key generated once and kept in
   `demo_pseudonym.key` beside the warehouse, announced on stderr.

Anything else refuses to publish (MissingPseudonymKey). The HMAC is computed in DuckDB SQL (`PseudonymKey.sql`),
vectorised over whole columns; `PseudonymKey.pseudonym` computes the same value in Python.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

from pipeline.settings import PipelinePaths

KEY_ENV = "OUTCOMES_PSEUDONYM_KEY"
AIRFLOW_CONNECTION = "outcomes_pseudonym_key"
DEMO_KEY_FILE = "demo_pseudonym.key"
PREFIX = "p_"
# 128 bits of the HMAC: collisions among a few billion people stay negligible, columns stay short.
DIGEST_HEX_CHARS = 32
# Hex digits written as letters (0-9 -> g-p): a pseudonym has no run of digits a scanner could take for a phone
# number or an id.
HEX_DIGITS, LETTERS = "0123456789", "ghijklmnop"
_AS_LETTERS = str.maketrans(HEX_DIGITS, LETTERS)
MIN_KEY_BYTES = 16
_BLOCK = 64  # SHA-256 block size in bytes (RFC 2104)


class MissingPseudonymKey(RuntimeError):
    pass


@dataclass(frozen=True)
class PseudonymKey:
    secret: bytes
    origin: str

    def pseudonym(self, value: object) -> str | None:
        if value is None:
            return None
        digest = hmac.new(self.secret, str(value).encode(), hashlib.sha256).hexdigest()
        return PREFIX + digest[:DIGEST_HEX_CHARS].translate(_AS_LETTERS)

    def sql(self, expression: str) -> str:
        """A DuckDB expression with the pseudonym of `expression` (null stays null): HMAC-SHA256 written out as
        sha256(K xor opad || sha256(K xor ipad || message)), with both padded keys as constant blobs."""
        block = self.secret if len(self.secret) <= _BLOCK else hashlib.sha256(self.secret).digest()
        block = block.ljust(_BLOCK, b"\0")
        inner = bytes(byte ^ 0x36 for byte in block).hex()
        outer = bytes(byte ^ 0x5C for byte in block).hex()
        message = f"encode(cast({expression} as varchar))"
        digest = f"sha256(unhex('{outer}') || unhex(sha256(unhex('{inner}') || {message})))"
        return f"('{PREFIX}' || translate(left({digest}, {DIGEST_HEX_CHARS}), '{HEX_DIGITS}', '{LETTERS}'))"

    @property
    def key_id(self) -> str:
        """Names the key without revealing it: a release pseudonymised under another key is not reused."""
        return hmac.new(self.secret, b"outcomes key id", hashlib.sha256).hexdigest()[:16]


def is_demo_landing(landing_dir: Path) -> bool:
    """A landing folder written by the demo generator (its manifest.json states the generator and planted truths)."""
    manifest = landing_dir / "manifest.json"
    try:
        content = json.loads(manifest.read_text())
    except (OSError, ValueError):
        return False
    return isinstance(content, dict) and "generator_version" in content and "truths" in content


def _airflow_connection_secret() -> str | None:
    if "airflow" not in sys.modules and not os.environ.get("AIRFLOW_CONN_" + AIRFLOW_CONNECTION.upper()):
        return None  # outside Airflow and no connection in the environment: do not import Airflow for nothing
    try:
        from airflow.sdk import BaseHook

        return BaseHook.get_connection(AIRFLOW_CONNECTION).password or None
    except Exception:  # noqa: BLE001 - no such connection, or no Airflow context: the key is simply not there
        return None


def _checked(secret: str, origin: str) -> PseudonymKey:
    encoded = secret.encode()
    if len(encoded) < MIN_KEY_BYTES:
        raise MissingPseudonymKey(
            f"The pseudonym key from {origin} is {len(encoded)} bytes; use at least {MIN_KEY_BYTES} random bytes"
            " (for example: python -c 'import secrets; print(secrets.token_hex(32))')"
        )
    return PseudonymKey(encoded, origin)


def load_key(paths: PipelinePaths) -> PseudonymKey:
    secret = os.environ.get(KEY_ENV, "").strip()
    if secret:
        return _checked(secret, f"environment variable {KEY_ENV}")
    secret = (_airflow_connection_secret() or "").strip()
    if secret:
        return _checked(secret, f"Airflow connection {AIRFLOW_CONNECTION}")
    if is_demo_landing(paths.landing_dir):
        return demo_key(paths)
    raise MissingPseudonymKey(
        f"No pseudonym key: set {KEY_ENV} (or the password of the Airflow connection {AIRFLOW_CONNECTION}) to a"
        " secret of at least 16 random bytes, kept as long as the serving data is. The serving copy replaces emails,"
        " handles and person ids with keyed hashes and is not published without one (README, 'Personal data')."
    )


def demo_key(paths: PipelinePaths) -> PseudonymKey:
    path = paths.warehouse_path.parent / DEMO_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
        print(
            f"Demo data: generated a pseudonym key in {path} (set {KEY_ENV} for real data; publishing refuses"
            " without one)",
            file=sys.stderr,
        )
    return PseudonymKey(path.read_text().strip().encode(), f"demo key {path}")
