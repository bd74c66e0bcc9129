"""The lesson self-checks give nothing away by the shape of their options.

A learner who guesses "the longest option" or "always (b)" should do no better than chance. For every
quiz CSV in ``datasets/quizzes/`` (or in the folder named by the environment variable ``QUIZ_DIR``, to
check drafts or an older copy), these tests assert that
- every question has exactly one right option;
- the right option is the longest in at most a third of the questions, and the shortest in at most a third;
- no letter holds the right answer in more than 40% of the questions, and every letter that occurs is used.
"""
import os
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from mlroles import data

REPO_QUIZZES = Path(__file__).resolve().parents[1] / "datasets" / "quizzes"
MAX_SHARE_BY_LENGTH = 1 / 3     # longest (or shortest) right option
MAX_SHARE_PER_LETTER = 0.40


def read_quizzes(folder: Path) -> pd.DataFrame:
    """Every option of every quiz CSV in ``folder``, read as plain text (no loader checks)."""
    files = sorted(Path(folder).glob("*.csv"))
    if not files:
        raise FileNotFoundError(f"no quiz CSV in {folder}")
    return pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False).assign(file=f.name) for f in files],
                     ignore_index=True)


def questions(options: pd.DataFrame):
    """(quiz_id, its options) per question, quiz ids made unique by their file."""
    return list(options.groupby(["file", "quiz_id"], sort=False))


def not_one_right(options: pd.DataFrame) -> list[str]:
    return [f"{quiz_id} ({file}) has {rows['correct'].eq('yes').sum()} right options"
            for (file, quiz_id), rows in questions(options) if rows["correct"].eq("yes").sum() != 1]


def right_at_extreme(options: pd.DataFrame, extreme: str) -> list[str]:
    """Questions whose right option is the longest (``extreme="max"``) or shortest, ties included."""
    found = []
    for (file, quiz_id), rows in questions(options):
        right = rows["correct"].eq("yes")
        if right.sum() != 1:
            continue
        lengths = rows["option"].str.len()
        others = lengths[~right]
        own = lengths[right].iloc[0]
        if (own >= others.max()) if extreme == "max" else (own <= others.min()):
            found.append(quiz_id)
    return found


def letter_spread(options: pd.DataFrame) -> tuple[Counter, set[str]]:
    """How often each letter is the right answer, and every letter that occurs as an option."""
    right = options[options["correct"].eq("yes")]
    return Counter(right["option_id"]), set(options["option_id"])


def quiz_folder() -> Path:
    return Path(os.environ.get("QUIZ_DIR", REPO_QUIZZES))


@pytest.fixture(scope="module")
def options() -> pd.DataFrame:
    return read_quizzes(quiz_folder())


def test_every_lesson_quiz_is_read():
    if quiz_folder() == REPO_QUIZZES:
        assert sorted(p.stem for p in REPO_QUIZZES.glob("*.csv")) == sorted(data.LESSON_IDS)


def test_every_question_has_exactly_one_right_option(options):
    assert not (bad := not_one_right(options)), "; ".join(bad)


@pytest.mark.parametrize("extreme, word", [("max", "longest"), ("min", "shortest")])
def test_the_right_option_is_seldom_the_longest_or_the_shortest(options, extreme, word):
    total = len(questions(options))
    found = right_at_extreme(options, extreme)
    assert len(found) <= MAX_SHARE_BY_LENGTH * total, (
        f"the right option is the {word} in {len(found)} of {total} questions (at most a third allowed): "
        + ", ".join(found))


def test_right_answers_are_spread_over_the_letters(options):
    counts, letters = letter_spread(options)
    total = sum(counts.values())
    crowded = {k: n for k, n in counts.items() if n > MAX_SHARE_PER_LETTER * total}
    assert not crowded, f"right answers per letter {dict(sorted(counts.items()))} of {total}: " \
                        f"{', '.join(crowded)} holds more than 40%"
    unused = sorted(letters - set(counts))
    assert not unused, f"no question has its right answer at {', '.join(unused)}"


def test_the_checks_catch_a_quiz_that_gives_itself_away(tmp_path):
    rows = []
    for n in range(1, 4):
        for letter, text in zip("abc", ["Short", "The right and by far the longest option", "Medium one"]):
            rows.append({"quiz_id": f"L9-Q{n}", "question": "Which?", "option_id": letter, "option": text,
                         "correct": "yes" if letter == "b" else "no", "feedback": "Because.", "source_ids": ""})
    rows[0]["correct"] = "yes"      # L9-Q1 now has two right options
    pd.DataFrame(rows).to_csv(tmp_path / "09_cued.csv", index=False)
    cued = read_quizzes(tmp_path)
    assert not_one_right(cued) == ["L9-Q1 (09_cued.csv) has 2 right options"]
    assert right_at_extreme(cued, "max") == ["L9-Q2", "L9-Q3"]
    counts, letters = letter_spread(cued)
    assert counts["b"] == 3 and letters - set(counts) == {"c"}
    with pytest.raises(FileNotFoundError, match="no quiz CSV"):
        read_quizzes(tmp_path / "empty")
