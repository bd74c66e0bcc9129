"""The draft check of written answers (mlroles.checks.written) on real drafts: a part covered in other words is
found, a missing part is asked about as a question, and empty or non-text input gets a clear message."""
import nbformat

import pytest

from mlroles.checks.base import INCOMPLETE, INVALID, NOT_ATTEMPTED, READY
from mlroles.checks.written import DraftCheck, Part, says, stem
from mlroles.exercises import ex3, ex4

# Exercise 4's charter in a learner's own words: it never says "own", "handoff", "split" or "signal".
CHARTER_HANDOFF = ("Once a month the forecast and its misses are walked through with the operations lead, who says "
                   "whether the error is acceptable for ordering bread. When a change to the job is ready, the person "
                   "passes it to the contractor, who deploys it and can roll it back. ")
CHARTER = (
    "Crumbsworth's data person looks after the weekly demand forecast from the question to the running job. On the "
    "evidence side that means choosing how forecast error is judged per shop and week, keeping a plain baseline to "
    "beat, and deciding when a new feature has earned its place. On the runtime side it means the Monday job itself, "
    "its schedule and the alert that fires when a run fails. The ordering decisions stay with the shop managers, and "
    "the till system the sales data comes from belongs to the IT contractor; nobody should expect this person to "
    "build an app or answer within a checkout. " + CHARTER_HANDOFF +
    "It is time for two people when the shops begin to doubt the numbers and nobody has the hours to test whether a "
    "change really helped, or when the forecast must answer inside an ordering app, or a failure needs someone awake "
    "at night. Roles tend to divide as a company grows and its goals change (Data Team Roles Explained, 38:52), and "
    "what matters is that statistics and engineering are both covered, whoever holds them (Practical Machine "
    "Learning Engineering for Production, 50:05).")

# Exercise 3's critique of ad A13 in other words: no "title hides", no "fair title", no "infrastructure".
CRITIQUE_TITLE = ("A more accurate title would be Machine Learning Engineer, claims triage, with a line on who looks "
                  "after the model once it is live and who supports the platform underneath it.")
CRITIQUE = (
    "Halcyra calls this a Data Scientist post, but the model is already trained and signed off. What is left is "
    "shipping it into the claims system with tests, a staged release and monitoring, and the list of skills (Docker, "
    "CI/CD, REST APIs) says the same: this is machine learning engineering, and someone who wants to frame questions "
    "and evaluate models would find none of that here. Before applying I would like to know who I would sit next to "
    "every day and who picks up the model when its scores look wrong at night. Is there a platform group that runs "
    "the servers it will be deployed on, or do I build that as well? What should be different after six months: a "
    "release date, a faster claims queue, fewer manual reviews? And where do the claims records come from when the "
    "model scores a new claim, given that the Oracle copy is only mirrored to S3? Tereza Iofciu's advice is to look "
    "for a named team and objectives rather than a list of tools (Data Science Jobs, 27:18). " + CRITIQUE_TITLE)


@pytest.mark.parametrize("words, same", [
    ("owns owned owner ownership owning", True),
    ("deploys deployed deployment deploying", True),
    ("agree agreed agreement agreeing", True),
    ("split splits splitting", True),
    ("responsible responsibility responsibilities", True),
    ("own deploy", False),
])
def test_stems_join_the_forms_of_a_word(words, same):
    assert (len({stem(w) for w in words.split()}) == 1) == same


@pytest.mark.parametrize("text, cue, found", [
    ("She passes the trained model on to the platform team.", "pass model to", True),
    ("She passes. The model then goes to the platform team.", "pass model to", False),     # not across sentences
    ("You don't own the sales system.", "not own", True),
    ("Who runs it?", "?", True),
    ("The team hands the model over to engineering.", "hand over", True),
    ("The team hands out tickets; the model is over budget.", "hand over", False),
    ("Their evaluation uses last year's sales.", "evaluat", True),                      # a cue as a word's start
    ("The hired analyst owns it.", "hire", True),
    ("Its owner is the analyst.", "ownership", True),
])
def test_a_cue_matches_its_words_in_order_within_a_sentence(text, cue, found):
    assert says(text, cue) == found


def test_a_charter_in_other_words_covers_every_part():
    result = ex4.CHARTER.check(CHARTER)
    assert result.status == READY and "reads wording, not quality" in result.headline
    assert "score" not in result.headline.replace("not a score", "")


def test_a_charter_without_the_handoff_is_asked_about_it():
    result = ex4.CHARTER.check(CHARTER.replace(CHARTER_HANDOFF, "Both halves are small today: five shops, one "
                                               "model, and a forecast that costs little when it is wrong. "))
    assert result.status == INCOMPLETE and "not a score" in result.headline
    assert result.lines == ["I could not find where you say how the handoff works (with whom the person agrees on "
                            "what, and how often): is it there?"]
    first = ex4.CHARTER.hint()
    assert first.startswith("Hint 1 of 3: On how the handoff works: say what the person settles with the business")
    ex4.CHARTER.check(CHARTER)                                          # a new check: hints start again
    assert ex4.CHARTER.hint().startswith("Hint 1 of 2: I found every part.")


def test_a_critique_in_other_words_covers_every_part():
    assert ex3.CRITIQUE.check(CRITIQUE).status == READY


def test_a_critique_without_a_title_or_a_timestamp_is_asked_about_both():
    draft = CRITIQUE.replace(CRITIQUE_TITLE, "I would prepare for it as an engineering job.").replace(", 27:18", "")
    lines = ex3.CRITIQUE.check(draft).lines
    assert lines == ["I could not find where you say which title would be fair to the work: is it there?",
                     "I could not find a source cited by episode and timestamp, in the form (episode title, "
                     "minute:second): is there one?"]
    assert ex3.CRITIQUE.hint().startswith("Hint 1 of 4: On a fair title: propose the title")
    assert ex3.CRITIQUE.hint().startswith("Hint 2 of 4: On the source: name the episode and the minute")


def test_a_short_draft_is_told_its_length_first():
    lines = ex4.CHARTER.check(CHARTER.split(". On the runtime")[0] + ".").lines
    assert lines[0] == "It has 48 words; the question asks for at least 150."
    assert all(line.endswith("?") for line in lines[1:])


@pytest.mark.parametrize("text, status, message", [
    ("", NOT_ATTEMPTED, "not written yet"),
    ("   \n", NOT_ATTEMPTED, "not written yet"),
    ("YOUR ANSWER HERE", NOT_ATTEMPTED, "not written yet"),
    (42, INVALID, "expected your draft as text (a str), but got 42 (a int)"),
    (["You own the forecast."], INVALID, "expected your draft as text (a str)"),
    (b"You own the forecast and the weekly job.", INVALID, "expected your draft as text (a str)"),
])
def test_empty_and_non_text_drafts_get_a_clear_message(text, status, message):
    result = ex4.CHARTER.check(text)
    assert result.status == status and message in result.headline and not result.lines


def test_the_check_reads_the_saved_notebook(tmp_path):
    notebook = tmp_path / "charter.ipynb"
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_markdown_cell("", metadata={"nbgrader": {"grade_id": "role_charter"}})
    nb.cells = [cell]
    check = DraftCheck("Charter", str(notebook), "role_charter",
                       {"the handoff": Part("who takes the model over", ("hand over", "pass model to"), "say who."),
                        "a short form": ("signal",)}, min_words=5, wants_citation=False)
    assert "could not find your answer" in check.check().headline            # not saved yet
    cell.source = "YOUR ANSWER HERE"
    nbformat.write(nb, notebook)
    assert check.check().status == NOT_ATTEMPTED
    cell.source = "Maya passes the finished model to Ola, who runs it from then on."
    nbformat.write(nb, notebook)
    assert check.check().lines == ["I could not find where you say a short form: is it there?"]
    assert "There is no hint" in check.hint()
