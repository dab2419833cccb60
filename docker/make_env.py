"""Write .env for docker compose: .env.example with a fresh random value for every required secret.

docker-compose.yml takes each secret as a required variable (`${VAR:?...}`) with no default, and .env.example leaves
them empty, so nothing guessable ships with the project and compose refuses to start until they are set. This fills
every required variable that .env.example leaves empty. Standard library only: any Python 3 on the host runs it.

    python3 docker/make_env.py            # from the project folder; will not replace an existing .env
    python3 docker/make_env.py --force    # new secrets (the Postgres password only applies to a new volume)
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import secrets
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
REQUIRED = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*):\?")
ASSIGNMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$")


def required_variables(compose_text: str) -> set[str]:
    """Variables docker-compose.yml requires (`${VAR:?message}`), comments aside."""
    lines = (line for line in compose_text.splitlines() if not line.lstrip().startswith("#"))
    return set(REQUIRED.findall("\n".join(lines)))


def new_secret(name: str) -> str:
    if "FERNET" in name:  # a Fernet key: 32 random bytes, URL-safe base64
        return base64.urlsafe_b64encode(os.urandom(32)).decode()
    return secrets.token_urlsafe(32)  # letters, digits, - and _: safe inside the database and broker URLs


def render(example_text: str, required: set[str]) -> str:
    lines = []
    for line in example_text.splitlines():
        match = ASSIGNMENT.match(line)
        if match and match.group(1) in required and not match.group(2).strip():
            line = f"{match.group(1)}={new_secret(match.group(1))}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write .env from .env.example with fresh random secrets.")
    parser.add_argument("--output", type=Path, default=PROJECT_ROOT / ".env")
    parser.add_argument("--force", action="store_true", help="replace an existing file")
    args = parser.parse_args(argv)
    if args.output.exists() and not args.force:
        print(f"{args.output} exists; keeping it (--force replaces it)", file=sys.stderr)
        return 1
    required = required_variables((PROJECT_ROOT / "docker-compose.yml").read_text())
    text = render((PROJECT_ROOT / ".env.example").read_text(), required)
    descriptor = os.open(args.output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)
    os.chmod(args.output, 0o600)  # also when --force replaced a file that was readable by others
    print(f"Wrote {args.output} with new values for {', '.join(sorted(required))}.")
    print("The Airflow admin password is AIRFLOW_ADMIN_PASSWORD in that file.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
