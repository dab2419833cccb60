"""`make eval-text`: the sentiment model and two baselines on labelled text never trained on.

- TweetEval test (SemEval-2017 4A test, 12,284 tweets): the shipped weights, scored through the warehouse's own SQL.
- Cross-corpus: for Sanders, the SXSW brands set and SemEval SMS, a model trained on every other corpus (same
  recipe, same seed) is scored on the one left out.
Baselines: the lexicon the pipeline used before the model (seed sentiment_lexicon, English terms) and VADER
(vaderSentiment, its own lexicon and rules). Prints accuracy, macro-F1, per-class F1 and confusion matrices, and writes
them as Markdown (default reports/text_eval.md) for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from text_signals import corpora
from text_signals.scoring import WEIGHTS_CSV, lexicon_labels, measure, model_labels, vader_labels
from text_signals.train import fit, write_weights

CROSS_CORPUS = {"sanders": corpora.sanders, "sxsw_brands": corpora.sxsw_brands, "sms": corpora.semeval_sms}
TARGET_TWEETEVAL = 0.65
TARGET_MARGIN = 0.05


def evaluate_set(name: str, texts: list[str], truth, weights_csv: Path) -> dict[str, dict]:
    return {
        "model": measure(truth, model_labels(texts, weights_csv)),
        "lexicon": measure(truth, lexicon_labels(texts)),
        "vader": measure(truth, vader_labels(texts)),
    }


def markdown(results: dict[str, dict[str, dict]], sizes: dict[str, int]) -> str:
    lines = [
        "| test set | rows | scorer | accuracy | macro-F1 | F1 negative | F1 neutral | F1 positive |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, scorers in results.items():
        for scorer, m in scorers.items():
            f1 = m["per_class_f1"]
            lines.append(
                f"| {name} | {sizes[name]:,} | {scorer} | {m['accuracy']:.3f} | {m['macro_f1']:.3f} | "
                f"{f1[0]:.3f} | {f1[1]:.3f} | {f1[2]:.3f} |"
            )
    lines += ["", "Confusion matrices of the model (rows: true negative / neutral / positive; columns: predicted):", ""]
    for name, scorers in results.items():
        rows = "; ".join(" ".join(f"{value:,}" for value in row) for row in scorers["model"]["confusion"])
        lines.append(f"- {name}: {rows}")
    lines += ["", "Targets: macro-F1 >= 0.65 on TweetEval test; on each cross-corpus split >= 0.05 above the better"]
    lines.append("baseline.")
    for name, scorers in results.items():
        best_baseline = max(scorers["lexicon"]["macro_f1"], scorers["vader"]["macro_f1"])
        margin = scorers["model"]["macro_f1"] - best_baseline
        met = margin >= TARGET_MARGIN and (name != "tweeteval_test" or scorers["model"]["macro_f1"] >= TARGET_TWEETEVAL)
        lines.append(
            f"- {name}: model {scorers['model']['macro_f1']:.3f}, better baseline {best_baseline:.3f}, "
            f"margin {margin:+.3f}: {'met' if met else 'MISSED'}"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, default=Path("reports/text_eval.md"))
    parser.add_argument("--skip-cross-corpus", action="store_true", help="TweetEval test only (no retraining)")
    args = parser.parse_args(argv)
    try:
        corpora.textdata_dir()
    except corpora.CorporaMissing as missing:
        print(f"make eval-text: {missing}", file=sys.stderr)
        return 2
    started = time.monotonic()
    results, sizes = {}, {}
    test = corpora.tweeteval_test()
    results["tweeteval_test"] = evaluate_set("tweeteval_test", test["text"].tolist(), test["label"], WEIGHTS_CSV)
    sizes["tweeteval_test"] = len(test)
    if not args.skip_cross_corpus:
        with tempfile.TemporaryDirectory() as folder:
            for name, load in CROSS_CORPUS.items():
                held_out = load()
                weights = Path(folder) / f"without_{name}.csv"
                write_weights(fit(exclude=(name,)), weights)
                results[name] = evaluate_set(name, held_out["text"].tolist(), held_out["label"], weights)
                sizes[name] = len(held_out)
                print(f"{name}: done after {time.monotonic() - started:.0f} s", flush=True)
    report = markdown(results, sizes)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report)
    print(report)
    print(f"wrote {args.output} in {time.monotonic() - started:.0f} s")
    missed = [line for line in report.splitlines() if line.endswith("MISSED")]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
