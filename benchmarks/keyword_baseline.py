"""How far keywords alone get on the graded items: a measure of whether the items test judgement.

For each exercise's item bank with a text and a label (responsibilities, handoff artifacts,
job ads, team situations), a multinomial naive Bayes classifier on word counts (Laplace
smoothing, no stop-word list, nothing tuned) is trained on the practice pool and scored on the
graded pool against the instructor's keys. A high accuracy means the words that name a topic
decide the owner, so a learner matching keywords scores well without judging the situation.
The majority-class rate (the share of the most common graded label) is the floor to compare with.

    python benchmarks/keyword_baseline.py     prints one line per item bank

It reads solutions/graded_keys.csv, so it belongs to the instructor's side, like the benchmark.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# item bank -> (exercise, text columns, key field)
BANKS = {
    "responsibilities": ("ex1_responsibilities", ["responsibility"], "owner"),
    "handoff_artifacts": ("ex2_serving_handoff", ["artifact", "description"], "owner"),
    "job_ads": ("ex3_job_ads", ["title", "summary"], "real_role"),
    "team_scenarios": ("ex4_team_coverage", ["situation"], "next_need"),
}


def words(text: str) -> list[str]:
    return re.findall(r"[a-z][a-z0-9_]+", str(text).lower())


def naive_bayes(train: list[tuple[list[str], str]]):
    """A predict(words) function from (words, label) pairs."""
    labels = Counter(label for _, label in train)
    counts = {label: Counter() for label in labels}
    for tokens, label in train:
        counts[label].update(tokens)
    vocabulary = set().union(*counts.values())
    totals = {label: sum(c.values()) for label, c in counts.items()}

    def predict(tokens: list[str]) -> str:
        def score(label):
            prior = math.log(labels[label] / len(train))
            return prior + sum(math.log((counts[label][t] + 1) / (totals[label] + len(vocabulary)))
                               for t in tokens if t in vocabulary)
        return max(sorted(labels), key=score)
    return predict


def measure(repo: Path = REPO) -> dict[str, dict]:
    """Per item bank: accuracy on the graded pool, the majority-class rate, and the pool sizes."""
    from mlroles import data
    from mlroles.data import SCHEMAS
    from mlroles.instructor.answer_keys import load_graded_keys

    keys = load_graded_keys(repo / "solutions" / "graded_keys.csv")
    loaders = {"responsibilities": data.load_responsibilities, "handoff_artifacts": data.load_handoff_artifacts,
               "job_ads": data.load_job_ads, "team_scenarios": data.load_team_scenarios}
    out = {}
    for bank, (exercise, columns, field) in BANKS.items():
        frame = loaders[bank]()
        id_column = SCHEMAS[bank].id_column
        columns = [c for c in columns if c in frame.columns]
        text = frame[columns].astype(str).agg(" ".join, axis=1)
        practice = frame["pool"] == "practice"
        train = [(words(t), label) for t, label in zip(text[practice], frame.loc[practice, field])]
        predict = naive_bayes(train)
        graded = frame[frame["pool"] == "graded"]
        truth = keys[bank][field]
        guesses = [predict(words(text[i])) for i in graded.index]
        answers = [truth[item] for item in graded[id_column]]
        majority = Counter(answers).most_common(1)[0][1] / len(answers)
        out[bank] = {"exercise": exercise, "accuracy": sum(g == a for g, a in zip(guesses, answers)) / len(answers),
                     "majority": majority, "train": len(train), "graded": len(answers), "columns": columns}
    return out


if __name__ == "__main__":
    for bank, r in measure().items():
        print(f"{r['exercise']:22} {bank:18} keyword baseline {r['accuracy']:.2f}  majority class {r['majority']:.2f}  "
              f"(trained on {r['train']} practice items, scored on {r['graded']} graded; text: {', '.join(r['columns'])})")
