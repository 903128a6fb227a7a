"""``make bench``: how fast the course checks itself, as ratios measured side by side.

    python -m tools.bench [--repeat N] [--setup] [--lab] [--parts-only]

Machines of the same kind differ several times in speed, so every target is a
ratio of two things timed in the same run, interleaved so that both see the
same machine state; seconds are printed for information only. Prints a table,
writes ``build/bench.json`` and exits with status 1 when a target is missed.
Lessons are discovered from ``notebooks/``, so a new lesson is measured
without edits.

It also runs ``make test`` once, warm, and lists what each of its steps costs
as a multiple of the step that runs nbval over every lesson on the native
arithmetic path in that same run (the unit tests file by file). Each command
that ``make test`` runs through ``.venv/bin`` is timed by a small wrapper
(``make test BIN=<folder of wrappers>``), so a step added to the Makefile's
recipe is measured without edits here.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat
import torch
import torch.nn.functional as F

from softmax_course.data import replay_seminar_draws, toy_data
from softmax_course.models import SoftmaxClassifierModel
from softmax_course.training import train_cross_entropy, train_hand_written, train_module
from tools.execute import execute_notebook

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
NB_EPOCHS = 5000
#: The environment's commands that ``make test`` calls (``$(BIN)/<name>``).
BIN = Path(sys.executable).parent
#: Written by the simulated class (tests/test_class.py): its batch's size and seconds.
SIMULATED_CLASS = ROOT / "build" / "simulated-class.json"
#: The class the grading estimate is for.
CLASS_SIZE = 200


@dataclass(frozen=True)
class Target:
    """A ratio that a measurement must stay at or below (or strictly below)."""

    limit: float
    strictly_below: bool = False

    def met(self, ratio: float) -> bool:
        return ratio < self.limit if self.strictly_below else ratio <= self.limit

    def verdict(self, ratio: float) -> str:
        return "ok" if self.met(ratio) else "MISSED"

    def __str__(self) -> str:
        return f"{'<' if self.strictly_below else '<='} {self.limit:.2f}x"


TARGETS = {
    "lesson_nbclient_vs_script": Target(1.25),
    "nbval_serial_vs_scripts": Target(1.3),
    "nbval_2_workers_vs_scripts": Target(1.0, strictly_below=True),
    "helper_vs_hand_loop": Target(1.05),
    # The lab browser test (every lesson run from JupyterLab's menu in headless
    # Chromium) within the time of one nbval run as make test runs it.
    "lab_vs_nbval_2_workers": Target(1.0),
    # The whole make test, warm, against its own nbval step.
    "make_test_vs_nbval": Target(8.0),
}


def seconds(run: Callable[[], object]) -> float:
    """The wall time of one call of ``run``."""
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def side_by_side(runs: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """The median wall time of each run, the runs taking turns ``repeat`` times."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            times[name].append(seconds(run))
    return {name: statistics.median(values) for name, values in times.items()}


def run_command(command: list[str], cwd: Path = ROOT, env: dict | None = None) -> None:
    """Run ``command``; fail loudly (with its output) if it fails."""
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")


def kernel_start() -> None:
    """Execute an empty notebook the way ``make execute`` runs a lesson: the kernel's
    start, handshake and shutdown, which every lesson's time includes."""
    with tempfile.TemporaryDirectory() as folder:
        empty = Path(folder) / "empty.ipynb"
        nbformat.write(nbformat.v4.new_notebook(), empty)
        execute_notebook(empty)


def run_script(lesson: Path) -> None:
    """Run a lesson's ``.py`` twin as one plain Python process, in the lesson's folder."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    run_command([sys.executable, lesson.with_suffix(".py").name], cwd=lesson.parent, env=env)


def bench_lessons(lessons: list[Path], repeat: int) -> dict:
    rows = {}
    for lesson in lessons:
        timed = side_by_side(
            {
                "nbclient_s": lambda lesson=lesson: execute_notebook(lesson),
                "script_s": lambda lesson=lesson: run_script(lesson),
            },
            repeat,
        )
        rows[lesson.stem] = {**timed, "ratio": timed["nbclient_s"] / timed["script_s"]}
    return {"kernel_start_s": side_by_side({"k": kernel_start}, repeat)["k"], "lessons": rows}


def bench_nbval(lessons: list[Path], repeat: int, lab: bool = False) -> dict:
    """One nbval run of every lesson (serial and -n 2) beside the lessons as scripts and,
    with ``lab``, beside the lab browser test."""
    paths = [str(lesson.relative_to(ROOT)) for lesson in lessons]
    nbval = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval", *paths]

    def scripts() -> None:
        for lesson in lessons:
            run_script(lesson)

    runs = {
        "scripts_s": scripts,
        "serial_s": lambda: run_command([*nbval, "-p", "no:xdist"]),
        "two_workers_s": lambda: run_command([*nbval, "-n", "2", "--dist", "loadfile"]),
    }
    if lab:
        lab_test = [
            sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
            "tests/test_lab_browser.py",
        ]  # fmt: skip
        # A machine without Chromium must not time a skipped test as a fast one.
        lab_env = {**os.environ, "SOFTMAX_COURSE_REQUIRE_BROWSER": "1"}
        runs["lab_test_s"] = lambda: run_command(lab_test, env=lab_env)
    timed = side_by_side(runs, repeat)
    ratios = {
        "serial_ratio": timed["serial_s"] / timed["scripts_s"],
        "two_workers_ratio": timed["two_workers_s"] / timed["scripts_s"],
    }
    if lab:
        ratios["lab_vs_serial"] = timed["lab_test_s"] / timed["serial_s"]
        ratios["lab_vs_two_workers"] = timed["lab_test_s"] / timed["two_workers_s"]
    return {**timed, **ratios}


def bench_optim_import(repeat: int) -> dict:
    """What the first ``torch.optim`` optimizer costs in a fresh process (it imports
    ``torch._dynamo``): a lesson pays it once, in the cell that first builds one."""
    first_sgd = "torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)"
    timed = side_by_side(
        {
            "import_torch_s": lambda: run_command([sys.executable, "-c", "import torch"]),
            "import_torch_and_sgd_s": lambda: run_command(
                [sys.executable, "-c", f"import torch; {first_sgd}"]
            ),
        },
        repeat,
    )
    return {**timed, "first_optimizer_s": timed["import_torch_and_sgd_s"] - timed["import_torch_s"]}


def seminar_loops() -> dict[str, Callable[[], list[float]]]:
    """The seminar's three training loops as the seminar writes them (``optim.SGD``:
    zero_grad, backward, step), in float64 as the lessons train, 5000 epochs each."""
    x_train, y_train = toy_data()

    def descend(compute_cost: Callable[[], torch.Tensor], params: list) -> list[float]:
        optimizer = torch.optim.SGD(params, lr=0.1)
        costs = []
        for epoch in range(NB_EPOCHS + 1):
            cost = compute_cost()
            optimizer.zero_grad()
            cost.backward()
            optimizer.step()
            costs.append(cost.item())
            if epoch % 500 == 0:
                print(f"Epoch {epoch:4d}/{NB_EPOCHS} Cost: {cost.item():.6f}")
        return costs

    def hand_written() -> list[float]:
        W = torch.zeros((4, 3), dtype=torch.float64, requires_grad=True)
        b = torch.zeros(1, dtype=torch.float64, requires_grad=True)

        def cost() -> torch.Tensor:
            hypothesis = F.softmax(x_train.matmul(W) + b, dim=1)
            y_one_hot = torch.zeros_like(hypothesis)
            y_one_hot.scatter_(1, y_train.unsqueeze(1), 1)
            return (y_one_hot * -torch.log(F.softmax(hypothesis, dim=1))).sum(dim=1).mean()

        return descend(cost, [W, b])

    def cross_entropy() -> list[float]:
        W = torch.zeros((4, 3), dtype=torch.float64, requires_grad=True)
        b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
        return descend(lambda: F.cross_entropy(x_train.matmul(W) + b, y_train), [W, b])

    def module() -> list[float]:
        replay_seminar_draws()
        model = SoftmaxClassifierModel().to(torch.float64)
        return descend(lambda: F.cross_entropy(model(x_train), y_train), list(model.parameters()))

    return {"hand_written": hand_written, "cross_entropy": cross_entropy, "module": module}


def bench_training(repeat: int) -> dict:
    x_train, y_train = toy_data()

    def module_helper() -> list[float]:
        replay_seminar_draws()
        model = SoftmaxClassifierModel().to(torch.float64)
        return train_module(model, x_train, y_train, nb_epochs=NB_EPOCHS).costs

    helpers = {
        "hand_written": lambda: train_hand_written(
            x_train, y_train, double_softmax=True, nb_epochs=NB_EPOCHS
        ).costs,
        "cross_entropy": lambda: train_cross_entropy(x_train, y_train, nb_epochs=NB_EPOCHS).costs,
        "module": module_helper,
    }
    loops = seminar_loops()
    rows = {}
    with contextlib.redirect_stdout(io.StringIO()):  # the logs are not the point here
        for style in helpers:
            # The untimed first calls check that both compute the same costs, and
            # pay the one-time costs (torch.optim's first import) outside the timing.
            if helpers[style]() != loops[style]():
                raise RuntimeError(f"{style}: the helper and the seminar's loop give other costs")
            timed = side_by_side({"helper_s": helpers[style], "hand_loop_s": loops[style]}, repeat)
            rows[style] = {**timed, "ratio": timed["helper_s"] / timed["hand_loop_s"]}
    return rows


def bench_setup() -> float:
    """Seconds to create an empty venv and install the course into it (as make setup)."""
    with tempfile.TemporaryDirectory() as folder:
        venv = Path(folder) / "venv"
        start = time.perf_counter()
        run_command([sys.executable, "-m", "venv", str(venv)])
        run_command([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "-e", ".[dev]"])
        return time.perf_counter() - start


WRAPPER = """#!{python}
# Written by tools/bench.py: times one command of make test, then exits as it did.
import json, os, subprocess, sys, time

real, log = {real!r}, {log!r}
arguments = sys.argv[1:]
report = None
if os.path.basename(real) == "pytest":
    report = os.path.join(os.path.dirname(log), f"junit-{{os.getpid()}}.xml")
    arguments = [*arguments, "--junitxml", report]
start = time.perf_counter()
code = subprocess.call([real, *arguments])
seconds = time.perf_counter() - start
entry = dict(command=[os.path.basename(real), *sys.argv[1:]], seconds=seconds,
             junit=report, returncode=code)
with open(log, "a", encoding="utf-8") as handle:
    handle.write(json.dumps(entry) + "\\n")
sys.exit(code)
"""


def write_wrappers(folder: Path, log: Path, commands: Path = BIN) -> None:
    """A wrapper in ``folder`` for every command in ``commands``, each timing its calls
    into ``log`` (one JSON line per call)."""
    folder.mkdir(parents=True, exist_ok=True)
    for real in commands.iterdir():
        if not (real.is_file() and os.access(real, os.X_OK)):
            continue
        wrapper = folder / real.name
        wrapper.write_text(
            WRAPPER.format(python=sys.executable, real=str(real), log=str(log)),
            encoding="utf-8",
        )
        wrapper.chmod(0o755)


def seconds_by_file(junit: Path) -> dict[str, float]:
    """Each test file's seconds (setup, call and teardown of its tests) from a JUnit report."""
    totals: dict[str, float] = {}
    for case in ElementTree.parse(junit).iter("testcase"):
        module = case.get("classname", "").split("::")[0]
        parts = module.split(".")
        # "tests.test_x.TestClass" -> tests/test_x.py
        name = "/".join(parts[:2]) + ".py" if len(parts) >= 2 else module
        totals[name] = totals.get(name, 0.0) + float(case.get("time", 0.0))
    return totals


def part_name(entry: dict) -> str:
    """What a step of make test is, from its command line."""
    command = entry["command"]
    if command[0] == "pytest" and "--nbval" in command:
        return "nbval native"
    if command[0] == "pytest":
        return "unit tests: pytest " + " ".join(command[1:])
    if command[0] == "python" and command[1:3] == ["-m", "tools.export"]:
        return f"{command[3]} export"
    if command[0] == "python" and command[1:3] == ["-m", "tools.arithmetic_paths"]:
        return "nbval on the other arithmetic paths (tools.arithmetic_paths)"
    return " ".join(command)


def parts_table(entries: list[dict], total_s: float) -> dict:
    """The steps of one make test run, each as seconds and as a multiple of its nbval step;
    the unit tests also file by file (each file's share of the step's wall time)."""
    natives = [entry for entry in entries if part_name(entry) == "nbval native"]
    if len(natives) != 1:
        raise RuntimeError(f"make test ran {len(natives)} native nbval steps; expected one")
    nbval_s = natives[0]["seconds"]
    steps, files = [], []
    for entry in entries:
        name = part_name(entry)
        ratio = entry["seconds"] / nbval_s
        failed = entry.get("returncode", 0) != 0
        steps.append({"part": name, "seconds": entry["seconds"], "ratio": ratio, "failed": failed})
        if name.startswith("unit tests") and entry.get("junit") and Path(entry["junit"]).is_file():
            by_file = seconds_by_file(Path(entry["junit"]))
            busy = sum(by_file.values()) or 1.0
            for file, seconds in sorted(by_file.items(), key=lambda item: -item[1]):
                share = entry["seconds"] * seconds / busy
                files.append({"file": file, "worker_s": seconds, "share_s": share,
                              "ratio": share / nbval_s})  # fmt: skip
    other = total_s - sum(step["seconds"] for step in steps)
    return {
        "nbval_s": nbval_s,
        "steps": steps,
        "unit_files": files,
        "other_s": other,
        "total_s": total_s,
        "total_ratio": total_s / nbval_s,
    }


def bench_parts() -> dict:
    """One warm ``make test``, timed step by step through wrappers of ``.venv/bin``."""
    if not list((ROOT / "build" / "slides" / "vendor").glob(".installed-*")):
        run_command(["make", "slides"])  # cold: fetch reveal.js first, untimed
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "steps.jsonl"
        wrappers = Path(folder) / "bin"
        write_wrappers(wrappers, log)
        # --ignore-errors: a failing step is timed and named, and the steps after it still run.
        make_test = ["make", "--ignore-errors", "test", f"BIN={wrappers}"]
        total_s = seconds(lambda: run_command(make_test))
        entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
        return parts_table(entries, total_s)


def parts_report(parts: dict) -> list[str]:
    """The lines of the make test table."""
    target = TARGETS["make_test_vs_nbval"]
    lines = [
        f"make test, step by step (one warm run; x = multiple of its nbval native step, "
        f"{parts['nbval_s']:.1f} s)",
        f"{'step':<62}{'s':>8}{'x':>7}",
    ]
    for step in parts["steps"]:
        failed = "  FAILED" if step.get("failed") else ""
        lines.append(
            f"{step['part'][:62]:<62}{step['seconds']:>8.1f}{step['ratio']:>7.2f}{failed}"
        )
        if step["part"].startswith("unit tests"):
            for row in parts["unit_files"]:
                lines.append(f"{'  ' + row['file']:<62}{row['share_s']:>8.1f}{row['ratio']:>7.2f}")
    lines += [
        f"{'(make itself: setup check, browser check, network log)':<62}{parts['other_s']:>8.1f}",
        f"{'make test':<62}{parts['total_s']:>8.1f}{parts['total_ratio']:>7.2f}"
        f"  target {target}  {target.verdict(parts['total_ratio'])}",
        "(a unit test file's s is its share of the step's wall time: two workers run "
        "files side by side)",
    ]
    if SIMULATED_CLASS.is_file():
        batch = json.loads(SIMULATED_CLASS.read_text(encoding="utf-8"))
        each = batch["seconds"] / batch["submissions"]
        lessons = len(list(NOTEBOOKS.glob("[0-9][0-9]_*.py")))
        hours = CLASS_SIZE * lessons * each / 3600
        lines.append(
            f"simulated class: {batch['submissions']} submissions in {batch['seconds']:.0f} s, "
            f"{each:.1f} s each on 2 workers; a class of {CLASS_SIZE} handing in all "
            f"{lessons} lessons: about {hours:.1f} h"
        )
    return lines


def missed(results: dict) -> list[str]:
    """The measurements that miss their target, named."""
    checks = []
    if "lessons" in results:
        checks += [
            (f"lesson {name}", "lesson_nbclient_vs_script", row["ratio"])
            for name, row in results["lessons"]["lessons"].items()
        ]
    if "nbval" in results:
        checks += [
            ("nbval serial", "nbval_serial_vs_scripts", results["nbval"]["serial_ratio"]),
            ("nbval -n 2", "nbval_2_workers_vs_scripts", results["nbval"]["two_workers_ratio"]),
        ]
    checks += [
        (f"training {style}", "helper_vs_hand_loop", row["ratio"])
        for style, row in results.get("training", {}).items()
    ]
    if "lab_test_s" in results.get("nbval", {}):
        lab_ratio = results["nbval"]["lab_vs_two_workers"]
        checks.append(("lab test", "lab_vs_nbval_2_workers", lab_ratio))
    failed_steps = []
    if "parts" in results:
        checks.append(("make test", "make_test_vs_nbval", results["parts"]["total_ratio"]))
        failed_steps = [
            f"make test step failed: {step['part']}"
            for step in results["parts"]["steps"]
            if step.get("failed")
        ]
    return [
        f"{what}: {ratio:.2f}x, target {TARGETS[key]}"
        for what, key, ratio in checks
        if not TARGETS[key].met(ratio)
    ] + failed_steps


def report(results: dict) -> str:
    """The results as the table that ``make bench`` prints and CONTRIBUTING quotes."""
    machine = results["machine"]
    runs = f"median of {results['repeat']} runs" if "lessons" in results else "one run"
    header = (
        f"softmax-course bench: {machine['cores']} cores ({machine['processor']}), "
        f"torch {machine['torch']}, OMP_NUM_THREADS={machine['omp_num_threads']}, "
        f"{runs}; targets are ratios, seconds are for information"
    )
    lines = [header, ""]
    if "lessons" in results:
        lines += measurements_report(results) + [""]
    if "parts" in results:
        lines += parts_report(results["parts"]) + [""]
    misses = missed(results)
    lines.append("all targets met" if not misses else "MISSED: " + "; ".join(misses))
    return "\n".join(lines)


def measurements_report(results: dict) -> list[str]:
    """The lines of the lesson, nbval, training-helper and optimizer measurements."""
    nbval, lessons = results["nbval"], results["lessons"]
    lesson_target = TARGETS["lesson_nbclient_vs_script"]
    serial_target = TARGETS["nbval_serial_vs_scripts"]
    workers_target = TARGETS["nbval_2_workers_vs_scripts"]
    helper_target = TARGETS["helper_vs_hand_loop"]
    lines = [
        f"{'lesson':<26}{'nbclient s':>11}{'script s':>10}{'ratio':>7}  target {lesson_target}",
    ]
    for name, row in lessons["lessons"].items():
        lines.append(
            f"{name:<26}{row['nbclient_s']:>11.2f}{row['script_s']:>10.2f}{row['ratio']:>7.2f}"
            f"  {lesson_target.verdict(row['ratio'])}"
        )
    lines += [
        f"(kernel start alone: {lessons['kernel_start_s']:.2f} s)",
        "",
        f"all lessons as plain scripts, back to back: {nbval['scripts_s']:6.2f} s",
        f"nbval serial:  {nbval['serial_s']:6.2f} s  ratio {nbval['serial_ratio']:.2f}  "
        f"target {serial_target}  {serial_target.verdict(nbval['serial_ratio'])}",
        f"nbval -n 2:    {nbval['two_workers_s']:6.2f} s  ratio {nbval['two_workers_ratio']:.2f}  "
        f"target {workers_target}  {workers_target.verdict(nbval['two_workers_ratio'])}",
        "",
        f"{f'training style, {NB_EPOCHS} epochs':<30}{'helper s':>9}{'seminar loop s':>15}"
        f"{'ratio':>7}  target {helper_target}",
    ]
    for style, row in results["training"].items():
        lines.append(
            f"{style:<30}{row['helper_s']:>9.3f}{row['hand_loop_s']:>15.3f}{row['ratio']:>7.3f}"
            f"  {helper_target.verdict(row['ratio'])}"
        )
    optim = results["optim_import"]
    lines += [
        "",
        f"first torch.optim optimizer in a fresh process: {optim['first_optimizer_s']:.2f} s "
        f"(python -c 'import torch': {optim['import_torch_s']:.2f} s; "
        f"with one optim.SGD: {optim['import_torch_and_sgd_s']:.2f} s)",
    ]
    if "lab_test_s" in nbval:
        lab_target = TARGETS["lab_vs_nbval_2_workers"]
        lines += [
            "",
            f"lab browser test:  {nbval['lab_test_s']:6.2f} s  "
            f"vs nbval -n 2 {nbval['lab_vs_two_workers']:.2f}  "
            f"target {lab_target}  {lab_target.verdict(nbval['lab_vs_two_workers'])}",
            f"{'':19}vs nbval serial {nbval['lab_vs_serial']:.2f}",
        ]
    if "setup_s" in results:
        lines += ["", f"make setup into an empty venv: {results['setup_s']:.0f} s"]
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.bench")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (median)")
    parser.add_argument("--setup", action="store_true", help="also time a fresh install (slow)")
    parser.add_argument(
        "--lab", action="store_true", help="also time the lab browser test (needs Chromium)"
    )
    parser.add_argument(
        "--parts-only",
        action="store_true",
        help="only time make test step by step (skip the lesson, nbval and helper ratios)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench.json")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    lessons = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    results = {
        "machine": {
            "cores": os.cpu_count(),
            "processor": platform.machine(),
            "python": platform.python_version(),
            "torch": torch.__version__,
            "omp_num_threads": os.environ.get("OMP_NUM_THREADS", "unset"),
        },
        "repeat": args.repeat,
        "targets": {
            name: {"limit": target.limit, "strictly_below": target.strictly_below}
            for name, target in TARGETS.items()
        },
    }
    if not args.parts_only:
        results["training"] = bench_training(max(args.repeat, 5))
        results["optim_import"] = bench_optim_import(args.repeat)
        results["lessons"] = bench_lessons(lessons, args.repeat)
        results["nbval"] = bench_nbval(lessons, args.repeat, lab=args.lab)
    results["parts"] = bench_parts()
    if args.setup:
        results["setup_s"] = bench_setup()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(report(results))
    print(f"\nwrote {args.out}")
    if missed(results):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
