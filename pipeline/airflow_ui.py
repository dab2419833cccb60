"""`make airflow`: Airflow standalone (api-server, scheduler, dag-processor, triggerer) on this project's AIRFLOW_HOME,
bound to 127.0.0.1. Prints the URL and the login once the api-server is healthy; Ctrl-C (or SIGTERM) stops every
process it started, children included, so nothing is left holding the port or the SQLite metadata file.

Usage: python -m pipeline.airflow_ui [--port 8080]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import requests

HEALTH_PATH = "/api/v2/monitor/health"
STARTUP_SECONDS = 180
STOP_SECONDS = 30
PASSWORDS_FILE = "simple_auth_manager_passwords.json.generated"


def airflow_home() -> Path:
    return Path(os.environ.get("AIRFLOW_HOME", Path.home() / "airflow"))


def standalone_env(port: int) -> dict[str, str]:
    env = dict(os.environ)
    # standalone starts its components as `airflow ...` from PATH: this environment's first.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["AIRFLOW__API__HOST"] = "127.0.0.1"
    env["AIRFLOW__API__PORT"] = str(port)
    env["AIRFLOW__API__BASE_URL"] = f"http://127.0.0.1:{port}/"
    env.setdefault("AIRFLOW__CORE__PARALLELISM", "4")
    env.setdefault("AIRFLOW__COSMOS__ENABLE_TELEMETRY", "False")
    return env


def wait_healthy(url: str, process: subprocess.Popen, stopping, timeout: float = STARTUP_SECONDS) -> bool:
    """True once healthy; False if asked to stop first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if stopping():
            return False
        if process.poll() is not None:
            raise RuntimeError(f"airflow standalone exited with code {process.returncode} before it was healthy")
        try:
            if requests.get(url + HEALTH_PATH, timeout=2).ok:
                return True
        except requests.RequestException:
            pass
        time.sleep(1)
    raise TimeoutError(f"Airflow at {url} was not healthy after {timeout:.0f} s")


def login() -> str:
    passwords = airflow_home() / PASSWORDS_FILE
    if passwords.is_file():
        users = json.loads(passwords.read_text())
        return ", ".join(f"{user} / {password}" for user, password in users.items())
    return f"see {passwords} once Airflow has written it"


def stop(process: subprocess.Popen) -> None:
    """SIGTERM the whole process group, then SIGKILL whatever (children included) is still alive."""
    try:
        family = [psutil.Process(process.pid), *psutil.Process(process.pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        family = []
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    _, alive = psutil.wait_procs(family, timeout=STOP_SECONDS)
    for leftover in alive:
        try:
            leftover.kill()
        except psutil.NoSuchProcess:
            continue
    psutil.wait_procs(alive, timeout=5)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args(argv)
    url = f"http://127.0.0.1:{args.port}"
    log_path = airflow_home() / "standalone.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("airflow")), "standalone"],
            env=standalone_env(args.port),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: one signal reaches every component
        )
    stopping = False

    def request_stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        print(f"Starting Airflow standalone (AIRFLOW_HOME={airflow_home()}, log {log_path})...", flush=True)
        if wait_healthy(url, process, lambda: stopping):
            print(f"Airflow is up: {url}\n  login: {login()}\n  Ctrl-C stops it.", flush=True)
        while not stopping and process.poll() is None:
            time.sleep(0.5)
    finally:
        print("Stopping Airflow...", flush=True)
        stop(process)
        print("Stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
