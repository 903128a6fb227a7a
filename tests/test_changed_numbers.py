"""A student who changes a number, or runs a cell again, gets results or a clear message.

- changed numbers: each row of ``CHANGES`` rewrites one top-level assignment of a
  lesson (``nb_epochs = 5000`` -> ``nb_epochs = 500``) in a copy of its ``.py``
  and runs the lesson in a fresh kernel, which must run to its end: any error
  fails the test, naming the lesson, the variable and the cell. A row whose line
  is missing fails too: a renamed variable cannot silently skip its row.
- refused numbers: each row of ``REFUSED`` sets a value the lessons cannot use;
  the run must stop at a clear message: a ``ValueError`` or ``TypeError`` raised
  inside ``softmax_course``, which names the bad input.
- both run their kernels on another arithmetic path than the native one
  (``ATEN_CPU_CAPABILITY=default MKL_CBWR=COMPATIBLE``), so that an assertion
  that holds at a changed number only on one processor's rounding fails here.
- re-running: after a lesson ran top to bottom, each cell is run once more, from
  the last to the first, in the same kernel, so that every cell runs again after
  the ones below it; none may raise. A lesson with a changed number does this
  after its first row (a student re-runs cells after changing a number); a
  lesson without one is run unchanged (that top-to-bottom pass is the one run
  that repeats a portability run's execution). Each lesson is re-run once.

Cells that must raise for teaching are tagged ``raises-exception`` (nbclient
lets them raise).
"""

from __future__ import annotations

import ast
import os
import re
import shutil
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from conftest import ANSI_ESCAPE, LESSONS, NOTEBOOKS, PACKAGE
from tools.arithmetic_paths import SCALAR_AND_MKL_COMPATIBLE
from tools.kernels import CurrentEnvKernelManager

#: Seconds one cell may take; a lesson's longest cell takes about 2 s alone.
CELL_TIMEOUT = 300
CLEAR_ERRORS = {"ValueError", "TypeError"}
#: The kernels' environment: this process's, on a non-native arithmetic path.
KERNEL_ENVIRONMENT = {**os.environ, **SCALAR_AND_MKL_COMPATIBLE.environment}

#: (lesson glob, variable, new value): numbers a student is invited to change. A lesson's
#: first row also runs every cell again afterwards, so put its quickest run first.
CHANGES = [
    ("01_*.py", "temperatures", "[0.5, 1.0, 3.0]"),
    ("04_*.py", "nb_epochs", "500"),
    ("04_*.py", "lr", "0.01"),
    ("04_*.py", "lr", "1.0"),
    ("05_*.py", "nb_epochs", "500"),
    ("05_*.py", "lr", "0.01"),
    ("05_*.py", "lr", "1.0"),
    ("08_*.py", "nb_epochs", "30"),
    ("08_*.py", "split_seed", "1"),
    ("08_*.py", "nb_epochs", "3000"),
    ("08_*.py", "lrs", "[0.005, 0.05, 0.5]"),
    ("08_*.py", "lrs", "[0.5, 5.0, 50.0]"),
    ("09_*.py", "batch_size", "1077"),
    ("09_*.py", "lr", "0.05"),
    ("10_*.py", "nb_epochs", "2000"),
]

#: (lesson glob, variable, new value): values the lessons refuse, each with a clear message.
REFUSED = [
    ("01_*.py", "temperatures", "[0.0, 1.0]"),  # softmax(z / T) divides by T
    ("08_*.py", "split_seed", "None"),  # a split drawn anew on every run would change every number
]


def change_number(source: str, lesson: str, variable: str, value: str) -> str:
    """``source`` with the one top-level line ``variable = ...`` set to ``variable = value``."""
    pattern = re.compile(rf"^{re.escape(variable)} = (.*)$", re.MULTILINE)
    matches = pattern.findall(source)
    if len(matches) != 1:
        found = "no" if not matches else f"{len(matches)}"
        pytest.fail(
            f"lesson {lesson} has {found} top-level `{variable} = ` lines; the changed-number "
            f"test needs exactly one (rename the row in CHANGES if the variable was renamed)",
            pytrace=False,
        )
    (old,) = matches
    try:
        ast.parse(f"{variable} = {old}")
    except SyntaxError:
        pytest.fail(f"lesson {lesson}: `{variable} = {old}` must fit on one line", pytrace=False)
    if literal_or_none(old) == ast.literal_eval(value):
        pytest.fail(f"lesson {lesson}: {variable} is already {old}; CHANGES must change it")
    return pattern.sub(lambda _: f"{variable} = {value}", source)


def literal_or_none(expression: str) -> object:
    """The value of a literal expression; None for any other expression."""
    try:
        return ast.literal_eval(expression)
    except (ValueError, SyntaxError):
        return None


def lesson_matching(pattern: str) -> Path:
    matches = sorted(NOTEBOOKS.glob(pattern))
    if len(matches) != 1:
        found = [path.name for path in matches]
        pytest.fail(f"CHANGES expects one lesson notebooks/{pattern}, found {found}", pytrace=False)
    return matches[0]


def copy_lessons(tmp_path: Path) -> Path:
    """A copy of notebooks/ to run in, so that nothing a lesson writes lands in the repository."""
    folder = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return folder


def new_client(notebook: nbformat.NotebookNode, folder: Path) -> NotebookClient:
    return NotebookClient(
        notebook,
        kernel_name="python3",
        kernel_manager_class=CurrentEnvKernelManager,
        timeout=CELL_TIMEOUT,
        record_timing=False,
        resources={"metadata": {"path": str(folder)}},
        shutdown_kernel="immediate",
    )


def describe(notebook: nbformat.NotebookNode, index: int) -> str:
    first_line = notebook.cells[index].source.strip().splitlines()[0]
    return f"cell {index} ({first_line!r})"


def raising_file(client: NotebookClient) -> str:
    """The file of the innermost frame of the kernel's last exception."""
    probe = nbformat.v4.new_code_cell(
        "import sys as _sys, traceback as _traceback\n"
        "print(_traceback.extract_tb(_sys.last_traceback)[-1].filename)"
    )
    client.nb.cells.append(probe)
    client.execute_cell(probe, len(client.nb.cells) - 1)
    client.nb.cells.pop()
    return "".join(output.get("text", "") for output in probe.outputs).strip()


def is_clear_message(error: CellExecutionError, client: NotebookClient) -> bool:
    """A ValueError or TypeError raised by the course's own helpers (it names the bad input)."""
    if error.ename not in CLEAR_ERRORS:
        return False
    return Path(raising_file(client)).resolve().is_relative_to(PACKAGE)


def row_ids(rows: list[tuple[str, str, str]]) -> list[str]:
    return [f"{pattern.split('_')[0]}-{variable}={value}" for pattern, variable, value in rows]


def stop_message(stopped: tuple[str, str, CellExecutionError, bool], change: str = "") -> str:
    lesson, where, error, _ = stopped
    reason = ANSI_ESCAPE.sub("", error.evalue)
    changed = f" with `{change}`" if change else ""
    return f"{lesson}{changed}: {where} raised {error.ename}: {reason}"


#: Each lesson's first row: its run also runs every cell again.
RERUN_AFTER = set({row[0]: row for row in reversed(CHANGES)}.values())
#: Lessons without a changed number: each is re-run as it stands.
UNCHANGED = [
    lesson for lesson in LESSONS if not any(lesson.match(pattern) for pattern, _, _ in CHANGES)
]


@pytest.mark.parametrize(("pattern", "variable", "value"), CHANGES, ids=row_ids(CHANGES))
def test_lesson_runs_to_its_end_with_a_changed_number(tmp_path, pattern, variable, value):
    again = (pattern, variable, value) in RERUN_AFTER
    stopped = run_changed(tmp_path, pattern, variable, value, again=again)
    if stopped is not None:
        pytest.fail(stop_message(stopped, f"{variable} = {value}"), pytrace=False)


@pytest.mark.parametrize(("pattern", "variable", "value"), REFUSED, ids=row_ids(REFUSED))
def test_a_refused_number_stops_at_a_clear_message(tmp_path, pattern, variable, value):
    stopped = run_changed(tmp_path, pattern, variable, value)
    if stopped is None:
        pytest.fail(f"{pattern} with `{variable} = {value}` ran to its end", pytrace=False)
    if not stopped[3]:
        message = stop_message(stopped, f"{variable} = {value}")
        pytest.fail(f"{message} (not a clear message from softmax_course)", pytrace=False)


@pytest.mark.parametrize("lesson", UNCHANGED, ids=[p.stem for p in UNCHANGED])
def test_every_cell_runs_again_after_the_cells_below_it(tmp_path, lesson):
    stopped = run(tmp_path, lesson, jupytext.read(lesson), again=True)
    if stopped is not None:
        pytest.fail(stop_message(stopped), pytrace=False)


def run_changed(
    tmp_path: Path, pattern: str, variable: str, value: str, again: bool = False
) -> tuple[str, str, CellExecutionError, bool] | None:
    """Run a lesson with one number changed; None if it ran to its end, else where it stopped."""
    lesson = lesson_matching(pattern)
    source = change_number(lesson.read_text(encoding="utf-8"), lesson.stem, variable, value)
    return run(tmp_path, lesson, jupytext.reads(source, fmt="py:percent"), again)


def run(
    tmp_path: Path, lesson: Path, notebook: nbformat.NotebookNode, again: bool
) -> tuple[str, str, CellExecutionError, bool] | None:
    """Run ``notebook`` top to bottom and, with ``again``, every cell once more from the last
    to the first, in one kernel; None if no cell raised, else where it stopped.

    A stop is (lesson, the cell and the pass, the error, whether the error is a clear message).
    """
    folder = copy_lessons(tmp_path)
    code = [index for index, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
    passes = [("", code)]
    if again:
        passes.append((" when run again after the cells below it", code[::-1]))
    client = new_client(notebook, folder)
    with client.setup_kernel(env=KERNEL_ENVIRONMENT):
        for when, order in passes:
            for index in order:
                try:
                    client.execute_cell(notebook.cells[index], index)
                except CellExecutionError as error:
                    clear = is_clear_message(error, client)
                    return lesson.stem, describe(notebook, index) + when, error, clear
    return None


def test_only_the_course_s_own_value_errors_count_as_clear(tmp_path):
    cells = [
        "from softmax_course.data import load_digits_split\nload_digits_split(test_size=2.0)",
        "raise ValueError('raised by the lesson, not by a helper')",
        "{}['missing']",
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    client = new_client(notebook, tmp_path)
    verdicts = []
    with client.setup_kernel():
        for index, cell in enumerate(notebook.cells):
            with pytest.raises(CellExecutionError) as raised:
                client.execute_cell(cell, index)
            verdicts.append(is_clear_message(raised.value, client))
    assert verdicts == [True, False, False]
