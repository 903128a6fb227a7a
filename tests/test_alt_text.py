"""Every figure carries alt text: in the stored notebook, on the seminar pages, in the slides.

A reader who cannot see a figure (a screen reader, a page with images off)
gets the sentence ``plotting.show`` stored with it.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from conftest import EXECUTED
from tools.export import markdown_alt, write_site, write_slides

MARKDOWN_IMAGE = re.compile(r"!\[((?:\\.|[^\]\\])*)\]\(([^)]+\.png)\)")
HTML_IMAGE = re.compile(r"<img\b[^>]*>")


def figure_outputs(notebook: nbformat.NotebookNode) -> list[dict]:
    return [
        output
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if "image/png" in output.get("data", {})
    ]


#: The lessons that store a figure.
WITH_FIGURES = [p for p in EXECUTED if figure_outputs(nbformat.read(p, as_version=4))]


def test_most_lessons_store_a_figure():
    assert len(WITH_FIGURES) >= len(EXECUTED) // 2, [p.stem for p in WITH_FIGURES]


@pytest.mark.parametrize("path", WITH_FIGURES, ids=[p.stem for p in WITH_FIGURES])
def test_every_stored_figure_has_alt_text(path):
    for output in figure_outputs(nbformat.read(path, as_version=4)):
        alt = output.get("metadata", {}).get("image/png", {}).get("alt", "")
        assert len(alt.split()) >= 4, f"{path.name}: a figure without alt text (plotting.show)"


def test_the_seminar_pages_and_the_slides_show_the_alt_text(tmp_path):
    pages = write_site(WITH_FIGURES, tmp_path / "site")
    decks = write_slides(WITH_FIGURES, tmp_path / "slides")
    for notebook_path, page, deck in zip(WITH_FIGURES, pages, decks, strict=True):
        stored = [
            o["metadata"]["image/png"]["alt"]
            for o in figure_outputs(nbformat.read(notebook_path, as_version=4))
        ]
        shown = [alt for alt, _ in MARKDOWN_IMAGE.findall(page.read_text(encoding="utf-8"))]
        assert shown == [markdown_alt(alt) for alt in stored], page.name
        images = HTML_IMAGE.findall(deck.read_text(encoding="utf-8"))
        assert len(images) == len(stored), deck.name
        assert all(re.search(r'alt="[^"]+"', image) for image in images), deck.name


def test_markdown_alt_keeps_the_image_syntax_whole():
    assert markdown_alt("Costs [log scale]\nfall") == r"Costs \[log scale\] fall"
    assert markdown_alt(None) == ""
