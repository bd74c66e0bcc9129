"""Load on one machine: N learners on the cohort hub at once (``make bench-hub``; group "hub" of ``make bench``).

A real hub (``python -m mlroles.launch.hub``, demo mode, on a free loopback port) with one instructor and N learners.
Through the hub's REST API each learner gets a token of their own and starts their server with it, all at once; then every
learner runs lesson 1 (every code cell, in order, in one kernel of a session on the lesson's path) over
the kernel's websocket, all at once; then the servers are stopped. Recorded:

- spawn seconds per learner (from the start request to the server answering as ready);
- lesson seconds per learner (every cell of lesson 1);
- memory per active learner: the proportional set size (PSS) of every process of that learner's server
  and kernel, read from /proc after the lesson ran;
- CPU seconds per learner for the lesson;
- failures: servers that did not start, lessons that raised.

From these, learners per GB and per core (see ``sizing``). Bounded: at most 20 learners by default, a time-out
on each step, and every server stopped at the end, whatever happened.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import urllib.error
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
# It drives the hub with the test suite's helpers (tests/hub_support.py): run it with tests/ on PYTHONPATH,
# as `make bench-hub` and benchmarks/hub.py do.

LESSON = "course/01_two_roles_two_risks.ipynb"


def lesson_cells(path: Path = REPO / LESSON) -> list[str]:
    import nbformat

    nb = nbformat.read(path, as_version=4)
    return [cell.source for cell in nb.cells if cell.cell_type == "code" and cell.source.strip()]


def learner_processes(user: str) -> list[int]:
    """PIDs whose environment says they serve ``user`` (the server and its kernels inherit JUPYTERHUB_USER)."""
    marker = f"JUPYTERHUB_USER={user}".encode()
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                environ = Path(f"/proc/{entry}/environ").read_bytes()
            except OSError:
                continue
            if marker in environ.split(b"\0"):
                pids.append(int(entry))
    return pids


def pss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])   # utime, stime
        except (OSError, IndexError, ValueError):
            pass
    return total / ticks


def run_lesson(hub, user: str, token: str, cells: list[str], timeout: float = 300) -> dict:
    """Every cell of lesson 1 in one kernel of a session on the lesson's path (cwd: course/), as ``user``."""
    session = hub.api("POST", f"/user/{user}/api/sessions",
                      {"path": LESSON, "type": "notebook", "name": Path(LESSON).name, "kernel": {"name": "python3"}},
                      token=token)
    kernel = session["kernel"]["id"]
    # one websocket for the whole lesson, as a notebook in the browser has; the kernel stays until its memory is
    # read, and stopping the server ends it
    result = hub.execute(user, kernel, cells, timeout, token=token)
    return {"seconds": result["seconds"], "errors": [result["error"]] if result["error"] else [], "kernel": kernel}


def measure(learners: int = 20, out=print) -> dict:
    from hub_support import Hub
    from mlroles.launch import hub as mlhub

    base = Path(tempfile.mkdtemp(prefix="mlroles-hub-load-"))
    os.chmod(base, 0o755)
    users = [f"load{i:02d}" for i in range(1, learners + 1)]
    roster = base / "roster.csv"
    roster.write_text("username,role,name\nteacher,instructor,Teacher\n"
                      + "".join(f"{u},learner,Learner {u}\n" for u in users), encoding="utf-8")
    hub = Hub(base / "state", roster, mlhub.free_port())
    cells = lesson_cells()
    result = {"learners": learners, "cores": os.cpu_count(), "lesson": LESSON, "cells": len(cells),
              "memory_total_MB": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20)}
    try:
        hub.start()
        # each learner logs in through the REST API: a token of their own, with which they start their server
        # and run their kernel (the cohort-admin service only issues the tokens and reads the hub's state)
        tokens = {user: hub.user_token(user, "hub load") for user in users}

        def spawn(user):
            try:
                return user, hub.start_server(user, timeout=300, token=tokens[user]), None
            except Exception as exc:   # noqa: BLE001 -- a failure is a figure, not a crash
                return user, None, f"{type(exc).__name__}: {exc}"

        started = time.perf_counter()
        with ThreadPoolExecutor(learners) as pool:
            spawned = list(pool.map(spawn, users))
        result["spawn_wall_s"] = round(time.perf_counter() - started, 2)
        ready = [u for u, s, e in spawned if e is None]
        result["spawn_s"] = [round(s, 2) for _, s, e in spawned if e is None]
        result["spawn_failures"] = {u: e for u, _, e in spawned if e is not None}
        out(f"  {len(ready)} of {learners} servers ready in {result['spawn_wall_s']} s "
            f"(median {statistics.median(result['spawn_s']) if ready else '-'} s each)")

        idle = {u: pss_mb(learner_processes(u)) for u in ready}
        cpu_before = {u: cpu_seconds(learner_processes(u)) for u in ready}

        def lesson(user):
            try:
                return user, run_lesson(hub, user, tokens[user], cells), None
            except Exception as exc:   # noqa: BLE001
                return user, None, f"{type(exc).__name__}: {exc}"

        started = time.perf_counter()
        with ThreadPoolExecutor(max(1, len(ready))) as pool:
            ran = list(pool.map(lesson, ready))
        result["lesson_wall_s"] = round(time.perf_counter() - started, 2)
        result["lesson_s"] = [round(r["seconds"], 2) for _, r, e in ran if e is None and not r["errors"]]
        result["lesson_failures"] = {u: e or "; ".join(r["errors"]) for u, r, e in ran if e or r["errors"]}
        active = {u: pss_mb(learner_processes(u)) for u in ready}
        result["idle_server_MB"] = [round(v, 1) for v in idle.values()]
        result["active_learner_MB"] = [round(v, 1) for v in active.values()]
        result["lesson_cpu_s"] = [round(cpu_seconds(learner_processes(u)) - cpu_before[u], 2) for u in ready]
        out(f"  lesson 1 in {len(result['lesson_s'])} kernels at once: {result['lesson_wall_s']} s wall; "
            f"{statistics.median(result['active_learner_MB']) if ready else 0:.0f} MB per active learner (median PSS)")
    finally:
        for user in users:
            try:
                hub.stop_server(user)
            except (OSError, urllib.error.URLError):
                pass
        hub.stop()
        import shutil

        shutil.rmtree(base, ignore_errors=True)
    result["failures"] = len(result.get("spawn_failures", {})) + len(result.get("lesson_failures", {}))
    result["sizing"] = sizing(result)
    return result


def sizing(r: dict) -> dict:
    """Learners per GB of memory and per core, from this run.

    - per GB: 1024 MB over the largest memory one active learner used (server + kernel), with a quarter kept free
      for the hub, the proxy, the file cache and a grading run;
    - per core: how many learners one core carries when all of them run lesson 1 at once and each must be done
      within a minute (learners x 60 s / the wall time of the run / cores), rounded down.
    """
    if not r.get("active_learner_MB") or not r.get("lesson_wall_s"):
        return {}
    per_learner = max(r["active_learner_MB"])
    per_gb = int(1024 * 0.75 // per_learner)
    per_core = int(r["learners"] * 60 / max(r["lesson_wall_s"], 1e-9) / r["cores"])
    return {"MB_per_active_learner_max": round(per_learner), "learners_per_GB": per_gb,
            "learners_per_core_lesson_within_a_minute": per_core,
            "for_200": {"GB": round(200 / max(per_gb, 1)), "cores": round(200 / max(per_core, 1))},
            "for_2000": {"GB": round(2000 / max(per_gb, 1)), "cores": round(2000 / max(per_core, 1))}}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/hub_load.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=20, help="learners at once (default 20; at most 40)")
    parser.add_argument("--out", type=Path, default=HERE / "hub_load.json", help="where the figures go (JSON)")
    args = parser.parse_args(argv)
    if not 1 <= args.learners <= 40:
        parser.error("--learners must be between 1 and 40")
    print(f"Hub load: {args.learners} learners on {os.cpu_count()} cores")
    result = measure(args.learners)
    args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    med = statistics.median
    print(f"spawn: median {med(result['spawn_s']):.1f} s, max {max(result['spawn_s']):.1f} s; "
          f"lesson 1: median {med(result['lesson_s']):.1f} s, max {max(result['lesson_s']):.1f} s; "
          f"memory per active learner: median {med(result['active_learner_MB']):.0f} MB, "
          f"max {max(result['active_learner_MB']):.0f} MB; failures {result['failures']} of {args.learners}")
    print(f"sizing: {json.dumps(result['sizing'])}\nwrote {args.out}")
    return 0 if result["failures"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
