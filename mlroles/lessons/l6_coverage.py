"""Lesson 6, "When one person covers both": the team scenarios, the chart and the board.

What a learner gets from here:
- ``worked_teams()``: the practice team scenarios the lesson reasons over (six are held back
  for the board, so their answers are not on the page before the learner tries them);
- ``symptom_counts(teams)``: how many of each team's symptoms sit on the data-science side and
  how many on the engineering side, next to the facts that matter when nothing hurts yet;
- ``symptom_chart(teams)``: one bar per team, data-science symptoms to the left, engineering
  symptoms to the right, coloured by the answer the practice pool gives (a ``Chart``: the figure
  and its alt text);
- ``board_question`` and ``coverage_board()``: the six held-back practice teams to label with
  ``NEED_LABELS``, checked item by item with the rationale from the dataset.

Only practice rows are used. Nothing here decides a team's next need from its columns: the
lesson reasons about that in prose, and exercise 4 asks learners to write it themselves.
"""
from __future__ import annotations

from functools import lru_cache

import pandas as pd

from mlroles import data
from mlroles.checks.base import LabelQuestion, built_when_asked
from mlroles.data import NEED_LABELS, NEXT_NEEDS, SYMPTOMS_DS, SYMPTOMS_ENG
from mlroles.lessons.charts import Chart
from mlroles.sources import read_in_lesson

LESSON = "06_one_person_coverage"
# Held back from the tables and the chart, and asked on the board instead. Every answer appears
# at least once, and each team tempts a learner towards a wrong label for a reason the lesson names.
BOARD_IDS = ("T31", "T10", "T08", "T25", "T26", "T18")

SIDE_DS = "data science"
SIDE_ENG = "engineering"
SIDE_OF = {**{s: SIDE_DS for s in SYMPTOMS_DS}, **{s: SIDE_ENG for s in SYMPTOMS_ENG}}

# One colour per answer, readable for the common kinds of colour blindness (Okabe-Ito).
NEED_COLORS = {"data_scientist": "#0072B2", "ml_engineer": "#D55E00", "both": "#CC79A7",
               "one_person": "#009E73"}

HINTS = (
    "Start with the symptoms. Ask which side each one belongs to: deciding what success means, "
    "trusting the evidence and framing questions are data-science work; shipping, watching and "
    "keeping models running are engineering work.",
    "If both sides hurt, one more specialist fixes only half of it. If only one side hurts, the "
    "size of the team or the stage of the company does not change which skill is missing.",
    "When nothing hurts yet, look at the runtime path and the stakes: how many models run, whether "
    "they answer requests online or run on a schedule, and what a wrong prediction costs.",
)


@lru_cache(maxsize=None)
def _teams() -> pd.DataFrame:
    return data.load_team_scenarios()


def practice_teams() -> pd.DataFrame:
    """Every practice team scenario (graded ones never appear in a lesson)."""
    teams = _teams()
    return teams[teams["pool"] == "practice"].reset_index(drop=True).copy()


def worked_teams() -> pd.DataFrame:
    """The practice teams the lesson's tables and chart use: all but the six on the board."""
    teams = practice_teams()
    return teams[~teams["team_id"].isin(BOARD_IDS)].reset_index(drop=True)


def board_teams() -> pd.DataFrame:
    """The six practice teams held back for the board, in board order."""
    teams = practice_teams().set_index("team_id")
    return teams.loc[list(BOARD_IDS)].reset_index()


def symptom_counts(teams: pd.DataFrame) -> pd.DataFrame:
    """One row per team: its symptoms counted by side, beside size, models, serving mode, risk and answer.

    Columns: ``team_size``, ``models_in_production``, ``serving_mode``, ``risk``,
    ``data science`` and ``engineering`` (symptom counts) and ``next_need``; indexed by ``team_id``.
    """
    one_per_symptom = teams[["team_id", "symptoms"]].explode("symptoms").dropna()
    one_per_symptom["side"] = one_per_symptom["symptoms"].map(SIDE_OF)
    by_side = (pd.crosstab(one_per_symptom["team_id"], one_per_symptom["side"])
               .reindex(index=teams["team_id"], columns=[SIDE_DS, SIDE_ENG], fill_value=0))
    facts = teams.set_index("team_id")[["team_size", "models_in_production", "serving_mode", "risk"]]
    counts = facts.join(by_side).join(teams.set_index("team_id")["next_need"])
    counts.columns.name = None
    return counts


def _label(team_id: str, row) -> str:
    models = row["models_in_production"]
    if models == 0:
        runtime = "no model live"
    elif row["serving_mode"] == "both":
        runtime = f"{models} models, batch and online"
    else:
        runtime = f"{models} {row['serving_mode']} model" + ("s" if models > 1 else "")
    if row["team_size"] == 0:
        size = "nobody yet"
    else:
        size = f"{row['team_size']} " + ("person" if row["team_size"] == 1 else "people")
    return f"{team_id} · {size} · {runtime} · {row['risk']} risk"


# Where a team hurts and what it needs, in the words of the chart's alt text.
_HURTS = (("both sides", "with symptoms on both sides"), ("data science", "with data-science symptoms only"),
          ("engineering", "with engineering symptoms only"), ("nothing", "with no symptom yet"))
_NEEDS = {"data_scientist": "a data scientist", "ml_engineer": "an ML engineer",
          "both": "both a data scientist and an ML engineer"}


def _needs(need: str, n: int) -> str:
    if need == "one_person":
        return "can be covered by one person for now"
    return f"{'needs' if n == 1 else 'need'} {_NEEDS[need]}"


def _symptom_alt(counts: pd.DataFrame) -> str:
    ds, eng = counts[SIDE_DS] > 0, counts[SIDE_ENG] > 0
    hurts = pd.Series("nothing", index=counts.index)
    hurts[ds & eng], hurts[ds & ~eng], hurts[eng & ~ds] = "both sides", "data science", "engineering"
    parts = []
    for key, words in _HURTS:
        needs = counts.loc[hurts == key, "next_need"].value_counts().reindex(NEXT_NEEDS).dropna().astype(int)
        n = int(needs.sum())
        if n == 0:
            continue
        team = "team" if n == 1 else "teams"
        if len(needs) == 1:
            parts.append(f"the {n} {team} {words} {_needs(needs.index[0], n)}")
        else:
            split = " and ".join(f"{k} {_needs(need, k)}" for need, k in needs.items())
            parts.append(f"of the {n} {team} {words}, {split}")
    listed = ", ".join(parts[:-1]) + (", and " if len(parts) > 1 else "") + parts[-1]
    return (f"Diverging bar chart of {len(counts)} practice teams, data-science symptoms to the left and "
            f"engineering symptoms to the right, coloured by whom each team needs next: {listed}.")


def symptom_chart(teams: pd.DataFrame) -> Chart:
    """A diverging bar chart: per team, data-science symptoms to the left and engineering ones to the right.

    Bars are coloured by the practice answer (``next_need``); a team with no symptom gets a dot
    on the centre line in its colour. Teams are grouped by answer. Returns a ``Chart``
    (``.figure`` is the matplotlib Figure, ``.alt`` its alt text).
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    counts = symptom_counts(teams)
    order = {need: i for i, need in enumerate(NEXT_NEEDS)}
    counts = counts.assign(_order=counts["next_need"].map(order)).sort_values(
        ["_order", SIDE_DS, SIDE_ENG, "team_size"], kind="stable").drop(columns="_order")
    y = list(range(len(counts)))[::-1]   # the first team at the top
    colors = [NEED_COLORS[n] for n in counts["next_need"]]

    fig, ax = plt.subplots(figsize=(9.5, 0.42 * len(counts) + 1.6), dpi=100)
    ax.barh(y, -counts[SIDE_DS], color=colors, edgecolor="white", height=0.7, label=SIDE_DS)
    ax.barh(y, counts[SIDE_ENG], color=colors, edgecolor="white", height=0.7, hatch="//", label=SIDE_ENG)
    quiet = (counts[SIDE_DS] == 0) & (counts[SIDE_ENG] == 0)
    ax.scatter([0] * int(quiet.sum()), [yy for yy, q in zip(y, quiet) if q],
               c=[c for c, q in zip(colors, quiet) if q], s=70, zorder=3, edgecolors="black", linewidths=0.6)
    ax.axvline(0, color="#333", linewidth=0.8)
    ax.set_yticks(y, [_label(t, r) for t, r in counts.iterrows()], fontsize=9)
    most = int(max(counts[SIDE_DS].max(), counts[SIDE_ENG].max(), 1))
    ax.set_xlim(-most - 0.6, most + 0.6)
    ticks = list(range(-most, most + 1))
    ax.set_xticks(ticks, [str(abs(t)) for t in ticks])
    ax.set_xlabel("← data-science symptoms        engineering symptoms (hatched) →")
    ax.set_title("Where each practice team hurts, coloured by whom it needs next", fontsize=11, loc="left")
    ax.grid(axis="x", color="#ddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    handles = [Patch(color=NEED_COLORS[n], label=NEED_LABELS.name(n)) for n in NEXT_NEEDS]
    handles.append(Line2D([], [], marker="o", linestyle="", color="#999", markeredgecolor="black",
                          label="no symptom yet"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=9,
              title="next need", title_fontsize=9)
    fig.tight_layout()
    plt.close(fig)
    return Chart(fig, _symptom_alt(counts))


def _read_more(row) -> str:
    return read_in_lesson("06_one_person_coverage", row["source_ids"], section="The course's rule of thumb")


def _board_question() -> LabelQuestion:
    rows = board_teams()
    return LabelQuestion(
        "Who do we need next? (practice)",
        dict(zip(rows["team_id"], rows["situation"])), NEED_LABELS,
        key=dict(zip(rows["team_id"], rows["next_need"])),
        why=dict(zip(rows["team_id"], rows["rationale"])),
        read={r["team_id"]: _read_more(r) for _, r in rows.iterrows()},
        hints=HINTS,
    )


# ``board_question``, built on first use
__getattr__ = _asked = built_when_asked(globals(), board_question=_board_question)


def coverage_board():
    """The lesson's board: six practice teams, one label each, checked with per-item feedback.

    Choices are not saved to a file: this is practice inside a lesson, not a graded exercise.
    """
    from mlroles.widgets.boards import ClassificationBoard

    board = ClassificationBoard(_asked('board_question'))
    # NEED_LABELS has one long name ("one person can cover it for now"): let each button take the
    # width of its own label instead of cutting it off at the board's fixed button width.
    for control in board.controls.values():
        control.style.button_width = "auto"
    board.layout.max_width = "76em"   # wider buttons: leave the situations room to breathe
    return board
