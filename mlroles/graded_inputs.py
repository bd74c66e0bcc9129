"""The inputs a graded function is called with, built the same way in the grading kernel and in the scorer.

A manifest part of kind ``unified_log``, ``metric_table`` or ``share_table`` names one of these
builders (``inputs = "metrics"``). In the kernel, the recorder calls the learner's function on
each named input and records what it returns; outside the kernel, the scorer builds the same
inputs and runs the worked solution on them. No key is needed to build them: they come from
the course's public datasets (the owners in ``mix`` are made up on purpose, so a function that
hard-codes the practice owners earns nothing).
"""
from __future__ import annotations

from mlroles import data

THRESHOLDS = {"churn_weekly": 0.5, "fraud_checkout": 0.7}
# Made-up owners for the held-out ads of ``mix``: a fixed cycle over the responsibility ids,
# with "unknown" (None) among them, unrelated to the course's keys.
_OWNER_CYCLE = ("ml_engineer", "shared", None, "data_scientist", "shared", "ml_engineer", "data_scientist")


UNIFY_CALL = "every third row of the log"


def unify() -> dict[str, tuple]:
    from mlroles import prediction_log

    part = data.load_prediction_log().iloc[1::3]
    return {UNIFY_CALL: (prediction_log.batch_output(part), prediction_log.online_requests(part))}


def unify_reference():
    """The rows ``unify`` was cut from: what a correct unified log holds."""
    return data.load_prediction_log().iloc[1::3]


def metrics() -> dict[str, tuple]:
    full = data.load_prediction_log()
    return {"the full log": (full, dict(THRESHOLDS)), "every second row of the log": (full.iloc[::2], dict(THRESHOLDS))}


def versions() -> dict[str, tuple]:
    full = data.load_prediction_log()
    return {"the full log": (full, "fraud_checkout", 0.7),
            "every second row of the log, at threshold 0.6": (full.iloc[::2], "fraud_checkout", 0.6)}


def mix() -> dict[str, tuple]:
    import pandas as pd

    ads = data.load_job_ads()
    graded = ads[ads["pool"] == "graded"]
    ids = sorted(data.load_responsibilities()["responsibility_id"])
    owners = {rid: _OWNER_CYCLE[n % len(_OWNER_CYCLE)] for n, rid in enumerate(ids)}
    ads_in = pd.DataFrame({"ad_id": graded["ad_id"].tolist(), "title": ["?"] * len(graded),
                           "responsibility_ids": [list(r) for r in graded["responsibility_ids"]]})
    resp_in = pd.DataFrame({"responsibility_id": list(owners), "owner": list(owners.values())})
    return {"the held-out ads": (ads_in, resp_in)}


BUILDERS = {"unify": unify, "metrics": metrics, "versions": versions, "mix": mix}


def build(name: str) -> dict[str, tuple]:
    """Named argument tuples for the builder ``name`` (fresh copies each call)."""
    if name not in BUILDERS:
        raise KeyError(f"no graded inputs named {name!r}; known: {', '.join(BUILDERS)}")
    return BUILDERS[name]()
