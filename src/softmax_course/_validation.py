"""Input checks shared by the helpers, so that bad input fails loudly.

A label out of range or a float tensor passed as class indices makes PyTorch
either raise a cryptic error deep inside a kernel or, worse, return a number
that is silently wrong (a label of -1 used as an index picks the last class).
These checks turn each case into one message that names the argument, the
problem and where it is.
"""

from __future__ import annotations

import torch


def require_tensor(value: object, name: str) -> torch.Tensor:
    """Return ``value`` if it is a tensor; raise ``TypeError`` naming ``name`` otherwise."""
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
    return value


def require_num_classes(num_classes: object) -> int:
    """Return ``num_classes`` if it is an ``int`` (not a ``bool``) of at least 1."""
    if isinstance(num_classes, bool) or not isinstance(num_classes, int):
        raise TypeError(f"num_classes must be an int, got {type(num_classes).__name__}")
    if num_classes < 1:
        raise ValueError(f"num_classes must be at least 1, got {num_classes}")
    return num_classes


def require_labels(y: object, num_classes: int | None = None, name: str = "y") -> torch.Tensor:
    """Check class-index labels: a 1-D, non-empty integer tensor with values in range.

    ``num_classes=None`` checks everything but the upper bound.
    """
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
    if num_classes is not None:
        require_num_classes(num_classes)
    low = int(y.min())
    if low < 0:
        position = int((y < 0).nonzero()[0])
        raise ValueError(f"{name} has a negative label {low} at position {position}")
    if num_classes is not None:
        high = int(y.max())
        if high >= num_classes:
            position = int((y >= num_classes).nonzero()[0])
            raise ValueError(
                f"{name} has label {high} at position {position}, out of range for "
                f"num_classes={num_classes} (labels must be 0..{num_classes - 1})"
            )
    return y


def require_scores(z: object, name: str = "z", dims: tuple[int, ...] = (1, 2)) -> torch.Tensor:
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
    if isinstance(dim, bool) or not isinstance(dim, int):
        raise TypeError(f"dim must be an int, got {type(dim).__name__}")
    if not -z.dim() <= dim < z.dim():
        raise ValueError(f"dim={dim} is out of range for {name} of shape {tuple(z.shape)}")
    return dim


def require_same_length(
    x: torch.Tensor, y: torch.Tensor, x_name: str = "x", y_name: str = "y"
) -> None:
    """Raise if ``x`` and ``y`` do not describe the same number of samples."""
    if x.shape[0] != y.shape[0]:
        raise ValueError(
            f"{x_name} has {x.shape[0]} samples but {y_name} has {y.shape[0]}; "
            "they must have the same length"
        )


#: The largest rounding slack ``require_rows_sum_to_one`` accepts: a row that sums to
#: 0.5 or 1.5 is not one sample's probabilities, and a check that let it pass would say nothing.
MAX_ROW_SUM_TOLERANCE = 0.5


def row_sum_tolerance(dtype: torch.dtype, num_classes: int) -> float:
    """How far an honest softmax row of ``num_classes`` probabilities in ``dtype`` may miss 1.

    Two roundings move a row's sum (measured on ``F.softmax`` and on
    ``exp(z - max) / sum``, rows of 2 to a million classes, logits of scale 0.01
    to 30; see ``tests/test_functional.py``):

    - each probability is rounded to ``dtype`` relative to its own size, so
      together they move the sum by at most half an eps of ``dtype`` (measured:
      at most 0.41 eps for ``F.softmax``, 0.70 eps for the formula), plus, for
      probabilities below the smallest normal number, an absolute half step of
      the subnormals each (float16 at 100,000 classes and more: 10.7 eps at a
      million);
    - the sum that normalises the row, accumulated in float32 for half types
      (``F.softmax`` and ``torch.sum`` on the CPU do) or in ``dtype`` itself,
      moves every probability by its relative error, which grows with the
      number of classes: ``F.softmax`` in float32 missed by 4.6 eps at 1,000
      classes and 1,367 eps at a million, in float64 by 9 and 915 eps.

    The tolerance is ``4 eps + C (eps_sum / 8 + smallest subnormal)``, with
    ``eps_sum`` the eps of the type the sum is accumulated in: 2.6 times the
    largest measured miss or more (float64 at 10 classes: 2 eps against 5.25).
    """
    info = torch.finfo(dtype)
    summed_in = torch.finfo(torch.promote_types(dtype, torch.float32))
    smallest_subnormal = info.smallest_normal * info.eps
    return 4 * info.eps + num_classes * (summed_in.eps / 8 + smallest_subnormal)


def require_rows_sum_to_one(probs: torch.Tensor, name: str = "probs") -> None:
    """Raise if a row of ``probs`` (one sample's probabilities) does not sum to 1.

    The slack is :func:`row_sum_tolerance`. Where rounding alone may move an
    honest row's sum by :data:`MAX_ROW_SUM_TOLERANCE` or more (float16 from about
    6.7 million classes, float32 and bfloat16 from about 30 million), the check
    cannot tell a softmax over the wrong dim from an honest one, and says so
    instead of passing every row.
    """
    num_classes = probs.shape[1]
    tolerance = row_sum_tolerance(probs.dtype, num_classes)
    if tolerance >= MAX_ROW_SUM_TOLERANCE:
        raise ValueError(
            f"{name} has {num_classes} classes in {probs.dtype}: rounding alone may move an "
            f"honest row's sum by {tolerance:.2g}, so the check that each row sums to 1 "
            "cannot tell one sample's probabilities from a softmax over the wrong dim; "
            "compute the probabilities in a wider dtype (float64) and pass those"
        )
    sums = probs.detach().double().sum(dim=1)
    bad = (sums - 1).abs() > tolerance
    if bad.any():
        row = int(bad.nonzero()[0])
        total = float(sums[row])
        raise ValueError(
            f"{name} row {row} sums to {total:.6g} (off by {total - 1:+.1e}), "
            f"not 1 (tolerance {tolerance:.1e} for {num_classes} classes in {probs.dtype}); "
            "each row must be one sample's probabilities: "
            "was the softmax taken over the wrong dim (dim=0 instead of dim=1)?"
        )
