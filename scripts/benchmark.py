#!/usr/bin/env python3
"""Measure the speed and memory of a full run against the built-in reference platform.

Runs the suite N times (default 1), reads each run's ``results.json`` (requests, bytes, server wait,
wall time, peak memory of the suite process) and compares them with the project's targets. Prints a table
and writes ``reports/benchmark.json``. Exit status 1 when a target is missed.

    .venv/bin/python scripts/benchmark.py [--runs 3] [--target local]
    .venv/bin/python scripts/benchmark.py floor [--help]     (the network floor: scripts/benchmark_floor.py)
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Targets of the project, for the reference platform on the 2-core CI machine.
TARGETS = {
    "wall_s": 60.0,  # every suite; every collection, the 12,000-feature one walked in full
    "peak_rss_mb": 300.0,  # the suite process, pages summarised as they arrive
}


def one_run(target: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="cicclo-bench-") as tmp:
        cmd = [sys.executable, "-m", "pytest", "suites", "--target", target, "--cicclo-out", tmp, "-q",
               "-p", "no:randomly"]
        subprocess.run(cmd, cwd=ROOT, check=False, stdout=subprocess.DEVNULL)
        doc = json.loads((Path(tmp) / "results.json").read_text(encoding="utf-8"))
    stats = doc["run"]["stats"]
    return {
        "wall_s": stats["wall_s"],
        "server_wait_s": stats["server_wait_s"],
        "requests": stats["requests"],
        "cache_hits": stats["cache_hits"],
        "mb_received": stats["bytes_received"] / 1e6,
        "peak_rss_mb": stats["peak_rss_mb"],
        "tests": len(doc["results"]),
    }


def main() -> int:
    if sys.argv[1:2] == ["floor"]:
        from benchmark_floor import main as floor_main  # scripts/ is sys.path[0]

        return floor_main(sys.argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--target", default="local")
    args = parser.parse_args()
    runs = [one_run(args.target) for _ in range(args.runs)]
    keys = list(runs[0])
    summary = {k: statistics.median(r[k] for r in runs) for k in keys}
    print(f"{'mesure':16s} {'médiane':>10s}  {'objectif':>10s}")
    missed = []
    for key in keys:
        goal = TARGETS.get(key)
        flag = ""
        if goal is not None and summary[key] > goal:
            missed.append(key)
            flag = "  DÉPASSÉ"
        goal_text = f"≤ {goal:g}" if goal is not None else ""
        print(f"{key:16s} {summary[key]:10.2f}  {goal_text:>10s}{flag}")
    out = ROOT / "reports" / "benchmark.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"target": args.target, "runs": runs, "median": summary, "goals": TARGETS,
                               "missed": missed}, indent=1), encoding="utf-8")
    print(f"écrit : {out}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
