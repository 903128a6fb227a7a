"""The portability check of ``make test`` fails on a chaotic number and passes a steady one.

``tools.arithmetic_paths`` re-runs nbval with ``ATEN_CPU_CAPABILITY`` and
``MKL_CBWR`` changed. Here a scratch notebook prints the cost of the same
training run at two learning rates, its outputs stored on the native path: at
lr 0.1 the run is well conditioned and every path prints the stored digits; at
lr 1.0 the run is chaotic (one rounding grows to an order-1 difference within
500 epochs), and the check must fail, naming the cell.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat

from conftest import ANSI_ESCAPE, ROOT
from tools.arithmetic_paths import AVX2_ON_AVX512, SCALAR_AND_MKL_COMPATIBLE, paths_for
from tools.execute import execute_notebook

TRAIN = (
    "from softmax_course.data import toy_data\n"
    "from softmax_course.training import train_cross_entropy\n"
    "x_train, y_train = toy_data()"
)


def cost_cell(lr: float) -> str:
    return (
        f"run = train_cross_entropy(x_train, y_train, nb_epochs=500, lr={lr}, log_every=0)\n"
        f"print(f'lr = {lr}: cost {{run.costs[-1]:.4f}} at epoch 500')"
    )


def stored_natively(folder: Path, cells: list[str]) -> Path:
    """A notebook of ``cells``, executed on the native path and written with its outputs."""
    path = folder / "probe.ipynb"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbformat.write(notebook, path)
    nbformat.write(execute_notebook(path), path)
    return path


def check(path: Path) -> tuple[int, str]:
    result = subprocess.run(
        [sys.executable, "-m", "tools.arithmetic_paths", "-p", "no:cacheprovider", str(path)],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )
    return result.returncode, ANSI_ESCAPE.sub("", result.stdout + result.stderr)


def summary_line(output: str, name: str) -> str:
    """The line of the closing summary that reports the path ``name``."""
    summary = output.rsplit("arithmetic paths:", 1)[-1]
    return next((line for line in summary.splitlines() if line.strip().startswith(name)), "")


def test_a_chaotic_number_fails_the_check_and_a_steady_one_passes(scratch):
    path = stored_natively(scratch, [TRAIN, cost_cell(0.1), cost_cell(1.0)])
    returncode, output = check(path)
    assert returncode == 1, output
    assert "FAILED" in summary_line(output, SCALAR_AND_MKL_COMPATIBLE.name), output
    failed_cells = set(re.findall(r"FAILED \S+probe\.ipynb::Cell (\d+)", output))
    assert failed_cells == {"2"}, output  # lr 1.0 differs; lr 0.1 prints the stored digits
    assert "lr = 1.0: cost" in output


def test_the_avx2_path_runs_only_where_the_native_path_is_avx512():
    on_avx512, skipped_there = paths_for("AVX512")
    on_avx2, skipped_on_avx2 = paths_for("AVX2")
    assert on_avx512 == [SCALAR_AND_MKL_COMPATIBLE, AVX2_ON_AVX512] and not skipped_there
    assert on_avx2 == [SCALAR_AND_MKL_COMPATIBLE]
    assert [path for path, _ in skipped_on_avx2] == [AVX2_ON_AVX512]
    assert "AVX512" in skipped_on_avx2[0][1]


def test_no_path_repeats_the_native_one_on_a_processor_without_vectors_or_mkl():
    on_apple_silicon, skipped = paths_for("DEFAULT", mkl=False)
    assert on_apple_silicon == []
    assert [path for path, _ in skipped] == [SCALAR_AND_MKL_COMPATIBLE, AVX2_ON_AVX512]
    assert paths_for("DEFAULT", mkl=True)[0] == [SCALAR_AND_MKL_COMPATIBLE]  # MKL_CBWR differs
