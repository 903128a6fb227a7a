"""``make bench``: how fast the course checks itself, measured side by side.

Prints a table and writes ``build/bench.json``. Every figure is the median of
repeated runs; each ratio compares two things timed in the same run. Lessons
are discovered from ``notebooks/``, so a new lesson is measured without edits.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import nbformat
import torch
import torch.nn.functional as F

from softmax_course.build import execute_notebook
from softmax_course.data import replay_seminar_draws, toy_data
from softmax_course.models import SoftmaxClassifierModel
from softmax_course.training import train_cross_entropy, train_low_level, train_module

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
TARGETS = {
    "nbval_serial_vs_scripts": 1.3,
    "nbval_2_workers_vs_scripts": 1.0,
    "helper_vs_hand_loop": 1.05,
    "lesson_seconds_beyond_kernel_start": 3.0,
}


def median_seconds(run: Callable[[], object], repeat: int) -> float:
    """The median wall time of ``repeat`` calls of ``run``."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


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
    kernel = median_seconds(kernel_start, repeat)
    rows = {}
    for lesson in lessons:
        notebook = median_seconds(lambda lesson=lesson: execute_notebook(lesson), repeat)
        script = median_seconds(lambda lesson=lesson: run_script(lesson), repeat)
        rows[lesson.stem] = {
            "nbclient_s": notebook,
            "script_s": script,
            "ratio": notebook / script,
            "beyond_kernel_start_s": notebook - kernel,
        }
    return {"kernel_start_s": kernel, "lessons": rows}


def bench_nbval(lessons: list[Path], repeat: int) -> dict:
    paths = [str(lesson.relative_to(ROOT)) for lesson in lessons]
    nbval = [sys.executable, "-m", "pytest", "-q", "--nbval", *paths]
    serial = median_seconds(lambda: run_command([*nbval, "-p", "no:xdist"]), repeat)
    workers = median_seconds(lambda: run_command([*nbval, "-n", "2", "--dist", "loadfile"]), repeat)

    def scripts() -> None:
        for lesson in lessons:
            run_script(lesson)

    plain = median_seconds(scripts, repeat)
    return {
        "scripts_s": plain,
        "serial_s": serial,
        "two_workers_s": workers,
        "serial_ratio": serial / plain,
        "two_workers_ratio": workers / plain,
    }


def hand_loops() -> dict[str, Callable[[], list[float]]]:
    """The seminar's three loops, written out as a student would, 5000 epochs each.

    Same update as the helper (``p -= lr * p.grad``); the seminar's optim.SGD
    gives the same numbers and is timed separately.
    """
    x_train, y_train = toy_data()

    def descend(
        compute_cost: Callable[[], torch.Tensor], params: list[torch.Tensor]
    ) -> list[float]:
        costs = []
        for epoch in range(5001):
            cost = compute_cost()
            for p in params:
                p.grad = None
            cost.backward()
            with torch.no_grad():
                for p in params:
                    p.add_(p.grad, alpha=-0.1)
            costs.append(cost.item())
            if epoch % 500 == 0:
                print(f"Epoch {epoch:4d}/{5000} Cost: {cost.item():.6f}")
        return costs

    def low_level() -> list[float]:
        W = torch.zeros((4, 3), dtype=torch.float64, requires_grad=True)
        b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
        y_one_hot = torch.zeros(8, 3, dtype=torch.float64).scatter_(1, y_train.unsqueeze(1), 1)

        def cost() -> torch.Tensor:
            hypothesis = F.softmax(x_train.matmul(W) + b, dim=1)
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

    return {"low_level": low_level, "cross_entropy": cross_entropy, "module": module}


def seminar_optim_loop() -> list[float]:
    """The seminar's F.cross_entropy loop verbatim, with torch.optim.SGD."""
    x_train, y_train = toy_data()
    W = torch.zeros((4, 3), dtype=torch.float64, requires_grad=True)
    b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([W, b], lr=0.1)
    costs = []
    for epoch in range(5001):
        cost = F.cross_entropy(x_train.matmul(W) + b, y_train)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        costs.append(cost.item())
        if epoch % 500 == 0:
            print(f"Epoch {epoch:4d}/{5000} Cost: {cost.item():.6f}")
    return costs


def bench_training(repeat: int) -> dict:
    x_train, y_train = toy_data()

    def module_helper() -> object:
        replay_seminar_draws()
        return train_module(SoftmaxClassifierModel().to(torch.float64), x_train, y_train)

    helpers = {
        "low_level": lambda: train_low_level(x_train, y_train, double_softmax=True),
        "cross_entropy": lambda: train_cross_entropy(x_train, y_train),
        "module": module_helper,
    }
    loops = hand_loops()
    quiet = open(os.devnull, "w")  # noqa: SIM115 - the logs are not the point here
    rows = {}
    stdout = sys.stdout
    sys.stdout = quiet
    try:
        seminar_optim_loop()  # pay torch.optim's one-time torch._dynamo import outside the timing
        for style in helpers:
            assert helpers[style]().costs == loops[style](), f"{style}: helper and loop disagree"
            helper_times, loop_times = [], []
            for _ in range(repeat):  # interleaved, so both see the same machine state
                helper_times.append(median_seconds(helpers[style], 1))
                loop_times.append(median_seconds(loops[style], 1))
            helper, loop = statistics.median(helper_times), statistics.median(loop_times)
            rows[style] = {"helper_s": helper, "hand_loop_s": loop, "ratio": helper / loop}
        optim_loop = median_seconds(seminar_optim_loop, repeat)
    finally:
        sys.stdout = stdout
        quiet.close()
    rows["cross_entropy"]["seminar_optim_sgd_loop_s"] = optim_loop
    return rows


def bench_setup() -> float:
    """Seconds to create an empty venv and install the course into it (as make setup)."""
    with tempfile.TemporaryDirectory() as folder:
        venv = Path(folder) / "venv"
        start = time.perf_counter()
        run_command(["python3", "-m", "venv", str(venv)])
        run_command([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "-e", ".[dev]"])
        return time.perf_counter() - start


def verdict(value: float, target: float, strictly_below: bool = False) -> str:
    met = value < target if strictly_below else value <= target
    return "ok" if met else "MISSED"


def report(results: dict) -> str:
    """The results as the table that ``make bench`` prints and the README quotes."""
    machine, nbval, lessons = results["machine"], results["nbval"], results["lessons"]
    lines = [
        f"softmax-course bench: {machine['cores']} cores ({machine['processor']}), "
        f"torch {machine['torch']}, OMP_NUM_THREADS={machine['omp_num_threads']}, "
        f"median of {results['repeat']} runs",
        "",
        f"kernel start alone: {lessons['kernel_start_s']:.2f} s",
        "",
        f"{'lesson':<26}{'nbclient s':>11}{'script s':>10}{'ratio':>7}"
        f"{'beyond kernel s':>17}  target <= 3 s",
    ]
    for name, row in lessons["lessons"].items():
        beyond = row["beyond_kernel_start_s"]
        lines.append(
            f"{name:<26}{row['nbclient_s']:>11.2f}{row['script_s']:>10.2f}{row['ratio']:>7.2f}"
            f"{beyond:>17.2f}  {verdict(beyond, TARGETS['lesson_seconds_beyond_kernel_start'])}"
        )
    serial, workers = nbval["serial_ratio"], nbval["two_workers_ratio"]
    serial_ok = verdict(serial, TARGETS["nbval_serial_vs_scripts"])
    workers_ok = verdict(workers, TARGETS["nbval_2_workers_vs_scripts"], strictly_below=True)
    lines += [
        "",
        f"all lessons as plain scripts, back to back: {nbval['scripts_s']:.2f} s",
        f"nbval serial: {nbval['serial_s']:6.2f} s  ratio {serial:.2f}  "
        f"(target <= 1.3) {serial_ok}",
        f"nbval -n 2:   {nbval['two_workers_s']:6.2f} s  ratio {workers:.2f}  "
        f"(target < 1.0)  {workers_ok}",
        "",
        f"{'training style, 5000 epochs':<30}{'helper s':>9}{'hand loop s':>12}{'ratio':>7}"
        "  target <= 1.05",
    ]
    for style, row in results["training"].items():
        ratio_ok = verdict(row["ratio"], TARGETS["helper_vs_hand_loop"])
        lines.append(
            f"{style:<30}{row['helper_s']:>9.3f}{row['hand_loop_s']:>12.3f}{row['ratio']:>7.3f}"
            f"  {ratio_ok}"
        )
    optim_loop = results["training"]["cross_entropy"]["seminar_optim_sgd_loop_s"]
    lines.append(f"(the seminar's F.cross_entropy loop with torch.optim.SGD: {optim_loop:.3f} s)")
    if "setup_s" in results:
        lines += ["", f"make setup into an empty venv: {results['setup_s']:.0f} s"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m softmax_course.bench")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (median)")
    parser.add_argument("--setup", action="store_true", help="also time a fresh install (slow)")
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
        "targets": TARGETS,
        "training": bench_training(max(args.repeat, 5)),
        "lessons": bench_lessons(lessons, args.repeat),
        "nbval": bench_nbval(lessons, args.repeat),
    }
    if args.setup:
        results["setup_s"] = bench_setup()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(report(results))
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
