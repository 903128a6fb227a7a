"""A student who changes a number, or runs a cell again, gets results or a clear message.

- changed numbers: each row of ``CHANGES`` rewrites one top-level assignment of a
  lesson (``nb_epochs = 5000`` -> ``nb_epochs = 1000``) in a copy of its ``.py``
  and runs the lesson in a fresh kernel. Any error fails the test, naming the
  lesson, the variable and the cell, unless it is a ``ValueError`` or
  ``TypeError`` raised inside ``softmax_course`` (a clear message about the
  input). A row whose line is missing fails too: a renamed variable cannot
  silently skip its row.
- re-running: after a lesson ran top to bottom, each cell is run once more, from
  the last to the first, in the same kernel, so that every cell runs again after
  the ones below it; none may raise.

Cells that must raise for teaching are tagged ``raises-exception`` (nbclient
lets them raise).
"""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

import softmax_course
from tools.kernels import CurrentEnvKernelManager

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
LESSONS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))
PACKAGE = Path(softmax_course.__file__).resolve().parent
#: Seconds one cell may take; a lesson's longest cell takes about 2 s alone.
CELL_TIMEOUT = 300
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
CLEAR_ERRORS = {"ValueError", "TypeError"}

#: (lesson glob, variable, new value): numbers a student is invited to change.
CHANGES = [
    ("01_*.py", "temperatures", "[0.5, 1.0, 3.0]"),
    ("04_*.py", "nb_epochs", "500"),
    ("04_*.py", "lr", "0.01"),
    ("04_*.py", "lr", "1.0"),
    ("05_*.py", "nb_epochs", "500"),
    ("05_*.py", "lr", "0.01"),
    ("05_*.py", "lr", "1.0"),
    ("07_*.py", "nb_epochs", "300"),
    ("08_*.py", "split_seed", "1"),
    ("08_*.py", "nb_epochs", "100"),
    ("08_*.py", "lr", "0.1"),
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


@pytest.mark.parametrize(
    ("pattern", "variable", "value"),
    CHANGES,
    ids=[f"{pattern.split('_')[0]}-{variable}={value}" for pattern, variable, value in CHANGES],
)
def test_lesson_runs_with_a_changed_number(tmp_path, pattern, variable, value):
    folder = copy_lessons(tmp_path)
    lesson = lesson_matching(pattern)
    source = change_number(lesson.read_text(encoding="utf-8"), lesson.stem, variable, value)
    notebook = jupytext.reads(source, fmt="py:percent")
    client = new_client(notebook, folder)
    failure = None
    with client.setup_kernel():
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type != "code":
                continue
            try:
                client.execute_cell(cell, index)
            except CellExecutionError as error:
                if not is_clear_message(error, client):
                    failure = (
                        f"{lesson.stem} with `{variable} = {value}`: {describe(notebook, index)} "
                        f"raised {error.ename}: {ANSI_ESCAPE.sub('', error.evalue)}"
                    )
                break  # a clear message ends the run: the course refused the number and said why
    if failure:
        pytest.fail(failure, pytrace=False)


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_every_cell_runs_again_after_the_cells_below_it(tmp_path, lesson):
    folder = copy_lessons(tmp_path)
    notebook = jupytext.read(lesson)
    code = [index for index, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
    client = new_client(notebook, folder)
    failure = None
    with client.setup_kernel():
        passes = (("top to bottom", code), ("again after the cells below it", code[::-1]))
        for when, order in passes:
            for index in order:
                try:
                    client.execute_cell(notebook.cells[index], index)
                except CellExecutionError as error:
                    failure = (
                        f"{lesson.stem}: {describe(notebook, index)} raised {error.ename} when run "
                        f"{when}: {ANSI_ESCAPE.sub('', error.evalue)}"
                    )
                    break
            if failure:
                break
    if failure:
        pytest.fail(failure, pytrace=False)


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
