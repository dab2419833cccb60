"""`python -m pipeline.publish list | rollback | key`."""

from __future__ import annotations

import sys

from pipeline.publish import pseudonyms
from pipeline.publish.layout import current_release, releases
from pipeline.publish.releases import rollback
from pipeline.settings import load_paths


def main(argv: list[str]) -> int:
    paths = load_paths()
    if argv[:1] == ["rollback"]:
        before = current_release(paths)
        print(f"Rolled back {paths.serving_path} from release {before} to {rollback(paths)}")
        return 0
    if argv[:1] == ["key"]:  # where the serving copy's pseudonym key comes from, never the key itself
        try:
            print(f"pseudonymised with the key from {pseudonyms.load_key(paths).origin}")
        except pseudonyms.MissingPseudonymKey as missing:
            print(missing, file=sys.stderr)
            return 2
        return 0
    if argv[:1] == ["list"]:
        current = current_release(paths)
        for release in releases(paths):
            print(f"{'*' if release == current else ' '} {release}")
        return 0
    print("usage: python -m pipeline.publish rollback | list | key", file=sys.stderr)
    return 2
