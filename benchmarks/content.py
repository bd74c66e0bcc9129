"""Figure 9, items that test judgement: per item bank, a naive Bayes classifier on the words of the practice
pool scored on the graded pool (benchmarks/keyword_baseline.py). Deterministic, so one run.
"""
from __future__ import annotations

from .core import REPO, figure, report, say


def bench() -> None:
    say("\n9. Keyword baseline: naive Bayes on the practice pool's words, scored on the graded pool")
    from .keyword_baseline import measure

    for bank, r in measure(REPO).items():
        fig = figure(f"content.keywords.{bank}", "content", f"keyword baseline accuracy, {r['exercise']} ({bank})",
                     "share", "<= 0.45", runs_note="deterministic: one run")
        fig.values = [r["accuracy"]]
        fig.extra = {"majority_class": r["majority"], "practice_items": r["train"], "graded_items": r["graded"]}
        fig.note = f"majority class {r['majority']:.2f}"
        report(fig)
