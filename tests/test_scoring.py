"""The scorer outside the kernel: what a test cell recorded, scored against the instructor's keys.

Honest recordings score exactly; crafted objects are recorded as nothing; malformed recordings
(wrong types, huge payloads, one claiming another cell, several, none at all) score 0 with a
named status and never raise.
"""
import json

import pandas as pd
import pytest

from mlroles import manifest
from mlroles.checks import scoring
from mlroles.exercises import recording
from mlroles.instructor.plugins import GradingContext, recordings_of


@pytest.fixture(scope="module")
def context(request):
    root = request.config.rootpath
    return {a: GradingContext.get(root, a, manifest.load(a).notebook[:-6]) for a in manifest.assignments()}


def part(grade_id):
    return manifest.find_part(grade_id)


def scored(grade_id, answer, context, **extra):
    """Record ``answer`` as the kernel would, then score the recording as nbgrader's process does."""
    p = part(grade_id)
    payload = json.loads(json.dumps(recording._payload(p, answer, extra.get("schema"))))
    return scoring.score(p, [payload], context[p.assignment])


def keys(context, grade_id):
    p = part(grade_id)
    return context[p.assignment].key(p)


class AlwaysEqual(str):
    def __eq__(self, other):
        return True

    __hash__ = str.__hash__


class ClaimsEverything(dict):
    def get(self, key, default=None):
        return "shared"

    def __contains__(self, key):
        return True

    def __getitem__(self, key):
        return AlwaysEqual("shared")


def test_exact_and_partial_label_scores(context):
    key = keys(context, "graded_items")
    assert scored("graded_items", dict(key), context).score == 18.0
    half = {i: v for n, (i, v) in enumerate(sorted(key.items())) if n % 2 == 0}
    result = scored("graded_items", half, context)
    assert (result.score, result.status) == (9.0, scoring.SCORED)
    assert sum(i["right"] for i in result.items) == 9 and "9 of 18 items had no answer." in result.lines


@pytest.mark.parametrize("answers", [
    ClaimsEverything(),                                   # a dict subclass that claims any key
    "everything",                                         # not a dict at all
    None, [("R02", "shared")],
], ids=["dict subclass", "str", "None", "list"])
def test_crafted_or_wrong_types_are_recorded_as_nothing(answers, context):
    result = scored("graded_items", answers, context)
    assert result.score == 0.0 and result.status == scoring.SCORED


def test_str_subclass_labels_are_recorded_as_no_answer(context):
    key = keys(context, "graded_items")
    result = scored("graded_items", {i: AlwaysEqual("x") for i in key}, context)
    assert result.score == 0.0 and all(i["note"] == "no answer" for i in result.items)


def test_format_cell_scores_complete_valid_answers_only(context):
    key = keys(context, "graded_items")
    assert scored("graded_format", dict(key), context).score == 1.0
    wrong_but_complete = {i: "shared" for i in key}
    assert scored("graded_format", wrong_but_complete, context).score == 1.0
    incomplete = dict(list(key.items())[:-1])
    result = scored("graded_format", incomplete, context)
    assert result.score == 0.0 and "1 item(s) have no answer yet" in result.lines[0]
    typo = {**key, next(iter(key)): "ML engineer"}
    assert "is not a valid label" in " ".join(scored("graded_format", typo, context).lines)


def test_reviews_partial_credit(context):
    roles, flags = keys(context, "reviews")
    perfect = {a: {"role": roles[a], "flags": flags[a]} for a in roles}
    assert scored("reviews", perfect, context).score == 24.0
    first = sorted(roles)[0]
    one_slip = {**perfect, first: {"role": "unclear" if roles[first] != "unclear" else "analyst", "flags": flags[first]}}
    assert scored("reviews", one_slip, context).score == 23.0
    assert scored("reviews_format", perfect, context).score == 1.0
    assert scored("reviews_format", {**perfect, first: {"role": "boss", "flags": []}}, context).score == 0.0
    crafted = {a: {"role": AlwaysEqual("x"), "flags": 7} for a in roles}
    assert scored("reviews", crafted, context).score == 0.0


def test_functions_are_called_on_the_graded_rows_and_scored_outside(context):
    key = keys(context, "serving_modes")
    assert scored("serving_modes", lambda row: "batch", context).score == sum(v == "batch" for v in key.values())

    def broken(row):
        raise KeyError("freshnes")
    result = scored("serving_modes", broken, context)
    assert result.score == 0.0 and "did not return a label" in result.lines[0] and "KeyError" in result.lines[0]
    assert scored("serving_modes", lambda row: AlwaysEqual("batch"), context).score == 0.0


def test_frames_are_compared_with_the_worked_solution(context):
    def wrong_metrics(log, thresholds):
        out = {}
        for (use_case, mode), rows in log.groupby(["use_case", "serving_mode"]):
            out[(use_case, mode)] = {"label_coverage": rows["label"].notna().mean(), "precision": 0.5, "recall": 0.5,
                                     "latency_p50": rows["latency_ms"].quantile(0.5),
                                     "latency_p95": rows["latency_ms"].quantile(0.95)}
        return pd.DataFrame(out).T
    result = scored("metrics", wrong_metrics, context)
    assert result.score == 3.0
    assert {i["item"]: i["right"] for i in result.items} == {"label_coverage": True, "precision": False, "recall": False,
                                                             "latency_p50": True, "latency_p95": True}
    assert scored("metrics", lambda log, t: "not a frame", context).score == 0.0


def test_the_mix_inputs_hold_no_key(context):
    """Held-out owners are made up: none of the graded owners reaches the kernel through them."""
    from mlroles import graded_inputs

    (ads, owners), = graded_inputs.mix().values()
    graded = keys(context, "graded_items")
    made_up = owners.set_index("responsibility_id")["owner"]
    assert sum(made_up.get(i) == v for i, v in graded.items()) < len(graded) / 2


MALFORMED = {
    "none at all": ([], scoring.NO_RECORDING),
    "two recordings": ([{"grade_id": "graded_items", "kind": "labels", "answers": {}}] * 2, scoring.SEVERAL),
    "another cell's": ([{"grade_id": "handoff_owners", "kind": "labels", "answers": {}}], scoring.OTHER_CELL),
    "not an object": (["R02 shared"], scoring.MALFORMED),
    "no grade id": ([{"kind": "labels", "answers": {}}], scoring.MALFORMED),
    "another kind": ([{"grade_id": "graded_items", "kind": "reviews", "answers": {}}], scoring.MALFORMED),
    "wrong types inside": ([{"grade_id": "graded_items", "kind": "labels", "answers": [1, 2, 3]}], scoring.SCORED),
    "huge": ([{"grade_id": "graded_items", "kind": "labels", "answers": {"R02": "x" * (scoring.MAX_BYTES + 1)}}],
             scoring.TOO_LARGE),
}


@pytest.mark.parametrize("case", MALFORMED, ids=list(MALFORMED))
def test_malformed_recordings_score_zero_with_a_named_status(case, context):
    recordings, status = MALFORMED[case]
    result = scoring.score(part("graded_items"), recordings, context["ex1_responsibilities"])
    assert (result.score, result.status) == (0.0, status)
    assert result.lines, "the learner is told what happened"


def test_a_cell_outside_the_manifest_earns_nothing():
    result = scoring.score(None, [{"grade_id": "x"}], None)
    assert (result.score, result.status) == (0.0, scoring.NOT_IN_MANIFEST)


def test_outputs_put_the_score_where_nbgrader_reads_it(context):
    from nbformat import from_dict
    from nbgrader.utils import determine_grade

    result = scored("graded_items", dict(list(keys(context, "graded_items").items())[:5]), context)
    cell = from_dict({"cell_type": "code", "source": "", "execution_count": 1,
                      "metadata": {"nbgrader": {"grade": True, "solution": False, "points": 18, "grade_id": "graded_items"}},
                      "outputs": scoring.outputs(result)})
    assert determine_grade(cell) == (5.0, 18.0)
    # and a zero is a zero, not nbgrader's "no output means full marks"
    cell.outputs = [from_dict(o) for o in scoring.outputs(scoring.score(part("graded_items"), [], None))]
    assert determine_grade(cell) == (0.0, 18.0)


def test_recordings_are_read_from_the_cell_alone():
    from nbformat import from_dict

    mine = {"output_type": "display_data", "metadata": {},
            "data": {scoring.MIMETYPE: {"grade_id": "graded_items"}, "text/plain": ""}}
    cell = from_dict({"cell_type": "code", "source": "", "metadata": {}, "execution_count": 1,
                      "outputs": [{"output_type": "stream", "name": "stdout", "text": "18.0"}, mine]})
    found = recordings_of(cell)
    assert found == [{"grade_id": "graded_items"}] and type(found[0]) is dict


def test_the_manifest_covers_every_graded_cell_of_every_solution(repo):
    import nbformat

    assert manifest.assignments() == sorted(p.name for p in (repo / "solutions").iterdir() if p.is_dir())
    for assignment in manifest.assignments():
        plan = manifest.load(assignment)
        nb = nbformat.read(repo / "solutions" / assignment / plan.notebook, as_version=4)
        assert manifest.differences(plan, nb) == [], assignment
        assert not any("HIDDEN TESTS" in c.source for c in nb.cells), f"{assignment} still hides tests"
        for p in plan.parts:      # item parts give a whole number of points per graded item
            if p.kind in ("labels", "function_labels", "reviews"):
                assert p.points / len(p.graded_ids()) in (1.0, 2.0), p.grade_id


def test_a_broken_manifest_says_what_to_fix():
    with pytest.raises(manifest.ManifestError, match="a labels part needs 'field'"):
        manifest.parse('assignment = "x"\nnotebook = "x.ipynb"\n[[parts]]\ngrade_id = "a"\nkind = "labels"\n'
                       'points = 1\nanswer_cell = "b"\ndataset = "responsibilities"\nlabels = "OWNERS"\n', "x.toml")
    with pytest.raises(manifest.ManifestError, match="labels 'COLOURS' is not one of"):
        manifest.parse('assignment = "x"\nnotebook = "x.ipynb"\n[[parts]]\ngrade_id = "a"\nkind = "labels_format"\n'
                       'points = 1\nanswer_cell = "b"\ndataset = "responsibilities"\nlabels = "COLOURS"\n', "x.toml")


def test_a_review_is_right_the_same_way_for_the_grader_and_the_self_check(context):
    """One definition (scoring.review_score): the role right and exactly the ad's flags. The grader's per-item
    result (which the item analysis and the feedback read) and exercise 3's practice check agree."""
    from mlroles.checks.scoring import review_score
    from mlroles.exercises import ex3

    assert review_score({"role": "analyst", "flags": ["no_team"]}, "analyst", ["no_team"]) == (True, 1.0, True)
    assert review_score({"role": "analyst", "flags": []}, "analyst", ["no_team"]) == (True, 0.0, False)
    assert review_score({"role": "analyst", "flags": []}, "analyst", []) == (True, 1.0, True)
    assert review_score({"role": "unclear", "flags": ["no_team"]}, "analyst", ["no_team"]) == (False, 1.0, False)
    assert review_score("analyst", "analyst", []) == (False, 0.0, False)

    roles, flags = keys(context, "reviews")
    first = sorted(roles)[0]
    perfect = {a: {"role": roles[a], "flags": flags[a]} for a in roles}
    extra = next(f for f in ("no_team", "no_support", "unicorn_scope") if f not in flags[first])
    role_only = {**perfect, first: {"role": roles[first], "flags": flags[first] + [extra]}}
    items = {i["item"]: i["right"] for i in scored("reviews", role_only, context).items}
    assert items[first] is False and sum(items.values()) == len(roles) - 1

    ads = ex3.practice.ads
    ad = ads.index[0]
    mine = {a: {"role": ads.at[a, "real_role"], "flags": list(ads.at[a, "red_flags"])} for a in ads.index}
    mine[ad] = {"role": ads.at[ad, "real_role"], "flags": list(ads.at[ad, "red_flags"]) + [
        next(f for f in ("no_team", "no_support", "unicorn_scope") if f not in ads.at[ad, "red_flags"])]}
    result = ex3.practice.check(mine)
    assert result.wrong == [ad] and result.correct == len(ads) - 1
