"""Checkers of the softmax lesson's exercises."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from softmax_course.exercises.rules import NO_SOFTMAX
from softmax_course.exercises.runner import Case, Exercise, compare_tensors


def example_logits() -> torch.Tensor:  # pragma: no mutate block
    """Fixed 4x5 logits for the checkers (seeded here; not the seminar's draws)."""
    generator = torch.Generator().manual_seed(0)
    return torch.randn(4, 5, generator=generator)


SOFTMAX = Exercise(
    "check_softmax",
    function="my_softmax",
    cases=(
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
    rules=(NO_SOFTMAX,),
)

TEMPERATURE = Exercise(
    "check_temperature",
    function="softmax_with_temperature",
    cases=(
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
    # exp(z/T - logsumexp(z/T)): another route than the lesson's F.softmax(z / T).
    reference=lambda z, T: torch.exp(z / T - torch.logsumexp(z / T, dim=-1, keepdim=True)),
    compare=compare_tensors,
)
