"""Exercise 4, "Who do we need next?": questions, explorer and tables the notebook calls."""
from __future__ import annotations

from functools import lru_cache

import pandas as pd

from mlroles import data, manifest
from mlroles.feedback import NEED_LABELS
from mlroles.function_checks import FunctionQuestion
from mlroles.answer_tables import full_text
from mlroles.sources import read_more
from mlroles.written import DraftCheck

ASSIGNMENT = "ex4_team_coverage"
# What next_need sees: the situation in words, then the fields the grader calls it with
# (declared once, in the exercise's manifest).
COLUMNS = ["situation", *manifest.find_part("next_need_graded").columns]
SYMPTOMS_DS = data.SYMPTOMS_DS
SYMPTOMS_ENG = data.SYMPTOMS_ENG

HINTS = (
    "Start from what hurts. Each symptom belongs to one side: a missing owner of metrics, statistics, "
    "questions or trust is the data-science side; models stuck in notebooks, no monitoring, incidents or "
    "slow releases are the engineering side.",
    "When both sides hurt, the team needs both skills covered; when one side hurts, it needs that side.",
    "When nothing hurts yet, ask whether one person can still carry it: low risk, a narrow runtime path "
    "(no online serving) and few models. If not, the first thing to break is usually the runtime side.",
)


def _read_more(row) -> str:
    return read_more("lesson “When one person covers both”", row["source_ids"])


@lru_cache(maxsize=None)
def _teams():
    return data.load_team_scenarios().set_index("team_id")


def practice_teams() -> pd.DataFrame:
    """Practice scenarios with the reference answer (``next_need``) and its reason."""
    t = _teams()
    return full_text(t[t["pool"] == "practice"][COLUMNS + ["next_need", "rationale"]])


def graded_teams() -> pd.DataFrame:
    """Graded scenarios: the situation only; their answers are graded after you submit."""
    t = _teams()
    return t[t["pool"] == "graded"][COLUMNS]


def _practice_question() -> FunctionQuestion:
    rows = _teams()[_teams()["pool"] == "practice"]
    return FunctionQuestion("Next need (practice teams)", rows[COLUMNS], NEED_LABELS,
                            key=rows["next_need"].to_dict(), why=rows["rationale"].to_dict(),
                            read={i: _read_more(r) for i, r in rows.iterrows()}, hints=HINTS,
                            function_name="next_need")


practice = _practice_question()
graded = FunctionQuestion("Next need (graded teams)", graded_teams(), NEED_LABELS, function_name="next_need")


def team_explorer(fn):
    """Move a team's size, models, serving mode, risk and symptoms; see what your next_need says."""
    from mlroles.explorers import team_explorer as build

    return build(fn)


def needs_table(fn) -> pd.DataFrame:
    """What your function says for every graded team (or why it could not)."""
    from mlroles.answer_tables import answer_table

    out = graded.run(fn) if callable(fn) else pd.DataFrame(columns=["answer", "problem"])
    frame = graded_teams()[["situation"]].join(out)
    return answer_table(frame, {i: a for i, a in out["answer"].items() if isinstance(a, str)})


def symptom_sides(teams: pd.DataFrame) -> pd.DataFrame:
    """For each team, how many of its symptoms sit on the data-science side and on the engineering side."""
    return pd.DataFrame({
        "data_science_symptoms": teams["symptoms"].map(lambda s: sum(x in SYMPTOMS_DS for x in s)),
        "engineering_symptoms": teams["symptoms"].map(lambda s: sum(x in SYMPTOMS_ENG for x in s)),
    }, index=teams.index)


CHARTER = DraftCheck(
    "Role charter", f"{ASSIGNMENT}.ipynb", "role_charter",
    {"what the person owns": ("own", "responsib", "accountab"),
     "what they do not own": ("not own", "does not", "won't", "will not", "out of scope", "not responsible"),
     "how the handoff works": ("handoff", "hand off", "hand-off", "agree", "review", "sign off", "together"),
     "which signals mean the role must split": ("split", "signal", "second hire", "bottleneck")},
    min_words=150)
