"""The public labelled sentiment corpora in ../shared/textdata, read as they are (see that folder's MANIFEST.md for
licences and quirks) and mapped to negative / neutral / positive.

Every loader returns a DataFrame with columns corpus, text, label; rows without a usable label (irrelevant,
not_relevant, can't tell) or without text are left out, and duplicates (same corpus, same normalised text) are kept
once. The corpora are never shipped: only the weights trained on them are (text_signals/weights).
"""

from __future__ import annotations

import codecs
import csv
import html
import os
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd

LABELS = ("negative", "neutral", "positive")
DEFAULT_TEXTDATA = Path(__file__).resolve().parent.parent.parent / "shared" / "textdata"


class CorporaMissing(RuntimeError):
    pass


def textdata_dir() -> Path:
    folder = Path(os.environ.get("OUTCOMES_TEXTDATA_DIR", DEFAULT_TEXTDATA))
    if not (folder / "MANIFEST.md").exists():
        raise CorporaMissing(
            f"The labelled sentiment corpora are not at {folder}: training and evaluating the sentiment model need "
            "the shared/textdata folder beside this project (or OUTCOMES_TEXTDATA_DIR pointing at it). The shipped "
            "model in dbt_project/seeds/sentiment_model_weights.csv works without them."
        )
    return folder


_JSON_ESCAPE = re.compile(r"\\u[0-9a-fA-F]{4}")


def _clean(text: str) -> str:
    """Literal `\\u2019` escapes and HTML entities as the characters they stand for; outer CSV quotes removed."""
    if _JSON_ESCAPE.search(text):
        text = _JSON_ESCAPE.sub(lambda match: codecs.decode(match.group(0), "unicode_escape"), text)
    text = text.strip()
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        text = text[1:-1].replace('""', '"')
    return html.unescape(text)


def _frame(corpus: str, rows: list[tuple[str, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["text", "label"])
    frame["text"] = frame["text"].map(_clean)
    frame = frame[frame["label"].isin(LABELS) & (frame["text"].str.strip() != "")]
    frame = frame.assign(corpus=corpus, key=frame["text"].str.lower().str.replace(r"\W+", " ", regex=True).str.strip())
    return frame.drop_duplicates(["key"]).drop(columns="key")[["corpus", "text", "label"]].reset_index(drop=True)


def _lines(path: Path, encoding: str = "utf-8") -> list[str]:
    return path.read_text(encoding=encoding).splitlines()


def semeval(files: list[str] | None = None) -> pd.DataFrame:
    """SemEval-2017 4A tweets 2013-2016 (the TweetEval train pool), de-duplicated by tweet id then text."""
    folder = textdata_dir() / "semeval2017_task4a"
    paths = [folder / name for name in files] if files else sorted(folder.glob("twitter-*-A.tsv"))
    rows, seen = [], set()
    for path in paths:
        for line in _lines(path):
            parts = line.split("\t", 2)
            if len(parts) < 3 or parts[0] in seen:
                continue
            seen.add(parts[0])
            rows.append((parts[2].split("\t")[0] if path.name == "twitter-2016test-A.tsv" else parts[2], parts[1]))
    return _frame("semeval", rows)


def semeval_sms() -> pd.DataFrame:
    path = textdata_dir() / "semeval2017_task4a" / "Subtask_A" / "sms-2013test-A.tsv"
    return _frame("sms", [(p[3], p[2]) for p in (line.split("\t", 3) for line in _lines(path)) if len(p) == 4])


def semeval_livejournal() -> pd.DataFrame:
    path = textdata_dir() / "semeval2017_task4a" / "Subtask_A" / "livejournal-2014test-A.tsv"
    return _frame("livejournal", [(p[3], p[2]) for p in (line.split("\t", 3) for line in _lines(path)) if len(p) == 4])


def tweeteval_test() -> pd.DataFrame:
    folder = textdata_dir() / "tweeteval"
    texts = _lines(folder / "test_text.txt")
    labels = [LABELS[int(value)] for value in _lines(folder / "test_labels.txt")]
    frame = pd.DataFrame({"corpus": "tweeteval_test", "text": [text.strip() for text in texts], "label": labels})
    return frame  # the benchmark as published: no de-duplication, every line scored


def sanders() -> pd.DataFrame:
    with (textdata_dir() / "sanders" / "full-corpus.csv").open(encoding="utf-8", newline="") as handle:
        return _frame("sanders", [(row["TweetText"], row["Sentiment"]) for row in csv.DictReader(handle)])


def crowdflower_apple() -> pd.DataFrame:
    mapping = {"1": "negative", "3": "neutral", "5": "positive"}
    path = textdata_dir() / "crowdflower_apple" / "Apple-Twitter-Sentiment-DFE.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [(row["text"], mapping.get(row["sentiment"], "")) for row in csv.DictReader(handle)]
    return _frame("crowdflower_apple", rows)


def sxsw_brands() -> pd.DataFrame:
    mapping = {
        "Positive emotion": "positive",
        "Negative emotion": "negative",
        "No emotion toward brand or product": "neutral",
    }
    path = textdata_dir() / "crowdflower_brands" / "judge-1377884607_tweet_product_company.csv"
    # Records end in bare CRs (LFs sit only inside quoted texts), and the bytes are latin-1 with old mojibake.
    records = path.read_text(encoding="latin-1").replace("\r", "\n").splitlines(keepends=True)
    reader = csv.reader(records)
    next(reader)
    return _frame("sxsw_brands", [(row[0], mapping.get(row[2], "")) for row in reader if len(row) >= 3])


def uci_sentences() -> pd.DataFrame:
    folder = textdata_dir() / "uci_sentiment_sentences"
    rows = []
    for name in ("amazon_cells_labelled.txt", "yelp_labelled.txt", "imdb_labelled.txt"):
        for line in _lines(folder / name):
            text, _, score = line.rpartition("\t")
            rows.append((text, {"0": "negative", "1": "positive"}.get(score.strip(), "")))
    return _frame("uci_sentences", rows)


def amazon_alexa() -> pd.DataFrame:
    path = textdata_dir() / "amazon_alexa" / "amazon_alexa.tsv"
    frame = pd.read_csv(path, sep="\t", encoding="utf-8-sig", quoting=csv.QUOTE_NONE, dtype=str)
    labels = frame["rating"].map({"1": "negative", "2": "negative", "3": "neutral", "4": "positive", "5": "positive"})
    return _frame("amazon_alexa", list(zip(frame["verified_reviews"].fillna(""), labels.fillna(""), strict=True)))


def sentiment140_test() -> pd.DataFrame:
    path = textdata_dir() / "sentiment140" / "testdata.manual.2009.06.14.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        mapping = {"0": "negative", "2": "neutral", "4": "positive"}
        return _frame("sentiment140_test", [(row["text"], mapping[row["polarity"]]) for row in csv.DictReader(handle)])


def sentiment140_distant() -> pd.DataFrame:
    """Emoticon-labelled (not human) tweets: optional extra training data, never used for evaluation."""
    folder = textdata_dir() / "sentiment140" / "tweets_100k"
    rows = [(line, label) for label in ("negative", "positive") for line in _lines(folder / f"{label}.txt")]
    return _frame("sentiment140_distant", rows)


# Human-labelled corpora the shipped model may learn from. TweetEval test is never trained on.
TRAINING_CORPORA: dict[str, Callable[[], pd.DataFrame]] = {
    "semeval": semeval,
    "sanders": sanders,
    "crowdflower_apple": crowdflower_apple,
    "sxsw_brands": sxsw_brands,
    "sms": semeval_sms,
    "livejournal": semeval_livejournal,
    "uci_sentences": uci_sentences,
    "amazon_alexa": amazon_alexa,
    "sentiment140_test": sentiment140_test,
}
