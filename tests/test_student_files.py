"""No solution and no hidden case reaches a student, in any file a student can get.

Student-facing: the student notebooks (``make student``), the seminar pages
(``make site``), the slides (``make slides``) and the helper package (``src/``,
which the wheel and the release hold: ``test_wheel.py``, ``test_release.py``).
Each is read and must hold no line of a solution cell that the lesson does not
also show elsewhere, and no text of the grader's hidden cases.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import jupytext
import nbformat
import pytest

from conftest import EXECUTED, LESSONS, PACKAGE, tags
from tools.export import write_site, write_slides, write_student_versions
from tools.hidden_cases import HIDDEN_CASES


def code_lines(sources: list[str]) -> set[str]:
    return {line.strip() for source in sources for line in source.splitlines() if line.strip()}


def secrets() -> dict[str, set[str]]:
    """Per lesson: the lines of its solution cells that no other cell of it shows."""
    found = {}
    for lesson in LESSONS:
        cells = [cell for cell in jupytext.read(lesson).cells if cell.cell_type == "code"]
        shown = code_lines([cell.source for cell in cells if "solution" not in tags(cell)])
        solutions = code_lines([cell.source for cell in cells if "solution" in tags(cell)])
        found[lesson.stem] = solutions - shown
    return found


SECRETS = secrets()
#: Text of the hidden cases: their names, and the file they live in.
HIDDEN_TEXT = {case.name for cases in HIDDEN_CASES.values() for case in cases} | {"hidden_cases"}


def visible_text(path: Path) -> str:
    """What a file holds as text a person reads (an HTML page without its tags)."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".html":
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return text


@pytest.fixture(scope="module")
def student_files(tmp_path_factory) -> list[Path]:
    site = write_site(EXECUTED, tmp_path_factory.mktemp("site"))
    slides = write_slides(EXECUTED, tmp_path_factory.mktemp("slides"))
    students = write_student_versions(EXECUTED, tmp_path_factory.mktemp("student"))
    package = sorted(p for p in PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return [*students, *site, *slides, *package]


def test_every_kind_of_student_file_is_read(student_files):
    kinds = {path.suffix for path in student_files}
    assert {".ipynb", ".md", ".html", ".py"} <= kinds, kinds
    assert len(SECRETS) == len(LESSONS) and all(SECRETS.values())


def test_no_student_file_holds_a_solution_or_a_hidden_case(student_files):
    every_secret = set().union(*SECRETS.values())
    leaks = []
    for path in student_files:
        text = visible_text(path)
        if path.suffix == ".ipynb":
            notebook = nbformat.reads(text, as_version=4)
            lines = code_lines([cell.source for cell in notebook.cells])
            lines |= code_lines(
                [o.get("text", "") for cell in notebook.cells for o in cell.get("outputs", [])]
            )
        else:
            lines = {line.strip() for line in text.splitlines()}
        leaks += [f"{path}: solution line {line!r}" for line in sorted(lines & every_secret)]
        leaks += [f"{path}: hidden case {name!r}" for name in sorted(HIDDEN_TEXT) if name in text]
    assert not leaks, "\n".join(leaks)
