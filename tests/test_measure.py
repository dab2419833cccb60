"""Stage measurement: the peak covers memory used inside the step and by the step's child processes."""

from __future__ import annotations

import subprocess
import sys

import psutil

from pipeline.measure import measured

MIB = 2**20


def test_peak_includes_memory_held_during_the_step():
    baseline = psutil.Process().memory_info().rss / MIB

    def step() -> dict:
        block = bytearray(300 * MIB)
        block[::4096] = b"x" * len(block[::4096])
        subprocess.run([sys.executable, "-c", "import time; time.sleep(0.3)"], check=True)
        return {"held": len(block)}

    report = measured(step)
    assert report["held"] == 300 * MIB
    assert report["peak_rss_mib"] >= baseline + 250
    assert report["elapsed_seconds"] >= 0.3


def test_child_process_memory_is_counted():
    code = "b = bytearray(200 * 2**20); b[::4096] = b'x' * len(b[::4096]); import time; time.sleep(0.5)"
    report = measured(lambda: {"rc": subprocess.run([sys.executable, "-c", code]).returncode})
    own = psutil.Process().memory_info().rss / MIB
    assert report["rc"] == 0
    assert report["peak_rss_mib"] >= own + 150
