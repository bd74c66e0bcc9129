"""Exercise 3's reviewer, self-checks and scoring, with right, wrong and broken answers."""
import json

import pandas as pd
import pytest

from mlroles import data, ex3
from mlroles.feedback import CORRECT, INCOMPLETE, INCORRECT, INVALID, NOT_ATTEMPTED, READY

PRACTICE = ex3.practice_ads()
RIGHT = {ad: {"role": r["real_role"], "flags": list(r["red_flags"])} for ad, r in PRACTICE.iterrows()}


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_practice_right_and_wrong():
    assert ex3.practice.check(RIGHT).status == CORRECT
    ad = next(a for a, r in RIGHT.items() if r["flags"])
    wrong = json.loads(json.dumps(RIGHT))
    missed = wrong[ad]["flags"].pop()
    wrong[ad]["flags"].append("unicorn_scope" if missed != "unicorn_scope" else "no_team")
    result = ex3.practice.check(wrong)
    assert result.status == INCORRECT and result.wrong == [ad]
    assert any(line.startswith(f"{ad}: missed {missed}: ") for line in result.lines)
    assert any("does not apply here" in line for line in result.lines)


def test_wrong_role_is_explained_with_the_rationale():
    ad = next(iter(RIGHT))
    wrong = dict(RIGHT, **{ad: {"role": "unclear" if RIGHT[ad]["role"] != "unclear" else "analyst",
                                "flags": RIGHT[ad]["flags"]}})
    line = ex3.practice.check(wrong).lines[0]
    assert line.startswith(f"{ad} (") and PRACTICE.at[ad, "rationale"] in line


@pytest.mark.parametrize("answers, status, text", [
    (None, NOT_ATTEMPTED, "not attempted"),
    ({}, NOT_ATTEMPTED, "not attempted"),
    ([1, 2], INVALID, "expected a dict of ad id"),
    ({"A01": "ml_engineer"}, INVALID, "expected {'role': ..., 'flags': [...]}"),
    ({"A01": {"role": "ML Engineer", "flags": []}}, INVALID, "did you mean 'ml_engineer'?"),
    ({"A01": {"role": "ml_engineer", "flags": "no_team"}}, INVALID, "flags should be a list"),
    ({"A01": {"role": "ml_engineer", "flags": ["no_teams"]}}, INVALID, "'no_teams' is not a red flag"),
    ({"A99": {"role": "ml_engineer", "flags": []}}, INVALID, "'A99' is not an ad of this round."),
])
def test_bad_answers_get_learner_worded_messages(answers, status, text):
    result = ex3.practice.check(answers)
    assert result.status == status and text in str(result)


def test_graded_check_is_format_only():
    every = {ad: {"role": "unclear", "flags": []} for ad in ex3.graded.items}
    assert ex3.graded.check(every).status == READY
    half = dict(list(every.items())[:3])
    assert ex3.graded.check(half).status == INCOMPLETE


def test_reviewer_drives_navigates_checks_and_persists(in_tmp):
    reviewer = ex3.practice_reviewer()
    for ad, answer in RIGHT.items():
        reviewer.review(ad, answer["role"], answer["flags"])
    assert reviewer.check().status == CORRECT and "role and flags right" in reviewer.feedback.value
    reviewer.next_button.click()
    reviewer.previous_button.click()
    reviewer.previous_button.click()
    assert reviewer.position == max(0, len(RIGHT) - 3)
    again = ex3.practice_reviewer()
    assert again.answers == RIGHT
    assert again.role.value == RIGHT[again.ids[0]]["role"]        # the first ad shows its saved choice


def test_reviewer_survives_a_corrupt_or_foreign_choices_file(in_tmp):
    (in_tmp / ex3.CHOICES_FILE).write_text("not json at all")
    reviewer = ex3.graded_reviewer()
    assert reviewer.answers == {} and "could not be read" in reviewer.notice.value
    (in_tmp / ex3.CHOICES_FILE).write_text(json.dumps(
        {"format": 1, "boards": {"graded": {"A99": {"role": "analyst"}, next(iter(ex3.graded.items)): {"role": "boss"}}}}))
    reviewer = ex3.graded_reviewer()
    assert reviewer.answers == {} and "left out" in reviewer.notice.value


def reference_mix(ads, responsibilities):
    pairs = ads[["ad_id", "responsibility_ids"]].explode("responsibility_ids").rename(
        columns={"responsibility_ids": "responsibility_id"})
    joined = pairs.merge(responsibilities[["responsibility_id", "owner"]], how="left")
    joined["owner"] = joined["owner"].fillna("unknown")
    mix = pd.crosstab(joined["ad_id"], joined["owner"], normalize="index")
    return mix.reindex(columns=ex3.MIX_COLUMNS, fill_value=0.0)


def test_mix_check_right_and_wrong():
    mix = reference_mix(data.load_job_ads(), data.load_responsibilities())
    assert ex3.mix.check(mix).status == CORRECT
    counts = mix * 4
    assert ex3.mix.check(counts).status == INCORRECT
    assert ex3.mix.check(mix.drop(columns=["unknown"])).lines == ["column 'unknown' is missing."]
    assert ex3.mix.check(None).status == NOT_ATTEMPTED and ex3.mix.check([1]).status == INVALID


def test_critique_hints():
    assert ex3.CRITIQUE.check("Too short.").status == NOT_ATTEMPTED
    draft = ("The title says data scientist but the work is really deployment. " * 6 +
             "I would ask who the team is, what the objectives are and what data infrastructure exists. "
             "A fair title would be ML engineer (Data Science Jobs, 27:18). " * 4)
    assert ex3.CRITIQUE.check(draft).status == READY
