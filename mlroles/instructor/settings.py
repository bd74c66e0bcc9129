"""What a cohort's instructor decides, read from one file: ``cohort.toml`` in the course root.

- ``[gradebook] url``: the gradebook's database (default: SQLite, ``gradebook.db`` in the course root; a
  PostgreSQL URL when several graders share it);
- ``[late]``: the late policy (none, a fixed deduction, a deduction per started hour or day, with a cap);
- ``[assignments.<id>]``: per assignment its due date, its weight in the final grade and how much the
  feedback shows (``score`` or ``items``).

``nbgrader_config.py`` reads it, so nbgrader's own commands, the formgrader and ``python -m mlroles.instructor.cli``
agree. A mistake in the file stops every command with one line that says where and what to write.
"""
from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

FILE = "cohort.toml"
POLICIES = ("none", "fixed", "per_hour", "per_day")
LEVELS = ("score", "items")


class SettingsError(ValueError):
    """A mistake in cohort.toml, said as what to fix."""


@dataclass(frozen=True)
class LatePolicy:
    policy: str = "none"
    points: float = 0.0      # fixed: points off; per_hour / per_day: points off per started hour / day
    cap: float = 0.0         # the largest deduction in points (0: none besides the score itself)

    def penalty(self, score: float, seconds_late: float) -> float:
        """Points taken off a submission ``seconds_late`` after its due date (never more than ``score``)."""
        if seconds_late <= 0 or self.policy == "none":
            return 0.0
        if self.policy == "fixed":
            points = self.points
        else:
            unit = 3600 if self.policy == "per_hour" else 86400
            points = self.points * math.ceil(seconds_late / unit)
        if self.cap:
            points = min(points, self.cap)
        return max(0.0, min(points, score))

    def describe(self) -> str:
        """The policy in the words a learner reads under the due date."""
        if self.policy == "none":
            return "Late work is graded without a deduction."
        unit = {"fixed": "", "per_hour": " for every started hour", "per_day": " for every started day"}[self.policy]
        cap = f", {self.cap:g} points at most" if self.cap and self.policy != "fixed" else ""
        return f"Late work loses {self.points:g} point{'s' if self.points != 1 else ''}{unit}{cap}."


@dataclass(frozen=True)
class Assignment:
    due: datetime | None = None      # aware, UTC
    weight: float | None = None      # percent of the final grade
    feedback: str = "score"

    def past_due(self, now: datetime | None = None) -> bool:
        return self.due is not None and (now or datetime.now(timezone.utc)) >= self.due

    def due_text(self) -> str:
        return self.due.strftime("%Y-%m-%d %H:%M UTC") if self.due else ""


@dataclass(frozen=True)
class Settings:
    path: Path
    db_url: str
    late: LatePolicy = LatePolicy()
    assignments: dict = field(default_factory=dict)

    def assignment(self, name: str) -> Assignment:
        return self.assignments.get(name, Assignment())

    def weights(self, names: list[str]) -> dict[str, float]:
        """Percent of the final grade per assignment in ``names``: as set, or equal shares when none is set."""
        given = {n: self.assignment(n).weight for n in names}
        if all(w is None for w in given.values()):
            return {n: 100.0 / len(names) for n in names} if names else {}
        missing = [n for n, w in given.items() if w is None]
        if missing:
            raise SettingsError(f"{self.path}: weight is set for some assignments but not for {', '.join(missing)}; "
                                "give every assignment a weight (they add up to 100), or none")
        total = sum(given.values())
        if abs(total - 100) > 1e-6:
            raise SettingsError(f"{self.path}: the weights add up to {total:g}, not 100; change them so they do")
        return given


def parse_due(text: str, where: str) -> datetime | None:
    """``2027-02-01 17:00 UTC``, ``2027-02-01T17:00:00+01:00`` or ``...Z`` as an aware UTC datetime; '' as None."""
    text = text.strip()
    if not text:
        return None
    candidate = text[:-4].strip() + "+00:00" if text.upper().endswith(" UTC") else text
    try:
        moment = datetime.fromisoformat(candidate)
    except ValueError:
        raise SettingsError(f"{where}: due = {text!r} is not a date; write it like \"2027-02-01 17:00 UTC\"") from None
    if moment.tzinfo is None:
        raise SettingsError(f"{where}: due = {text!r} has no time zone; add one, like \"{text} UTC\"")
    return moment.astimezone(timezone.utc)


def _number(table: dict, key: str, where: str, default: float) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise SettingsError(f"{where}: {key} = {value!r} must be a number of 0 or more")
    return float(value)


def load(course: Path) -> Settings:
    """The settings of the course root ``course`` (defaults when it has no cohort.toml)."""
    course = Path(course).resolve()
    path = course / FILE
    default_db = f"sqlite:///{course / 'gradebook.db'}"
    if not path.exists():
        return Settings(path, default_db)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path} is not valid TOML ({exc}); fix that line") from None
    unknown = set(data) - {"gradebook", "late", "assignments"}
    if unknown:
        raise SettingsError(f"{path}: unknown section(s) {', '.join(sorted(unknown))}; "
                            "the sections are [gradebook], [late] and [assignments.<id>]")
    url = str(data.get("gradebook", {}).get("url", "") or "").strip() or default_db
    late_table = data.get("late", {})
    policy = late_table.get("policy", "none")
    if policy not in POLICIES:
        raise SettingsError(f"{path} [late]: policy = {policy!r}; choose one of {', '.join(POLICIES)}")
    late = LatePolicy(policy, _number(late_table, "points", f"{path} [late]", 0.0),
                      _number(late_table, "cap", f"{path} [late]", 0.0))
    if policy != "none" and not late.points:
        raise SettingsError(f"{path} [late]: policy = {policy!r} needs points = (the deduction), more than 0")
    assignments = {}
    for name, table in data.get("assignments", {}).items():
        where = f"{path} [assignments.{name}]"
        if not isinstance(table, dict):
            raise SettingsError(f"{where} must be a table (due, weight, feedback)")
        extra = set(table) - {"due", "weight", "feedback"}
        if extra:
            raise SettingsError(f"{where}: unknown key(s) {', '.join(sorted(extra))}; the keys are due, weight, feedback")
        level = table.get("feedback", "score")
        if level not in LEVELS:
            raise SettingsError(f"{where}: feedback = {level!r}; choose \"score\" or \"items\"")
        weight = None if "weight" not in table else _number(table, "weight", where, 0.0)
        assignments[name] = Assignment(parse_due(str(table.get("due", "")), where), weight, level)
    return Settings(path, url, late, assignments)


def db_url(course: Path) -> str:
    """The gradebook of the course root ``course``: [gradebook] url, or SQLite in its gradebook.db."""
    return load(course).db_url


def shown_url(url: str) -> str:
    """A database URL fit to print: any password replaced by ***."""
    import re

    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


def apply(config, course: Path) -> Settings:
    """Point an nbgrader configuration at the gradebook and late policy of ``course``; the settings."""
    settings = load(course)
    config.CourseDirectory.db_url = settings.db_url
    config.AssignLatePenalties.plugin_class = "mlroles.instructor.plugins.CourseLatePenalty"
    config.CourseLatePenalty.policy = settings.late.policy
    config.CourseLatePenalty.points = settings.late.points
    config.CourseLatePenalty.cap = settings.late.cap
    return settings


def check_assignments(settings: Settings, known: list[str]) -> None:
    """Every assignment the file names exists in solutions/ (a typo would silently drop a due date)."""
    unknown = sorted(set(settings.assignments) - set(known))
    if unknown:
        raise SettingsError(f"{settings.path}: no assignment called {', '.join(unknown)} in solutions/; "
                            f"the assignments are {', '.join(known)}")
