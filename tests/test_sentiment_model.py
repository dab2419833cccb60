"""The shipped sentiment model: its artifact, its scoring SQL on held-out real tweets, what carries no sentiment, and
the training command's refusal without the corpora. Scoring in dbt is covered by the model's unit test
(int_text__interaction_sentiment.yml); full figures come from `make eval-text` (BENCHMARKS.md)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import f1_score

from text_signals.features import SentimentModel, Settings
from text_signals.scoring import WEIGHTS_CSV, lexicon_labels, model_labels
from text_signals.tokens import tokenize

PROJECT = Path(__file__).resolve().parent.parent
EXCERPT = Path(__file__).parent / "fixtures" / "textdata_excerpt" / "tweeteval_test_every_20th.tsv"


def _excerpt() -> tuple[list[str], np.ndarray]:
    rows = [line.split("\t", 1) for line in EXCERPT.read_text(encoding="utf-8").splitlines()]
    return [text for _, text in rows], np.asarray([label for label, _ in rows])


def test_the_artifact_is_small_and_reviewable():
    size = WEIGHTS_CSV.stat().st_size
    assert size < 10 * 1024 * 1024, f"{WEIGHTS_CSV} is {size:,} bytes; the shipped model must stay under 10 MB"
    lines = WEIGHTS_CSV.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "token,negative,neutral,positive"
    assert lines[1].startswith("<bias>,")


def test_held_out_tweets_score_well_above_the_old_lexicon():
    """615 TweetEval test tweets (never trained on), scored by the same SQL as the warehouse."""
    texts, truth = _excerpt()
    model = f1_score(truth, model_labels(texts), average="macro")
    lexicon = f1_score(truth, lexicon_labels(texts), average="macro")
    assert model >= 0.58, f"macro-F1 {model:.3f} on the TweetEval excerpt"
    assert model >= lexicon + 0.1, f"model {model:.3f} against the lexicon's {lexicon:.3f}"


def test_handles_links_numbers_and_brand_names_carry_no_sentiment():
    plain = model_labels(["thanks for nothing", "my flight is delayed again"])
    decorated = model_labels(
        ["@united thanks for nothing https://t.co/abc 123", "@AmericanAir my flight 2231 is delayed again #fail"]
    )
    assert list(plain) == ["negative", "negative"]
    assert decorated[0] == plain[0]
    tokens = tokenize(["@delta I love Delta, 5 stars"], excluded_words=["delta"])[0]
    assert "delta" not in tokens and "@delta" not in tokens and "5" not in tokens
    assert "love" in tokens


def test_negation_scope_turns_a_positive_word_around():
    assert list(model_labels(["the support was great", "the support was not great at all"])) == [
        "positive",
        "negative",
    ]


def test_training_is_reproducible_with_a_fixed_seed():
    texts, truth = _excerpt()
    documents = tokenize(texts)
    first = SentimentModel(Settings(seed=7)).fit(documents, truth).token_weights()
    second = SentimentModel(Settings(seed=7)).fit(documents, truth).token_weights()
    assert first[0] == second[0]
    np.testing.assert_array_equal(first[1], second[1])
    np.testing.assert_array_equal(first[2], second[2])


def test_train_refuses_plainly_without_the_corpora(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "text_signals.train", "--output", str(tmp_path / "weights.csv")],
        cwd=PROJECT,
        env={**os.environ, "OUTCOMES_TEXTDATA_DIR": str(tmp_path / "missing"), "PYTHONPATH": str(PROJECT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 2
    assert "labelled sentiment corpora are not at" in result.stderr
    assert not (tmp_path / "weights.csv").exists()


@pytest.mark.parametrize("command", ["train-sentiment", "eval-text"])
def test_make_targets_exist(command):
    result = subprocess.run(["make", "-n", command], cwd=PROJECT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "text_signals." in result.stdout
