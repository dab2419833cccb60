"""Throwaway Postgres and Redis servers for tests, from the Debian packages `postgresql` and `redis-server`.

Each runs on 127.0.0.1 on a free port with its data in a folder the caller gives. These helpers build the commands,
prepare the folders and wait for the servers to answer; the caller starts and stops the processes
(tests/airflow_stack.py runs each in its own process group and ends them with the rest of its deployment).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

DEBIAN_PACKAGES = "postgresql redis-server"
INSTALL_HINT = f"install the Debian packages with: apt-get install -y {DEBIAN_PACKAGES}"
POSTGRES_USER = "airflow"


class ServiceError(RuntimeError):
    """A server could not be prepared or did not answer; the message carries the relevant log tail."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError as error:
        return f"({path}: {error})"
    return "\n".join(text.splitlines()[-lines:])


def poll_until(ready: Callable[[], bool], timeout: float, interval: float = 0.3) -> bool:
    """Call `ready` until it returns true (True) or `timeout` seconds have passed (False)."""
    deadline = time.monotonic() + timeout
    while True:
        if ready():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


# ---------------------------------------------------------------------------------------------------------- Postgres


def postgres_bin() -> Path:
    """The newest Debian Postgres server binaries (/usr/lib/postgresql/<version>/bin)."""
    candidates = sorted(
        (Path(path).parent for path in glob.glob("/usr/lib/postgresql/*/bin/postgres")),
        key=lambda folder: int(folder.parent.name) if folder.parent.name.isdigit() else 0,
    )
    if candidates:
        return candidates[-1]
    found = shutil.which("postgres")
    if found and shutil.which("initdb"):
        return Path(found).resolve().parent
    raise ServiceError(f"Postgres server binaries not found (no /usr/lib/postgresql/<version>/bin): {INSTALL_HINT}")


def as_postgres_user(args: list[str]) -> list[str]:
    """Postgres refuses to run as root: run it as the `postgres` OS user then (runuser, from util-linux)."""
    if os.geteuid() != 0:
        return args
    return ["runuser", "-u", "postgres", "--", *args]


def init_postgres(folder: Path, env: dict[str, str], log: Path) -> Path:
    """A new cluster under `folder` (created; owned by the postgres OS user when running as root) whose superuser
    is POSTGRES_USER, trusted on 127.0.0.1; its data folder. The parent of `folder` must be traversable by that
    user."""
    sockets = folder / "sockets"
    for path in (folder, sockets):
        path.mkdir(mode=0o700)
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(path, user.pw_uid, user.pw_gid)
    data = folder / "data"
    initdb = subprocess.run(
        as_postgres_user(
            [str(postgres_bin() / "initdb"), "-D", str(data), "-U", POSTGRES_USER, "--auth=trust", "-E", "UTF8"]
            + ["--no-locale", "--no-sync", "--no-instructions"]
        ),
        env=env,
        cwd=folder,
        capture_output=True,
        text=True,
    )
    log.write_text(initdb.stdout + initdb.stderr)
    if initdb.returncode:
        raise ServiceError(f"initdb failed ({initdb.returncode}):\n{tail(log)}")
    return data


def postgres_command(data: Path, port: int) -> list[str]:
    """The server command for a cluster made by init_postgres: 127.0.0.1 only, its sockets beside the data.
    Stop it with SIGINT (fast shutdown); SIGTERM (smart) waits for every client to disconnect."""
    settings = {
        "listen_addresses": "127.0.0.1",
        "port": str(port),
        "unix_socket_directories": str(data.parent / "sockets"),
        "max_connections": "200",
        "fsync": "off",  # a throwaway database: durability buys nothing
        "synchronous_commit": "off",
        "full_page_writes": "off",
        "logging_collector": "off",
    }
    options = [arg for key, value in settings.items() for arg in ("-c", f"{key}={value}")]
    return as_postgres_user([str(postgres_bin() / "postgres"), "-D", str(data), *options])


def wait_for_postgres(port: int, database: str, check_alive: Callable[[], None], log: Path, timeout: float = 120):
    """Wait until the server on `port` accepts connections, then create `database` in it. `check_alive` raises if
    the server process has died (so a crash is reported at once, with its log, rather than after the timeout)."""
    import psycopg2

    attempt: dict[str, object] = {}

    def ready() -> bool:
        check_alive()
        try:
            attempt["connection"] = psycopg2.connect(
                host="127.0.0.1", port=port, user=POSTGRES_USER, dbname="postgres", connect_timeout=5
            )
            return True
        except psycopg2.OperationalError as refused:
            attempt["error"] = refused
            return False

    if not poll_until(ready, timeout):
        raise ServiceError(f"Postgres not accepting connections after {timeout:.0f} s: {attempt['error']}\n{tail(log)}")
    connection = attempt["connection"]
    connection.autocommit = True
    with contextlib.closing(connection), connection.cursor() as cursor:
        cursor.execute(f'create database "{database}"')


def postgres_url(port: int, database: str, driver: str = "postgresql+psycopg2") -> str:
    return f"{driver}://{POSTGRES_USER}@127.0.0.1:{port}/{database}"


# ------------------------------------------------------------------------------------------------------------- Redis


def redis_server() -> str:
    found = shutil.which("redis-server")
    if not found:
        raise ServiceError(f"redis-server not found on PATH: {INSTALL_HINT}")
    return found


def redis_command(port: int, folder: Path) -> list[str]:
    """A Redis server on 127.0.0.1:`port` that keeps nothing on disk (its working folder `folder` is created)."""
    folder.mkdir()
    return [redis_server(), "--bind", "127.0.0.1", "--port", str(port), "--save", ""] + [
        "--appendonly",
        "no",
        "--dir",
        str(folder),
        "--daemonize",
        "no",
        "--protected-mode",
        "yes",
    ]


def wait_for_redis(port: int, check_alive: Callable[[], None], log: Path, timeout: float = 60) -> None:
    import redis

    client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=2)
    error: Exception | None = None

    def ready() -> bool:
        nonlocal error
        check_alive()
        try:
            return bool(client.ping())
        except redis.RedisError as refused:
            error = refused
            return False

    try:
        if not poll_until(ready, timeout, interval=0.2):
            raise ServiceError(f"Redis not answering after {timeout:.0f} s: {error}\n{tail(log)}")
    finally:
        client.close()
