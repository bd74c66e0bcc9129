"""Exercise 4, "Who do we need next?": questions, explorer and tables the notebook calls."""
from __future__ import annotations

from functools import lru_cache

import pandas as pd

from mlroles import course, data, manifest
from mlroles.checks.base import CORRECT, built_when_asked
from mlroles.checks.functions import FunctionQuestion
from mlroles.checks.written import DraftCheck, Part
from mlroles.data import NEED_LABELS
from mlroles.sources import read_in_lesson
from mlroles.tables import full_text

ASSIGNMENT = "ex4_team_coverage"
# What next_need sees: the situation in words, then the fields the grader calls it with
# (declared once, in the exercise's manifest).
COLUMNS = ["situation", *manifest.find_part("next_need_graded").columns]
SYMPTOMS_DS = data.SYMPTOMS_DS
SYMPTOMS_ENG = data.SYMPTOMS_ENG

HINTS = (
    "Start from what hurts. Each symptom belongs to one side: a missing owner of metrics, statistics, "
    "questions or trust is the data-science side; models stuck in notebooks, no monitoring, incidents or "
    "slow releases are the engineering side. Test the symptoms before anything else.",
    "When both sides hurt, the team needs both skills covered; when one side hurts, it needs that side.",
    "When nothing hurts yet, the course's rule of thumb asks three things: is the risk low, is serving none or "
    "batch, and are at most two models in production? If all three hold, one person can cover both sides for "
    "now; if any fails, an ML engineer comes first.",
)


def _read_more(row) -> str:
    return read_in_lesson(course.LESSON_OF["team_scenarios"], row["source_ids"])


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


def rule_of_thumb(team) -> tuple[str, str]:
    """The course's rule of thumb on one team: its answer, and the step that decides it, in words."""
    science = [x for x in team["symptoms"] if x in SYMPTOMS_DS]
    engineering = [x for x in team["symptoms"] if x in SYMPTOMS_ENG]
    if science and engineering:
        return "both", (f"it has symptoms on both sides ({', '.join(science)}; {', '.join(engineering)}), so both "
                        "skills must be covered")
    if science or engineering:
        side, need = ("data-science", "data_scientist") if science else ("engineering", "ml_engineer")
        return need, (f"its symptoms are all on the {side} side ({', '.join(science or engineering)}), so that "
                      f"side comes first: {NEED_LABELS.name(need)}")
    models, mode = int(team["models_in_production"]), team["serving_mode"]
    failed = [said for said, holds in ((f"its risk is {team['risk']}", team["risk"] == "low"),
                                       (f"its serving is {mode}", mode in ("none", "batch")),
                                       (f"{models} models are in production, more than two", models <= 2))
              if not holds]
    if not failed:
        return "one_person", (f"it has no symptom, its risk is low, its serving is {mode} and {models} "
                              f"model{'s are' if models != 1 else ' is'} in production: one person can cover both "
                              "sides for now")
    return "ml_engineer", f"it has no symptom, but {' and '.join(failed)}: an ML engineer comes first"


def _facts(team) -> str:
    science = [x for x in team["symptoms"] if x in SYMPTOMS_DS]
    engineering = [x for x in team["symptoms"] if x in SYMPTOMS_ENG]
    if not science and not engineering:
        models = int(team["models_in_production"])
        return (f"no symptom; risk {team['risk']}, serving {team['serving_mode']}, {models} "
                f"model{'' if models == 1 else 's'} in production")
    return (f"symptoms on the data-science side: {', '.join(science) or 'none'}; on the engineering side: "
            f"{', '.join(engineering) or 'none'}")


class NeedQuestion(FunctionQuestion):
    """next_need on the practice teams. Its hints start from the first team the last check found wrong:
    the fields that decide it, then the step of the rule of thumb that decides it, then how to test it."""

    @property
    def _hints(self) -> list[str]:
        found = self._found
        if found is None:
            first, *more = self.before_check or [""]
            return ["Run ex4.practice.check(next_need) first: the hints then start from the teams your function "
                    f"gets wrong. {first}".strip(), *more]
        if found == CORRECT:
            return ["Your function agrees on every practice team. In the explorer, try the edges of the rule: 2 "
                    "and 3 models, low and medium risk, batch and online serving, with and without a symptom."]
        team_id = found["id"]
        team = self.rows.loc[team_id]
        if "problem" in found:
            return [f"Start with {team_id}: next_need {found['problem']}. Each team is a row with the fields "
                    f"{', '.join(self.rows.columns)}; team[\"symptoms\"] is a list.",
                    f"Call it on that team alone to see the error: next_need(ex4.practice_teams().loc[\"{team_id}\"])"
                    "."]
        rule, step = rule_of_thumb(team)
        first = (f"{found['count']} practice team{'s disagree' if found['count'] > 1 else ' disagrees'} with the "
                 f"reference. Start with {team_id}: your next_need says {NEED_LABELS.name(found['said'])}. What "
                 f"decides it: {_facts(team)}. Which of these does your function test, and in what order?")
        second = (f"On {team_id}, the rule of thumb: {step}." if rule == self.key[team_id]
                  else f"On {team_id}: {self.why.get(team_id, '')}")
        if team["symptoms"]:
            third = ("Test the symptoms before risk, serving and models: set(team[\"symptoms\"]) & "
                     "set(ex4.SYMPTOMS_DS) and the same with ex4.SYMPTOMS_ENG say which sides hurt.")
        else:
            third = ("With no symptom, one person only when all three hold: team[\"risk\"] == \"low\", "
                     "team[\"serving_mode\"] in (\"none\", \"batch\") and team[\"models_in_production\"] <= 2; "
                     "otherwise \"ml_engineer\".")
        alone = f'next_need(ex4.practice_teams().loc["{team_id}"])'
        return [first, second, f"{third} Try it on that team alone: {alone}."]


def _practice_question() -> FunctionQuestion:
    rows = _teams()[_teams()["pool"] == "practice"]
    return NeedQuestion("Next need (practice teams)", rows[COLUMNS], NEED_LABELS,
                        key=rows["next_need"].to_dict(), why=rows["rationale"].to_dict(),
                        read={i: _read_more(r) for i, r in rows.iterrows()}, hints=HINTS, function_name="next_need")


# ex4.practice and ex4.graded, built on first use
__getattr__ = _asked = built_when_asked(
    globals(), practice=_practice_question,
    graded=lambda: FunctionQuestion("Next need (graded teams)", graded_teams(), NEED_LABELS, function_name="next_need"))


def team_explorer(fn):
    """Move a team's size, models, serving mode, risk and symptoms; see what your next_need says."""
    from mlroles.widgets.explorers import team_explorer as build

    return build(fn)


def needs_table(fn) -> pd.DataFrame:
    """What your function says for every graded team (or why it could not)."""
    from mlroles.tables import answer_table

    out = _asked("graded").run(fn) if callable(fn) else pd.DataFrame(columns=["answer", "problem"])
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
    {"what the person owns": Part(
        "what the person owns, on the evidence side and on the runtime side",
        ("own", "responsible", "accountable", "in charge of", "look after", "take care of", "maintain", "run the",
         "is yours", "your job", "their job", "end to end"),
        "name what the person is answerable for on both sides: the question and the metric the forecast is "
        "judged by, and the job that produces it and its alerts."),
     "what they do not own": Part(
        "what the person does not own",
        ("not own", "not responsible", "not accountable", "not in charge", "not theirs", "not yours", "not part of",
         "not run", "not maintain", "not build", "not decide", "out of scope", "outside", "exclude", "belong to",
         "stay with", "remain with", "left to", "leave to", "someone else", "limit"),
        "name at least two things that stay with someone else, for example the decisions the forecast feeds or "
        "the system the data comes from."),
     "how the handoff works": Part(
        "how the handoff works (with whom the person agrees on what, and how often)",
        ("handoff", "hand off", "hand over", "handover", "pass to", "pass model to", "take over", "who deploy",
         "deploy", "release", "go live", "goes live", "agree", "settle", "sign off", "approve", "review",
         "walk through", "meet with", "sit down with", "talk to", "check in", "escalate", "report to",
         "together with", "work with", "each week", "each month", "every week", "every month", "once a week",
         "once a month"),
        "say what the person settles with the business (the metric, what would change the model) and with "
        "engineering (releases, a failed run), and how often they meet."),
     "which signals mean the role must split": Part(
        "which signals would mean the role must split in two",
        ("split", "signal", "sign that", "sign of", "warning sign", "second hire", "second person", "hire",
         "bottleneck", "outgrow", "two roles", "two people", "separate", "trigger", "no longer", "too much",
         "too many", "stop trust"),
        "name something a person could observe on each side, such as numbers nobody trusts or a model that "
        "now has to answer online, and cite the passage that backs it."),
     },
    min_words=150,
    after=("Reread each sentence and ask whether the bakery's own facts back it: five shops, "
           "a weekly job, a forecast that is cheap to get wrong.",
           "Check that each signal to split is something a person could observe, one per side at least, and "
           "that the source you cite says what your sentence claims."))
