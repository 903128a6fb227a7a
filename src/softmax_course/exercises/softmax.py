"""Checkers of the softmax lesson's exercises."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from softmax_course.exercises.runner import Case, CheckResult, Exercise, compare_tensors


def example_logits() -> torch.Tensor:
    """Fixed 4x5 logits for the checkers (seeded here; not the seminar's draws)."""
    generator = torch.Generator().manual_seed(0)
    return torch.randn(4, 5, generator=generator)


SOFTMAX = Exercise(
    "check_softmax",
    (
        Case(
            "z = [1, 2, 3]",
            (torch.tensor([1.0, 2.0, 3.0]),),
            "reread 'Softmax from its definition'",
        ),
        Case("equal logits", (torch.zeros(4),), "equal scores must give equal probabilities"),
        Case("one class", (torch.tensor([7.0]),), "a single class has probability 1"),
        Case(
            "negative logits",
            (torch.tensor([-3.0, -1.0, -2.0]),),
            "exp of a negative number is still positive",
        ),
        Case(
            "4 rows of 5 logits",
            (example_logits(),),
            "each row must sum to 1 on its own: total over the class dimension only, and keep "
            "that dimension so the division lines up row by row",
        ),
    ),
    reference=lambda z: F.softmax(z, dim=-1),
    compare=compare_tensors,
)

TEMPERATURE = Exercise(
    "check_temperature",
    (
        Case(
            "T = 1",
            (torch.tensor([1.0, 2.0, 3.0]), 1.0),
            "at T = 1 the answer is the plain softmax",
        ),
        Case(
            "T = 0.5",
            (torch.tensor([1.0, 2.0, 3.0]), 0.5),
            "a temperature below 1 must sharpen the probabilities: reread 'Scaling the logits'",
        ),
        Case(
            "T = 10",
            (torch.tensor([1.0, 2.0, 3.0]), 10.0),
            "a high temperature must flatten the probabilities",
        ),
        Case(
            "rows, T = 2",
            (example_logits(), 2.0),
            "each row is one distribution: along which dimension must it sum to 1?",
        ),
    ),
    reference=lambda z, T: F.softmax(z / T, dim=-1),
    compare=compare_tensors,
)


def check_softmax(fn: Callable[[torch.Tensor], torch.Tensor]) -> CheckResult:
    """``fn(z)`` is the softmax of ``z`` along its last dimension."""
    return SOFTMAX.check(fn)


def check_temperature(fn: Callable[[torch.Tensor, float], torch.Tensor]) -> CheckResult:
    """``fn(z, T)`` is the softmax of ``z / T`` along the last dimension."""
    return TEMPERATURE.check(fn)
