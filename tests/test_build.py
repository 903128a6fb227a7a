"""The build steps: student notebooks, slide counts, front matter."""

import nbformat

from conftest import EXECUTED, NOTEBOOKS, ROOT, tags
from tools import LESSON_PATTERN
from tools.export import (
    count_slides,
    front_matter,
    markdown_alt,
    slide_type,
    student_version,
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
    assert alts and all(f"![{markdown_alt(alt)}](01_softmax_files/" in text for alt in alts)
