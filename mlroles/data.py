"""Load and check the course's datasets.

One loader per file in ``datasets/`` (documented column by column in
``datasets/README.md``). Every loader checks the columns, their types, the allowed
values, unique ids and references to other files, and raises one ``DatasetError``
that names the file, the line, the column and what to fix. A file that loads is
one the lessons and exercises can trust.

Graded items carry no answer here: their label, rationale and sources are empty in
the learner's files and live only on the instructor's side (``solutions/``).
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Callable, Mapping

import pandas as pd

# --- label sets: the allowed answers of each kind of question, with their names and spellings ----

class LabelSet:
    """The allowed answers of a question, with their display names and a spelling helper."""

    def __init__(self, names: Mapping[str, str], aliases: Mapping[str, str] | None = None):
        self.names = dict(names)                  # canonical value -> how a person says it
        self.aliases = {self._fold(k): v for k, v in (aliases or {}).items()}
        for value, name in self.names.items():
            self.aliases.setdefault(self._fold(value), value)
            self.aliases.setdefault(self._fold(name), value)

    @staticmethod
    def _fold(text: str) -> str:
        return " ".join(text.lower().replace("_", " ").replace("-", " ").split())

    @property
    def values(self) -> list[str]:
        return list(self.names)

    def name(self, value: str) -> str:
        return self.names.get(value, value)

    def closest(self, text: str) -> str | None:
        """The canonical value a learner most likely meant, or None when nothing is close."""
        folded = self._fold(text)
        if folded in self.aliases:
            return self.aliases[folded]
        match = difflib.get_close_matches(folded, list(self.aliases), n=1, cutoff=0.6)
        return self.aliases[match[0]] if match else None

    def listing(self) -> str:
        return ", ".join(repr(v) for v in self.values)


OWNER_LABELS = LabelSet(
    {"data_scientist": "data scientist", "ml_engineer": "ML engineer", "shared": "shared"},
    aliases={"ds": "data_scientist", "scientist": "data_scientist", "mle": "ml_engineer",
             "machine learning engineer": "ml_engineer", "engineer": "ml_engineer", "both": "shared"},
)

MODE_LABELS = LabelSet({"batch": "batch", "online": "online"},
                       aliases={"real time": "online", "realtime": "online", "real-time": "online",
                                "streaming": "online", "offline": "batch", "scheduled": "batch"})

ROLE_LABELS = LabelSet(
    {"data_scientist": "data scientist", "ml_engineer": "ML engineer", "ml_platform_engineer": "ML platform engineer",
     "data_engineer": "data engineer", "analyst": "analyst", "product_engineer": "product engineer",
     "unclear": "unclear"},
    aliases={"ds": "data_scientist", "mle": "ml_engineer", "machine learning engineer": "ml_engineer",
             "platform engineer": "ml_platform_engineer", "mlops engineer": "ml_platform_engineer",
             "data analyst": "analyst", "software engineer": "product_engineer"},
)

NEED_LABELS = LabelSet(
    {"data_scientist": "a data scientist", "ml_engineer": "an ML engineer", "both": "both",
     "one_person": "one person can cover it for now"},
    aliases={"ds": "data_scientist", "data scientist": "data_scientist", "mle": "ml_engineer",
             "ml engineer": "ml_engineer", "one person": "one_person", "either": "one_person"},
)

OWNERS = tuple(OWNER_LABELS.values)
POOLS = ("practice", "graded")
YES_NO = ("yes", "no")
LESSON_IDS = (
    "01_two_roles_two_risks", "02_data_scientist_fit", "03_ml_engineer_fit",
    "04_production_handoff", "05_skills_and_interview_signals", "06_one_person_coverage",
)
SERVING_MODES = tuple(MODE_LABELS.values)
FRESHNESS = ("seconds", "minutes", "hours", "daily", "weekly")
LEVELS = ("low", "medium", "high")
STAGES = ("seed", "startup", "scaleup", "enterprise")
TEAM_SERVING = ("none", "batch", "online", "both")
NEXT_NEEDS = tuple(NEED_LABELS.values)
REAL_ROLES = tuple(ROLE_LABELS.values)
RED_FLAGS = ("title_mismatch", "no_team", "no_objectives", "vague_responsibilities",
             "no_data_infrastructure", "no_support", "unicorn_scope")
SYMPTOMS_DS = ("no_metric_owner", "no_statistical_validity", "unclear_questions", "results_not_trusted")
SYMPTOMS_ENG = ("models_stuck_in_notebooks", "no_monitoring", "frequent_incidents", "slow_deployments")
SOURCE_STATUSES = ("verified", "corrected", "not_found")
EPISODES = ("roles", "interview", "bigdata", "mleng", "mlsys", "platform", "se4ml", "redflags")

_TIMESTAMP = re.compile(r"^(\d{1,2}:)?\d{1,2}:\d{2}$")
_ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


class DatasetError(ValueError):
    """A dataset file does not match its documented format. The message says where and what to fix."""


def dataset_path(name: str) -> Path:
    """Where a dataset file lives: inside the installed package (``mlroles.datasets``)."""
    return Path(str(resources.files("mlroles.datasets").joinpath(name)))


# --- column checks -----------------------------------------------------------
# A check takes the column as strings and returns (bad_mask, what_to_fix).

Check = Callable[[pd.Series], "tuple[pd.Series, str]"]


def _one_of(values: tuple[str, ...]) -> Check:
    def check(col):
        return ~col.isin(values), f"use one of: {', '.join(values)}"
    return check


def _list_of(values: tuple[str, ...], allow_empty: bool = True) -> Check:
    allowed = set(values)

    def check(col):
        def bad(cell: str) -> bool:
            items = cell.split(";") if cell else []
            if not items:
                return not allow_empty
            return any(item not in allowed for item in items) or len(set(items)) != len(items)
        hint = f"list values from: {', '.join(values)}, separated by ';' with no spaces or repeats"
        return col.map(bad).astype(bool), hint
    return check


def _pattern(regex: str, example: str) -> Check:
    compiled = re.compile(regex)

    def check(col):
        return ~col.map(lambda s: bool(compiled.fullmatch(s))).astype(bool), f"write it like {example}"
    return check


def _integer(minimum: int = 0) -> Check:
    def check(col):
        numbers = pd.to_numeric(col, errors="coerce")
        whole = col.str.fullmatch(r"-?\d+")
        return ~(whole & (numbers >= minimum)), f"write a whole number of at least {minimum}"
    return check


def _number(low: float, high: float) -> Check:
    def check(col):
        numbers = pd.to_numeric(col, errors="coerce")
        return ~numbers.between(low, high), f"write a number from {low:g} to {high:g}"
    return check


def _text(min_words: int = 1) -> Check:
    def check(col):
        return col.str.split().str.len() < min_words, f"write at least {min_words} words"
    return check


_CLOCK = _pattern(_TIMESTAMP.pattern, "25:27 or 1:02:03")
_ISO = _pattern(_ISO_UTC.pattern, "2026-03-02T14:05:09Z")
_IDS = _pattern(r"[a-z0-9]+-\d{4}(;[a-z0-9]+-\d{4})*", "roles-4010;mleng-0849")


@dataclass(frozen=True)
class Column:
    name: str
    check: Check
    required: bool = True  # may the cell be empty?
    answer: bool = False   # empty for graded rows (the key is on the instructor side)
    unique: bool = False


@dataclass(frozen=True)
class Schema:
    file: str
    columns: tuple[Column, ...]
    id_column: str

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


def _fail(schema: Schema, frame: pd.DataFrame, index, column: str, problem: str) -> DatasetError:
    line = int(index) + 2  # the header is line 1
    row_id = frame.at[index, schema.id_column] if schema.id_column in frame else ""
    where = f"datasets/{schema.file}, line {line}" + (f" ({row_id})" if row_id else "")
    return DatasetError(f"{where}, column '{column}': {problem}")


def _read(schema: Schema, path: Path | str | None) -> pd.DataFrame:
    path = Path(path) if path is not None else dataset_path(schema.file)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8")
    except FileNotFoundError:
        raise DatasetError(f"datasets/{schema.file} is missing: restore it from the course repository.") from None
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatasetError(f"datasets/{schema.file} is not a readable CSV file ({reason}): "
                           "restore it from the course repository or fix the quoting.") from None
    missing = [c for c in schema.names if c not in frame.columns]
    extra = [c for c in frame.columns if c not in schema.names]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(missing)}")
        if extra:
            parts.append(f"unexpected column(s) {', '.join(map(str, extra))}")
        raise DatasetError(f"datasets/{schema.file}: {'; '.join(parts)}. "
                           f"The header must be: {','.join(schema.names)}")
    return frame[schema.names].apply(lambda col: col.str.strip())


def _validate(schema: Schema, frame: pd.DataFrame) -> None:
    graded = frame["pool"].eq("graded") if "pool" in frame else pd.Series(False, index=frame.index)
    for column in schema.columns:
        col = frame[column.name]
        empty = col.eq("")
        if column.answer:
            leaked = graded & ~empty
            if leaked.any():
                raise _fail(schema, frame, leaked.idxmax(), column.name,
                            "a graded row must leave this empty: its answer belongs in solutions/graded_keys.csv")
            must_fill = ~graded if column.required else pd.Series(False, index=frame.index)
        else:
            must_fill = pd.Series(column.required, index=frame.index)
        missing = must_fill & empty
        if missing.any():
            raise _fail(schema, frame, missing.idxmax(), column.name, "this cell is empty; fill it in")
        bad, fix = column.check(col[~empty])
        if bad.any():
            index = bad[bad].index[0]
            raise _fail(schema, frame, index, column.name, f"{col[index]!r} is not valid; {fix}")
        if column.unique:
            dup = col.duplicated()
            if dup.any():
                index = dup.idxmax()
                raise _fail(schema, frame, index, column.name,
                            f"{col[index]!r} appears twice; every row needs its own id")


def _check_references(schema: Schema, frame: pd.DataFrame, column: str, known: set[str], what: str) -> None:
    for index, cell in frame[column].items():
        for ref in filter(None, cell.split(";")):
            if ref not in known:
                raise _fail(schema, frame, index, column,
                            f"{ref!r} is not a known {what}; use an id from datasets/{_FILES[what]}")


_FILES = {"source id": "sources.csv", "responsibility id": "responsibilities.csv"}


def _load(schema: Schema, path, source_ids: set[str] | None = None) -> pd.DataFrame:
    frame = _read(schema, path)
    _validate(schema, frame)
    if "source_ids" in frame:
        known = source_ids if source_ids is not None else set(load_sources()["source_id"])
        _check_references(schema, frame, "source_ids", known, "source id")
    return frame


def _to_int(frame: pd.DataFrame, *columns: str) -> None:
    for c in columns:
        frame[c] = frame[c].astype("int64")


def _to_lists(frame: pd.DataFrame, *columns: str) -> None:
    for c in columns:
        frame[c] = frame[c].map(lambda cell: [x for x in cell.split(";") if x])


def _blank_to_missing(frame: pd.DataFrame, *columns: str) -> None:
    for c in columns:
        frame[c] = frame[c].where(frame[c].ne(""), None)


# --- the files ---------------------------------------------------------------

SOURCES = Schema("sources.csv", (
    Column("source_id", _pattern(r"[a-z0-9]+-\d{4}", "roles-4010"), unique=True),
    Column("episode_slug", _one_of(EPISODES)),
    Column("episode_title", _text(1)),
    Column("season", _integer(1)),
    Column("episode", _integer(1)),
    Column("guest", _text(2)),
    Column("guest_role", _text(2)),
    Column("cited_at", _CLOCK, required=False),
    Column("said_at", _CLOCK, required=False),
    Column("speaker", _text(2)),
    Column("summary", _text(5)),
    Column("status", _one_of(SOURCE_STATUSES)),
    Column("note", _text(3)),
), "source_id")


@lru_cache(maxsize=None)
def _sources_cached() -> pd.DataFrame:
    return _load_sources(None)


def _load_sources(path) -> pd.DataFrame:
    frame = _read(SOURCES, path)
    _validate(SOURCES, frame)
    for index, row in frame.iterrows():
        if row["status"] == "not_found" and row["said_at"]:
            raise _fail(SOURCES, frame, index, "said_at", "a passage that was not found has no said_at; leave it empty")
        if row["status"] != "not_found" and not row["said_at"]:
            raise _fail(SOURCES, frame, index, "said_at", "give the time where the passage is said, like 25:27")
        if row["status"] == "verified" and row["cited_at"] and row["cited_at"] != row["said_at"]:
            raise _fail(SOURCES, frame, index, "status",
                        "cited_at and said_at differ, so the status is 'corrected', not 'verified'")
        if not row["cited_at"] and row["status"] != "verified":
            raise _fail(SOURCES, frame, index, "status", "a passage the course added itself must be 'verified'")
    _to_int(frame, "season", "episode")
    return frame


def load_sources(path: Path | str | None = None) -> pd.DataFrame:
    """The citation registry: one row per cited passage of the eight podcast episodes."""
    if path is None:
        return _sources_cached().copy()
    return _load_sources(path)


RESPONSIBILITIES = Schema("responsibilities.csv", (
    Column("responsibility_id", _pattern(r"R\d{2,3}", "R07"), unique=True),
    Column("responsibility", _text(4)),
    Column("owner", _one_of(OWNERS), answer=True),
    Column("rationale", _text(5), answer=True),
    Column("source_ids", _IDS, answer=True),
    Column("borderline", _one_of(YES_NO)),
    Column("pool", _one_of(POOLS)),
    Column("lesson", _one_of(LESSON_IDS), answer=True),
), "responsibility_id")


def load_responsibilities(path: Path | str | None = None, *, source_ids: set[str] | None = None) -> pd.DataFrame:
    """Responsibilities to classify as data scientist, ML engineer or shared work."""
    frame = _load(RESPONSIBILITIES, path, source_ids)
    bad = frame["pool"].eq("graded") & frame["borderline"].eq("yes")
    if bad.any():
        raise _fail(RESPONSIBILITIES, frame, bad.idxmax(), "borderline",
                    "a borderline item cannot be graded; move it to the practice pool")
    frame["borderline"] = frame["borderline"].eq("yes")
    _to_lists(frame, "source_ids")
    _blank_to_missing(frame, "owner", "rationale", "lesson")
    return frame


SERVING_SCENARIOS = Schema("serving_scenarios.csv", (
    Column("scenario_id", _pattern(r"S\d{2,3}", "S07"), unique=True),
    Column("product", _text(5)),
    Column("latency_budget_ms", _integer(1)),
    Column("freshness", _one_of(FRESHNESS)),
    Column("requests_per_day", _integer(1)),
    Column("inputs_at_request_time", _one_of(YES_NO)),
    Column("late_cost", _one_of(LEVELS)),
    Column("expected_mode", _one_of(SERVING_MODES), answer=True),
    Column("rationale", _text(5), answer=True),
    Column("source_ids", _IDS, answer=True),
    Column("pool", _one_of(POOLS)),
), "scenario_id")


def load_serving_scenarios(path: Path | str | None = None, *, source_ids: set[str] | None = None) -> pd.DataFrame:
    """Product scenarios for the batch-versus-online decision."""
    frame = _load(SERVING_SCENARIOS, path, source_ids)
    _to_int(frame, "latency_budget_ms", "requests_per_day")
    frame["inputs_at_request_time"] = frame["inputs_at_request_time"].eq("yes")
    _to_lists(frame, "source_ids")
    _blank_to_missing(frame, "expected_mode", "rationale")
    return frame


JOB_ADS = Schema("job_ads.csv", (
    Column("ad_id", _pattern(r"A\d{2,3}", "A07"), unique=True),
    Column("title", _text(1)),
    Column("company", _text(1)),
    Column("company_stage", _one_of(STAGES)),
    Column("team", _text(1), required=False),
    Column("summary", _text(5)),
    Column("responsibility_ids", _pattern(r"R\d{2,3}(;R\d{2,3})*", "R01;R14;R30")),
    Column("requirements", _text(1)),
    Column("data_infrastructure", _text(1), required=False),
    Column("support", _text(1), required=False),
    Column("real_role", _one_of(REAL_ROLES), answer=True),
    Column("red_flags", _list_of(RED_FLAGS + ("none",), allow_empty=False), answer=True),
    Column("rationale", _text(5), answer=True),
    Column("source_ids", _IDS, answer=True),
    Column("pool", _one_of(POOLS)),
), "ad_id")


def load_job_ads(path: Path | str | None = None, *, source_ids: set[str] | None = None,
                 responsibility_ids: set[str] | None = None) -> pd.DataFrame:
    """Fictional job ads: the title, the work behind it and (for practice ads) its red flags."""
    frame = _load(JOB_ADS, path, source_ids)
    known = responsibility_ids if responsibility_ids is not None else set(
        load_responsibilities()["responsibility_id"])
    _check_references(JOB_ADS, frame, "responsibility_ids", known, "responsibility id")
    mixed = frame["red_flags"].str.contains("none") & frame["red_flags"].ne("none")
    if mixed.any():
        raise _fail(JOB_ADS, frame, mixed.idxmax(), "red_flags", "'none' cannot stand beside other flags")
    _to_lists(frame, "responsibility_ids", "source_ids")
    graded = frame["pool"].eq("graded")
    frame["red_flags"] = [None if g else ([] if cell == "none" else cell.split(";"))
                          for g, cell in zip(graded, frame["red_flags"])]
    _blank_to_missing(frame, "real_role", "rationale")
    return frame


TEAM_SCENARIOS = Schema("team_scenarios.csv", (
    Column("team_id", _pattern(r"T\d{2,3}", "T07"), unique=True),
    Column("situation", _text(5)),
    Column("team_size", _integer(0)),
    Column("stage", _one_of(STAGES)),
    Column("models_in_production", _integer(0)),
    Column("serving_mode", _one_of(TEAM_SERVING)),
    Column("risk", _one_of(LEVELS)),
    Column("symptoms", _list_of(SYMPTOMS_DS + SYMPTOMS_ENG), required=False),
    Column("next_need", _one_of(NEXT_NEEDS), answer=True),
    Column("rationale", _text(5), answer=True),
    Column("source_ids", _IDS, answer=True),
    Column("pool", _one_of(POOLS)),
), "team_id")


def load_team_scenarios(path: Path | str | None = None, *, source_ids: set[str] | None = None) -> pd.DataFrame:
    """Team situations: who does the team need next?"""
    frame = _load(TEAM_SCENARIOS, path, source_ids)
    _to_int(frame, "team_size", "models_in_production")
    _to_lists(frame, "symptoms", "source_ids")
    _blank_to_missing(frame, "next_need", "rationale")
    return frame


PRACTICE_PER_OWNER = 4     # exercise 1's practice round: this many items of each owner


def practice_round(items: pd.DataFrame, per_owner: int = PRACTICE_PER_OWNER) -> pd.DataFrame:
    """Exercise 1's practice round out of the responsibilities: the first ``per_owner`` non-borderline practice
    items of each owner, in id order (lesson 1 counts what it leaves for the lesson)."""
    pool = items[(items["pool"] == "practice") & ~items["borderline"]]
    return pool.groupby("owner", group_keys=False).head(per_owner).sort_values("responsibility_id")


PREDICTION_LOG = Schema("prediction_log.csv", (
    Column("request_id", _pattern(r"req-\d{6}", "req-000001"), unique=True),
    Column("use_case", _one_of(("churn_weekly", "fraud_checkout"))),
    Column("model_version", _pattern(r"[a-z]+-v\d+", "fraud-v8")),
    Column("serving_mode", _one_of(SERVING_MODES)),
    Column("requested_at", _ISO),
    Column("scored_at", _ISO),
    Column("entity_id", _text(1)),
    Column("score", _number(0, 1)),
    Column("prediction", _one_of(("0", "1"))),
    Column("latency_ms", _number(0, 3_600_000)),
    Column("label", _one_of(("0", "1")), required=False),
    Column("label_at", _ISO, required=False),
), "request_id")


def load_prediction_log(path: Path | str | None = None) -> pd.DataFrame:
    """Predictions of two models in one schema: a weekly churn batch job and an online fraud check.

    Timestamps are parsed as UTC; ``label`` is a nullable integer (missing until the outcome arrives).
    """
    frame = _read(PREDICTION_LOG, path)
    _validate(PREDICTION_LOG, frame)
    label_mismatch = frame["label"].eq("") != frame["label_at"].eq("")
    if label_mismatch.any():
        raise _fail(PREDICTION_LOG, frame, label_mismatch.idxmax(), "label_at",
                    "label and label_at go together: fill both or leave both empty")
    for column in ("requested_at", "scored_at", "label_at"):
        frame[column] = pd.to_datetime(frame[column].where(frame[column].ne("")), utc=True, format="%Y-%m-%dT%H:%M:%SZ")
    early = frame["scored_at"] < frame["requested_at"]
    if early.any():
        raise _fail(PREDICTION_LOG, frame, early.idxmax(), "scored_at", "a prediction cannot be scored before it was requested")
    frame["score"] = frame["score"].astype("float64")
    frame["latency_ms"] = frame["latency_ms"].astype("float64")
    frame["prediction"] = frame["prediction"].astype("int64")
    frame["label"] = pd.to_numeric(frame["label"].where(frame["label"].ne(""))).astype("Int64")
    return frame


QUIZ = Schema("quizzes/<lesson>.csv", (
    Column("quiz_id", _pattern(r"L\d-Q\d", "L1-Q2")),
    Column("question", _text(4)),
    Column("option_id", _one_of(("a", "b", "c", "d"))),
    Column("option", _text(1)),
    Column("correct", _one_of(YES_NO)),
    Column("feedback", _text(4)),
    Column("source_ids", _IDS, required=False),
), "quiz_id")


def load_quiz(lesson: str, path: Path | str | None = None, *, source_ids: set[str] | None = None) -> pd.DataFrame:
    """The self-check at the end of a lesson: one row per option, with feedback for every option.

    Each question (``quiz_id``) has two to four options, exactly one of them correct, and
    repeats its question text on every row.
    """
    if lesson not in LESSON_IDS:
        raise DatasetError(f"{lesson!r} is not a lesson; use one of: {', '.join(LESSON_IDS)}")
    schema = Schema(f"quizzes/{lesson}.csv", QUIZ.columns, QUIZ.id_column)
    frame = _load(schema, path if path is not None else dataset_path(f"quizzes/{lesson}.csv"), source_ids)
    for quiz_id, rows in frame.groupby("quiz_id", sort=False):
        first = rows.index[0]
        if not 2 <= len(rows) <= 4:
            raise _fail(schema, frame, first, "option_id", f"{quiz_id} has {len(rows)} options; give it 2 to 4")
        if rows["correct"].eq("yes").sum() != 1:
            raise _fail(schema, frame, first, "correct", f"{quiz_id} needs exactly one option marked 'yes'")
        if rows["question"].nunique() != 1:
            raise _fail(schema, frame, first, "question", f"{quiz_id} must repeat the same question on every row")
        if rows["option_id"].duplicated().any():
            raise _fail(schema, frame, rows.index[rows["option_id"].duplicated()][0], "option_id",
                        f"{quiz_id} uses the same option id twice")
    frame["correct"] = frame["correct"].eq("yes")
    _to_lists(frame, "source_ids")
    return frame


HANDOFF_ARTIFACTS = Schema("handoff_artifacts.csv", (
    Column("artifact_id", _pattern(r"H\d{2,3}", "H07"), unique=True),
    Column("artifact", _text(1)),
    Column("description", _text(4)),
    Column("owner", _one_of(OWNERS), answer=True),
    Column("rationale", _text(5), answer=True),
    Column("source_ids", _IDS, answer=True),
    Column("pool", _one_of(POOLS)),
), "artifact_id")


def load_handoff_artifacts(path: Path | str | None = None, *, source_ids: set[str] | None = None) -> pd.DataFrame:
    """What changes hands when a model enters a product, and who owns each piece."""
    frame = _load(HANDOFF_ARTIFACTS, path, source_ids)
    _to_lists(frame, "source_ids")
    _blank_to_missing(frame, "owner", "rationale")
    return frame


# The datasets with graded items, by the name the keys file and the manifests use.
SCHEMAS = {
    "responsibilities": RESPONSIBILITIES,
    "serving_scenarios": SERVING_SCENARIOS,
    "job_ads": JOB_ADS,
    "team_scenarios": TEAM_SCENARIOS,
    "handoff_artifacts": HANDOFF_ARTIFACTS,
}
