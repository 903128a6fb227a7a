"""One training loop, three ways to compute the cost.

The seminar writes its ``optim.SGD`` loop three times; only the parameters and
the lines that compute the cost change. :func:`train` is that loop once, and
each training style is a small function that builds its parameters and its
cost and hands them to it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn, optim

from softmax_course._validation import (
    require_int,
    require_labels,
    require_number,
    require_same_length,
    require_scores,
)
from softmax_course.functional import one_hot, one_hot_cross_entropy

#: The seminar's schedule: 5000 epochs of SGD at learning rate 0.1, a log line every 500.
SEMINAR_NB_EPOCHS = 5000
SEMINAR_LR = 0.1
SEMINAR_LOG_EVERY = 500


@dataclass
class TrainingRun:
    """What a training style returns: the cost at every epoch, the function that
    computes the trained logits, and the trained parameters by name."""

    costs: list[float]
    forward: Callable[[torch.Tensor], torch.Tensor]
    parameters: dict[str, torch.Tensor]


def train(
    compute_cost: Callable[[], torch.Tensor],
    params: Iterable[torch.Tensor],
    nb_epochs: int = SEMINAR_NB_EPOCHS,
    lr: float = SEMINAR_LR,
    log_every: int = SEMINAR_LOG_EVERY,
) -> list[float]:
    """The seminar's loop: ``optim.SGD`` on ``params`` for epochs 0..nb_epochs, full batch.

    Returns the cost of every epoch, and prints the seminar's log line every
    ``log_every`` epochs (0: silent). A cost that is not finite (a learning rate
    too large) stops training with an error naming the epoch and ``lr``: every
    later number would be meaningless.
    """
    _check_schedule(nb_epochs, lr, log_every)
    optimizer = optim.SGD(params, lr=lr)
    costs = []
    for epoch in range(nb_epochs + 1):
        cost = compute_cost()
        costs.append(cost.item())
        if not math.isfinite(costs[-1]):
            raise ValueError(
                f"the cost became {costs[-1]} at epoch {epoch} with lr={lr}: "
                f"the steps diverged; try a smaller learning rate"
            )
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        if log_every and epoch % log_every == 0:
            print(f"Epoch {epoch:4d}/{nb_epochs} Cost: {costs[-1]:.6f}")  # the seminar's log line
    return costs


def train_hand_written(
    x_train: torch.Tensor,
    y_train: torch.Tensor,
    *,
    double_softmax: bool = False,
    per_class_bias: bool = False,
    num_classes: int = 3,
    **schedule: float,
) -> TrainingRun:
    """The seminar's first run, the hand-written style: its own cross-entropy on ``W`` and ``b``.

    The cost is ``(y_one_hot * -log(probs)).sum(dim=1).mean()``, with ``probs``
    the softmax of the logits. ``double_softmax=True`` reproduces the seminar's
    bug: ``probs`` is then the softmax of an already-softmaxed ``hypothesis``.
    ``per_class_bias=False`` keeps the seminar's single shared ``b``, whose
    gradient is zero up to rounding (a constant added to every logit leaves a
    softmax unchanged; in float64 it stays below 1e-15); ``True`` gives each
    class its own bias.
    """
    x_train, y_train = _check_data(x_train, y_train, num_classes)
    # The targets do not change between epochs: encode them once, not in the loop.
    y_one_hot = one_hot(y_train, num_classes).to(x_train.dtype)

    def cost_of_logits(z: torch.Tensor) -> torch.Tensor:
        hypothesis = F.softmax(z, dim=1)
        probs = F.softmax(hypothesis, dim=1) if double_softmax else hypothesis
        return one_hot_cross_entropy(probs, y_one_hot)

    return _train_linear(x_train, num_classes, per_class_bias, cost_of_logits, schedule)


def train_cross_entropy(
    x_train: torch.Tensor,
    y_train: torch.Tensor,
    *,
    per_class_bias: bool = False,
    num_classes: int = 3,
    **schedule: float,
) -> TrainingRun:
    """``F.cross_entropy`` on the logits ``x_train @ W + b``, the seminar's second run."""
    x_train, y_train = _check_data(x_train, y_train, num_classes)

    def cost_of_logits(z: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(z, y_train)

    return _train_linear(x_train, num_classes, per_class_bias, cost_of_logits, schedule)


def train_module(
    model: nn.Module, x_train: torch.Tensor, y_train: torch.Tensor, **schedule: float
) -> TrainingRun:
    """``F.cross_entropy`` on ``model(x_train)``, the seminar's third run (any ``nn.Module``)."""
    x_train = require_scores(x_train, "x_train", dims=(2,))
    parameters = dict(model.named_parameters())
    if not parameters:
        raise ValueError("model has no parameters to train")
    dtypes = {p.dtype for p in parameters.values()}
    if dtypes != {x_train.dtype}:
        raise TypeError(
            f"model parameters are {sorted(map(str, dtypes))} but x_train is {x_train.dtype}; "
            f"convert one of them (e.g. model.to({x_train.dtype}))"
        )
    with torch.no_grad():
        num_classes = model(x_train[:1]).shape[1]
    x_train, y_train = _check_data(x_train, y_train, num_classes)

    def compute_cost() -> torch.Tensor:
        prediction = model(x_train)
        return F.cross_entropy(prediction, y_train)

    costs = train(compute_cost, parameters.values(), **schedule)
    return TrainingRun(costs, model, parameters)


def _check_data(
    x_train: object, y_train: object, num_classes: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Features: a finite 2-D float tensor; labels: class indices below ``num_classes``."""
    x_train = require_scores(x_train, "x_train", dims=(2,))
    y_train = require_labels(y_train, num_classes, "y_train")
    require_same_length(x_train, y_train, "x_train", "y_train")
    return x_train, y_train


def _train_linear(
    x_train: torch.Tensor,
    num_classes: int,
    per_class_bias: bool,
    cost_of_logits: Callable[[torch.Tensor], torch.Tensor],
    schedule: dict[str, float],
) -> TrainingRun:
    """Train logits ``x_train @ W + b`` from zero ``W`` and ``b`` (the seminar's first two runs)."""
    W = torch.zeros((x_train.shape[1], num_classes), dtype=x_train.dtype, requires_grad=True)
    b = torch.zeros(num_classes if per_class_bias else 1, dtype=x_train.dtype, requires_grad=True)

    def logits(x: torch.Tensor) -> torch.Tensor:
        return x.matmul(W) + b

    costs = train(lambda: cost_of_logits(logits(x_train)), [W, b], **schedule)
    return TrainingRun(costs, logits, {"W": W, "b": b})


def _check_schedule(nb_epochs: object, lr: object, log_every: object) -> None:
    """Epoch counts: ints of 0 or more; the learning rate: a finite number above 0."""
    require_int(nb_epochs, "nb_epochs", minimum=0)
    require_int(log_every, "log_every", minimum=0)
    require_number(lr, "lr", positive=True)
