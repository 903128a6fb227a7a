"""Checker of the double-softmax lesson's exercise."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from softmax_course.exercises.runner import Case, Exercise, compare_numbers


def _double_softmax_floor_reference(num_classes: int) -> float:
    """The double softmax's cost at its best first softmax (the true class 1, others 0).

    Computed by applying the second softmax, not by the closed form the lesson derives.
    """
    best_probs = F.one_hot(torch.tensor(0), num_classes).double()
    return -F.log_softmax(best_probs, dim=0)[0].item()


_FLOOR_HINT = (
    "the second softmax sees probabilities between 0 and 1: the cost nears its floor as "
    "the true class's probability nears 1 and every other class's nears 0 "
    "(reread the double-softmax lesson)"
)

DOUBLE_SOFTMAX_FLOOR = Exercise(
    "check_double_softmax_floor",
    function="double_softmax_floor",
    cases=tuple(Case(f"{k} classes", (k,), _FLOOR_HINT) for k in (3, 2, 10)),
    reference=_double_softmax_floor_reference,
    compare=compare_numbers,
)
