"""The mart gate on fct_interactions checked whole against checked by its changed rows, in one process, alternating.

    python -m benchmarks.gate_changed_rows WORK LANDING ROUNDS

WORK holds `warehouse/outcomes.duckdb` (a copy: it is changed) and `warehouse/quality_history.duckdb` of a kept
`incremental_cost --keep` full run; LANDING is that run's landing folder. The first call keeps the mart's hashes, then
rewrites `sentiment_label` of about 1% of its rows; each round times the mart's suites whole, then finding its
changed rows and their suites. Prints wall and process CPU seconds per part as JSON after each round."""

import json
import os
import resource
import sys
import time
from pathlib import Path

from benchmarks.incremental_cost import stage_env

work = Path(sys.argv[1])
landing = Path(sys.argv[2])
rounds = int(sys.argv[3])
os.environ.update(stage_env(work, landing))
import duckdb  # noqa: E402

from pipeline import quality_history, suites  # noqa: E402
from pipeline.quality import changed_rows  # noqa: E402
from pipeline.quality_gate import quality_as_of, validate  # noqa: E402
from pipeline.settings import load_paths  # noqa: E402

paths = load_paths()
MART = "fct_interactions"
defs = suites.mart_check_definitions()
digests = changed_rows.checks_digests(paths.warehouse_path, defs)
cols = changed_rows.row_check_columns(defs[MART]["spec"])


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def timed(fn):
    w, c = time.perf_counter(), cpu()
    out = fn()
    return out, round(time.perf_counter() - w, 2), round(cpu() - c, 2)


if not changed_rows.state_path(paths).exists():
    with changed_rows.prepared(paths, {MART: cols}, digests) as prep:
        prep.keep({MART: digests[MART]})
    with duckdb.connect(str(paths.warehouse_path)) as c:
        c.execute(
            f"update marts.{MART} set sentiment_label = 'neutral'"
            " where hash(interaction_key) % 100 = 0 and sentiment_label != 'neutral'"
        )
last = quality_history.last_good_rows(paths.quality_history_path, "mart")
docs = work / "docs"
results = {"rows": None, "whole": [], "prepare": [], "changed_suites": []}
for _ in range(rounds):
    whole = [s for s in suites.mart_suites(quality_as_of(), last) if s.table == MART]
    outs, w, c = timed(lambda whole=whole: validate(whole, paths.warehouse_path, docs))
    results["rows"] = outs[0].rows
    results["whole"].append((w, c, outs[0].success))
    ctx = changed_rows.prepared(paths, {MART: cols}, digests)
    prep, w, c = timed(ctx.__enter__)
    results["prepare"].append((w, c, prep.changed[MART].rows))
    ch = {MART: (prep.changed[MART].database, prep.changed[MART].changed_table)}
    changed = [s for s in suites.mart_suites(quality_as_of(), last, changed_rows=ch) if s.table == MART]
    outs, w, c = timed(lambda changed=changed: validate(changed, paths.warehouse_path, docs))
    results["changed_suites"].append((w, c, [o.success for o in outs]))
    ctx.__exit__(None, None, None)
    print(json.dumps(results), flush=True)
