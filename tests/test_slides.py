"""Each lesson is a talk of at most 15 slides: a deck one can present in a seminar.

The count is read from the lesson's ``.py`` source, the cells whose
``slideshow.slide_type`` is ``slide`` or ``subslide`` (the title slide
counts); the slides browser test checks that reveal.js shows that many.
"""

import jupytext
import pytest

from conftest import LESSONS, ROOT
from tools.export import count_slides

MAX_SLIDES = 15


def test_lessons_are_found():
    assert LESSONS, f"no lessons matched notebooks/[0-9][0-9]_*.py under {ROOT}"


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_deck_has_at_most_15_slides(lesson):
    notebook = jupytext.read(lesson)
    first_type = notebook.cells[0].metadata.get("slideshow", {}).get("slide_type")
    # nbconvert opens the deck with the first cell whatever its type; marking it
    # a slide makes the metadata count equal the deck's size.
    assert first_type == "slide", (
        f"{lesson.name}: the first cell must start a slide (slide_type 'slide'), not {first_type!r}"
    )
    count = count_slides(notebook)
    assert count <= MAX_SLIDES, (
        f"{lesson.name} has {count} slides and subslides; a lesson's deck has at most "
        f"{MAX_SLIDES}: split the lesson or merge slides"
    )
