"""Exercise 3's reviewer, self-checks and scoring, with right, wrong and broken answers."""
import json

import pandas as pd
import pytest

from mlroles import data
from mlroles.checks.base import CORRECT, INCOMPLETE, INCORRECT, INVALID, NOT_ATTEMPTED, READY
from mlroles.exercises import ex3

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


# --- hints: they start from what the last check found, and grow stronger ---------------------------------------

def wrong_on(**changes):
    answers = json.loads(json.dumps(RIGHT))
    answers.update(changes)
    return answers


def test_practice_hints_start_from_the_first_ad_that_fails():
    question = ex3.AdQuestion("Job ads (practice)", PRACTICE, practice=True)
    assert "Check your reviews first" in question.hint()
    # A05: a data-science ad with a named team and no support; the learner ticks no_team and misses no_support
    question.check(wrong_on(A05={"role": "data_scientist", "flags": ["no_team"]}))
    first, second, third = question.hint(), question.hint(), question.hint()
    assert first.startswith("Hint 1 of 3: 1 of your reviews needs another look") and "Start with A05" in first
    assert "no_team does not apply" in first and "no_support" not in first           # where, not yet the answer
    assert PRACTICE.at["A05", "team"] in second and "its Support line says nothing" in second
    assert "no_support" not in second                                                 # the card's words, not the flag
    assert PRACTICE.at["A05", "rationale"] in third and "with the flag no_support" in third   # the answer, its reason
    assert question.hint() == third                                                   # no stronger hint than the last
    assert question.hint(1) == first


def test_practice_hints_follow_a_new_check_and_a_wrong_role():
    question = ex3.AdQuestion("Job ads (practice)", PRACTICE, practice=True)
    question.check(wrong_on(A05={"role": "data_scientist", "flags": ["no_team"]}))
    question.hint(), question.hint()
    question.check(wrong_on(A13={"role": "data_scientist", "flags": ["title_mismatch", "no_support"]}))
    first = question.hint()
    assert first.startswith("Hint 1 of 3") and "Start with A13" in first
    assert "the role you chose, data scientist, does not fit its work" in first
    assert "ticked title_mismatch. Which of the two do you mean?" in first
    assert PRACTICE.at["A13", "summary"] in question.hint()
    question.check(RIGHT)
    assert "Every practice ad is right" in question.hint()



def test_no_key_disagrees_with_itself(keys):
    """A hint that asks whether a review disagrees with itself must never fire on a right answer."""
    graded = keys["job_ads"]
    reviews = {**{a: (r["role"], r["flags"]) for a, r in RIGHT.items()},
               **{a: (r["real_role"], [] if r["red_flags"] == "none" else r["red_flags"].split(";"))
                  for a, r in graded.iterrows()}}
    titles = data.load_job_ads().set_index("ad_id")["title"]
    assert len(reviews) == len(titles)
    assert [q for a, (role, flags) in reviews.items() for q in ex3.disagreements(a, titles[a], role, flags)] == []
    graded_reviews = {a: reviews[a] for a in graded.index}
    assert ex3._against_practice(graded_reviews, ex3.graded_ads(), PRACTICE) == []


def test_graded_hints_use_the_learners_answers_and_practice_only():
    practice = ex3.AdQuestion("Job ads (practice)", PRACTICE, practice=True)
    graded = ex3.AdQuestion("Job ads (graded)", ex3.graded_ads(), practice=False, practice_round=practice)
    assert "ex3.graded.check(ad_answers)" in graded.hint()
    titled = ex3.graded_ads()["title"]
    scientist = next(a for a, t in titled.items() if t == "Data Scientist")
    engineer = next(a for a, t in titled.items() if t == "Machine Learning Engineer")
    answers = {a: {"role": "data_scientist" if "Scien" in t else "ml_engineer", "flags": []} for a, t in titled.items()}
    answers[scientist] = {"role": "data_scientist", "flags": ["title_mismatch"]}
    answers[engineer] = {"role": "unclear", "flags": []}
    assert graded.check(answers).status == READY
    first = graded.hint()
    assert f"{scientist}: you chose data scientist for an ad titled “Data Scientist” and ticked" in first
    assert f"{engineer}: you could not tell its role, yet ticked no flag" in first
    bare = sum(not a["flags"] for a in answers.values())
    assert f"You ticked no flag on {bare} of your 12 reviews" in graded.hint()          # the answers taken together
    assert "Each role you chose matches its ad's title" in graded.hint()
    assert "Check your practice reviews" in graded.hint()                              # no practice check yet
    practice.check(wrong_on(A26={"role": "data_scientist", "flags": []}))
    graded.check(dict(answers))                                                        # same answers: hints go on
    hints = [graded.hint(n) for n in range(1, 6)]
    assert "mostly flags you missed (A26)" in hints[3]
    assert hints[4].startswith("Hint 5 of 5: A worked practice ad, A26") and PRACTICE.at["A26", "rationale"] in hints[4]
    assert not any(f"{a} is " in " ".join(hints) for a in titled.index)               # never a graded answer


def test_hints_on_badly_formed_answers():
    question = ex3.AdQuestion("Job ads (practice)", PRACTICE, practice=True)
    question.check({})
    assert "No ad has a role yet" in question.hint()
    question.check({"A01": {"role": "ML Engineer", "flags": []}})
    assert "did you mean 'ml_engineer'?" in question.hint()


def counts_not_shares(ads, responsibilities):
    return reference_mix(ads, responsibilities).mul(ads.set_index("ad_id")["responsibility_ids"].map(len), axis=0)


def owners_dropped(ads, responsibilities):
    pairs = ads[["ad_id", "responsibility_ids"]].explode("responsibility_ids").rename(
        columns={"responsibility_ids": "responsibility_id"})
    joined = pairs.merge(responsibilities[["responsibility_id", "owner"]])          # inner: no owner, no row
    return pd.crosstab(joined["ad_id"], joined["owner"], normalize="index")


@pytest.mark.parametrize("wrong, first", [
    (counts_not_shares, "A01's row adds up to 4, not 1. Are these counts rather than shares?"),
    (owners_dropped, "'unknown' is not there. A responsibility with no owner has NaN after the merge"),
    (lambda a, r: owners_dropped(a, r).reindex(columns=ex3.MIX_COLUMNS, fill_value=0.0),
     "Your A01 row reads data_scientist 1, ml_engineer 0, shared 0, unknown 0. Its unknown share is 0"),
    (lambda a, r: reference_mix(a, r).reset_index(), "ad_id is one of your columns: make it the index"),
    (lambda a, r: reference_mix(a, r) / 32, "All rows together add up to 1: did you divide by the whole table"),
])
def test_mix_hints_start_from_the_row_that_fails(wrong, first):
    question = ex3.MixQuestion()
    assert question.check(wrong(data.load_job_ads(), data.load_responsibilities())).status == INCORRECT
    hints = [question.hint() for _ in range(3)]
    assert first in hints[0]
    assert "R04 (data_scientist)" in hints[1] and "unknown 2/4 = 0.5" in hints[1]     # A01 worked out by hand
    assert 'how="left"' in hints[2] and "normalize=\"index\"" in hints[2]


def test_mix_check_refuses_text_and_shows_numbers_plainly():
    mix = reference_mix(data.load_job_ads(), data.load_responsibilities())
    question = ex3.MixQuestion()
    result = question.check(mix.astype(str))
    assert result.status == INVALID and "Return numbers" in result.headline
    assert "DataFrame with one row per ad_id" in question.hint()
    assert "A01: data_scientist should be 0.5, got 2." in str(question.check(mix * 4))
    repeated = question.check(pd.concat([mix, mix.loc[["A03"]]]))
    assert repeated.lines == ["A03 has more than one row: give each ad one row."]
    assert "A03 appears on more than one row" in question.hint()
