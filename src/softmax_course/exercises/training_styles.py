"""Checker of the training-styles lesson's exercise."""

from __future__ import annotations

import torch

from softmax_course.exercises.runner import Case, Exercise, compare_numbers

_LOGITS = torch.tensor([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [5.0, 4.0, 9.0], [1.0, 2.0, 0.0]])


def _count_right(logits: torch.Tensor, y: torch.Tensor) -> float:
    """Row by row, by hand: is the true class's logit the largest (a tie counts as right)?"""
    rows = logits.tolist()
    right = sum(max(row) == row[label] for row, label in zip(rows, y.tolist(), strict=True))
    return right / len(rows)


ACCURACY = Exercise(
    "check_accuracy",
    function="my_accuracy",
    cases=(
        Case(
            "half right",
            (_LOGITS, torch.tensor([0, 1, 1, 0])),
            "a row's predicted class is the position of its largest logit; "
            "count the rows where it equals the label",
        ),
        Case(
            "all right",
            (_LOGITS, torch.tensor([0, 1, 2, 1])),
            "look for the largest logit within each row (across the classes)",
        ),
        Case(
            "all wrong",
            (_LOGITS, torch.tensor([1, 0, 0, 0])),
            "a fraction: the number of right rows divided by the number of rows",
        ),
        Case(
            "one sample",
            (_LOGITS[2:3], torch.tensor([2])),
            "one prediction per row, even when there is a single row",
        ),
    ),
    reference=_count_right,
    compare=compare_numbers,
)
