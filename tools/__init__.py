"""The maintainer's tools: run from the repository root as ``python -m tools.<module>``.

They are not part of the installed ``softmax_course`` package, which holds only
what the lessons import. ``kernels`` starts kernels from this interpreter,
``execute`` stores the lessons' outputs, ``twins`` checks each ``.py`` against
its ``.ipynb``, ``export`` writes the student notebooks, slides and seminar
pages, ``release`` the student distribution (a git repository), ``bench``
measures how fast the course checks itself, and ``check_platforms`` resolves
the pinned dependencies for every supported Python and platform.
"""
