"""Every dbt model and every column it builds is documented; every mart enforces its contract."""

from __future__ import annotations

import json

import duckdb
import pytest


@pytest.fixture(scope="module")
def models(built_warehouse) -> list[dict]:
    manifest = json.loads((built_warehouse.dbt_target_dir / "manifest.json").read_text())
    return [node for node in manifest["nodes"].values() if node["resource_type"] == "model"]


def built_columns(warehouse_path, schema: str, table: str) -> list[str]:
    with duckdb.connect(str(warehouse_path), read_only=True) as connection:
        return [
            row[0]
            for row in connection.execute(
                "select column_name from information_schema.columns where table_schema = ? and table_name = ?"
                " order by ordinal_position",
                [schema, table],
            ).fetchall()
        ]


def test_every_model_and_column_is_documented(models, built_warehouse):
    undocumented = {}
    for model in models:
        described = {name for name, column in model["columns"].items() if column.get("description", "").strip()}
        columns = built_columns(built_warehouse.warehouse_path, model["schema"], model["name"])
        assert columns, f"{model['name']} was not built"
        missing = [column for column in columns if column not in described]
        if not model["description"].strip():
            missing.insert(0, "<model description>")
        if missing:
            undocumented[model["name"]] = missing
    assert undocumented == {}


def test_every_mart_enforces_its_contract(models):
    marts = [model for model in models if model["schema"] == "marts"]
    assert len(marts) >= 18
    assert [model["name"] for model in marts if not model["config"]["contract"]["enforced"]] == []
