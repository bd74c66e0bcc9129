"""Exercise 3, "Read the job ad": the reviewer widget, its self-checks and the notebook's helpers.

An answer for one ad is ``{"role": <real role>, "flags": [<red flags>]}``; answers for many
ads are a dict of ad id to that. Practice ads carry their role, flags and reasons in
``datasets/job_ads.csv``; graded ads carry none.
"""
from __future__ import annotations

import html
import numbers
from functools import lru_cache

import ipywidgets as widgets
import pandas as pd

from mlroles import course, data
from mlroles.checks.base import (CORRECT, INCOMPLETE, INCORRECT, INVALID, NOT_ATTEMPTED, READY, CheckResult,
                                 Question, _describe, built_when_asked, is_placeholder)
from mlroles.checks.scoring import review_score
from mlroles.checks.written import DraftCheck, Part
from mlroles.data import ROLE_LABELS
from mlroles.sources import read_in_lesson
from mlroles.widgets.boards import restore_notice
from mlroles.widgets.choices import ChoiceStore

ASSIGNMENT = "ex3_job_ads"
CHOICES_FILE = f"{ASSIGNMENT}.choices.json"
FLAGS = data.RED_FLAGS
FLAG_MEANING = {
    "title_mismatch": "the title does not match the work the ad describes",
    "no_team": "the ad says nothing about the team or who the hire works with",
    "no_objectives": "it lists tasks or tools but no problem or goal the role exists for",
    "vague_responsibilities": "the responsibilities are missing or too vague to tell what the work is",
    "no_data_infrastructure": "it says nothing about where the data lives or how mature the platform is",
    "no_support": "it mentions no analytics or engineering support although the work needs it",
    "unicorn_scope": "one person is expected to do research, pipelines, serving and incident response",
}


@lru_cache(maxsize=None)
def _ads():
    return data.load_job_ads().set_index("ad_id")


def practice_ads() -> pd.DataFrame:
    a = _ads()
    return a[a["pool"] == "practice"]


def graded_ads() -> pd.DataFrame:
    a = _ads()
    return a[a["pool"] == "graded"].drop(columns=["real_role", "red_flags", "rationale", "source_ids"])


def card(ad_id: str) -> str:
    """One ad as a readable card (HTML)."""
    ad = _ads().loc[ad_id]

    def field(name, value):
        shown = html.escape(value) if value else "<i>(the ad says nothing)</i>"
        return f"<div style='margin:3px 0'><b>{name}:</b> {shown}</div>"

    return (f"<div style='border:1px solid #ccc;border-radius:6px;padding:10px 14px;background:#fafafa'>"
            f"<div style='font-size:1.2em'><b>{html.escape(ad['title'])}</b> · {html.escape(ad['company'])} "
            f"<span style='color:#666'>({html.escape(ad['company_stage'])})</span> "
            f"<span style='color:#666;float:right'>{html.escape(ad_id)}</span></div>"
            f"<p style='margin:6px 0'>{html.escape(ad['summary'])}</p>"
            + field("Team", ad["team"]) + field("Requirements", ad["requirements"])
            + field("Data infrastructure", ad["data_infrastructure"]) + field("Support", ad["support"]) + "</div>")


# --- checking answers ------------------------------------------------------------------

def _read_answers(answers) -> tuple[dict | None, CheckResult | None]:
    if is_placeholder(answers):
        return None, CheckResult(NOT_ATTEMPTED, "Job ads: not attempted yet; review the ads on the reviewer above.")
    if hasattr(answers, "answers") and isinstance(getattr(answers, "answers"), dict):
        answers = answers.answers
    if not isinstance(answers, dict):
        return None, CheckResult(INVALID, "Job ads: expected a dict of ad id to {'role': ..., 'flags': [...]}, "
                                 f"but got {_describe(answers)}.")
    return answers, None


def _problems_of(ad_id, answer) -> list[str]:
    if not isinstance(answer, dict):
        return [f"{ad_id}: expected {{'role': ..., 'flags': [...]}}, got {_describe(answer)}."]
    problems = []
    role = answer.get("role")
    if role is not None and role not in ROLE_LABELS.names:
        guess = ROLE_LABELS.closest(role) if isinstance(role, str) else None
        problems.append(f"{ad_id}: {role!r} is not a role; " +
                        (f"did you mean {guess!r}?" if guess else f"use one of {ROLE_LABELS.listing()}."))
    flags = answer.get("flags", [])
    if not isinstance(flags, (list, tuple, set)):
        problems.append(f"{ad_id}: flags should be a list, like ['no_team'], not {_describe(flags)}.")
    else:
        for flag in flags:
            if flag not in FLAGS:
                problems.append(f"{ad_id}: {flag!r} is not a red flag; use flags from {', '.join(FLAGS)}.")
    return problems


# What a hint quotes from the card for each flag, and the question it asks about that text.
FLAG_EVIDENCE = {
    "title_mismatch": (("summary", "requirements"), "is that the work the title names?"),
    "no_team": (("team",), "does it say who the hire works with or reports to?"),
    "no_objectives": (("summary",), "does it name a problem or a goal the role exists for?"),
    "vague_responsibilities": (("summary", "requirements"), "could you tell from it what the person does in a "
                               "normal week?"),
    "no_data_infrastructure": (("data_infrastructure",), "does it say where the data lives and how it gets there?"),
    "no_support": (("support",), "does it name analytics or engineering help for the work the summary describes?"),
    "unicorn_scope": (("summary", "requirements"), "how many of research, pipelines, serving and on-call does it "
                      "ask of one person?"),
}
FIELD_NAMES = {"summary": "summary", "team": "Team", "requirements": "Requirements",
               "data_infrastructure": "Data infrastructure", "support": "Support"}
SLIP_ADVICE = {
    "role": "read each ad's summary and requirements before its title, and ask whose everyday work that is",
    "extra": "for each flag you tick, find the card line it is about; when that line answers the flag's question, "
             "the flag does not apply",
    "missed": "for each card line that reads \"(the ad says nothing)\", and each vague one, ask which flag that gap is",
}


def _quote(ad, fields) -> str:
    parts = [f"its {FIELD_NAMES[f]} {'line ' if f != 'summary' else ''}"
             + (f"reads “{ad[f]}”" if ad[f] else "says nothing") for f in fields]
    return "; ".join(parts)


def title_role(title: str) -> str | None:
    """The role a title names, for the titles that name one plainly (None for the others)."""
    t = title.lower()
    for words, role in (("platform engineer", "ml_platform_engineer"), ("machine learning engineer", "ml_engineer"),
                        ("ml engineer", "ml_engineer"), ("data scientist", "data_scientist")):
        if words in t:
            return role
    return None


def disagreements(ad_id: str, title: str, role: str | None, flags) -> list[str]:
    """Questions on a review that disagrees with itself (no key needed): the role against the title and
    title_mismatch, and an unclear role without any flag."""
    named, flags = title_role(title), set(flags or ())
    if role == "unclear" and not flags:
        return [f"{ad_id}: you could not tell its role, yet ticked no flag. What in the ad keeps the role unclear?"]
    if named is None or role in (None, "unclear"):
        return []
    if role == named and "title_mismatch" in flags:
        return [f"{ad_id}: you chose {ROLE_LABELS.name(role)} for an ad titled “{title}” and ticked "
                "title_mismatch. Which of the two do you mean?"]
    if role != named and "title_mismatch" not in flags:
        return [f"{ad_id}: you chose {ROLE_LABELS.name(role)} for an ad titled “{title}”, without title_mismatch. "
                "Is the title the work, or not?"]
    return []


class AdQuestion(Question):
    """Role and red flags per ad. With ``practice=True`` it explains every miss; else it checks the format.

    Its hints start from what the last check found: on practice ads, the first ad with a slip (where, then
    the card's own words, then the answer and its reason); on graded ads, the reviews that disagree with
    themselves and the slips made in practice (``practice_round``), never a graded answer.
    """

    def __init__(self, name: str, ads: pd.DataFrame, practice: bool, practice_round: "AdQuestion | None" = None):
        self.name = name
        self.ads = ads
        self.practice = practice
        self.practice_round = practice_round

    @property
    def items(self):
        return dict(zip(self.ads.index, self.ads["title"]))


    reading = "these answers"
    how_to_write = "Review the ads on the reviewer above, or write {'role': ..., 'flags': [...]} for each ad."

    def _check(self, answers) -> CheckResult:
        answers, early = _read_answers(answers)
        if early:
            self._remember({"problems": [early.headline] if early.status == INVALID else []})
            return early
        total = len(self.ads)
        unknown = [a for a in answers if a not in self.ads.index]
        problems = [f"{a!r} is not an ad of this round." for a in unknown]
        for ad_id in self.ads.index:
            if ad_id in answers:
                problems += _problems_of(ad_id, answers[ad_id])
        if problems:
            self._remember({"problems": problems})
            return CheckResult(INVALID, f"{self.name}: {len(problems)} answer(s) need fixing.", problems[:8], total=total)
        missing = [a for a in self.ads.index if not isinstance(answers.get(a), dict) or answers[a].get("role") is None]
        reviews = {a: (answers[a]["role"], sorted(answers[a].get("flags", []))) for a in self.ads.index
                   if a not in missing}
        if len(missing) == total:
            self._remember({"problems": []})
            return CheckResult(NOT_ATTEMPTED, f"{self.name}: not attempted yet; choose a role for each ad.", total=total)
        if not self.practice:
            self._remember({"reviews": reviews, "missing": missing})
            if missing:
                return CheckResult(INCOMPLETE, f"{self.name}: {len(missing)} of {total} ads have no role yet: "
                                   f"{', '.join(missing)}.", total=total, missing=missing)
            return CheckResult(READY, f"{self.name}: every ad has a role and a list of flags. These are graded "
                               "ads, so your score appears after grading.", total=total)
        lines, wrong, correct, slips = [], [], 0, []
        for ad_id in self.ads.index:
            if ad_id in missing:
                continue
            ad = self.ads.loc[ad_id]
            chosen = answers[ad_id]
            role_right, _, right = review_score(chosen, ad["real_role"], ad["red_flags"])
            if not role_right:
                lines.append(f"{ad_id} ({ad['title']}): the work is closer to {ROLE_LABELS.name(ad['real_role'])} "
                             f"than to {ROLE_LABELS.name(chosen['role'])}. {ad['rationale']}")
            picked = set(chosen.get("flags", []))
            for flag in sorted(set(ad["red_flags"]) - picked):
                lines.append(f"{ad_id}: missed {flag}: {FLAG_MEANING[flag]}.")
            for flag in sorted(picked - set(ad["red_flags"])):
                lines.append(f"{ad_id}: {flag} does not apply here: it would mean {FLAG_MEANING[flag]}, "
                             "and this ad does cover that.")
            if right:
                correct += 1
            else:
                wrong.append(ad_id)
                slips.append({"ad": ad_id, "role": chosen["role"] if chosen["role"] != ad["real_role"] else None,
                              "flags": sorted(picked), "missed": sorted(set(ad["red_flags"]) - picked),
                              "extra": sorted(picked - set(ad["red_flags"]))})
        self._remember({"slips": slips, "missing": missing} if slips or missing else CORRECT)
        if missing:
            lines.append(f"Not reviewed yet: {', '.join(missing)}.")
        if not wrong and not missing:
            return CheckResult(CORRECT, f"{self.name}: role and flags right on all {total} ads.", correct=total,
                               total=total)
        status = INCORRECT if wrong else INCOMPLETE
        return CheckResult(status, f"{self.name}: {correct} of {total} ads fully right.", lines, correct=correct,
                           total=total, wrong=wrong, missing=missing)

    # -- hints ------------------------------------------------------------------------
    @property
    def _hints(self) -> list[str]:
        found, check = self._found, ("ex3.practice.check(practice_reviewer.answers)" if self.practice
                                     else "ex3.graded.check(ad_answers)")
        if found is None:
            return [f"Check your reviews first with {check}: the hints then start from what they get wrong."]
        if "problems" in found and not found["problems"]:
            return ["No ad has a role yet. On the reviewer, read the first ad's summary and requirements and choose "
                    "the role whose everyday work that is; then tick each flag whose card line is empty or vague."]
        if "problems" in found:
            return [f"Start with this: {found['problems'][0]} Each answer is {{'role': ..., 'flags': [...]}}; the "
                    "reviewer above writes them for you."]
        if self.practice:
            return _practice_hints(self.ads, found)
        return _graded_hints(self.ads, found, self.practice_round)

    def solution(self):
        if not self.practice:
            return "These are graded ads: their answers are not in your copy of the course."
        return self.ads[["title", "real_role", "red_flags", "rationale"]]


def _slip_kinds(slips) -> dict[str, list[str]]:
    return {kind: [s["ad"] for s in slips if (s["role"] if kind == "role" else s[kind])]
            for kind in ("role", "missed", "extra")}


def _practice_hints(ads: pd.DataFrame, found) -> list[str]:
    if found == CORRECT:
        return ["Every practice ad is right. The graded ads use the same flags: review them the same way, then "
                "ask ex3.graded.hint() for questions on your graded reviews."]
    if not found["slips"]:
        return [f"No slip so far; {', '.join(found['missing'])} still need a role."]
    slips, first = found["slips"], found["slips"][0]
    ad_id, ad = first["ad"], ads.loc[first["ad"]]
    kinds = _slip_kinds(slips)
    counts = ", ".join(f"{len(ids)} {what}" for what, ids in
                       (("with the role", kinds["role"]), ("with a flag missed", kinds["missed"]),
                        ("with a flag that does not apply", kinds["extra"])) if ids)
    what = []
    if first["role"]:
        what.append(f"the role you chose, {ROLE_LABELS.name(first['role'])}, does not fit its work")
    if first["extra"]:
        what.append(f"{' and '.join(first['extra'])} {'does' if len(first['extra']) == 1 else 'do'} not apply")
    if first["missed"]:
        what.append(f"{len(first['missed'])} more flag{'s' if len(first['missed']) > 1 else ''} "
                    f"appl{'y' if len(first['missed']) > 1 else 'ies'}")
    where = (f"{len(slips)} of your reviews need{'s' if len(slips) == 1 else ''} another look ({counts}). "
             f"Start with {ad_id} (“{ad['title']}” at {ad['company']}): {'; '.join(what)}.")
    where += "".join(f" {q}" for q in disagreements(ad_id, ad["title"], first["role"] or ad["real_role"],
                                                     first["flags"]))
    evidence = []
    if first["role"]:
        evidence.append(f"{_quote(ad, ('summary', 'requirements'))}. Whose everyday work is that?")
    for flag in first["extra"]:
        fields, question = FLAG_EVIDENCE[flag]
        evidence.append(f"You ticked {flag}: {_quote(ad, fields)}. {question[0].upper()}{question[1:]}")
    fields = tuple(dict.fromkeys(f for flag in first["missed"] for f in FLAG_EVIDENCE[flag][0]))
    if fields:
        evidence.append(f"Read it again: {_quote(ad, fields)}. What does a candidate still not know?")
    flags = f"the flag{'s' if len(ad['red_flags']) > 1 else ''} {', '.join(ad['red_flags'])}" if ad["red_flags"] \
        else "no flag"
    answer = (f"{ad_id} is {ROLE_LABELS.name(ad['real_role'])} work, with {flags}. {ad['rationale']} "
              f"Read: {read_in_lesson(course.LESSON_OF['job_ads'], ad['source_ids'])}.")
    return [where, f"On {ad_id}: " + " ".join(evidence), answer]


def _against_practice(reviews: dict, ads: pd.DataFrame, practice: pd.DataFrame) -> list[str]:
    """How the learner's graded reviews, taken together, compare with the practice ads (their counts only)."""
    if len(reviews) < 4:
        return []
    asked = []
    bare = sum(not flags for _, flags in reviews.values())
    practice_bare = sum(not flags for flags in practice["red_flags"])
    if bare / len(reviews) > 2 * practice_bare / len(practice):
        asked.append(f"You ticked no flag on {bare} of your {len(reviews)} reviews, while {practice_bare} of the "
                     f"{len(practice)} practice ads have none. Is every one of those ads as complete as that?")
    titled = [(ads.at[a, "title"], role) for a, (role, _) in reviews.items() if title_role(ads.at[a, "title"])]
    practice_titled = [(t, r) for t, r in zip(practice["title"], practice["real_role"]) if title_role(t)]
    practice_off = sum(r not in (title_role(t), "unclear") for t, r in practice_titled)
    if titled and practice_off and all(role in (title_role(t), "unclear") for t, role in titled):
        asked.append(f"Each role you chose matches its ad's title, while the work of {practice_off} of the "
                     f"{len(practice_titled)} practice ads with such titles did not. Did you read each ad's work "
                     "before its title?")
    return asked


def _graded_hints(ads: pd.DataFrame, found, practice_round) -> list[str]:
    hints = []
    questions = [q for ad_id, (role, flags) in found["reviews"].items()
                 for q in disagreements(ad_id, ads.at[ad_id, "title"], role, flags)]
    if questions:
        more = f" ({len(questions) - 3} more like these)" if len(questions) > 3 else ""
        hints.append("Some reviews disagree with themselves: " + " ".join(questions[:3]) + more)
    if practice_round is not None:
        hints += _against_practice(found["reviews"], ads, practice_round.ads)
    if found["missing"]:
        hints.append(f"{', '.join(found['missing'])} still need a role and flags.")
    practice_found = getattr(practice_round, "_found", None)
    slips = practice_found.get("slips", []) if isinstance(practice_found, dict) else []
    if slips:
        kinds = _slip_kinds(slips)
        kind = max(kinds, key=lambda k: len(kinds[k]))
        named = {"role": "the role", "missed": "flags you missed", "extra": "flags that did not apply"}[kind]
        hints.append(f"In practice, your slips were mostly {named} ({', '.join(kinds[kind])}). Look for the same "
                     f"slip in your graded reviews: {SLIP_ADVICE[kind]}.")
    elif practice_found == CORRECT:
        hints.append("Your practice reviews were all right. Give the graded ads the same care: "
                     f"{SLIP_ADVICE['extra']}; and {SLIP_ADVICE['missed']}.")
    else:
        hints.append("Check your practice reviews with ex3.practice.check(practice_reviewer.answers): these hints "
                     f"can then start from the slips you made there. Meanwhile, {SLIP_ADVICE['role']}.")
    example_id = slips[0]["ad"] if slips else "A13"
    example = practice_round.ads.loc[example_id] if practice_round is not None else None
    if example is not None:
        hints.append(f"A worked practice ad, {example_id} (“{example['title']}”): "
                     f"{_quote(example, ('summary', 'requirements'))}. {example['rationale']} So it is "
                     f"{ROLE_LABELS.name(example['real_role'])} work, with "
                     f"{', '.join(example['red_flags']) or 'no flag'}. "
                     "Read each graded ad the same way: the work first, then every line of the card against the flags.")
    return hints


# the questions, each built on first use (see the end of the module)
_QUESTIONS = dict(practice=lambda: AdQuestion("Job ads (practice)", practice_ads(), practice=True),
                  graded=lambda: AdQuestion("Job ads (graded)", graded_ads(), practice=False,
                                            practice_round=_asked("practice")))


# --- the reviewer widget ---------------------------------------------------------------

class JobAdReviewer(widgets.VBox):
    """One ad at a time: a card, the real role, the red flags, navigation, and saved choices.

    Choices are saved next to the notebook on every change and read back when the reviewer
    is built, so grading in a fresh kernel sees them. ``answers`` gives
    ``{ad_id: {"role": ..., "flags": [...]}}`` for every ad with a role chosen.
    """

    def __init__(self, question: AdQuestion, *, store=None, store_key: str | None = None):
        self.question = question
        self.ids = list(question.ads.index)
        self.store = ChoiceStore(store) if store is not None else None
        self.store_key = store_key or question.name
        self.state: dict[str, dict] = {}
        self.position = 0
        self.card = widgets.HTML()
        # "" stands for "not chosen yet": a Dropdown shows nothing at all for a None value
        self.role = widgets.Dropdown(options=[("(choose the real role)", "")] +
                                     [(ROLE_LABELS.name(v), v) for v in ROLE_LABELS.values],
                                     value="", description="Real role:", style={"description_width": "initial"})
        self.flags = {f: widgets.Checkbox(value=False, description=f"{f}: {FLAG_MEANING[f]}", indent=False,
                                          layout=widgets.Layout(width="auto")) for f in FLAGS}
        self.previous_button = widgets.Button(description="◀ Previous", layout=widgets.Layout(width="auto"))
        self.next_button = widgets.Button(description="Next ▶", layout=widgets.Layout(width="auto"))
        self.where = widgets.HTML()
        self.check_button = widgets.Button(description="Check my answers", button_style="primary", icon="check",
                                           layout=widgets.Layout(width="auto"))
        self.feedback = widgets.HTML()
        self.notice = widgets.HTML()
        self.previous_button.on_click(lambda _: self.go(self.position - 1))
        self.next_button.on_click(lambda _: self.go(self.position + 1))
        self.check_button.on_click(lambda _: self.check())
        self._showing = True
        self.role.observe(self._changed, names="value")
        for box in self.flags.values():
            box.observe(self._changed, names="value")
        super().__init__([self.notice, widgets.HBox([self.previous_button, self.where, self.next_button]), self.card,
                          self.role, widgets.HTML("<b>Red flags</b> (tick every one that applies):"),
                          widgets.VBox(list(self.flags.values())),
                          widgets.HBox([self.check_button]), self.feedback,
                          *([self.store.carrier(self.store_key)] if self.store is not None else [])],
                         layout=widgets.Layout(max_width="62em"))
        self._restore()
        self.go(0)

    @property
    def answers(self) -> dict:
        return {ad: {"role": s["role"], "flags": list(s["flags"])} for ad, s in self.state.items() if s.get("role")}

    def go(self, position: int) -> None:
        """Show another ad (clamped to the first and last)."""
        self.position = max(0, min(position, len(self.ids) - 1))
        ad_id = self.ids[self.position]
        saved = self.state.get(ad_id, {"role": None, "flags": []})
        self._showing = True
        self.role.value = saved["role"] or ""
        for flag, box in self.flags.items():
            box.value = flag in saved["flags"]
        self._showing = False
        self.card.value = card(ad_id)
        done = len(self.answers)
        self.where.value = (f"<span style='margin:0 1em'>Ad {self.position + 1} of {len(self.ids)} · "
                            f"{done} reviewed</span>")

    def review(self, ad_id: str, role: str | None, flags=()) -> None:
        """Answer one ad from Python, as the controls would."""
        self.go(self.ids.index(ad_id))
        self.role.value = role or ""
        for flag, box in self.flags.items():
            box.value = flag in flags

    def _changed(self, change) -> None:
        if self._showing:
            return
        ad_id = self.ids[self.position]
        self.state[ad_id] = {"role": self.role.value or None,
                             "flags": [f for f, box in self.flags.items() if box.value]}
        if self.store is not None:
            self.store.save(self.store_key, self.state)
        self.where.value = (f"<span style='margin:0 1em'>Ad {self.position + 1} of {len(self.ids)} · "
                            f"{len(self.answers)} reviewed</span>")

    def _restore(self) -> None:
        if self.store is None:
            return
        skipped = []
        for ad_id, saved in self.store.load(self.store_key).items():
            if ad_id in self.ids and isinstance(saved, dict) and (saved.get("role") in ROLE_LABELS.names
                                                                 or saved.get("role") is None):
                flags = [f for f in saved.get("flags", []) if f in FLAGS] if isinstance(saved.get("flags"), list) else []
                self.state[ad_id] = {"role": saved.get("role"), "flags": flags}
            else:
                skipped.append(str(ad_id))
        self.notice.value = restore_notice(self.store, skipped, "these ads")

    def check(self) -> CheckResult:
        result = self.question.check(self.answers)
        self.feedback.value = result._repr_html_()
        return result


def practice_reviewer() -> JobAdReviewer:
    return JobAdReviewer(_asked("practice"), store=CHOICES_FILE, store_key="practice")


def graded_reviewer() -> JobAdReviewer:
    return JobAdReviewer(_asked("graded"), store=CHOICES_FILE, store_key="graded")


def _shown_review(a) -> dict:
    a = a if isinstance(a, dict) else {}
    return {"real role": ROLE_LABELS.name(a["role"]) if isinstance(a.get("role"), str) else "—",
            "red flags": ", ".join(a.get("flags", [])) if isinstance(a.get("flags"), list) else "—"}


def _recorded_review(a):
    if isinstance(a, dict) and isinstance(a.get("flags", []), list):
        return {"role": a.get("role"), "flags": list(a.get("flags", []))}
    return None


def answers_table(answers) -> pd.DataFrame:
    """The graded reviews as a grader reads them."""
    from mlroles.tables import graded_answers_table

    return graded_answers_table(_asked("graded").items, answers, "title", _shown_review, _recorded_review)


# --- the pandas task ---------------------------------------------------------------------

MIX_COLUMNS = ["data_scientist", "ml_engineer", "shared", "unknown"]


def _owners_of(ad_id: str) -> tuple[list[str], list[str]]:
    """An ad's responsibility ids and their owners, counted by hand ("unknown" where your copy has none)."""
    owners = _owners()
    ids = list(_ads().at[ad_id, "responsibility_ids"])
    return ids, [owners.get(i) if isinstance(owners.get(i), str) else "unknown" for i in ids]


@lru_cache(maxsize=None)
def _owners() -> pd.Series:
    return data.load_responsibilities().set_index("responsibility_id")["owner"]


def worked_shares(ad_id: str) -> dict[str, float]:
    """One ad's shares, counted in plain Python, without pandas: what responsibility_mix must give."""
    ids, named = _owners_of(ad_id)
    return {c: named.count(c) / len(ids) for c in MIX_COLUMNS}


# Four practice ads whose shares the check compares, worked out by counting from datasets/job_ads.csv and
# datasets/responsibilities.csv (graded responsibilities count as "unknown" there).
MIX_EXAMPLE_IDS = ("A01", "A03", "A10", "A26")


@lru_cache(maxsize=None)
def mix_examples() -> dict:
    """The four worked examples the mix check compares with, counted from the data when first asked
    (not at import)."""
    return {ad_id: worked_shares(ad_id) for ad_id in MIX_EXAMPLE_IDS}


def worked_mix(ad_id: str) -> str:
    """One practice ad's shares worked out by hand, from the course's data, as a sentence."""
    ids, named = _owners_of(ad_id)
    listed = ", ".join(f"{i} ({o if o != 'unknown' else 'no owner in your copy: unknown'})" for i, o in zip(ids, named))
    shares = ", ".join(f"{c} {named.count(c)}/{len(ids)} = {named.count(c) / len(ids):g}" for c in MIX_COLUMNS)
    return f"{ad_id} lists {len(ids)} responsibilities: {listed}. So its row is {shares}."


MIX_STEPS = (
    "One way, step by step: ads.explode(\"responsibility_ids\") gives one row per ad and responsibility; merge "
    "the owners in with how=\"left\", so a responsibility without an owner keeps its row; fill the missing owners "
    "with \"unknown\"; pd.crosstab(ad_id, owner, normalize=\"index\") gives each ad's shares; and "
    ".reindex(columns=[\"data_scientist\", \"ml_engineer\", \"shared\", \"unknown\"], fill_value=0.0) adds an "
    "owner that none of the ads has.")


class MixQuestion(Question):
    """Check responsibility_mix on the course's data: shape, columns, and four ads worked out by hand.

    Its hints start from the first row the last check found wrong: what the numbers suggest, then the
    row worked out by hand, then the pandas steps.
    """

    name = "Responsibility mix"
    reading = "this DataFrame"
    how_to_write = "Return numbers, one column per owner."

    def _check(self, mix) -> CheckResult:
        try:
            return self._check_mix(mix)
        except Exception:   # crafted objects: the hints say what to return, and Question.check says it could not read it
            self._remember({"problem": "unreadable"})
            raise

    def _check_mix(self, mix) -> CheckResult:
        if mix is None:
            self._remember({"problem": "none"})
            return CheckResult(NOT_ATTEMPTED, f"{self.name}: not attempted yet; write responsibility_mix first.")
        if not isinstance(mix, pd.DataFrame):
            self._remember({"problem": "type", "got": type(mix).__name__})
            return CheckResult(INVALID, f"{self.name}: expected a DataFrame indexed by ad_id, got {_describe(mix)}.")
        problems = [f"column '{c}' is missing." for c in MIX_COLUMNS if c not in mix.columns]
        found = {"problem": "columns", "missing": [c for c in MIX_COLUMNS if c not in mix.columns],
                 "columns": [str(c) for c in mix.columns]} if problems else None
        if not problems:
            if not all(pd.api.types.is_numeric_dtype(mix[c]) for c in MIX_COLUMNS):
                raise TypeError("not numbers")
            if mix.index.has_duplicates:
                repeated = str(mix.index[mix.index.duplicated()][0])
                problems.append(f"{repeated} has more than one row: give each ad one row.")
                found = {"problem": "repeated", "ad": repeated}
        if not problems:
            sums = mix[MIX_COLUMNS].sum(axis=1)
            off = sums[(sums - 1).abs() > 1e-9]
            if len(off):
                ad_id = off.index[0]
                problems.append(f"each ad's shares should add up to 1 (they are shares of the same list); "
                                f"{ad_id}'s add up to {off.iloc[0]:.4g}.")
                found = {"problem": "sums", "ad": str(ad_id), "sum": round(float(off.iloc[0]), 6),
                         "total": round(float(sums.sum()), 6)}
            for ad_id, want in mix_examples().items():
                if ad_id not in mix.index:
                    problems.append(f"{ad_id} is missing: index the result by ad_id.")
                    found = found or {"problem": "index", "ad": ad_id, "index": str(mix.index[:3].tolist()),
                                      "has_column": "ad_id" in mix.columns}
                    continue
                for c, v in want.items():
                    got = mix.at[ad_id, c]
                    if not isinstance(got, numbers.Real) or abs(float(got) - v) > 1e-9:
                        shown = f"{float(got):.4g}" if isinstance(got, numbers.Real) else repr(got)
                        problems.append(f"{ad_id}: {c} should be {v:g}, got {shown}.")
                        found = found or {"problem": "value", "ad": ad_id, "column": c,
                                          "row": {k: round(float(mix.at[ad_id, k]), 4) for k in MIX_COLUMNS}}
                        break
        self._remember(found or CORRECT)
        if problems:
            return CheckResult(INCORRECT, f"{self.name}: {len(problems)} thing(s) to fix.", problems[:8])
        return CheckResult(CORRECT, f"{self.name}: shape, columns and the four worked examples are right.")

    @property
    def _hints(self) -> list[str]:
        found = self._found
        if found is None:
            return ["Run the check cell under responsibility_mix first: the hints then start from what your "
                    "result gets wrong."]
        if found == CORRECT:
            return ["Your shares are right on the course's ads. Grading runs the function on other ads and other "
                    "owners: make sure nothing in it names an ad id or depends on these rows.",
                    "Try it on two made-up ads, one of which lists a responsibility twice, and compare with shares "
                    "worked out by hand."]
        problem = found["problem"]
        if problem in ("none", "type", "unreadable"):
            first = ("responsibility_mix should return a DataFrame with one row per ad_id and four columns of "
                     "shares, each between 0 and 1." if problem != "type" else
                     f"responsibility_mix returned a {found['got']}: it should return a DataFrame with one row per "
                     "ad_id and four columns of numbers.")
            return [first, worked_mix("A01"), MIX_STEPS]
        if problem == "columns":
            missing = ", ".join(f"'{c}'" for c in found["missing"])
            verb = "is" if len(found["missing"]) == 1 else "are"
            first = f"Your columns are {found['columns']}; {missing} {verb} not there."
            if "unknown" in found["missing"]:
                first += (" A responsibility with no owner has NaN after the merge, and counting skips NaN: "
                          "did the unknown ones drop out?")
            else:
                first += " When none of an ad's responsibilities has an owner, crosstab makes no column for it."
            return [first, worked_mix("A01"), MIX_STEPS]
        if problem == "sums":
            ad_id = found["ad"]
            first = f"{ad_id}'s row adds up to {found['sum']:g}, not 1."
            if abs(found["total"] - 1) < 1e-6:
                first += " All rows together add up to 1: did you divide by the whole table instead of by each ad?"
            elif found["sum"] > 1:
                first += " Are these counts rather than shares? Divide each row by its own total."
            else:
                first += " Is some of the ad's list counted in a column outside the four, or dropped?"
            return [first, worked_mix(ad_id) if ad_id in MIX_EXAMPLE_IDS else worked_mix("A01"), MIX_STEPS]
        if problem == "repeated":
            return [f"{found['ad']} appears on more than one row of your result. After the merge there is one row "
                    "per ad and responsibility: the counting step should bring them back to one row per ad.",
                    worked_mix(found["ad"]) if found["ad"] in MIX_EXAMPLE_IDS else worked_mix("A01"), MIX_STEPS]
        if problem == "index":
            first = f"{found['ad']} is not in your index, which starts {found['index']}."
            first += (" ad_id is one of your columns: make it the index with .set_index(\"ad_id\")."
                      if found["has_column"] else " Make ad_id the index, one row per ad.")
            return [first, worked_mix(found["ad"]), MIX_STEPS]
        ad_id, row = found["ad"], found["row"]
        want = mix_examples()[ad_id]
        first = f"Your {ad_id} row reads {', '.join(f'{k} {v:g}' for k, v in row.items())}."
        if row["unknown"] == 0 and want["unknown"] > 0:
            first += (" Its unknown share is 0, yet some of its responsibilities have no owner in your copy: did a "
                      "merge or a count drop them?")
        else:
            first += f" Which of its responsibilities did you count under {found['column']}?"
        return [first, worked_mix(ad_id), MIX_STEPS]


_QUESTIONS["mix"] = MixQuestion

CRITIQUE = DraftCheck(
    "Critique", f"{ASSIGNMENT}.ipynb", "critique",
    {"what the title hides": Part(
        "what the title hides (which role the ad's work really belongs to)",
        ("title say", "title suggest", "title promise", "title claim", "despite the title", "behind the title",
         "hide", "actually", "really", "in fact", "in practice", "mislead", "mismatch", "misnamed", "mislabel",
         "closer to", "rather than", "instead of", "amount to", "what is left", "the work is", "real role",
         "real job"),
        "compare the title with the work in the ad's summary and requirements, and name the role that work "
        "belongs to, with the lines that show it."),
     "the team": Part(
        "what you would ask about the team and the support around the role",
        ("team", "report to", "manager", "colleague", "squad", "work with", "who own", "support", "help",
         "who else", "alone", "on my own"),
        "ask who the hire would work with and who helps with the parts of the work the ad does not cover."),
     "the objectives": Part(
        "what you would ask about the objectives (the problem the role exists for, what success looks like)",
        ("objective", "goal", "problem", "success", "succeed", "aim", "purpose", "target", "kpi", "outcome",
         "measure", "look like after", "what for"),
        "ask what problem the role exists for and how anyone will know, after some months, that it is solved."),
     "the data infrastructure": Part(
        "what you would ask about the data infrastructure (where the data lives, what the model runs on)",
        ("infrastructure", "platform", "warehouse", "data engineer", "pipeline", "where the data", "data come from",
         "data live", "database", "data lake", "lakehouse", "stack", "tooling", "storage", "ingest",
         "feature store", "run on", "deployed on"),
        "ask where the data comes from at prediction time and who runs the platform the model will live on."),
     "the questions to ask the hiring team": Part(
        "the questions you would ask the hiring team",
        ("?", "ask", "question", "want to know", "like to know", "find out", "inquire", "enquire", "clarify",
         "wonder"),
        "write them as questions a candidate could put to the hiring team, each tied to a gap in the ad."),
     "a fair title": Part(
        "which title would be fair to the work",
        ("fair title", "better title", "honest title", "accurate title", "title would be", "title should be",
         "title such as", "title like", "retitle", "rename", "call it", "call the role", "should be called",
         "propose the title", "suggest the title"),
        "propose the title the work deserves, and say in a few words what it adds (the team or the product)."),
     },
    min_words=150,
    after=("For each claim about what the title hides, point at the line of the ad that "
           "shows it.",
           "Check that each question is tied to a gap in this ad, not a question any ad would get, and that the "
           "source you cite says what your sentence uses it for."))


# ex.<question> builds the question the first time it is asked for (no dataset is read at import)
__getattr__ = _asked = built_when_asked(globals(), **_QUESTIONS)
