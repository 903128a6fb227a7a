"""The student notebooks, and the working copy that no update of the course touches.

``build/student/NN_topic.ipynb`` is generated from each lesson (``make student``,
``tools.export student``) and rewritten whole: nobody works there. ``make lab``
copies each lesson once into ``work/`` (git-ignored) with
``softmax_course.workspace``, and never writes a file there again. These
tests edit a working copy as a student would, change a lesson, regenerate and
run the lab's step again: the edit is intact, the new version is announced and
reachable beside it, and a new lesson arrives.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import jupytext.config
import nbformat
import pytest

from conftest import EXECUTED, LESSONS, ROOT, tags
from softmax_course import workspace
from tools.export import STUDENT_DIR, WORK_DIR, main, slide_type, student_bytes

IDS = [lesson.stem for lesson in LESSONS]
#: How the speaker's notes begin ("About 2 minutes.", "Under a minute."): text for the speaker.
NOTE_START = re.compile(r"^(About \d+(\.\d+)? minutes?|Under a minute)\b", re.M)


@pytest.mark.parametrize("twin", EXECUTED, ids=IDS)
def test_make_student_writes_each_lesson_in_full(twin, tmp_path):
    (tmp_path / "99_gone.ipynb").write_text("{}")  # a lesson that no longer exists
    (tmp_path / twin.name).write_text("{}")  # this lesson's last version
    main(["student", *map(str, EXECUTED), "--out", str(tmp_path)])
    assert (tmp_path / twin.name).read_bytes() == student_bytes(twin)
    assert sorted(path.name for path in tmp_path.iterdir()) == [t.name for t in EXECUTED]


def test_student_notebooks_are_generated_not_committed():
    tracked = subprocess.run(["git", "ls-files", "student", "build", "work"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert tracked == "", f"generated or student files are committed: {tracked}"
    paths = ["work/01_x.ipynb", "build/student/01_x.ipynb"]
    ignored = subprocess.run(["git", "check-ignore", *paths], cwd=ROOT, capture_output=True,
                             text=True, check=False).stdout.split()  # fmt: skip
    assert ignored == paths, "git must ignore work/ and build/"


@pytest.mark.parametrize("twin", EXECUTED, ids=IDS)
def test_a_student_notebook_is_paired_with_nothing(twin):
    """jupytext must never write a lesson's solutions into a student's file, nor read one."""
    config = jupytext.config.load_jupytext_configuration_file(str(ROOT / "pyproject.toml"))
    for folder in (STUDENT_DIR, WORK_DIR):
        path = folder / twin.name
        assert config.default_formats(str(path)) is None, config.default_formats(str(path))
    assert config.default_formats(str(twin)), "the lessons themselves are paired"
    notebook = nbformat.reads(student_bytes(twin).decode(), as_version=4)
    assert "jupytext" not in notebook.metadata, notebook.metadata


@pytest.mark.parametrize("twin", EXECUTED, ids=IDS)
def test_no_speaker_note_and_every_check_unsolved(twin):
    lesson = nbformat.read(twin, as_version=4)
    notes = [cell for cell in lesson.cells if slide_type(cell) == "notes"]
    assert notes, "the lesson has speaker notes"
    notebook = nbformat.reads(student_bytes(twin).decode(), as_version=4)
    assert not [cell for cell in notebook.cells if slide_type(cell) == "notes"]
    sources = {cell.source for cell in notebook.cells}
    assert not [note.source[:60] for note in notes if note.source in sources]
    assert not [cell.source[:60] for cell in notebook.cells if NOTE_START.search(cell.source)]
    checks = [cell for cell in notebook.cells if "check" in tags(cell)]
    assert checks and not [cell for cell in notebook.cells if "solution" in tags(cell)]
    for cell in checks:
        text = "".join(output.get("text", "") for output in cell.outputs)
        assert "not written yet" in text or "write your prediction first" in text, text
        assert "✓" not in text
    assert notebook.metadata[workspace.KEY] == {
        "lesson": twin.stem, "version": workspace.digest(notebook.cells)
    }  # fmt: skip


def test_the_lab_copies_into_work_and_installs_only_what_a_student_needs():
    plan = subprocess.run(
        ["make", "-n", "-W", "pyproject.toml", "lab", "NEW=01_softmax"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    ).stdout  # fmt: skip
    assert "pip install --quiet -e ." in plan and "[dev]" not in plan, plan
    assert "softmax_course.workspace build/student work --beside 01_softmax" in plan, plan
    assert "--ServerApp.root_dir=work " in plan, plan
    test_plan = subprocess.run(["make", "-n", "-W", "pyproject.toml", "test"], cwd=ROOT,
                               capture_output=True, text=True, timeout=60, check=True).stdout
    assert "-e '.[dev]'" in test_plan, "make test installs the maintainer's tools"
    recipes = [line for line in (ROOT / "Makefile").read_text().splitlines()
               if line.startswith("\t") and re.search(r"\bwork\b|WORK_DIR", line)]  # fmt: skip
    assert all("softmax_course.workspace" in line or "root_dir" in line for line in recipes), (
        f"a recipe touches work/ other than through softmax_course.workspace: {recipes}"
    )


def changed(twin: Path, folder: Path) -> Path:
    """``twin`` with one more markdown cell (a new version of the lesson), in ``folder``."""
    notebook = nbformat.read(twin, as_version=4)
    notebook.cells.insert(1, nbformat.v4.new_markdown_cell("A sentence added in an update."))
    path = folder / twin.name
    nbformat.write(notebook, path)
    return path


def test_an_update_never_touches_a_students_copy_and_offers_the_new_version(tmp_path):
    published, work = tmp_path / "published", tmp_path / "work"
    main(["student", *map(str, EXECUTED[:-1]), "--out", str(published)])
    first = workspace.update(published, work)
    assert first == [f"new lesson: {work / twin.name}" for twin in EXECUTED[:-1]]

    mine = work / EXECUTED[0].name
    notebook = nbformat.read(mine, as_version=4)
    stub = next(cell for cell in notebook.cells if "raise NotImplementedError" in cell.source)
    stub.source = stub.source.replace("raise NotImplementedError", "return z  # my attempt")
    nbformat.write(notebook, mine)
    edited = mine.read_bytes()
    untouched = {path: path.read_bytes() for path in work.iterdir() if path != mine}

    # The course changes lesson 1 and adds the last lesson; make student, then make lab.
    sources = tmp_path / "sources"
    sources.mkdir()
    new_first = changed(EXECUTED[0], sources)
    main(["student", str(new_first), *map(str, EXECUTED[1:]), "--out", str(published)])
    report = workspace.update(published, work)
    assert mine.read_bytes() == edited, "the student's edited copy was written"
    assert all(path.read_bytes() == data for path, data in untouched.items())
    assert (work / EXECUTED[-1].name).read_bytes() == (published / EXECUTED[-1].name).read_bytes()
    new_version = workspace.version(published / EXECUTED[0].name)
    assert new_version != workspace.version(mine)
    beside = work / workspace.beside_name(EXECUTED[0].stem, new_version)
    (announcement,) = [line for line in report if line.startswith(EXECUTED[0].stem)]
    assert f"make lab NEW={EXECUTED[0].stem}" in announcement and beside.name in announcement
    assert not beside.exists()

    report = workspace.update(published, work, beside=[EXECUTED[0].stem])
    assert beside.read_bytes() == (published / EXECUTED[0].name).read_bytes()
    assert "A sentence added in an update." in beside.read_text()
    assert mine.read_bytes() == edited
    assert report == [f"{EXECUTED[0].stem}: the new version is beside yours: {beside}"]
    assert workspace.update(published, work) == report, "it keeps saying where the new one is"


def test_the_workspace_command_refuses_an_unknown_lesson(tmp_path, capsys):
    main(["student", str(EXECUTED[0]), "--out", str(tmp_path / "published")])
    with pytest.raises(SystemExit) as stopped:
        workspace.main([str(tmp_path / "published"), str(tmp_path / "work"), "--beside", "1_x"])
    assert stopped.value.code == 2 and "no such lesson" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        workspace.main([str(tmp_path / "nothing"), str(tmp_path / "work")])
    assert "no lesson notebooks" in capsys.readouterr().err
    assert json.loads((tmp_path / "published" / EXECUTED[0].name).read_text())["metadata"]


def published_lesson(folder: Path, lesson: str, text: str) -> Path:
    """A published lesson of one markdown cell, stamped with its lesson and version."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(text)])
    path = folder / f"{lesson}.ipynb"
    nbformat.write(nbformat.from_dict(workspace.stamp(notebook, lesson)), path)
    return path


def test_the_workspace_command_copies_reports_and_puts_a_new_version_beside(tmp_path, capsys):
    published, work = tmp_path / "published", tmp_path / "not yet" / "work"
    published.mkdir()
    lesson = published_lesson(published, "01_softmax", "First version.")
    # A version put beside a copy is no lesson of its own, wherever it lies.
    (published / "01_softmax.0123456789ab.ipynb").write_bytes(lesson.read_bytes())
    workspace.main([str(published), str(work)])
    assert capsys.readouterr().out == f"new lesson: {work / lesson.name}\n"
    assert sorted(path.name for path in work.iterdir()) == [lesson.name]

    published_lesson(published, "01_softmax", "Second version.")
    published_lesson(published, "02_one_hot", "A new lesson.")
    beside = work / workspace.beside_name("01_softmax", workspace.version(lesson))
    workspace.main([str(published), str(work), "--beside", "01_softmax", "02_one_hot"])
    assert capsys.readouterr().out.splitlines() == [
        f"01_softmax: the new version is beside yours: {beside}",
        f"new lesson: {work / '02_one_hot.ipynb'}",
    ]
    assert "Second version." in beside.read_text()
    assert "First version." in (work / lesson.name).read_text()

    with pytest.raises(SystemExit) as stopped:
        workspace.main([str(published), str(work), "--beside", "1_x", "03_y"])
    assert stopped.value.code == 2
    assert f"no such lesson in {published}: 03_y, 1_x\n" in capsys.readouterr().err


def test_the_workspace_command_explains_itself(capsys):
    with pytest.raises(SystemExit) as stopped:
        workspace.main(["--help"])
    assert stopped.value.code == 0
    shown = " ".join(capsys.readouterr().out.split())
    assert shown.startswith(
        "usage: python -m softmax_course.workspace [-h] [--beside [NN_topic ...]] published work "
        "Your working copy of the lessons: copied once, never overwritten by an update."
    ), shown
    for argument, explanation in [
        ("published", "the published lessons (NN_topic.ipynb)"),
        ("work", "your working copy (created if missing)"),
        ("--beside [NN_topic ...]", "copy these lessons' newer versions beside your own"),
    ]:
        assert f"{argument} {explanation}" in shown, (argument, shown)


def test_a_notebook_without_a_version_has_none_and_its_newer_version_is_offered(tmp_path):
    published, work = tmp_path / "published", tmp_path / "work"
    published.mkdir()
    work.mkdir()
    # A notebook written without metadata gets them when it is stamped.
    lesson = published / "01_softmax.ipynb"
    lesson.write_text(json.dumps(workspace.stamp({"cells": []}, "01_softmax")))
    assert workspace.version(lesson) == workspace.digest([])
    unversioned = {
        "no_metadata": "{}",
        "no_key": '{"metadata": {"kernelspec": {}}}',
        "no_version": '{"metadata": {"softmax_course": {}}}',
        "not_json": "{",
    }
    for name, text in unversioned.items():
        (tmp_path / f"{name}.ipynb").write_text(text)
        assert workspace.version(tmp_path / f"{name}.ipynb") is None, name
    assert workspace.version(tmp_path / "missing.ipynb") is None
    # A copy made before lessons carried a version: the published one is newer.
    (work / lesson.name).write_text('{"metadata": {}}')
    (report,) = workspace.update(published, work)
    assert report.startswith("01_softmax: a newer version is published"), report


def test_a_lessons_version_is_the_same_in_every_release():
    """A student's copy keeps the version it was copied from: were the digest of the same
    cells to change between releases, every lesson would be announced as new."""
    text = "Softmax: σ(z)ᵢ = exp(zᵢ) / Σⱼ exp(zⱼ)"
    cells = [{"cell_type": "markdown", "metadata": {}, "source": text}]
    assert workspace.digest(cells) == "31cb4c9eca86"


def test_a_version_is_read_whatever_the_locales_encoding(tmp_path):
    """Read in the locale's encoding where that is not UTF-8 (the C locale's ASCII here; on
    Windows cp1252, which has no character for the second byte of ρ), a lesson's text would
    not decode: its version would be none, and a newer lesson never announced."""
    import locale

    text = "Softmax: σ(z)ᵢ = exp(zᵢ) / Σⱼ exp(zⱼ) — in [0, 1]; ρ, a correlation"
    lesson = published_lesson(tmp_path, "01_softmax", text)
    expected = json.loads(lesson.read_text(encoding="utf-8"))["metadata"]["softmax_course"]
    before = locale.setlocale(locale.LC_CTYPE)
    locale.setlocale(locale.LC_CTYPE, "C")  # its encoding is ASCII (on Linux)
    try:
        encoding = locale.getencoding()
        found = workspace.version(lesson)
    finally:
        locale.setlocale(locale.LC_CTYPE, before)
    if encoding.lower().replace("-", "") == "utf8":
        pytest.skip("this platform's C locale reads UTF-8 (macOS)")
    assert found == expected["version"]
