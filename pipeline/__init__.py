"""Pipeline steps after ingest: dbt build, quality gate, publish, run summary."""
