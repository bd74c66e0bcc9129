"""Exercise 4's self-check, explorer and draft hints, with right, wrong and broken answers."""
import pandas as pd

from mlroles import ex4
from mlroles.feedback import CORRECT, INCOMPLETE, INCORRECT, INVALID, NOT_ATTEMPTED, READY


def by_symptoms(team):
    science = any(s in ex4.SYMPTOMS_DS for s in team["symptoms"])
    engineering = any(s in ex4.SYMPTOMS_ENG for s in team["symptoms"])
    if science and engineering:
        return "both"
    if science:
        return "data_scientist"
    if engineering:
        return "ml_engineer"
    small = team["risk"] == "low" and team["serving_mode"] in ("none", "batch") and team["models_in_production"] <= 2
    return "one_person" if small else "ml_engineer"


def test_right_and_wrong_functions():
    assert ex4.practice.check(by_symptoms).status == CORRECT
    result = ex4.practice.check(lambda team: "both")
    assert result.status == INCORRECT and result.correct == (ex4.practice_teams()["next_need"] == "both").sum()
    assert any("the reference says" in line for line in result.lines)


def test_bad_functions():
    assert ex4.practice.check(lambda team: "Data Scientist").status == INVALID
    assert "return exactly 'data_scientist'" in ex4.practice.check(lambda team: "Data Scientist").lines[0]
    assert ex4.practice.check(lambda team: team["symptoms"][5]).status == INVALID   # IndexError on most rows
    assert ex4.graded.check(by_symptoms).status == READY


def test_explorer_uses_the_learners_function():
    explorer = ex4.team_explorer(by_symptoms)
    explorer.set(risk="low", serving_mode="batch", models_in_production=1)
    assert "one person can cover it for now" in explorer.decision.value
    explorer.set(no_monitoring=True)
    assert "an ML engineer" in explorer.decision.value
    explorer.set(results_not_trusted=True)
    assert "<b>both</b>" in explorer.decision.value


def test_symptom_sides_counts():
    teams = pd.DataFrame({"symptoms": [["no_monitoring", "no_metric_owner"], [], ["slow_deployments"]]})
    sides = ex4.symptom_sides(teams)
    assert sides.to_dict("list") == {"data_science_symptoms": [1, 0, 0], "engineering_symptoms": [1, 0, 1]}


def test_charter_hints_without_a_score(tmp_path):
    assert ex4.CHARTER.check("").status == NOT_ATTEMPTED
    thin = ex4.CHARTER.check("You own the forecast and its weekly job. " * 5)
    assert thin.status == INCOMPLETE and any("words" in h for h in thin.lines)
    full = ("You own the question, the metric and the weekly job, and you are accountable for both. " * 4 +
            "You do not own the sales system or any online service. Handoff: each month you agree with the "
            "operations lead on the metric and engineering reviews every release. Signals to split: a second "
            "model, an online use, or stakeholders who stop trusting the numbers (Data Team Roles Explained, "
            "38:52). " * 3)
    assert ex4.CHARTER.check(full).status == READY
    nb = tmp_path / "nb.ipynb"
    nb.write_text('{"cells": [{"cell_type": "markdown", "metadata": {"nbgrader": {"grade_id": "role_charter"}}, '
                  '"source": ["YOUR ANSWER HERE"]}]}')
    from mlroles.written import DraftCheck
    check = DraftCheck("Charter", str(nb), "role_charter", {"x": ("y",)})
    assert check.check().status == NOT_ATTEMPTED
