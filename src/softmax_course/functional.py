"""Softmax, one-hot and cross-entropy written from their definitions (lessons 01-03, 06).

These are the formulas a student writes by hand; ``tests/test_functional.py``
checks each one, value for value, against ``torch.nn.functional`` (and
``accuracy``, which it lacks, on examples counted by hand).
"""

from __future__ import annotations

import torch

from softmax_course._validation import (
    require_dim,
    require_labels,
    require_num_classes,
    require_rows_sum_to_one,
    require_same_length,
    require_scores,
)


def softmax(z: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """``exp(z) / sum(exp(z))`` exactly as defined; lesson 01.

    The definition overflows for large logits (``exp(1000)`` is ``inf``) and
    underflows for very negative ones (every ``exp`` is 0). Instead of
    returning ``nan`` this raises and points to :func:`stable_softmax` (lesson 06).
    """
    z = require_scores(z, "z", dims=(1, 2))
    require_dim(z, dim)
    exp_z = torch.exp(z)
    total = exp_z.sum(dim=dim, keepdim=True)
    if torch.isinf(total).any() or (total == 0).any():
        problem = "overflows to inf" if torch.isinf(total).any() else "underflows to 0"
        raise ValueError(
            f"exp(z) {problem} in {z.dtype} (logits from {float(z.min()):g} to "
            f"{float(z.max()):g}); use stable_softmax, which subtracts the maximum first"
        )
    return exp_z / total


def stable_softmax(z: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Softmax of ``z - max(z)``: the same probabilities, no overflow; lesson 06.

    Softmax is unchanged when a constant is added to every logit, so shifting
    the largest logit to 0 makes every ``exp`` at most 1 and the sum at least 1.
    """
    z = require_scores(z, "z", dims=(1, 2))
    require_dim(z, dim)
    shifted = z - z.amax(dim=dim, keepdim=True)
    exp_shifted = torch.exp(shifted)
    return exp_shifted / exp_shifted.sum(dim=dim, keepdim=True)


def log_softmax(z: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """``z - logsumexp(z)``, computed stably; lesson 06.

    Taking ``log`` of a softmax loses every probability that rounded to 0
    (``log(0) = -inf``); this form never forms the probability at all.
    """
    z = require_scores(z, "z", dims=(1, 2))
    require_dim(z, dim)
    # (z - max) - log(sum(exp(z - max))): adding the maximum back first would
    # round the log-sum to float32's spacing near the maximum; on [1000, 1001,
    # 1002] that costs an error of 1.3e-5 instead of 8e-8.
    shifted = z - z.amax(dim=dim, keepdim=True)
    return shifted - torch.log(torch.exp(shifted).sum(dim=dim, keepdim=True))


def one_hot(y: torch.Tensor, num_classes: int) -> torch.Tensor:
    """One-hot rows (default float dtype) built with ``scatter_``, as in the seminar; lesson 02.

    ``scatter_(1, y.unsqueeze(1), 1)`` writes a 1 into column ``y[i]`` of row
    ``i``. It needs ``y`` as a column, hence the ``unsqueeze``.
    """
    y = require_labels(y, require_num_classes(num_classes))
    y_one_hot = torch.zeros(len(y), num_classes)
    y_one_hot.scatter_(1, y.unsqueeze(1), 1)
    return y_one_hot


def cross_entropy_from_probs(probs: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean over samples of ``-log(probs[i, y[i]])``, the seminar's cost; lesson 03.

    That is ``-sum(one_hot(y) * log(probs))`` with ``0 * log(0)`` taken as 0: a
    probability that rounded to 0 in a wrong class does not turn the cost into
    ``nan``. ``probs`` are probabilities (rows of a softmax), not logits; prefer
    ``F.cross_entropy`` on logits (lesson 06 says why).
    """
    probs = require_scores(probs, "probs", dims=(2,))
    y = require_labels(y, probs.shape[1])
    require_same_length(probs, y, "probs", "y")
    outside = (probs < 0) | (probs > 1)
    if outside.any():
        row, col = (int(i) for i in outside.nonzero()[0])
        raise ValueError(
            f"probs must be probabilities in [0, 1] (did you pass logits? use F.cross_entropy); "
            f"got {float(probs[row, col]):g} at index ({row}, {col})"
        )
    require_rows_sum_to_one(probs, "probs")
    log_true = torch.log(probs[torch.arange(len(y)), y])
    return (0.0 - log_true).mean()  # 0.0 - x, not -x: a sure right answer costs 0, not -0


def one_hot_cross_entropy(probs: torch.Tensor, y_one_hot: torch.Tensor) -> torch.Tensor:
    """The seminar's formula, unchecked: ``(y_one_hot * -log(probs)).sum(dim=1).mean()``.

    The training loop of lesson 04 calls this every epoch with targets it
    checked and encoded once; everyone else wants :func:`cross_entropy_from_probs`.
    A probability of exactly 0 in a wrong class makes it ``nan`` (``0 * inf``).
    """
    return (y_one_hot * -torch.log(probs)).sum(dim=1).mean()


def accuracy(logits: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of rows whose largest logit is the true class; lessons 04 and 08.

    A tie goes to the first of the tied classes, as ``argmax`` decides.
    """
    logits = require_scores(logits, "logits", dims=(2,))
    y = require_labels(y, logits.shape[1])
    require_same_length(logits, y, "logits", "y")
    return (logits.argmax(dim=1) == y).double().mean().item()
