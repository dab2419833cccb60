"""Which EL-tool connector schemas the dbt project reads, and where (README "Already syncing with Fivetran?").

A team that already syncs Zendesk, HubSpot, Salesforce, Intercom, Klaviyo, GA4 or the social organic connectors with
Fivetran points the product at those tables instead of exporting them again. Three places are supported:
  - a schema of the warehouse itself (`schema:`),
  - a schema of another DuckDB file, attached read-only (`database_path:` + `schema:`),
  - a folder of Parquet files, one `<table>.parquet` per connector table (`parquet_dir:`).
A folder `<landing>/connectors/<connector>/` of Parquet files is read without any configuration (the demo data
writes its own-post tables there). The result is one dbt var, `fivetran_connectors`, passed to every dbt command.
The product never writes into a connector's schema: attached files are read-only, and Parquet is read through views
in a schema of the warehouse named `fivetran_<connector>`.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from pipeline.settings import load_paths

# connector -> the schema Fivetran writes it to by default
CONNECTORS = {
    "zendesk": "zendesk",
    "hubspot": "hubspot",
    "salesforce": "salesforce",
    "intercom": "intercom",
    "klaviyo": "klaviyo",
    "ga4": "ga4_export",
    "twitter_organic": "twitter_organic",
    "facebook_pages": "facebook_pages",
    "instagram_business": "instagram_business",
    "linkedin_pages": "linkedin_pages",
    "youtube_analytics": "youtube_analytics",
}
LANDING_FOLDER = "connectors"
SETTINGS = {"enabled", "schema", "database_path", "parquet_dir"}


class ConnectorConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Connector:
    name: str
    schema: str
    database_path: Path | None = None
    parquet_dir: Path | None = None

    @property
    def catalog(self) -> str | None:
        """The name the attached file is read under; None: the warehouse itself."""
        return f"fivetran_{self.name}" if self.database_path else None

    def dbt_var(self) -> dict:
        if self.parquet_dir:
            return {"schema": f"fivetran_{self.name}", "parquet_dir": str(self.parquet_dir)}
        value = {"schema": self.schema}
        if self.database_path:
            value |= {"database": self.catalog, "database_path": str(self.database_path)}
        return value


def attach_read_only(connection, found: list[Connector]) -> None:
    """Attach each connector file under the catalog name dbt reads it by, so the warehouse's staging views over it
    resolve in `connection` too (dbt attaches them only for its own session)."""
    for connector in found:
        if connector.database_path:
            connection.execute(f"attach if not exists '{connector.database_path}' as {connector.catalog} (read_only)")


def _resolve(value: str, base: Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else (base / path).resolve()


def configured(config_path: Path, landing_dir: Path) -> list[Connector]:
    """Connectors enabled in config/sources.yml (`connectors:`), then the Parquet folders found under
    <landing>/connectors/. Relative paths are read from the landing folder."""
    config = yaml.safe_load(Path(config_path).read_text()) or {}
    entries = config.get("connectors") or {}
    if not isinstance(entries, dict):
        raise ConnectorConfigError(f"{config_path}: `connectors` must map connector names to settings")
    found: dict[str, Connector] = {}
    for name, settings in entries.items():
        settings = settings or {}
        if name not in CONNECTORS:
            raise ConnectorConfigError(
                f"{config_path}: unknown connector {name!r}; known: {', '.join(sorted(CONNECTORS))}"
            )
        unknown = set(settings) - SETTINGS
        if unknown:
            raise ConnectorConfigError(
                f"{config_path}: connector {name}: unknown settings {sorted(unknown)}; use {sorted(SETTINGS)}"
            )
        if not settings.get("enabled", False):
            continue
        if settings.get("database_path") and settings.get("parquet_dir"):
            raise ConnectorConfigError(f"{config_path}: connector {name}: set database_path or parquet_dir, not both")
        database_path = parquet_dir = None
        if settings.get("database_path"):
            database_path = _resolve(settings["database_path"], landing_dir)
            if not database_path.is_file():
                raise ConnectorConfigError(f"connector {name}: database_path {database_path} does not exist")
        if settings.get("parquet_dir"):
            parquet_dir = _resolve(settings["parquet_dir"], landing_dir)
            if not any(parquet_dir.glob("*.parquet")):
                raise ConnectorConfigError(f"connector {name}: no *.parquet files in {parquet_dir}")
        schema = settings.get("schema") or CONNECTORS[name]
        found[name] = Connector(name, schema, database_path, parquet_dir)
    for folder in sorted((landing_dir / LANDING_FOLDER).glob("*")):
        if folder.name in CONNECTORS and folder.name not in found and any(folder.glob("*.parquet")):
            found[folder.name] = Connector(folder.name, CONNECTORS[folder.name], parquet_dir=folder.resolve())
    return [found[name] for name in sorted(found)]


def dbt_vars(config_path: Path | None = None, landing_dir: Path | None = None) -> dict:
    """The dbt vars for this deployment's connectors: {} when none is enabled."""
    paths = load_paths()
    connectors = configured(config_path or paths.sources_config_path, landing_dir or paths.landing_dir)
    if not connectors:
        return {}
    return {"fivetran_connectors": {connector.name: connector.dbt_var() for connector in connectors}}


def with_vars(args: list[str], config_path: Path | None = None, landing_dir: Path | None = None) -> list[str]:
    """A dbt command line with the connector vars added (merged into its own `--vars`, which wins)."""
    values = dbt_vars(config_path, landing_dir)
    if not values:
        return list(args)
    args = list(args)
    if "--vars" in args:
        at = args.index("--vars")
        values |= yaml.safe_load(args[at + 1]) or {}
        del args[at : at + 2]
    return [*args, "--vars", json.dumps(values, sort_keys=True)]


def main() -> int:
    """Print the dbt vars as JSON (the Makefile's `dbt parse` passes them, so the manifest matches the runs)."""
    try:
        print(json.dumps(dbt_vars(), sort_keys=True))
    except ConnectorConfigError as error:
        print(f"connectors: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
