"""Checkers of the minibatches lesson's exercises (lesson 09): a step of SGD with weight
decay, and the cross-entropy with label smoothing."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from softmax_course.exercises.rules import NO_CROSS_ENTROPY, Rule
from softmax_course.exercises.runner import Case, Exercise, compare_numbers, compare_tensors

#: The step is the exercise: the optimizer would take it for the student.
NO_OPTIMIZER = Rule("by hand (no torch.optim)", frozenset({"optim", "SGD", "Optimizer"}))


def _sgd_reference(
    w: torch.Tensor, grad: torch.Tensor, lr: float, weight_decay: float
) -> torch.Tensor:
    """The step ``optim.SGD`` itself takes, on a copy of ``w`` whose gradient is ``grad``."""
    parameter = torch.nn.Parameter(w.clone())
    parameter.grad = grad.clone()
    torch.optim.SGD([parameter], lr=lr, weight_decay=weight_decay).step()
    return parameter.detach()


def _weights_and_gradient() -> tuple[torch.Tensor, torch.Tensor]:  # pragma: no mutate block
    generator = torch.Generator().manual_seed(9)
    w = torch.randn(3, 4, generator=generator, dtype=torch.float64)
    grad = torch.randn(3, 4, generator=generator, dtype=torch.float64)
    return w, grad


_W, _GRAD = _weights_and_gradient()

SGD_STEP = Exercise(
    "check_sgd_step",
    function="my_sgd_step",
    cases=(
        Case(
            "no weight decay",
            (_W, _GRAD, 0.5, 0.0),
            "without weight decay a step moves each weight against its gradient, by lr times it",
        ),
        Case(
            "weight decay, zero gradient",
            (_W, torch.zeros_like(_GRAD), 0.1, 0.5),
            "with a zero gradient weight decay alone shrinks every weight by one factor, "
            "and that factor depends on the learning rate too",
        ),
        Case(
            "weight decay and a gradient",
            (_W, _GRAD, 0.2, 0.1),
            "weight decay adds lambda times the weight to the gradient, then the step is "
            "the usual one",
        ),
    ),
    reference=_sgd_reference,
    compare=compare_tensors,
    rules=(NO_OPTIMIZER,),
)


def _label_smoothing_reference(z: torch.Tensor, y: torch.Tensor, epsilon: float) -> float:
    return F.cross_entropy(z, y, label_smoothing=epsilon).item()


def _logits() -> torch.Tensor:  # pragma: no mutate block
    generator = torch.Generator().manual_seed(10)
    return 2 * torch.randn(4, 3, generator=generator, dtype=torch.float64)


_Z, _Y = _logits(), torch.tensor([0, 2, 1, 2])

LABEL_SMOOTHING = Exercise(
    "check_label_smoothing_cross_entropy",
    function="my_label_smoothing_cross_entropy",
    cases=(
        Case(
            "epsilon = 0",
            (_Z, _Y, 0.0),
            "with epsilon 0 the target is one-hot, and this is the plain cross-entropy: "
            "a mean over the samples",
        ),
        Case(
            "epsilon = 0.1",
            (_Z, _Y, 0.1),
            "the true class keeps 1 - epsilon, and every class, the true one included, "
            "gets epsilon / C on top",
        ),
        Case(
            "epsilon = 1",
            (_Z, _Y, 1.0),
            "with epsilon 1 the target is uniform: the label no longer matters",
        ),
    ),
    reference=_label_smoothing_reference,
    compare=compare_numbers,
    rules=(NO_CROSS_ENTROPY,),
)
