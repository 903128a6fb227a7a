"""Checkers of the cross-entropy lesson's exercises."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from softmax_course.exercises.rules import NO_AUTOGRAD, NO_CROSS_ENTROPY
from softmax_course.exercises.runner import (
    Case,
    Exercise,
    compare_numbers,
    compare_tensors,
)
from softmax_course.exercises.softmax import example_logits

_Z, _Y = example_logits(), torch.tensor([0, 4, 2, 1])

CROSS_ENTROPY = Exercise(
    "check_cross_entropy",
    function="my_cross_entropy",
    cases=(
        Case("4 samples", (_Z, _Y), "the mean over samples of -log(probability of the true class)"),
        Case(
            "one sample",
            (_Z[:1], _Y[:1]),
            "each sample costs only its true class's term: pick it with the label",
        ),
        Case(
            "confident and right",
            (torch.tensor([[10.0, 0.0]]), torch.tensor([0])),
            "a confident right answer costs almost 0",
        ),
        Case(
            "large logits",
            (torch.tensor([[0.0, 200.0, 400.0]]), torch.tensor([0])),
            "the log of a softmax gives -inf here: reread 'Where it breaks' for the form that "
            "never forms the tiny probability",
        ),
    ),
    reference=lambda z, y: F.cross_entropy(z, y).item(),
    compare=compare_numbers,
    rules=(NO_CROSS_ENTROPY,),
)


def _autograd_gradient(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    z = z.clone().requires_grad_(True)
    return torch.autograd.grad(F.cross_entropy(z, y), z)[0]


LOGIT_GRADIENT = Exercise(
    "check_logit_gradient",
    function="logit_gradient",
    cases=(
        Case(
            "4 samples",
            (_Z, _Y),
            "reread 'Step 2: the gradient of -log p_y', and remember the cost is a "
            "mean over samples",
        ),
        Case(
            "one sample",
            (_Z[:1], _Y[:1]),
            "with one sample there is nothing to average: only the formula's numerator is left",
        ),
        Case(
            "2 samples", (_Z[:2], _Y[:2]), "the cost is a mean over samples, so its gradient is too"
        ),
    ),
    reference=_autograd_gradient,
    compare=compare_tensors,
    rules=(NO_AUTOGRAD,),
)
