"""Score texts with the shipped weights table exactly as the warehouse does (the same token macro, join, sum and
softmax in DuckDB), plus the two baselines the model is measured against: the old English lexicon seed and VADER."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

from text_signals.features import CLASSES
from text_signals.tokens import sentiment_tokens_sql

PROJECT = Path(__file__).resolve().parent.parent
WEIGHTS_CSV = PROJECT / "dbt_project" / "seeds" / "sentiment_model_weights.csv"
LEXICON_CSV = PROJECT / "dbt_project" / "seeds" / "sentiment_lexicon.csv"
# The cut VADER's authors recommend for its compound score, also the project's var `positive_sentiment_min`.
COMPOUND_CUT = 0.05


def model_labels(texts: list[str], weights_csv: Path = WEIGHTS_CSV) -> np.ndarray:
    """The label the warehouse gives each text (text with no known token: neutral, as the model's no_signal)."""
    table = pa.table({"position": list(range(len(texts))), "body": texts})
    with duckdb.connect() as connection:
        connection.register("texts", table)
        connection.execute(
            "create table weights as select * from read_csv(?, header = true, quote = '\"', escape = '\"',"
            " columns = {'token': 'varchar', 'negative': 'double', 'neutral': 'double', 'positive': 'double'})",
            [str(weights_csv)],
        )
        rows = connection.execute(
            f"""
            with tokens as (
                select position, unnest({sentiment_tokens_sql("body")}) as token from texts
            ),
            sums as (
                select position, sum(negative) as negative, sum(neutral) as neutral, sum(positive) as positive
                from tokens inner join weights using (token) group by position
            ),
            bias as (select * from weights where token = '<bias>')
            select
                texts.position,
                case
                    when sums.position is null then 'neutral'
                    when sums.negative + bias.negative >= greatest(sums.neutral + bias.neutral,
                        sums.positive + bias.positive) then 'negative'
                    when sums.positive + bias.positive > sums.neutral + bias.neutral then 'positive'
                    else 'neutral'
                end
            from texts cross join bias left join sums using (position)
            order by texts.position
            """
        ).fetchall()
    return np.asarray([row[1] for row in rows])


def _words(text: str) -> list[str]:
    """words_of (dbt_project/macros/words_of.sql) in Python: lower case, no handles or links, split on non-words."""
    text = re.sub(r"(@\w+|https?://\S+)", " ", text.lower())
    return [word for word in re.split(r"[^\w']+", text.replace("_", " ")) if word]


def lexicon_labels(texts: list[str], language: str = "en") -> np.ndarray:
    """The pre-model scorer: sentiment_lexicon terms (a phrase overrides the words inside it), sum / sqrt(sum^2+15)."""
    with LEXICON_CSV.open(encoding="utf-8") as handle:
        lexicon = {
            tuple(_words(row["term"])): float(row["score"])
            for row in csv.DictReader(handle)
            if row["language"] == language
        }
    longest = max(len(term) for term in lexicon)
    labels = []
    for text in texts:
        words, total, position = _words(text), 0.0, 0
        while position < len(words):
            for size in range(longest, 0, -1):
                term = tuple(words[position : position + size])
                if len(term) == size and term in lexicon:
                    total += lexicon[term]
                    position += size - 1
                    break
            position += 1
        score = total / (total * total + 15.0) ** 0.5
        labels.append("positive" if score >= COMPOUND_CUT else "negative" if score <= -COMPOUND_CUT else "neutral")
    return np.asarray(labels)


def vader_labels(texts: list[str]) -> np.ndarray:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    scores = [analyzer.polarity_scores(text)["compound"] for text in texts]
    return np.asarray(
        ["positive" if s >= COMPOUND_CUT else "negative" if s <= -COMPOUND_CUT else "neutral" for s in scores]
    )


def measure(truth, predicted) -> dict:
    """Accuracy, macro-F1, per-class F1 (negative, neutral, positive) and the confusion matrix."""
    return {
        "accuracy": float(accuracy_score(truth, predicted)),
        "macro_f1": float(f1_score(truth, predicted, average="macro")),
        "per_class_f1": f1_score(truth, predicted, average=None, labels=CLASSES).tolist(),
        "confusion": confusion_matrix(truth, predicted, labels=CLASSES).tolist(),
    }
