"""What ``make student`` and ``make site`` write keeps the exercises open, for every lesson.

The writers run here, into pytest's temporary folder, and the tests read the
files they wrote: no solution's code in a student notebook or a (public) seminar
page, no stored ✓ under a check cell, every exercise stub present.
"""

import re
from pathlib import Path

import nbformat
import pytest

from conftest import EXECUTED, tags
from tools.export import write_site, write_student_versions

STUB_MARK = "raise NotImplementedError"
#: What a check cell shows for an untouched exercise (its stored output in a student file).
UNSOLVED = re.compile(
    r"✗ (check_\w+: not written yet \(the function raises NotImplementedError\)"
    r"|write your prediction first: replace the \.\.\. with it, then run this cell again)\n"
)


def code_lines(cells: list[nbformat.NotebookNode]) -> set[str]:
    """Every non-blank line of the cells' code, without its indentation."""
    return {line.strip() for cell in cells for line in cell.source.splitlines() if line.strip()}


def stored_text(cell: nbformat.NotebookNode) -> str:
    return "".join(
        output.get("text") or output.get("data", {}).get("text/plain", "")
        for output in cell.get("outputs", [])
    )


def fenced(source: str) -> str:
    """How the seminar page shows a code cell."""
    return f"```python\n{source}\n```\n"


class Lesson:
    """A lesson's exercise cells, read from its ``.ipynb``."""

    def __init__(self, path: Path) -> None:
        cells = nbformat.read(path, as_version=4).cells
        code = [cell for cell in cells if cell.cell_type == "code"]
        self.solutions = [cell for cell in code if "solution" in tags(cell)]
        self.checks = [cell for cell in code if "check" in tags(cell)]
        # Each solution follows its stub: a function that raises, or a prediction left as `...`.
        self.stubs = [
            code[index - 1] for index, cell in enumerate(code) if "solution" in tags(cell)
        ]
        for stub in self.stubs:
            assert STUB_MARK in stub.source or re.search(r"^\w+ = \.\.\.$", stub.source, re.M), (
                f"the cell before a solution is not its stub: {stub.source[:60]!r}"
            )
        # A solution redefines its stub: the lines the stub or the lesson also
        # has (the ``def`` line) are no secret; every other line is.
        shown = code_lines([cell for cell in code if "solution" not in tags(cell)])
        self.secrets = {
            index: code_lines([cell]) - shown for index, cell in enumerate(self.solutions)
        }


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    """Each lesson's student notebook and seminar page, written by the writers."""
    student_dir = tmp_path_factory.mktemp("student")
    site_dir = tmp_path_factory.mktemp("site")
    students = write_student_versions(EXECUTED, student_dir)
    pages = write_site(EXECUTED, site_dir)
    assert [p.name for p in students] == [p.name for p in EXECUTED]
    return {
        lesson.stem: (student, page)
        for lesson, student, page in zip(EXECUTED, students, pages, strict=True)
    }


@pytest.mark.parametrize("lesson", EXECUTED, ids=[p.stem for p in EXECUTED])
def test_the_lesson_has_exercises_to_protect(lesson):
    exercises = Lesson(lesson)
    assert exercises.solutions, "a lesson ends with exercises and their solutions"
    assert len(exercises.stubs) == len(exercises.solutions) == len(exercises.checks)
    for index, secret in exercises.secrets.items():
        assert secret, f"solution {index} has no line of its own: it is its stub"
    for check in exercises.checks:
        assert "✓" in stored_text(check), "the lesson stores each check's pass"


@pytest.mark.parametrize("lesson", EXECUTED, ids=[p.stem for p in EXECUTED])
def test_student_notebook_has_stubs_and_checks_but_no_solution(lesson, written):
    exercises = Lesson(lesson)
    student = nbformat.read(written[lesson.stem][0], as_version=4)
    sources = [cell.source for cell in student.cells]
    lines = code_lines([cell for cell in student.cells if cell.cell_type == "code"])
    for index, solution in enumerate(exercises.solutions):
        assert solution.source not in sources
        leaked = exercises.secrets[index] & lines
        assert not leaked, f"solution code in the student notebook: {sorted(leaked)}"
    assert not any("solution" in tags(cell) for cell in student.cells)
    for stub in exercises.stubs:
        assert stub.source in sources, f"exercise stub missing: {stub.source[:60]!r}"
    checks = [cell for cell in student.cells if "check" in tags(cell)]
    assert [cell.source for cell in checks] == [cell.source for cell in exercises.checks]
    for cell in checks:
        assert UNSOLVED.fullmatch(stored_text(cell)), f"{cell.source!r} shows {stored_text(cell)!r}"
    assert not any("✓" in stored_text(cell) for cell in student.cells)


@pytest.mark.parametrize("lesson", EXECUTED, ids=[p.stem for p in EXECUTED])
def test_seminar_page_has_stubs_and_checks_but_no_solution(lesson, written):
    exercises = Lesson(lesson)
    page = written[lesson.stem][1].read_text(encoding="utf-8")
    page_lines = {line.strip() for line in page.splitlines()}
    for index, solution in enumerate(exercises.solutions):
        assert fenced(solution.source) not in page
        leaked = exercises.secrets[index] & page_lines
        assert not leaked, f"solution code on the public page: {sorted(leaked)}"
    for stub in exercises.stubs:
        assert fenced(stub.source) in page, f"exercise stub missing: {stub.source[:60]!r}"
    for check in exercises.checks:
        assert fenced(check.source) in page, f"check cell missing: {check.source!r}"
        # nbconvert puts a cell's output right after its code, indented four spaces:
        # the unsolved state, as in the student notebook.
        after = page.split(fenced(check.source), 1)[1].split("\n\n")[0]
        assert UNSOLVED.fullmatch(after.strip() + "\n"), f"{check.source!r} shows {after!r}"
        stored = stored_text(check)
        shown = "".join(f"    {line}\n" for line in stored.splitlines())
        assert not stored or shown not in page, f"{check.source!r} shows its stored output"
        for line in stored.splitlines():
            if "✓" in line or "✗" in line:
                assert line not in page, f"a stored check result is on the page: {line!r}"
