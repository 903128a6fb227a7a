"""Checker of the gallery of mistakes' exercise."""

from __future__ import annotations

import torch

from softmax_course.exercises.runner import Case, Exercise, compare_numbers
from softmax_course.exercises.softmax import example_logits


def _cost_from_probabilities_reference(probs: torch.Tensor, y: torch.Tensor) -> float:
    """The mean of -log(probability of the true class), picked by index, one sample at a time."""
    costs = [-torch.log(row[label]) for row, label in zip(probs.double(), y.tolist(), strict=True)]
    return torch.stack(costs).mean().item()


_PROBS = torch.softmax(example_logits(), dim=1)
_LABELS = torch.tensor([0, 4, 2, 1])

COST_FROM_PROBABILITIES = Exercise(
    "check_cost_from_probabilities",
    function="cost_from_probabilities",
    cases=(
        Case(
            "4 samples",
            (_PROBS, _LABELS),
            "F.nll_loss only picks and averages what it is given: reread 'Mistake 1' for what "
            "it expects, and turn the probabilities into that first",
        ),
        Case(
            "one sample",
            (_PROBS[:1], _LABELS[:1]),
            "one sample costs -log of its true class's probability",
        ),
        Case(
            "confident and right",
            (torch.tensor([[0.999, 0.001]]), torch.tensor([0])),
            "a confident right answer costs a little more than 0, never less",
        ),
        Case(
            "probabilities, not logits",
            (torch.tensor([[0.5, 0.25, 0.25]]), torch.tensor([1])),
            "the model's outputs are probabilities already: a softmax on them would be the "
            "double softmax",
        ),
    ),
    reference=_cost_from_probabilities_reference,
    compare=compare_numbers,
)
