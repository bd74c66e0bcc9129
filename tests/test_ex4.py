"""Exercise 4's self-check, explorer and draft hints, with right, wrong and broken answers."""
import pandas as pd

from mlroles.checks.base import CORRECT, INCOMPLETE, INCORRECT, INVALID, NOT_ATTEMPTED, READY
from mlroles.exercises import ex4
from mlroles.manifest import cell_by_grade_id


def symptoms_first(quiet):
    """A rule that reads the symptoms as the course does and leaves symptom-free teams to ``quiet``."""
    def rule(team):
        science = any(s in ex4.SYMPTOMS_DS for s in team["symptoms"])
        engineering = any(s in ex4.SYMPTOMS_ENG for s in team["symptoms"])
        if science and engineering:
            return "both"
        if science:
            return "data_scientist"
        if engineering:
            return "ml_engineer"
        return quiet(team)
    return rule


def narrow(team):
    return team["serving_mode"] in ("none", "batch")


# the course's rule of thumb, written as a learner would
by_symptoms = symptoms_first(
    lambda t: "one_person" if t["risk"] == "low" and narrow(t) and t["models_in_production"] <= 2 else "ml_engineer")


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
    from mlroles.checks.written import DraftCheck
    check = DraftCheck("Charter", str(nb), "role_charter", {"x": ("y",)})
    assert check.check().status == NOT_ATTEMPTED


def test_hints_start_from_the_first_team_that_fails():
    practice = ex4.practice_teams()
    question = ex4._practice_question()
    assert "Run ex4.practice.check(next_need) first" in question.hint()

    def three_models_are_fine(team):            # the rule, with the line at three models instead of two
        rule = by_symptoms(team)
        small = (team["risk"] == "low" and team["serving_mode"] in ("none", "batch")
                 and team["models_in_production"] <= 3)
        return "one_person" if rule == "ml_engineer" and not team["symptoms"] and small else rule

    result = question.check(three_models_are_fine)
    assert result.status == INCORRECT
    team = result.wrong[0]
    first, second, third = question.hint(), question.hint(), question.hint()
    assert f"Start with {team}: your next_need says one person can cover it for now" in first
    assert f"{practice.at[team, 'models_in_production']} models in production" in first
    assert "more than two: an ML engineer comes first" in second
    assert "models_in_production\"] <= 2" in third and f'.loc["{team}"]' in third
    assert question.check(by_symptoms).status == CORRECT and "agrees on every practice team" in question.hint()
    question.check(lambda team: team["symptom"])
    assert "raised KeyError" in question.hint()


def test_the_rule_of_thumb_gives_every_answer(request):
    """The task states the rule of thumb and says every team follows it: the hints explain a team by it."""
    from mlroles.instructor.answer_keys import load_graded_keys

    practice = ex4.practice_teams()
    assert {i: ex4.rule_of_thumb(row)[0] for i, row in practice.iterrows()} == practice["next_need"].to_dict()
    keys = load_graded_keys(request.config.rootpath / "solutions" / "graded_keys.csv")["team_scenarios"]
    graded = ex4.graded_teams()
    assert {i: ex4.rule_of_thumb(row)[0] for i, row in graded.iterrows()} == keys["next_need"].to_dict()


def solution_next_need(repo):
    """next_need exactly as the solution notebook writes it."""
    import json

    notebook = json.loads((repo / "solutions" / "ex4_team_coverage" / "ex4_team_coverage.ipynb").read_text())
    cell = cell_by_grade_id(notebook, "next_need")
    namespace = {}
    exec("".join(cell["source"]), namespace)
    return namespace["next_need"]


# Plausible misreadings of the rule of thumb, each with a practice team that tells it apart from the rule.
# The first four score 11 or 12 of 12 on the graded teams (none of which sits on one of the rule's lines),
# so only the practice pool can show a learner the difference.
MISREADINGS = {
    "few models read as up to four": (symptoms_first(
        lambda t: "one_person" if t["risk"] == "low" and narrow(t) and t["models_in_production"] <= 4
        else "ml_engineer"), "T33"),
    "medium risk counted as low": (symptoms_first(
        lambda t: "one_person" if t["risk"] != "high" and narrow(t) and t["models_in_production"] <= 2
        else "ml_engineer"), "T34"),
    "high risk without symptoms calls for both": (symptoms_first(
        lambda t: "both" if t["risk"] == "high" else by_symptoms(t)), "T35"),
    "serving mode left out": (symptoms_first(
        lambda t: "one_person" if t["risk"] == "low" and t["models_in_production"] <= 2 else "ml_engineer"), "T37"),
    "the runtime before the symptoms": (
        lambda t: "ml_engineer" if not narrow(t) or t["models_in_production"] > 2 else by_symptoms(t), "T36"),
}


def test_the_practice_teams_tell_the_rule_from_its_misreadings(repo):
    """The learner's self-check (ex4.practice, built from the dataset's practice rows) passes the solution's
    next_need and fails each misreading on the practice team written to catch it."""
    from mlroles import data

    teams = data.load_team_scenarios()
    assert set(ex4.practice.rows.index) == set(teams.loc[teams["pool"] == "practice", "team_id"])
    assert ex4.practice.check(solution_next_need(repo)).status == CORRECT
    for name, (rule, team) in MISREADINGS.items():
        result = ex4.practice.check(rule)
        assert result.status == INCORRECT, name
        assert team in result.wrong, f"{name}: expected {team} among {result.wrong}"
