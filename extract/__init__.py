"""API extractors: pull source APIs over HTTP into the landing folder, incrementally, for `ingest` to load."""
