"""Input checks shared by the helpers, so that bad input fails loudly.

A label out of range or a float tensor passed as class indices makes PyTorch
either raise a cryptic error deep inside a kernel or, worse, return a number
that is silently wrong (a label of -1 used as an index picks the last class).
These checks turn each case into one message that names the argument, the
problem and where it is.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import torch


def require_tensor(value: object, name: str) -> torch.Tensor:
    """Return ``value`` if it is a tensor; raise ``TypeError`` naming ``name`` otherwise."""
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
    return value


def require_int(value: object, name: str, minimum: int | None = None) -> int:
    """Return ``value`` as an ``int`` if it is a whole number of at least ``minimum``.

    A ``bool`` is refused: ``True`` would pass for 1 (an epoch count, a class
    count) without the student having meant a number.
    """
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def require_number(value: object, name: str, positive: bool = False) -> float:
    """Return ``value`` as a ``float`` if it is a finite real number (above 0 with ``positive``).

    A ``bool`` is refused, and so are ``nan`` and the infinities: every number
    computed from them would be meaningless.
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if positive and value <= 0:
        raise ValueError(f"{name} must be positive, got {value!r}")
    return float(value)


def require_num_classes(num_classes: object) -> int:
    """Return ``num_classes`` if it is an ``int`` (not a ``bool``) of at least 1."""
    return require_int(num_classes, "num_classes", minimum=1)


def require_labels(y: object, num_classes: object, name: str = "y") -> torch.Tensor:
    """Check class-index labels: a 1-D, non-empty integer tensor of values in 0..num_classes-1."""
    y = require_tensor(y, name)
    if y.is_floating_point() or y.is_complex() or y.dtype == torch.bool:
        raise TypeError(
            f"{name} must hold integer class indices (torch.long), got dtype {y.dtype}; "
            "one-hot or probability targets are not class indices"
        )
    if y.dim() != 1:
        raise ValueError(
            f"{name} must be 1-D (one class index per sample), got shape {tuple(y.shape)}"
        )
    if y.numel() == 0:
        raise ValueError(f"{name} is empty: there is no sample to classify")
    num_classes = require_num_classes(num_classes)
    low = int(y.min())
    if low < 0:
        position = int((y < 0).nonzero()[0])
        raise ValueError(f"{name} has a negative label {low} at position {position}")
    high = int(y.max())
    if high >= num_classes:
        position = int((y >= num_classes).nonzero()[0])
        raise ValueError(
            f"{name} has label {high} at position {position}, out of range for "
            f"num_classes={num_classes} (labels must be 0..{num_classes - 1})"
        )
    return y


def require_scores(z: object, name: str, dims: tuple[int, ...]) -> torch.Tensor:
    """Check logits or probabilities: a non-empty floating tensor, finite, with allowed dims."""
    z = require_tensor(z, name)
    if not z.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got dtype {z.dtype}")
    if z.dim() not in dims:
        allowed = " or ".join(f"{d}-D" for d in dims)
        raise ValueError(f"{name} must be {allowed}, got shape {tuple(z.shape)}")
    if z.numel() == 0:
        raise ValueError(f"{name} is empty (shape {tuple(z.shape)})")
    if torch.isnan(z).any():
        position = tuple(int(i) for i in torch.isnan(z).nonzero()[0])
        raise ValueError(f"{name} contains NaN at index {position}")
    if torch.isinf(z).any():
        position = tuple(int(i) for i in torch.isinf(z).nonzero()[0])
        raise ValueError(f"{name} contains {float(z[position])} at index {position}")
    return z


def require_dim(z: torch.Tensor, dim: int, name: str = "z") -> int:
    """Return ``dim`` if it names an axis of ``z``."""
    dim = require_int(dim, "dim")
    if not -z.dim() <= dim < z.dim():
        raise ValueError(f"dim={dim} is out of range for {name} of shape {tuple(z.shape)}")
    return dim


def require_same_length(x: torch.Tensor, y: torch.Tensor, x_name: str, y_name: str) -> None:
    """Raise if ``x`` and ``y`` do not describe the same number of samples."""
    if x.shape[0] != y.shape[0]:
        raise ValueError(
            f"{x_name} has {x.shape[0]} samples but {y_name} has {y.shape[0]}; "
            "they must have the same length"
        )


def require_rows_sum_to_one(probs: torch.Tensor, name: str = "probs") -> None:
    """Raise if a row of ``probs`` (one sample's probabilities) does not sum to 1.

    Each of the C probabilities is rounded a few times in ``probs.dtype``, so an
    honest row misses 1 by a few roundings per class: measured at most 0.5 C eps
    for softmax rows of 2 to 1000 classes in float16, bfloat16, float32 and
    float64. The tolerance, 2 C eps, is four times that.
    """
    tolerance = 2 * probs.shape[1] * torch.finfo(probs.dtype).eps
    sums = probs.detach().double().sum(dim=1)
    bad = (sums - 1).abs() > tolerance
    if bad.any():
        row = int(bad.nonzero()[0])
        total = float(sums[row])
        raise ValueError(
            f"{name} row {row} sums to {total:.6g} (off by {total - 1:+.1e}), "
            f"not 1 (tolerance {tolerance:.1e} for {probs.dtype}); each row must be one sample's "
            "probabilities: "
            "was the softmax taken over the wrong dim (dim=0 instead of dim=1)?"
        )
