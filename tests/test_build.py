"""The build steps: student notebooks, slide counts, front matter, the command line."""

import os
import re
import subprocess
import time

import nbformat
import pytest

from conftest import EXECUTED, NOTEBOOKS, ROOT, tags
from tools import LESSON_PATTERN, export
from tools.export import (
    WRITERS,
    count_slides,
    front_matter,
    last_modified,
    main,
    markdown_alt,
    slide_type,
    student_version,
    unsolved_output,
    write_site,
)


def test_student_version_drops_solutions_and_notes_and_keeps_the_rest():
    path = NOTEBOOKS / "03_cross_entropy.ipynb"
    original = nbformat.read(path, as_version=4)
    student = student_version(nbformat.read(path, as_version=4))
    kept = [c for c in original.cells if "solution" not in tags(c) and slide_type(c) != "notes"]
    assert len(kept) < len(original.cells)
    assert [c.source for c in student.cells] == [c.source for c in kept]
    for before, after in zip(kept, student.cells, strict=True):
        if "check" in tags(after):
            (output,) = after.outputs
            assert output.text.startswith(("✗ write your prediction first", "✗ check_")), output
            assert "not written yet" in output.text or "prediction first" in output.text
        elif after.cell_type == "code":
            assert [o.get("text") for o in after.outputs] == [o.get("text") for o in before.outputs]


def test_a_students_cells_are_numbered_in_the_order_they_run_and_checks_print_to_stdout():
    new_code, new_output = nbformat.v4.new_code_cell, nbformat.v4.new_output
    solution = new_code("def cross_entropy(logits, target):\n    return 0", execution_count=2)
    solution.metadata["tags"] = ["solution"]
    check = new_code("check_cross_entropy(cross_entropy)", execution_count=4)
    check.metadata["tags"] = ["check"]
    check.outputs = [new_output("stream", name="stdout", text="✓ check_cross_entropy\n")]
    shown = new_code("x", execution_count=3)
    shown.outputs = [
        new_output("stream", name="stdout", text="printed\n"),
        new_output("execute_result", data={"text/plain": "1"}, execution_count=3),
    ]
    notebook = nbformat.v4.new_notebook(cells=[new_code("x = 1", execution_count=1), solution,
                                               shown, check])  # fmt: skip
    student = student_version(notebook)
    assert [cell.execution_count for cell in student.cells] == [1, 2, 3]
    printed, result = student.cells[1].outputs
    assert "execution_count" not in printed and result.execution_count == 2, "Out[2] for In[2]"
    (unsolved,) = student.cells[2].outputs
    assert (unsolved.output_type, unsolved.name) == ("stream", "stdout"), unsolved
    assert unsolved.text == unsolved_output(check.source) and "not written yet" in unsolved.text
    nbformat.validate(student)


def test_a_check_cell_must_call_exactly_one_checker():
    with pytest.raises(ValueError, match=r"exactly one checker, this one \[\]:\nprint\(1\)"):
        unsolved_output("print(1)")
    two = "check_cross_entropy(cross_entropy)\nreveal_prediction(guess, 0.5)"
    with pytest.raises(ValueError, match=r"\['check_cross_entropy', 'reveal_prediction'\]"):
        unsolved_output(two)


def test_every_lesson_has_exercises_with_solutions_and_checks():
    for path in EXECUTED:
        cells = nbformat.read(path, as_version=4).cells
        solutions = sum("solution" in tags(c) for c in cells)
        checks = sum("check" in tags(c) for c in cells)
        assert 2 <= solutions == checks <= 3, path.name


def test_slide_count_follows_the_metadata():
    notebook = nbformat.v4.new_notebook()
    for kind in ["slide", "fragment", "subslide", "-", "skip", "slide", "notes"]:
        cell = nbformat.v4.new_markdown_cell("x")
        cell.metadata["slideshow"] = {"slide_type": kind}
        notebook.cells.append(cell)
    assert count_slides(notebook) == 3


def test_front_matter_uses_metadata_and_seminar_defaults():
    notebook = nbformat.read(NOTEBOOKS / "01_softmax.ipynb", as_version=4)
    text = front_matter(notebook, NOTEBOOKS / "01_softmax.ipynb")
    assert text.startswith("---\nlayout: default\ntitle: \"01 Softmax")
    assert "\nnav_order: 1\n" in text and "\nusemathjax: true\n" in text
    assert "\nparent: 2022 Fall Seminar\n" in text and text.endswith("---\n")


def test_a_page_without_seminar_metadata_is_titled_by_its_file_and_needs_an_order(tmp_path):
    (tmp_path / "07_über.py").write_text("x = 1\n")
    path = tmp_path / "07_über.ipynb"
    notebook = nbformat.v4.new_notebook()
    missing = "07_über.ipynb: seminar metadata needs a value for 'nav_order'"
    with pytest.raises(ValueError, match=missing):
        front_matter(notebook, path)
    notebook.metadata["seminar"] = {"nav_order": 7}
    text = front_matter(notebook, path)
    assert '\ntitle: "07_über"\n' in text and "\nnav_order: 7\n" in text
    assert f"\nlast_modified_date: {last_modified(tmp_path / '07_über.py')}\n" in text


def test_a_page_is_dated_by_its_sources_last_commit_or_else_its_mtime(tmp_path, monkeypatch):
    source = tmp_path / "01_x.py"
    source.write_text("x = 1\n")
    moment = 1577901845  # 2020-01-01 18:04:05 UTC, already 2020-01-02 in Tokyo
    os.utime(source, (moment, moment))

    def git(*args: str) -> None:
        env = {**os.environ, "GIT_COMMITTER_DATE": "2021-03-04T23:06:07-0500"}
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org",
                        "-c", "commit.gpgsign=false", *args],
                       cwd=tmp_path, env=env, check=True, capture_output=True)  # fmt: skip

    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    monkeypatch.setenv("TZ", "JST-9")
    time.tzset()
    try:
        assert last_modified(source) == "2020-01-02 +0900", "outside git: its mtime, local"
        git("init", "-q")
        (tmp_path / "other.py").write_text("")
        git("add", "other.py")
        git("commit", "-q", "-m", "another file")
        assert last_modified(source) == "2020-01-02 +0900", "never committed: its mtime"
        git("add", "01_x.py")
        git("commit", "-q", "-m", "the lesson", "--date", "2000-01-01T00:00:00+0000")
        assert last_modified(source) == "2021-03-04 -0500", "its commit's date, in its zone"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_each_command_writes_into_build_unless_told_and_says_what_it_wrote(
    tmp_path, monkeypatch, capsys
):
    """The Makefile's make student, slides and site pass no --out; a fresh clone has no build/."""
    lesson = NOTEBOOKS / "01_softmax.ipynb"
    for command, name in [
        ("student", "01_softmax.ipynb"),
        ("slides", "01_softmax.slides.html"),
        ("site", "01_softmax.md"),
    ]:
        root = tmp_path / command
        monkeypatch.setattr(export, "ROOT", root)
        monkeypatch.setattr(export, "STUDENT_DIR", root / "build" / "student")
        main([command, str(lesson)])
        target = root / "build" / command / name
        assert target.is_file(), sorted(root.rglob("*"))
        assert capsys.readouterr().out == f"wrote {target}\n"
    main(["site", str(lesson), "--out", str(tmp_path / "elsewhere")])
    assert (tmp_path / "elsewhere" / "01_softmax.md").is_file()


def test_a_lesson_with_no_cells_yet_gets_a_page(tmp_path):
    (tmp_path / "11_new.py").write_text("")
    notebook = nbformat.v4.new_notebook(metadata={"seminar": {"nav_order": 11}})
    nbformat.write(notebook, tmp_path / "11_new.ipynb")
    (page,) = write_site([tmp_path / "11_new.ipynb"], tmp_path / "site")
    assert page.read_text(encoding="utf-8").startswith('---\nlayout: default\ntitle: "11_new"\n')


def test_the_command_line_names_its_commands(capsys):
    with pytest.raises(SystemExit) as stopped:
        main([])
    err = capsys.readouterr().err
    assert stopped.value.code == 2 and err.startswith("usage: python -m tools.export"), err
    assert "required: command" in err
    with pytest.raises(SystemExit) as stopped:
        main(["--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert stopped.value.code == 0
    assert all(f"{name} {help_text}" in out for name, (_, help_text) in WRITERS.items()), out


def test_make_finds_the_lessons_the_tools_and_tests_find():
    """One pattern names a lesson: the Makefile's LESSONS and tools.LESSONS agree."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert f"LESSONS := $(sort $(wildcard notebooks/{LESSON_PATTERN}))" in makefile


def test_an_alt_text_becomes_one_line_that_cannot_end_the_markdown_image():
    assert markdown_alt("Bars [of z]\n  and a \\ path") == "Bars \\[of z\\] and a \\\\ path"
    assert markdown_alt(None) == "" and markdown_alt("") == ""


def test_a_page_carries_each_figures_alt_text_into_a_folder_not_yet_made(tmp_path):
    """make site writes into build/site, which a fresh clone does not have."""
    lesson = NOTEBOOKS / "01_softmax.ipynb"
    alts = [
        output.metadata["image/png"]["alt"]
        for cell in nbformat.read(lesson, as_version=4).cells
        for output in cell.get("outputs", [])
        if "image/png" in output.get("data", {})
    ]
    (page,) = write_site([lesson], tmp_path / "build" / "site")
    text = page.read_text(encoding="utf-8")
    # Named as in the seminar's pages: 01_softmax_files/01_softmax_<cell>_<n>.png
    linked = [f"![{markdown_alt(alt)}](01_softmax_files/01_softmax_" for alt in alts]
    assert alts and all(link in text for link in linked), linked
    figures = re.findall(r"\]\((01_softmax_files/[^)]+)\)", text)
    assert len(figures) == len(alts) and all((page.parent / f).is_file() for f in figures)
