"""Softmax, one-hot and cross-entropy written from their definitions.

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
    """``exp(z) / sum(exp(z))`` exactly as defined.

    The definition breaks in two ways, and this raises instead of returning
    ``nan``, naming which one and pointing to :func:`stable_softmax`: a large
    logit overflows (``exp(1000)`` is ``inf``; in float32 the *sum* already
    overflows for ``[88, 88, 88]``, whose every ``exp`` is a finite 1.65e38),
    and very negative logits underflow (every ``exp`` rounds to 0, so the sum is 0).
    """
    z = require_scores(z, "z", dims=(1, 2))
    require_dim(z, dim)
    exps = torch.exp(z)
    total = exps.sum(dim=dim, keepdim=True)
    if torch.isinf(total).any() or (total == 0).any():
        if torch.isinf(exps).any():
            problem = f"exp(z) overflows to inf in {z.dtype}"
        elif torch.isinf(total).any():
            problem = (
                f"the sum of exp(z) overflows to inf in {z.dtype}, though every exp(z) is finite"
            )
        else:
            problem = f"every exp(z) underflows to 0 in {z.dtype}, so their sum is 0"
        raise ValueError(
            f"{problem} (logits from {float(z.min()):g} to "
            f"{float(z.max()):g}); use stable_softmax, which subtracts the maximum first"
        )
    return exps / total


def stable_softmax(z: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Softmax of ``z - max(z)``: the same probabilities, no overflow.

    Softmax is unchanged when a constant is added to every logit, so shifting
    the largest logit to 0 makes every ``exp`` at most 1 and the sum at least 1.
    """
    z = require_scores(z, "z", dims=(1, 2))
    require_dim(z, dim)
    shifted = z - z.amax(dim=dim, keepdim=True)
    exp_shifted = torch.exp(shifted)
    return exp_shifted / exp_shifted.sum(dim=dim, keepdim=True)


def log_softmax(z: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """``z - logsumexp(z)``, computed stably.

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
    """One-hot rows (default float dtype) built with ``scatter_``, as in the seminar.

    ``scatter_(1, y.unsqueeze(1), 1)`` writes a 1 into column ``y[i]`` of row
    ``i``. It needs ``y`` as a column, hence the ``unsqueeze``.
    """
    y = require_labels(y, require_num_classes(num_classes))
    y_one_hot = torch.zeros(len(y), num_classes)
    y_one_hot.scatter_(1, y.unsqueeze(1), 1)
    return y_one_hot


def cross_entropy_from_probs(probs: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean over samples of ``-log(probs[i, y[i]])``, the seminar's cost.

    That is ``-(one_hot(y) * log(probs)).sum(dim=1).mean()``, the seminar's
    formula, with ``0 * log(0)`` taken as 0: a probability that rounded to 0 in
    a wrong class does not turn the cost into ``nan``. ``probs`` are
    probabilities (rows of a softmax), not logits; prefer ``F.cross_entropy``
    on logits (the numerical-stability lesson says why).
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

    The hand-written training loop (``training.train_hand_written``) calls this every
    epoch with targets it checked and encoded once; everyone else wants
    :func:`cross_entropy_from_probs`.
    A probability of exactly 0 in a wrong class makes it ``nan`` (``0 * inf``).
    """
    return (y_one_hot * -torch.log(probs)).sum(dim=1).mean()


def accuracy(logits: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of rows whose largest logit is the true class.

    A tie goes to the first of the tied classes, as ``argmax`` decides.
    """
    logits = require_scores(logits, "logits", dims=(2,))
    y = require_labels(y, logits.shape[1])
    require_same_length(logits, y, "logits", "y")
    return (logits.argmax(dim=1) == y).double().mean().item()
