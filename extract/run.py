"""Run the extract streams enabled in the sources configuration (config/sources.yml)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import yaml

from extract import salesforce, x_api, zendesk

STATE_FILE = ".extract_state.json"

PULLERS: dict[str, Callable[[dict, Path, Path], x_api.PullReport]] = {
    "x_mentions": lambda cfg, landing, state: x_api.pull_mentions(
        x_api.client_from_env(), landing, state, cfg.get("query", x_api.DEFAULT_QUERY), cfg.get("page_size", 100)
    ),
    "x_own_tweets": lambda cfg, landing, state: x_api.pull_own_tweets(
        x_api.client_from_env(),
        landing,
        state,
        cfg.get("user_ids", x_api.DEFAULT_OWN_USER_IDS),
        cfg.get("lookback_days", x_api.DEFAULT_LOOKBACK_DAYS),
        cfg.get("page_size", 100),
    ),
    "zendesk_tickets": lambda cfg, landing, state: zendesk.pull_tickets(
        zendesk.client_from_env(), landing, state, cfg.get("start_time", 0)
    ),
    "zendesk_ticket_events": lambda cfg, landing, state: zendesk.pull_ticket_events(
        zendesk.client_from_env(), landing, state, cfg.get("start_time", 0)
    ),
    **{
        f"salesforce_{folder}": (
            lambda cfg, landing, state, sobject=sobject: salesforce.pull_object(
                salesforce.client_from_env(), landing, state, sobject
            )
        )
        for sobject, (folder, _) in salesforce.OBJECTS.items()
    },
}


def enabled_streams(config: dict) -> list[str]:
    streams = config.get("streams") or {}
    unknown = sorted(set(streams) - set(PULLERS))
    if unknown:
        raise ValueError(f"unknown extract streams in the sources configuration: {unknown}; known: {sorted(PULLERS)}")
    override = os.environ.get("OUTCOMES_EXTRACT_STREAMS")
    if override is not None:
        names = [name.strip() for name in override.split(",") if name.strip() and name.strip() != "none"]
        missing = sorted(set(names) - set(PULLERS))
        if missing:
            raise ValueError(f"OUTCOMES_EXTRACT_STREAMS names unknown streams {missing}; known: {sorted(PULLERS)}")
        return names
    return [name for name, settings in streams.items() if (settings or {}).get("enabled")]


def run_enabled(config_path: Path, landing_dir: Path, only: list[str] | None = None) -> dict:
    """Pull each enabled stream (of `only`, when given: one source's streams)."""
    config = yaml.safe_load(Path(config_path).read_text()) or {}
    streams = [name for name in enabled_streams(config) if only is None or name in only]
    reports = {}
    for name in streams:
        settings = (config.get("streams") or {}).get(name) or {}
        reports[name] = PULLERS[name](settings, landing_dir, landing_dir / STATE_FILE).to_dict()
    return {"enabled": streams, "streams": reports}
