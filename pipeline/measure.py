"""Per-stage cost: wall time and peak memory of the process and its children (e.g. the dbt subprocess)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import psutil

SAMPLE_SECONDS = 0.05


def _tree_rss(process: psutil.Process) -> int:
    total = process.memory_info().rss
    for child in process.children(recursive=True):
        try:
            total += child.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total


def measured(step: Callable[[], dict]) -> dict:
    """Run `step`; add `elapsed_seconds` and `peak_rss_mib` (sampled RSS of this process plus its children)."""
    process = psutil.Process()
    peak = _tree_rss(process)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(SAMPLE_SECONDS):
            peak = max(peak, _tree_rss(process))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    try:
        report = step()
    finally:
        done.set()
        sampler.join()
    report["elapsed_seconds"] = round(time.perf_counter() - started, 2)
    report["peak_rss_mib"] = round(max(peak, _tree_rss(process)) / 2**20, 1)
    return report
