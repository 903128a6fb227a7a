"""The student notebooks: where a student works, up to date, unpaired, and never overwritten.

``student/NN_topic.ipynb`` is generated from each lesson by ``make student``
(``tools.export student``) and committed, so that a clone, Binder and the
make-free path all have it. These tests regenerate it in memory and compare;
they edit a copy as a student would and run every writer of student files
on it (``make student`` with and without FRESH, and ``make lab``'s step that
restores a deleted notebook), and find the edit intact or a refusal naming the file.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import jupytext.config
import nbformat
import pytest

from conftest import EXECUTED, LESSONS, ROOT, tags
from tools.export import MANIFEST, STUDENT_DIR, main, student_bytes

IDS = [lesson.stem for lesson in LESSONS]


@pytest.mark.parametrize("twin", EXECUTED, ids=IDS)
def test_student_notebook_is_up_to_date(twin):
    committed = STUDENT_DIR / twin.name
    assert committed.is_file(), f"{committed} is missing: run `make student` and commit it"
    assert committed.read_bytes() == student_bytes(twin), (
        f"{committed.relative_to(ROOT)} is not what `make student` writes from "
        f"{twin.relative_to(ROOT)}: run `make student` (after `make execute`) and commit it"
    )


def test_the_manifest_names_every_student_notebook():
    manifest = json.loads((STUDENT_DIR / MANIFEST).read_text())
    assert sorted(manifest) == sorted(twin.name for twin in EXECUTED)
    notebooks = sorted(path.name for path in STUDENT_DIR.glob("*.ipynb"))
    assert notebooks == sorted(manifest), "student/ holds a notebook that no lesson generates"


@pytest.mark.parametrize("twin", EXECUTED, ids=IDS)
def test_a_student_notebook_is_paired_with_nothing(twin):
    """jupytext must never write a lesson's solutions into a student's file, nor read one."""
    path = STUDENT_DIR / twin.name
    config = jupytext.config.load_jupytext_configuration_file(str(ROOT / "pyproject.toml"))
    assert config.default_formats(str(path)) is None, config.default_formats(str(path))
    assert config.default_formats(str(twin)), "the lessons themselves are paired"
    notebook = nbformat.read(path, as_version=4)
    assert "jupytext" not in notebook.metadata, notebook.metadata
    assert not list(STUDENT_DIR.glob("*.py")), "no percent twin beside a student notebook"


@pytest.mark.parametrize("twin", EXECUTED, ids=IDS)
def test_every_check_shows_the_unsolved_state(twin):
    notebook = nbformat.read(STUDENT_DIR / twin.name, as_version=4)
    checks = [cell for cell in notebook.cells if "check" in tags(cell)]
    assert checks and not [cell for cell in notebook.cells if "solution" in tags(cell)]
    for cell in checks:
        text = "".join(output.get("text", "") for output in cell.outputs)
        assert "not written yet" in text or "write your prediction first" in text, text
        assert "✓" not in text


@dataclass
class Run:
    returncode: int
    stderr: str


def export(folder: Path, *options: str) -> Run:
    """``python -m tools.export student`` as the Makefile runs it, into ``folder``."""
    try:
        main(["student", *map(str, EXECUTED), "--out", str(folder), *options])
    except SystemExit as exit_:
        return Run(1, str(exit_.code))
    return Run(0, "")


def test_every_make_target_that_writes_student_files_goes_through_the_guarded_writer():
    plan = subprocess.run(
        ["make", "-n", "-o", ".venv/.installed", "lab", "student", "FRESH=01_softmax"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    ).stdout  # fmt: skip
    writers = [line for line in plan.splitlines() if "student" in line and "tools.export" in line]
    assert len(writers) == 2, plan
    assert "--missing-only" in writers[0] and "--fresh 01_softmax" in writers[1], writers
    makefile = (ROOT / "Makefile").read_text()
    others = [
        line for line in makefile.splitlines()
        if line.startswith("\t") and re.search(r"(?<![<\w])student(?![>\w])", line)
        and "tools.export student" not in line and "root_dir=student" not in line
    ]  # fmt: skip
    assert not others, f"a recipe touches student/ without the guarded writer: {others}"


def test_a_students_edit_is_never_overwritten(tmp_path):
    folder = tmp_path / "student"
    shutil.copytree(STUDENT_DIR, folder)
    mine = folder / EXECUTED[0].name
    notebook = nbformat.read(mine, as_version=4)
    stub = next(cell for cell in notebook.cells if "raise NotImplementedError" in cell.source)
    stub.source = stub.source.replace("raise NotImplementedError", "return z  # my attempt")
    nbformat.write(notebook, mine)
    edited = mine.read_bytes()

    lab = export(folder, "--missing-only")  # make lab
    assert lab.returncode == 0, lab.stderr
    assert mine.read_bytes() == edited

    refused = export(folder)  # make student
    assert refused.returncode != 0 and mine.read_bytes() == edited
    assert str(mine) in refused.stderr
    assert f"make student FRESH={EXECUTED[0].stem}" in refused.stderr
    others = [folder / twin.name for twin in EXECUTED[1:]]
    assert all(path.read_bytes() == (STUDENT_DIR / path.name).read_bytes() for path in others)

    fresh = export(folder, "--fresh", EXECUTED[0].stem)  # make student FRESH=01_softmax
    assert fresh.returncode == 0, fresh.stderr
    (backup,) = (folder / "backup").glob(f"{EXECUTED[0].stem}-*.ipynb")
    assert backup.read_bytes() == edited, "FRESH moves the student's work aside, it never drops it"
    assert mine.read_bytes() == (STUDENT_DIR / mine.name).read_bytes()


def test_an_untouched_or_deleted_notebook_is_refreshed(tmp_path):
    folder = tmp_path / "student"
    shutil.copytree(STUDENT_DIR, folder)
    (folder / EXECUTED[1].name).unlink()
    assert export(folder, "--missing-only").returncode == 0  # make lab brings it back
    assert (folder / EXECUTED[1].name).read_bytes() == (STUDENT_DIR / EXECUTED[1].name).read_bytes()
    # A notebook unchanged since make student wrote it may be replaced by a newer lesson.
    manifest = json.loads((folder / MANIFEST).read_text())
    old = b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}\n'
    (folder / EXECUTED[2].name).write_bytes(old)
    manifest[EXECUTED[2].name] = hashlib.sha256(old).hexdigest()
    (folder / MANIFEST).write_text(json.dumps(manifest))
    result = export(folder)
    assert result.returncode == 0, result.stderr
    assert (folder / EXECUTED[2].name).read_bytes() == (STUDENT_DIR / EXECUTED[2].name).read_bytes()
