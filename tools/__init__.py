"""The maintainer's tools: run from the repository root as ``python -m tools.<module>``.

They are not part of the installed ``softmax_course`` package, which holds only
what the lessons import. ``kernels`` starts kernels from this interpreter,
``execute`` stores the lessons' outputs, ``twins`` checks each ``.py`` against
its ``.ipynb``, ``export`` writes the student notebooks, slides and seminar
pages, ``release`` the student distribution (a git repository),
``arithmetic_paths`` runs nbval under other arithmetic paths, ``grade``
grades a class's notebooks in ``sandbox``'s sandboxes, ``bench`` measures
what the checks cost, and ``check_platforms`` resolves the pinned
dependencies for every supported Python and platform.

Here are the paths the tools and the tests share, each defined once.
"""

from pathlib import Path

#: The repository's root.
ROOT = Path(__file__).resolve().parent.parent
#: The lessons' folder: each ``NN_topic.py`` source beside its executed ``NN_topic.ipynb``.
NOTEBOOKS = ROOT / "notebooks"
#: A lesson's source file name; the Makefile's ``LESSONS`` uses the same pattern.
LESSON_PATTERN = "[0-9][0-9]_*.py"
#: Every lesson's source, in lesson order.
LESSONS = sorted(NOTEBOOKS.glob(LESSON_PATTERN))
#: Every lesson's executed twin, in lesson order.
EXECUTED = [lesson.with_suffix(".ipynb") for lesson in LESSONS]
