"""``make bench``: what the course's checks cost, as ratios of things timed in one run.

    python -m tools.bench [--repeat N] [--parts-only] notebooks/NN_topic.ipynb ...

Machines of one kind differ several times in speed, so each target is a ratio
of two things timed side by side; seconds are for information. Three groups:

- nbval over every lesson, serial and on two workers, against the lessons run
  as plain scripts back to back (median of ``--repeat`` turns);
- grading: ``tools.grade.grade_folder`` on a small folder of copies of the
  first lesson's student notebook, per submission, against executing that
  notebook once with nbclient;
- each step of ``make test`` against its nbval step. The steps are the lines
  ``make --dry-run test`` prints, each run and timed here in turn, so a step
  added to the Makefile is measured without edits; a pytest step also writes a
  JUnit report (``--junitxml``), from which its files' shares are listed.

Writes ``build/bench.json`` and prints one table. A missed target prints
MISSED; the exit status is 1 only when a step failed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Sequence
from pathlib import Path

from softmax_course.workspace import write_atomically
from tools import ROOT
from tools.execute import execute_notebook

BUILD = ROOT / "build" / "bench"
BIN = Path(sys.executable).parent
#: Each ratio's limit, and whether the ratio must stay strictly below it.
TARGETS = {
    "nbval serial / lessons as scripts": (1.3, False),
    "nbval on 2 workers / lessons as scripts": (1.0, True),
    "make test / its nbval step": (12.0, False),
}
#: How many copies of one student notebook the grading measurement hands in.
SUBMISSIONS = 2


def verdict(name: str, ratio: float) -> str:
    """``ok``, ``MISSED``, or nothing for a ratio without a target."""
    if name not in TARGETS:
        return ""
    limit, strictly = TARGETS[name]
    return "ok" if (ratio < limit if strictly else ratio <= limit) else "MISSED"


def timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def side_by_side(runs: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """The median seconds of each run, the runs taking turns ``repeat`` times (alike)."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            times[name].append(timed(run))
    return {name: statistics.median(values) for name, values in times.items()}


def check(command: Sequence[str], cwd: Path = ROOT, env: dict[str, str] | None = None) -> None:
    """Run ``command``; a failure stops the bench with its output (a failing run times nothing)."""
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")


def nbval_rows(notebooks: list[Path], repeat: int) -> list[dict]:
    """nbval serial and on two workers, each against the lessons as scripts back to back."""
    nbval = [str(BIN / "pytest"), "-q", "-p", "no:cacheprovider", "--nbval", *map(str, notebooks)]
    script_env = {**os.environ, "MPLBACKEND": "Agg"}

    def scripts() -> None:
        for notebook in notebooks:
            check([sys.executable, notebook.with_suffix(".py").name], notebook.parent, script_env)

    seconds = side_by_side({
        "scripts": scripts,
        "serial": lambda: check([*nbval, "-p", "no:xdist"]),
        "two": lambda: check([*nbval, "-n", "2", "--dist", "loadfile"]),
    }, repeat)  # fmt: skip
    return [
        row("lessons as plain scripts, back to back", seconds["scripts"]),
        row("nbval serial / lessons as scripts", seconds["serial"], seconds["scripts"]),
        row("nbval on 2 workers / lessons as scripts", seconds["two"], seconds["scripts"]),
    ]


def grading_rows(student_notebook: Path) -> list[dict]:
    """``grade_folder`` per submission against one nbclient run of the same notebook."""
    from tools.grade import grade_folder

    with tempfile.TemporaryDirectory() as folder:
        submissions = Path(folder) / "submissions"
        for index in range(SUBMISSIONS):
            (submissions / f"student{index}").mkdir(parents=True)
            shutil.copy(student_notebook, submissions / f"student{index}")
        once = timed(lambda: execute_notebook(student_notebook))
        batch = timed(lambda: grade_folder(submissions, Path(folder) / "grades"))
    return [
        row(f"executing {student_notebook.name} once (nbclient)", once),
        row(f"grading, per submission ({SUBMISSIONS} graded) / executing once",
            batch / SUBMISSIONS, once),  # fmt: skip
    ]


def make_test_steps() -> list[str]:
    """The shell lines ``make test`` would run now, as ``make --dry-run`` prints them."""
    if not list((ROOT / "build" / "slides" / "vendor").glob(".installed-*")):
        check(["make", "vendor"])  # fetch reveal.js first, untimed: a warm make test is measured
    printed = subprocess.run(["make", "--no-print-directory", "--dry-run", "test"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout  # fmt: skip
    return [line for line in printed.replace("\\\n", " ").splitlines() if line.strip()]


def step_name(line: str, notebooks: list[Path]) -> str:
    """A step's command without its environment assignments, its lessons shortened."""
    words = line.split()
    while words and "=" in words[0] and not words[0].startswith("-"):
        words.pop(0)
    named = " ".join(word for word in words if word not in {str(n) for n in notebooks})
    return named.replace(f"{BIN.relative_to(ROOT)}/" if BIN.is_relative_to(ROOT) else "", "")


def seconds_by_file(junit: Path) -> dict[str, float]:
    """Each test file's worker seconds (setup, call, teardown of its tests) from a JUnit report."""
    totals: dict[str, float] = {}
    for case in ElementTree.parse(junit).iter("testcase"):
        parts = case.get("classname", "").split(".")
        name = "/".join(parts[:2]) + ".py" if parts[0] == "tests" else ".".join(parts[:2])
        totals[name] = totals.get(name, 0.0) + float(case.get("time", 0.0))
    return totals


def part_rows(notebooks: list[Path]) -> tuple[list[dict], list[str]]:
    """Each step of one warm ``make test`` against its nbval step, and the steps that failed."""
    BUILD.mkdir(parents=True, exist_ok=True)
    steps, failed = [], []
    for index, line in enumerate(make_test_steps()):
        junit = BUILD / f"junit-{index}.xml"
        junit.unlink(missing_ok=True)
        if "bin/pytest " in line:
            line += f" --junitxml={junit}"
        start = time.perf_counter()
        code = subprocess.run(["bash", "-euo", "pipefail", "-c", line], cwd=ROOT).returncode
        name = step_name(line.replace(f" --junitxml={junit}", ""), notebooks)
        steps.append((name, time.perf_counter() - start, junit))
        if code:
            failed.append(name)
    nbval = [s for s in steps if "--nbval" in s[0] and "pytest" in s[0].split()[0]]
    if len(nbval) != 1:
        raise SystemExit(f"make test has {len(nbval)} native nbval steps, not one: {steps}")
    nbval_s = nbval[0][1]
    rows = []
    for name, seconds, junit in steps:
        rows.append(row(f"step: {name}", seconds, nbval_s, failed=name in failed))
        if junit.is_file():
            by_file = seconds_by_file(junit)
            busy = sum(by_file.values()) or 1.0
            for file, worker_s in sorted(by_file.items(), key=lambda item: -item[1]):
                rows.append(row(f"  {file}", seconds * worker_s / busy, nbval_s))
    total = sum(seconds for _, seconds, _ in steps)
    rows.append(row("make test / its nbval step", total, nbval_s))
    return rows, failed


def row(name: str, seconds: float, against: float | None = None, failed: bool = False) -> dict:
    ratio = seconds / against if against else None
    status = "FAILED" if failed else verdict(name, ratio) if ratio is not None else ""
    return {"name": name, "seconds": seconds, "ratio": ratio, "status": status}


def table(rows: list[dict]) -> str:
    """One table: seconds, the ratio, the target and whether it was met."""
    lines = [f"{'measurement':<72}{'s':>8}{'ratio':>8}  target"]
    for r in rows:
        ratio = f"{r['ratio']:8.2f}" if r["ratio"] is not None else " " * 8
        limit, strictly = TARGETS.get(r["name"], (None, False))
        target = f"{'<' if strictly else '<='} {limit:g}x" if limit else ""
        lines.append(f"{r['name'][:72]:<72}{r['seconds']:8.1f}{ratio}  {target} {r['status']}")
    return "\n".join(line.rstrip() for line in lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__[:60])
    parser.add_argument("notebooks", nargs="+", type=Path, help="the lessons' .ipynb twins")
    parser.add_argument("--repeat", type=int, default=3, help="turns of the nbval/script runs")
    parser.add_argument("--parts-only", action="store_true", help="only make test's steps")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench.json")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    notebooks = [path.resolve() for path in args.notebooks]
    rows: list[dict] = []
    if not args.parts_only:
        rows += nbval_rows(notebooks, args.repeat)
        from tools.export import write_student_versions

        rows += grading_rows(write_student_versions(notebooks[:1])[0])
    parts, failed = part_rows(args.notebooks)
    rows += parts
    machine = f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    report = {"machine": machine, "rows": rows, "failed": failed}
    write_atomically(args.out, json.dumps(report, indent=2))
    print(f"make bench on {machine}; ratios are the targets, seconds are for information")
    print(table(rows))
    print(f"wrote {args.out}")
    if failed:
        raise SystemExit(f"failed steps of make test: {'; '.join(failed)}")


if __name__ == "__main__":
    main()
