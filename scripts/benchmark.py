#!/usr/bin/env python3
"""Measure the speed and memory of a full run against the built-in reference platform.

Runs the suite N times (default 1), reads each run's ``results.json`` (requests, bytes, server wait,
wall time, peak memory of the suite process) and compares them with the project's targets. Prints a table
and writes ``reports/benchmark.json``. Exit status 1 when a target is missed.

    .venv/bin/python scripts/benchmark.py [--runs 3] [--target local]
    .venv/bin/python scripts/benchmark.py floor [--help]     (the network floor: scripts/benchmark_floor.py)
    .venv/bin/python scripts/benchmark.py --validate-records 10000   # cicclo validate on N record files
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


# -- cicclo validate on many record files ---------------------------------------------------------------------

VALIDATE_TARGETS = {"records_per_s": 50.0, "peak_rss_mb": 300.0}  # 2-core machine, the whole process tree
VALIDATE_SOURCES = [*sorted((ROOT / "tests" / "fixtures" / "records-corpus").rglob("*.xml")),
                    *sorted((ROOT / "src" / "cicclo" / "reference" / "records").glob("conforme-*.xml"))]


def _tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants (Linux /proc), in MB."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        child = int(stat.parent.name)
        children.setdefault(int(fields[1]), []).append(child)
        rss[child] = int(fields[21]) * 4096
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += rss.get(current, 0)
        todo += children.get(current, [])
    return total / 1e6


def validate_benchmark(count: int) -> int:
    """Write ``count`` record files (the real-record corpus and the reference records, with distinct
    fileIdentifiers), run ``cicclo validate`` on their folder, and print records per second, the peak memory
    of the whole process tree (sampled every 0.1 s) and the machine's load (it may be shared)."""
    import os
    import time

    with tempfile.TemporaryDirectory(prefix="cicclo-bench-validate-") as tmp:
        folder = Path(tmp) / "fiches"
        folder.mkdir()
        templates = [p.read_bytes() for p in VALIDATE_SOURCES]
        for i in range(count):
            (folder / f"fiche-{i:05d}.xml").write_bytes(templates[i % len(templates)])
        cmd = [sys.executable, "-m", "cicclo.cli", "validate", str(folder), "--out", str(Path(tmp) / "out")]
        load_before = os.getloadavg()[0]
        start = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL)
        peak = 0.0
        while proc.poll() is None:
            peak = max(peak, _tree_rss_mb(proc.pid))
            time.sleep(0.1)
        wall = time.monotonic() - start
        load_after = os.getloadavg()[0]
        doc = json.loads((Path(tmp) / "out" / "results.json").read_text(encoding="utf-8"))
    checked = {i["instance"] for r in doc["results"] if r["test_id"] == "MD-C-001" for i in r["instances"]}
    figures = {"records": float(len(checked)), "wall_s": wall, "records_per_s": len(checked) / wall,
               "peak_rss_mb": peak, "suite_process_peak_rss_mb": doc["run"]["stats"]["peak_rss_mb"],
               "load_1min_before": load_before, "load_1min_after": load_after}
    print(f"{'mesure':26s} {'valeur':>10s}  {'objectif':>10s}")
    missed = []
    for key, value in figures.items():
        goal = VALIDATE_TARGETS.get(key)
        bad = goal is not None and (value < goal if key == "records_per_s" else value > goal)
        if bad:
            missed.append(key)
        print(f"{key:26s} {value:10.1f}  {'' if goal is None else f'{goal:10.1f}'}{'  MANQUÉ' if bad else ''}")
    if len(checked) != count:
        print(f"{count - len(checked)} fiches sans instance MD-C-001", file=sys.stderr)
        missed.append("records")
    (ROOT / "reports").mkdir(exist_ok=True)
    (ROOT / "reports" / "benchmark-validate.json").write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return 1 if missed else 0


def main() -> int:
    if sys.argv[1:2] == ["floor"]:
        from benchmark_floor import main as floor_main  # scripts/ is sys.path[0]

        return floor_main(sys.argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--target", default="local")
    parser.add_argument("--validate-records", type=int, metavar="N",
                        help="mesurer cicclo validate sur N fichiers de fiches (au lieu d'une campagne)")
    args = parser.parse_args()
    if args.validate_records:
        return validate_benchmark(args.validate_records)
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
