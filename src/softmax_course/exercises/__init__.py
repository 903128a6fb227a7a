"""The exercises: one module per lesson, named after the lesson's topic, and their runner.

Each exercise is declared once, as an :class:`~softmax_course.exercises.runner.Exercise`
at the top level of its lesson's module (``softmax.py`` for ``01_softmax``).
Everything else is derived from those declarations: ``EXERCISES`` (every
exercise under the name its check cell calls), ``LESSON_EXERCISES``
(each lesson topic's exercises, in declaration order, which the grader grades),
and the check functions themselves, so that a lesson writes
``from softmax_course.exercises import check_softmax`` and its check cell
``check_softmax(my_softmax)``: the check prints ✓ or the first failing case and its
hint, and applies the exercise's rules.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

from softmax_course.exercises.runner import CheckResult, Exercise, reveal_prediction

#: Modules of the package that declare no exercise.
_MACHINERY = {"runner", "rules", "wire"}


def _declared() -> dict[str, list[Exercise]]:
    found: dict[str, list[Exercise]] = {}
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module_info.name in _MACHINERY:
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        exercises = [value for value in vars(module).values() if isinstance(value, Exercise)]
        if exercises:
            found[module_info.name] = exercises
    return found


#: Each lesson topic (``softmax`` for ``01_softmax``) -> its exercises, in declaration order.
LESSON_EXERCISES: dict[str, list[Exercise]] = _declared()
#: Every exercise under the name its check cell calls.
EXERCISES: dict[str, Exercise] = {
    exercise.name: exercise for exercises in LESSON_EXERCISES.values() for exercise in exercises
}

__all__ = ["EXERCISES", "LESSON_EXERCISES", "CheckResult", "reveal_prediction", *EXERCISES]


def __getattr__(name: str) -> Callable[[Callable[..., Any]], CheckResult]:
    """``check_<exercise>``: the check of the exercise declared under that name."""
    if name in EXERCISES:
        return EXERCISES[name].check
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
