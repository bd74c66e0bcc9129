#!/usr/bin/env python3
"""Deterministic generator for the course file prediction_log.csv.

One unified prediction log for two made-up use cases at a fictional retailer:

* churn_weekly   - model churn-v3, scored in a weekly batch job (Mondays 02:00 UTC)
* fraud_checkout - fraud-v7, replaced by fraud-v8 on 2026-04-15, scored online
                   while the customer waits at checkout

The file is an extract taken at SNAPSHOT (2026-06-01T00:00:00Z): any label that
would arrive after that moment is not in the file yet (label and label_at empty).

Usage:
    python make_prediction_log.py            # writes prediction_log.csv next to this file
    python make_prediction_log.py OUT.csv    # writes OUT.csv

Only the standard library is used. All randomness comes from one
random.Random(SEED), and only random(), randint(), shuffle(), choices() and
triangular() are called; every score and latency is built from + - * / and
sqrt, which IEEE 754 rounds identically everywhere (no exp/log/sin from the
platform's maths library). Floats are written with fixed decimals and lines end
in "\\n", so the output is byte-identical on every platform (Python 3.10+).
"""
import csv
import random
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

SEED = 20260302

COLUMNS = [
    "request_id",
    "use_case",
    "model_version",
    "serving_mode",
    "requested_at",
    "scored_at",
    "entity_id",
    "score",
    "prediction",
    "latency_ms",
    "label",
    "label_at",
]

UTC = timezone.utc
WINDOW_START = datetime(2026, 3, 2, tzinfo=UTC)   # a Monday
SNAPSHOT = datetime(2026, 6, 1, tzinfo=UTC)       # extract time, end of window (exclusive)
FRAUD_SWITCH = datetime(2026, 4, 15, 9, 30, tzinfo=UTC)  # fraud-v7 -> fraud-v8

THRESHOLDS = {"churn_weekly": 0.5, "fraud_checkout": 0.7}

# churn settings
CHURN_RUNS = 13                 # Mondays 2026-03-02 .. 2026-05-25
CHURN_TARGET_ACTIVE = 250       # customers scored per run (approximately)
CHURN_LABEL_DELAY = timedelta(days=30, hours=4)   # label job 30 days later at 06:00 UTC
CHURN_LABEL_LOST = 0.02         # outcome never recorded (account merged / deleted)

# fraud settings
FRAUD_PER_DAY = 100
FRAUD_LABEL_LOST = 0.08         # order never reviewed, no outcome ever arrives
FRAUD_DELAY_DAYS = (3.0, 60.0, 10.0)  # triangular(low, high, mode) for label arrival

# relative traffic per UTC hour at checkout (quiet at night, busy in the evening)
HOUR_WEIGHTS = [3, 2, 1, 1, 1, 1, 2, 3, 5, 6, 7, 7, 8, 8, 8, 8, 9, 9, 10, 10, 9, 7, 5, 4]


# ---------------------------------------------------------------- helpers
def _normal(rng):
    """Approximately standard normal (Irwin-Hall, 12 uniforms); arithmetic only."""
    return sum(rng.random() for _ in range(12)) - 6.0


def _squash(z):
    """Map a real-valued model output to (0, 1) without exp(): 0 -> 0.5."""
    return 0.5 * (1.0 + z / (1.0 + abs(z)))


def _iso(ts):
    """ISO 8601 UTC with whole seconds (fraction dropped), e.g. 2026-03-02T14:05:09Z."""
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def _score(z):
    s = round(_squash(z), 4)
    return min(1.0, max(0.0, s))


# ---------------------------------------------------------------- churn
def _churn_date(rng, risk, start):
    """First day on which the customer leaves, walking forward one day at a time."""
    base = risk + 1.2
    hazard = 0.0010 + 0.0024 * (base * base if base > 0 else 0.0)
    day = start
    horizon = SNAPSHOT + timedelta(days=90)
    while day < horizon:
        if rng.random() < hazard:
            return day + timedelta(seconds=rng.randint(0, 86399))
        day += timedelta(days=1)
    return None


def _churn_rows(rng):
    customers = []  # dicts: id, risk, join, churn

    def new_customer(join, watch_from):
        risk = _normal(rng)
        cust = {
            "id": "cust-%05d" % (len(customers) + 1),
            "risk": risk,
            "join": join,
            "churn": _churn_date(rng, risk, watch_from),
        }
        customers.append(cust)
        return cust

    for _ in range(CHURN_TARGET_ACTIVE + 5):   # existing customers at the start
        new_customer(WINDOW_START - timedelta(days=rng.randint(30, 900)), WINDOW_START)

    rows = []
    for k in range(CHURN_RUNS):
        run_start = WINDOW_START + timedelta(weeks=k, hours=2)
        target = CHURN_TARGET_ACTIVE + rng.randint(-6, 6)

        def is_active(c):
            return c["join"] <= run_start and (c["churn"] is None or c["churn"] > run_start)

        active = [c for c in customers if is_active(c)]
        while k > 0 and len(active) < target:  # sign-ups during the last week
            join = run_start - timedelta(seconds=rng.randint(3600, 7 * 86400))
            c = new_customer(join, join)
            if is_active(c):
                active.append(c)
        rng.shuffle(active)

        label_at = run_start + CHURN_LABEL_DELAY
        elapsed_ms = 30000 + rng.randint(0, 60000)  # job start-up: load features
        for c in active:
            elapsed_ms += 400 + rng.randint(0, 1200)  # score and write one customer
            until = None if c["churn"] is None else c["churn"] - run_start
            label = 1 if until is not None and until <= timedelta(days=30) else 0
            near = 1 if until is not None and until <= timedelta(days=60) else 0
            z = -1.05 + 0.55 * c["risk"] + 0.80 * label + 0.35 * near + 0.55 * _normal(rng)
            score = _score(z)
            lost = rng.random() < CHURN_LABEL_LOST
            known = (not lost) and label_at <= SNAPSHOT
            rows.append({
                "use_case": "churn_weekly",
                "model_version": "churn-v3",
                "serving_mode": "batch",
                "_req": run_start,
                "_scored": run_start + timedelta(milliseconds=elapsed_ms),
                "entity_id": c["id"],
                "score": score,
                "prediction": 1 if score >= THRESHOLDS["churn_weekly"] else 0,
                "latency_ms": float(elapsed_ms),
                "label": label if known else None,
                "label_at": _iso(label_at) if known else None,
            })
    return rows


# ---------------------------------------------------------------- fraud
def _online_latency(rng, version, requested):
    """Milliseconds from request received to response sent, with a long tail."""
    if FRAUD_SWITCH <= requested < FRAUD_SWITCH + timedelta(minutes=90) and rng.random() < 0.6:
        return 1100.0 + 2900.0 * rng.random()          # cold start right after the deploy
    u = rng.random()
    if u < 0.0015:
        return 1000.0 + 2000.0 * rng.random()          # rare stall (timeout and retry)
    if u < 0.09:
        a = rng.random()
        return 120.0 + 480.0 * a * a                   # slow path: feature-store cache miss
    median = 44.0 if version == "fraud-v7" else 52.0
    b = rng.random()
    value = median * (1.0 + 0.18 * _normal(rng)) + 25.0 * b * b * b - 3.0
    return max(12.0, value)


def _fraud_rows(rng):
    rows = []
    order_no = 4100000
    hours = list(range(24))
    day = WINDOW_START
    while day < SNAPSHOT:
        weekend = day.weekday() >= 4  # Friday to Sunday busier
        n = int(FRAUD_PER_DAY * (1.15 if weekend else 1.0)) + rng.randint(-12, 12)
        stamps = []
        for _ in range(n):
            h = rng.choices(hours, weights=HOUR_WEIGHTS)[0]
            stamps.append(day + timedelta(hours=h, milliseconds=rng.randint(0, 3599999)))
        stamps.sort()
        for req in stamps:
            order_no += 1
            version = "fraud-v7" if req < FRAUD_SWITCH else "fraud-v8"
            night = req.hour < 6
            is_fraud = 1 if rng.random() < (0.075 if night else 0.042) else 0
            noise = 0.95 * _normal(rng)
            if version == "fraud-v7":
                z = -1.45 + 2.40 * is_fraud + noise
            else:   # v8: better ranking but scores shifted upward (miscalibrated)
                z = -0.60 + 2.70 * is_fraud + noise
            score = _score(z)
            latency = round(_online_latency(rng, version, req), 1)
            delay = rng.triangular(*FRAUD_DELAY_DAYS)
            label_at = req + timedelta(seconds=int(delay * 86400))
            lost = rng.random() < FRAUD_LABEL_LOST
            known = (not lost) and label_at <= SNAPSHOT
            rows.append({
                "use_case": "fraud_checkout",
                "model_version": version,
                "serving_mode": "online",
                "_req": req,
                "_scored": req + timedelta(milliseconds=int(latency * 10 + 5) // 10),
                "entity_id": "ord-%07d" % order_no,
                "score": score,
                "prediction": 1 if score >= THRESHOLDS["fraud_checkout"] else 0,
                "latency_ms": latency,
                "label": is_fraud if known else None,
                "label_at": _iso(label_at) if known else None,
            })
        day += timedelta(days=1)
    return rows


# ---------------------------------------------------------------- public API
def generate_rows():
    """Return the log as a list of dicts keyed by COLUMNS, ordered by requested_at.

    score and latency_ms are floats, prediction is an int, label is 0/1 or None,
    label_at is an ISO string or None, the other fields are strings.
    """
    rng = random.Random(SEED)
    rows = _churn_rows(rng) + _fraud_rows(rng)
    rows.sort(key=lambda r: (r["_req"], r["_scored"], r["use_case"], r["entity_id"]))
    out = []
    for i, r in enumerate(rows, start=1):
        out.append({
            "request_id": "req-%06d" % i,
            "use_case": r["use_case"],
            "model_version": r["model_version"],
            "serving_mode": r["serving_mode"],
            "requested_at": _iso(r["_req"]),
            "scored_at": _iso(r["_scored"]),
            "entity_id": r["entity_id"],
            "score": r["score"],
            "prediction": r["prediction"],
            "latency_ms": r["latency_ms"],
            "label": r["label"],
            "label_at": r["label_at"],
        })
    return out


def _cell(col, value):
    if value is None:
        return ""
    if col == "score":
        return "%.4f" % value
    if col == "latency_ms":
        return "%.1f" % value
    return str(value)


def write_csv(path):
    """Write the log to path (UTF-8, header row, "\\n" line endings). Returns row count."""
    rows = generate_rows()
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(COLUMNS)
        for r in rows:
            writer.writerow([_cell(c, r[c]) for c in COLUMNS])
    return len(rows)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "prediction_log.csv"
    n = write_csv(target)
    print("wrote %d rows to %s" % (n, target))
