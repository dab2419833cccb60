"""`make airflow` (pipeline/airflow_ui.py): Airflow standalone on 127.0.0.1 answers, prints its URL and login, and
Ctrl-C stops every process it started."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import psutil
import requests

from tests.conftest import BIN, PROJECT_ROOT
from tests.local_servers import free_port

STARTUP_SECONDS = 300


def test_airflow_ui_starts_on_localhost_and_stops_cleanly_on_ctrl_c(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(tmp_path / "no_dags"),
        "AIRFLOW__CORE__PARALLELISM": "2",
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    (tmp_path / "no_dags").mkdir()
    subprocess.run([str(BIN / "airflow"), "db", "migrate"], env=env, check=True, capture_output=True)
    ui = subprocess.Popen(
        [sys.executable, "-m", "pipeline.airflow_ui", "--port", str(port)],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline and not any("login:" in line for line in lines):
            line = ui.stdout.readline()
            if not line and ui.poll() is not None:
                break
            lines.append(line)
        output = "".join(lines)
        assert f"Airflow is up: http://127.0.0.1:{port}" in output, output
        assert "login: admin / " in output, output
        assert requests.get(f"http://127.0.0.1:{port}/api/v2/monitor/health", timeout=10).ok
        started = psutil.Process(ui.pid).children(recursive=True)
        assert len(started) >= 4  # standalone and its api-server, scheduler, dag-processor, triggerer
        listening = [c for c in psutil.net_connections("tcp") if c.laddr and c.laddr.port == port]
        assert listening and {c.laddr.ip for c in listening} == {"127.0.0.1"}
        ui.send_signal(signal.SIGINT)
        ui.wait(timeout=90)
        assert "Stopped." in ui.stdout.read()
        _, alive = psutil.wait_procs(started, timeout=10)
        assert alive == [], f"orphaned processes: {alive}"
    finally:
        if ui.poll() is None:
            ui.kill()
        for child in psutil.Process().children(recursive=True):
            if child.pid != os.getpid():
                child.kill()
