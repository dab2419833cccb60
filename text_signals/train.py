"""`make train-sentiment`: rebuild the shipped sentiment weights from the public corpora in ../shared/textdata.

Reproducible: fixed corpora, fixed order, fixed seed; the same inputs give the same CSV byte for byte. Writes
dbt_project/seeds/sentiment_model_weights.csv (the artifact dbt scores with) and text_signals/model_metrics.json
(its TweetEval-test figures, quoted by MODEL_CARD.md). TweetEval test is never trained on.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

import pandas as pd

from text_signals import corpora
from text_signals.features import CLASSES, SentimentModel, Settings
from text_signals.scoring import WEIGHTS_CSV, measure, model_labels
from text_signals.tokens import tokenize

METRICS_JSON = Path(__file__).resolve().parent / "model_metrics.json"
MODEL_VERSION = "2026.12.1"
# The brands and products the corpora were collected about: excluded from the features while training, so the model
# does not learn that "apple" is the mood of people writing about Apple (brand_accounts usernames are, in dbt).
CORPUS_BRAND_WORDS = (
    "apple", "aapl", "google", "microsoft", "twitter", "iphone", "ipad", "ipads", "android", "sxsw", "samsung",
    "alexa", "echo", "amazon", "kindle",
)  # fmt: skip


def training_frame(exclude: tuple[str, ...] = ()) -> pd.DataFrame:
    frames = [load() for name, load in corpora.TRAINING_CORPORA.items() if name not in exclude]
    return pd.concat(frames, ignore_index=True)


def fit(exclude: tuple[str, ...] = (), settings: Settings | None = None) -> SentimentModel:
    """A model trained on every human-labelled training corpus but `exclude`, plus the distant Sentiment140 lexicon."""
    frame = training_frame(exclude)
    distant = corpora.sentiment140_distant()
    documents = tokenize(frame["text"].tolist(), list(CORPUS_BRAND_WORDS))
    distant_documents = tokenize(distant["text"].tolist(), list(CORPUS_BRAND_WORDS))
    model = SentimentModel(settings).fit(documents, frame["label"], distant_documents, distant["label"])
    model.training_rows = len(frame)
    return model


def write_weights(model: SentimentModel, path: Path) -> int:
    tokens, weights, bias = model.token_weights()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["token", *CLASSES])
        writer.writerow(["<bias>", *(f"{value:.5f}" for value in bias)])
        for token, row in zip(tokens, weights, strict=True):
            writer.writerow([token, *(f"{value:.5f}" for value in row)])
    return len(tokens)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, default=WEIGHTS_CSV)
    args = parser.parse_args(argv)
    try:
        corpora.textdata_dir()
    except corpora.CorporaMissing as missing:
        print(f"make train-sentiment: {missing}", file=sys.stderr)
        return 2
    started = time.monotonic()
    model = fit()
    tokens = write_weights(model, args.output)
    test = corpora.tweeteval_test()
    figures = measure(test["label"], model_labels(test["text"].tolist(), args.output))
    metrics = {
        "model_version": MODEL_VERSION,
        "tokens": tokens,
        "weights_bytes": args.output.stat().st_size,
        "training_rows": model.training_rows,
        "tweeteval_test": {
            "rows": int(len(test)),
            "accuracy": round(figures["accuracy"], 4),
            "macro_f1": round(figures["macro_f1"], 4),
            "per_class_f1": {label: round(f1, 4) for label, f1 in zip(CLASSES, figures["per_class_f1"], strict=True)},
        },
    }
    METRICS_JSON.write_text(json.dumps(metrics, indent=2) + "\n")
    print(json.dumps(metrics, indent=2))
    print(f"wrote {args.output} ({tokens:,} tokens) in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
