"""Exercise 3, "Read the job ad": the reviewer widget, its self-checks and the notebook's helpers.

An answer for one ad is ``{"role": <real role>, "flags": [<red flags>]}``; answers for many
ads are a dict of ad id to that. Practice ads carry their role, flags and reasons in
``datasets/job_ads.csv``; graded ads carry none.
"""
from __future__ import annotations

import html
from functools import lru_cache

import ipywidgets as widgets
import pandas as pd

from mlroles import data
from mlroles.choices import ChoiceStore
from mlroles.feedback import (CORRECT, INCOMPLETE, INCORRECT, INVALID, NOT_ATTEMPTED, READY, ROLE_LABELS,
                              CheckResult, _describe, is_placeholder)
from mlroles.widgets import restore_notice
from mlroles.written import DraftCheck

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
            f"<span style='color:#999;float:right'>{html.escape(ad_id)}</span></div>"
            f"<p style='margin:6px 0'>{html.escape(ad['summary'])}</p>"
            + field("Team", ad["team"]) + field("Requirements", ad["requirements"])
            + field("Data infrastructure", ad["data_infrastructure"]) + field("Support", ad["support"]) + "</div>")


# --- checking answers ------------------------------------------------------------------

def _read_answers(answers, ids) -> tuple[dict | None, CheckResult | None]:
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


class AdQuestion:
    """Role and red flags per ad. With ``practice=True`` it explains every miss; else it checks the format."""

    def __init__(self, name: str, ads: pd.DataFrame, practice: bool):
        self.name = name
        self.ads = ads
        self.practice = practice

    @property
    def items(self):
        return dict(zip(self.ads.index, self.ads["title"]))

    def check(self, answers) -> CheckResult:
        try:
            return self._check(answers)
        except Exception as exc:  # crafted objects: report, never crash
            return CheckResult(INVALID, f"{self.name}: could not read these answers ({type(exc).__name__}).")

    def _check(self, answers) -> CheckResult:
        answers, early = _read_answers(answers, self.ads.index)
        if early:
            return early
        total = len(self.ads)
        unknown = [a for a in answers if a not in self.ads.index]
        problems = [f"{a!r} is not an ad of this round." for a in unknown]
        for ad_id in self.ads.index:
            if ad_id in answers:
                problems += _problems_of(ad_id, answers[ad_id])
        if problems:
            return CheckResult(INVALID, f"{self.name}: {len(problems)} answer(s) need fixing.", problems[:8], total=total)
        missing = [a for a in self.ads.index if not isinstance(answers.get(a), dict) or answers[a].get("role") is None]
        if len(missing) == total:
            return CheckResult(NOT_ATTEMPTED, f"{self.name}: not attempted yet; choose a role for each ad.", total=total)
        if not self.practice:
            if missing:
                return CheckResult(INCOMPLETE, f"{self.name}: {len(missing)} of {total} ads have no role yet: "
                                   f"{', '.join(missing)}.", total=total, missing=missing)
            return CheckResult(READY, f"{self.name}: every ad has a role and a list of flags. These are graded "
                               "ads, so your score appears after grading.", total=total)
        lines, wrong, correct = [], [], 0
        for ad_id in self.ads.index:
            if ad_id in missing:
                continue
            lines_before = len(lines)
            ad = self.ads.loc[ad_id]
            chosen = answers[ad_id]
            if chosen["role"] != ad["real_role"]:
                lines.append(f"{ad_id} ({ad['title']}): the work is closer to {ROLE_LABELS.name(ad['real_role'])} "
                             f"than to {ROLE_LABELS.name(chosen['role'])}. {ad['rationale']}")
            picked = set(chosen.get("flags", []))
            for flag in sorted(set(ad["red_flags"]) - picked):
                lines.append(f"{ad_id}: missed {flag}: {FLAG_MEANING[flag]}.")
            for flag in sorted(picked - set(ad["red_flags"])):
                lines.append(f"{ad_id}: {flag} does not apply here: it would mean {FLAG_MEANING[flag]}, "
                             "and this ad does cover that.")
            if len(lines) == lines_before:
                correct += 1
            else:
                wrong.append(ad_id)
        if missing:
            lines.append(f"Not reviewed yet: {', '.join(missing)}.")
        if not wrong and not missing:
            return CheckResult(CORRECT, f"{self.name}: role and flags right on all {total} ads.", correct=total,
                               total=total)
        status = INCORRECT if wrong else INCOMPLETE
        return CheckResult(status, f"{self.name}: {correct} of {total} ads fully right.", lines, correct=correct,
                           total=total, wrong=wrong, missing=missing)

    def solution(self):
        if not self.practice:
            return "These are graded ads: their answers are not in your copy of the course."
        return self.ads[["title", "real_role", "red_flags", "rationale"]]


practice = AdQuestion("Job ads (practice)", practice_ads(), practice=True)
graded = AdQuestion("Job ads (graded)", graded_ads(), practice=False)


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
    return JobAdReviewer(practice, store=CHOICES_FILE, store_key="practice")


def graded_reviewer() -> JobAdReviewer:
    return JobAdReviewer(graded, store=CHOICES_FILE, store_key="graded")


def answers_table(answers) -> pd.DataFrame:
    """The graded reviews as a grader reads them."""
    answers = answers if isinstance(answers, dict) else {}
    rows = []
    for ad_id, title in graded.items.items():
        a = answers.get(ad_id) if isinstance(answers.get(ad_id), dict) else {}
        rows.append({"id": ad_id, "title": title,
                     "real role": ROLE_LABELS.name(a["role"]) if isinstance(a.get("role"), str) else "—",
                     "red flags": ", ".join(a.get("flags", [])) if isinstance(a.get("flags"), list) else "—"})
    from mlroles.answer_tables import answer_table

    recorded = {i: {"role": a.get("role"), "flags": list(a.get("flags", []))} for i, a in answers.items()
                if i in graded.items and isinstance(a, dict) and isinstance(a.get("flags", []), list)}
    return answer_table(pd.DataFrame(rows).set_index("id"), recorded)


# --- the pandas task ---------------------------------------------------------------------

# The owner mix of four practice ads, worked out by hand from datasets/job_ads.csv and
# datasets/responsibilities.csv (graded responsibilities count as "unknown" there).
MIX_EXAMPLES = {
    "A01": {"data_scientist": 0.5, "ml_engineer": 0.0, "shared": 0.0, "unknown": 0.5},
    "A03": {"data_scientist": 0.0, "ml_engineer": 0.8, "shared": 0.2, "unknown": 0.0},
    "A10": {"data_scientist": 0.0, "ml_engineer": 0.4, "shared": 0.2, "unknown": 0.4},
    "A26": {"data_scientist": 0.75, "ml_engineer": 0.0, "shared": 0.0, "unknown": 0.25},
}
MIX_COLUMNS = ["data_scientist", "ml_engineer", "shared", "unknown"]


class MixQuestion:
    """Check responsibility_mix on the course's data: shape, columns, and four ads worked out by hand."""

    name = "Responsibility mix"

    def check(self, mix) -> CheckResult:
        if mix is None:
            return CheckResult(NOT_ATTEMPTED, f"{self.name}: not attempted yet; write responsibility_mix first.")
        if not isinstance(mix, pd.DataFrame):
            return CheckResult(INVALID, f"{self.name}: expected a DataFrame indexed by ad_id, got {_describe(mix)}.")
        problems = [f"column '{c}' is missing." for c in MIX_COLUMNS if c not in mix.columns]
        if not problems:
            sums = mix[MIX_COLUMNS].sum(axis=1)
            if (sums - 1).abs().max() > 1e-9:
                problems.append("each ad's shares should add up to 1 (they are shares of the same list).")
            for ad_id, want in MIX_EXAMPLES.items():
                if ad_id not in mix.index:
                    problems.append(f"{ad_id} is missing: index the result by ad_id.")
                    continue
                for c, v in want.items():
                    got = mix.at[ad_id, c]
                    if not isinstance(got, (int, float)) or abs(float(got) - v) > 1e-9:
                        problems.append(f"{ad_id}: {c} should be {v:g}, got {got!r}.")
                        break
        if problems:
            return CheckResult(INCORRECT, f"{self.name}: {len(problems)} thing(s) to fix.", problems[:8])
        return CheckResult(CORRECT, f"{self.name}: shape, columns and the four worked examples are right.")


mix = MixQuestion()

CRITIQUE = DraftCheck(
    "Critique", f"{ASSIGNMENT}.ipynb", "critique",
    {"what the title hides": ("title", "hides", "actually", "really"),
     "the team": ("team", "report"),
     "the objectives": ("objective", "goal", "problem"),
     "the data infrastructure": ("infrastructure", "platform", "warehouse", "data engineer", "pipeline"),
     "the questions to ask the hiring team": ("ask", "question"),
     "a fair title": ("fair title", "better title", "retitle", "call it", "should be called")},
    min_words=150)
