"""A student who changes a number, or runs a cell again, gets results or a clear message.

- changed numbers: each row of ``CHANGES`` rewrites one top-level assignment of a
  lesson (``nb_epochs = 5000`` -> ``nb_epochs = 500``) and runs the lesson with it,
  which must run to its end: any error fails the test, naming the lesson, the
  variable and the cell. A row whose line is missing fails too: a renamed
  variable cannot silently skip its row.
- refused numbers: each row of ``REFUSED`` sets a value the lessons cannot use;
  the run must stop at a clear message: a ``ValueError`` or ``TypeError`` raised
  inside ``softmax_course``, which names the bad input.
- one kernel per lesson, as a student changes one number after another: the
  lesson's first row runs top to bottom in a fresh kernel; each next row puts the
  line the previous row changed back, changes its own, and runs from the first of
  those two cells down to the end (the cells above both already ran, with the
  lesson's own values). Its refused rows come last, each run from the top.
- re-running: after a lesson's last changed row, each cell is run once more, from
  the last to the first, in the same kernel, so that every cell runs again after
  the ones below it; none may raise. A lesson without a changed number is run
  unchanged, top to bottom and then this way (that top-to-bottom pass is the one
  run that repeats a portability run's execution).
- every kernel runs on another arithmetic path than the native one
  (``ATEN_CPU_CAPABILITY=default MKL_CBWR=COMPATIBLE``), so that an assertion
  that holds at a changed number only on one processor's rounding fails here.

Cells that must raise for teaching are tagged ``raises-exception`` (nbclient
lets them raise).
"""

from __future__ import annotations

import ast
import os
import re
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

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
#: rows run in this order in one kernel; its last row also runs every cell again afterwards,
#: so put its quickest run last, and rows of the same cell together.
CHANGES = [
    ("01_*.py", "temperatures", "[0.5, 1.0, 3.0]"),
    ("04_*.py", "lr", "0.01"),
    ("04_*.py", "lr", "1.0"),
    ("04_*.py", "nb_epochs", "500"),
    ("05_*.py", "lr", "0.01"),
    ("05_*.py", "lr", "1.0"),
    ("05_*.py", "nb_epochs", "500"),
    ("08_*.py", "split_seed", "1"),
    ("08_*.py", "nb_epochs", "3000"),
    ("08_*.py", "lrs", "[0.005, 0.05, 0.5]"),
    ("08_*.py", "lrs", "[0.5, 5.0, 50.0]"),
    ("08_*.py", "nb_epochs", "30"),
    ("09_*.py", "lr", "0.05"),
    ("09_*.py", "batch_size", "1077"),
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


def stop_message(stopped: tuple[str, str, CellExecutionError, bool], change: str = "") -> str:
    lesson, where, error, _ = stopped
    reason = ANSI_ESCAPE.sub("", error.evalue)
    changed = f" with `{change}`" if change else ""
    return f"{lesson}{changed}: {where} raised {error.ename}: {reason}"


#: The lessons with a changed or refused number, by their globs, in the order of CHANGES.
CHANGED = list(dict.fromkeys(pattern for pattern, _, _ in CHANGES + REFUSED))
#: Lessons without a changed number: each is re-run as it stands.
UNCHANGED = [
    lesson for lesson in LESSONS if not any(lesson.match(pattern) for pattern, _, _ in CHANGES)
]


@pytest.mark.parametrize("pattern", CHANGED, ids=[pattern.split("_")[0] for pattern in CHANGED])
def test_a_lesson_runs_to_its_end_with_each_changed_number(tmp_path, pattern):
    """...and stops at a clear message at each refused one, all in one kernel."""
    lesson = lesson_matching(pattern)
    original = lesson.read_text(encoding="utf-8")
    notebook = jupytext.reads(original, fmt="py:percent")
    changes = [(v, value) for p, v, value in CHANGES if p == pattern]
    refusals = [(v, value) for p, v, value in REFUSED if p == pattern]
    with running(notebook, copy_lessons(tmp_path)) as client:
        for row, (variable, value) in enumerate(changes):
            first_changed = set_change(client, lesson, original, variable, value)
            start = first_changed if row else 0
            stopped = run_cells(client, lesson, range(start, len(notebook.cells)))
            if stopped is not None:
                pytest.fail(stop_message(stopped, f"{variable} = {value}"), pytrace=False)
        if changes:
            again = " when run again after the cells below it"
            stopped = run_cells(client, lesson, reversed(range(len(notebook.cells))), again)
            if stopped is not None:
                pytest.fail(stop_message(stopped, f"{variable} = {value}"), pytrace=False)
        for variable, value in refusals:
            set_change(client, lesson, original, variable, value)
            stopped = run_cells(client, lesson, range(len(notebook.cells)))
            change = f"{variable} = {value}"
            if stopped is None:
                pytest.fail(f"{pattern} with `{change}` ran to its end", pytrace=False)
            if not stopped[3]:
                unclear = "not a clear message from softmax_course"
                pytest.fail(f"{stop_message(stopped, change)} ({unclear})", pytrace=False)


@pytest.mark.parametrize("lesson", UNCHANGED, ids=[p.stem for p in UNCHANGED])
def test_every_cell_runs_again_after_the_cells_below_it(tmp_path, lesson):
    notebook = jupytext.read(lesson)
    cells = range(len(notebook.cells))
    again = " when run again after the cells below it"
    with running(notebook, copy_lessons(tmp_path)) as client:
        for order, when in [(cells, ""), (reversed(cells), again)]:
            stopped = run_cells(client, lesson, order, when)
            if stopped is not None:
                pytest.fail(stop_message(stopped), pytrace=False)


@contextmanager
def running(notebook: nbformat.NotebookNode, folder: Path) -> Iterator[NotebookClient]:
    """A client of ``notebook`` with its kernel started, on the other arithmetic path."""
    client = new_client(notebook, folder)
    with client.setup_kernel(env=KERNEL_ENVIRONMENT):
        yield client


def set_change(
    client: NotebookClient, lesson: Path, original: str, variable: str, value: str
) -> int:
    """Give the client's cells the lesson's sources with ``variable = value`` and no other
    change; the index of the first cell whose source this changed (the previous row's line
    put back, or this row's)."""
    source = change_number(original, lesson.stem, variable, value)
    cells = jupytext.reads(source, fmt="py:percent").cells
    assert len(cells) == len(client.nb.cells), f"{lesson.stem}: a change must keep the cells"
    changed = [i for i, cell in enumerate(client.nb.cells) if cell.source != cells[i].source]
    if not changed:
        repeated = f"{lesson.stem}: `{variable} = {value}` repeats the row before it"
        pytest.fail(repeated, pytrace=False)
    for cell, new in zip(client.nb.cells, cells, strict=True):
        cell.source = new.source
    return min(changed)


def run_cells(
    client: NotebookClient, lesson: Path, order: Iterable[int], when: str = ""
) -> tuple[str, str, CellExecutionError, bool] | None:
    """Run the code cells of ``order`` in the client's kernel; None if none raised, else where
    it stopped: (lesson, the cell and the pass, the error, whether it is a clear message)."""
    notebook = client.nb
    for index in order:
        if notebook.cells[index].cell_type != "code":
            continue
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


def test_each_row_puts_the_line_of_the_row_before_it_back():
    original = "# %%\na = 1\n\n# %%\nb = 2\n\n# %%\nprint(a + b)\n"
    client = SimpleNamespace(nb=jupytext.reads(original, fmt="py:percent"))
    lesson = Path("00_example.py")
    assert set_change(client, lesson, original, "b", "3") == 1
    assert [cell.source for cell in client.nb.cells] == ["a = 1", "b = 3", "print(a + b)"]
    assert set_change(client, lesson, original, "b", "4") == 1
    assert set_change(client, lesson, original, "a", "5") == 0
    assert [cell.source for cell in client.nb.cells] == ["a = 5", "b = 2", "print(a + b)"]
    assert set_change(client, lesson, original, "b", "6") == 0
