"""The seminar's toy data and its random stream, and the handwritten digits.

The seminar's numbers come from one random stream: ``torch.manual_seed(1)``,
then ``torch.rand(3, 5)``, then ``torch.randint(5, (3,))``, then the
``nn.Linear(4, 3)`` initialisation. A lesson that starts in the middle of the
seminar replays that stream here, so that its numbers are the seminar's.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import NamedTuple

import torch

from softmax_course._validation import require_scores

SEMINAR_SEED = 1

#: The seminar's 8 samples with 4 features each.
X_TRAIN = [
    [1, 2, 1, 1],
    [2, 1, 3, 2],
    [3, 1, 3, 4],
    [4, 1, 5, 5],
    [1, 7, 5, 5],
    [1, 2, 5, 6],
    [1, 6, 6, 6],
    [1, 7, 7, 7],
]
#: Their classes, three of them.
Y_TRAIN = [2, 2, 2, 1, 1, 1, 0, 0]
NUM_CLASSES = 3


def toy_data(dtype: torch.dtype = torch.float64) -> tuple[torch.Tensor, torch.Tensor]:
    """Return the seminar's ``x_train`` (8x4) and ``y_train`` (class indices).

    The default dtype is float64: its rounding differences between processors
    (about 1e-15) lie far below the sixth decimal the training logs print (see
    'Why the stored outputs are the same on every machine' in CONTRIBUTING.md).
    """
    if not isinstance(dtype, torch.dtype):
        got = f"the Python type {dtype.__name__}" if isinstance(dtype, type) else repr(dtype)
        raise TypeError(f"dtype must be a torch.dtype such as torch.float64, got {got}")
    if not dtype.is_floating_point:
        raise TypeError(f"dtype must be a floating-point dtype, got {dtype}")
    return torch.tensor(X_TRAIN, dtype=dtype), torch.tensor(Y_TRAIN, dtype=torch.long)


class SeminarDraws(NamedTuple):
    """The seminar's random logits ``z`` (3x5, requires grad) and labels ``y``."""

    z: torch.Tensor
    y: torch.Tensor


def replay_seminar_draws() -> SeminarDraws:
    """Replay the seminar's random draws, for a lesson that starts where the seminar drew them.

    After this call the global generator stands where the seminar's did, so the
    next ``nn.Linear(4, 3)`` gets the seminar's initial weights (first cost 1.849513).
    """
    torch.manual_seed(SEMINAR_SEED)
    z = torch.rand(3, 5, requires_grad=True)
    y = torch.randint(5, (3,)).long()
    return SeminarDraws(z, y)


class DigitsSplit(NamedTuple):
    """Flattened 8x8 digit images (float64) and their labels (long), in three parts.

    Train on ``x_train``; choose settings (a learning rate, a number of epochs)
    on ``x_val``; measure ``x_test`` once, at the end, with what was chosen.
    """

    x_train: torch.Tensor
    x_val: torch.Tensor
    x_test: torch.Tensor
    y_train: torch.Tensor
    y_val: torch.Tensor
    y_test: torch.Tensor


def _require_fraction(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not 0 < value < 1:
        raise ValueError(f"{name} must be between 0 and 1, got {value}")
    return float(value)


def load_digits_split(
    test_size: float = 0.2, seed: int = 0, validation_size: float = 0.2
) -> DigitsSplit:
    """scikit-learn's bundled digits (no download), split into train, validation and test.

    ``test_size`` and ``validation_size`` are fractions of all 1797 images.
    Both splits are stratified (each digit's share is the same in every part,
    up to rounding its count to a whole image) and fixed by ``seed``: the test
    part is drawn first, then the validation part from what remains.
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    test_size = _require_fraction(test_size, "test_size")
    validation_size = _require_fraction(validation_size, "validation_size")
    if test_size + validation_size >= 1:
        raise ValueError(
            f"test_size + validation_size must be below 1 to leave images for training, "
            f"got {test_size} + {validation_size}"
        )
    if isinstance(seed, bool) or not isinstance(seed, Integral):
        # None would draw a new split on every call: the lesson's numbers would change.
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    images, labels = load_digits(return_X_y=True)
    x_rest, x_test, y_rest, y_test = train_test_split(
        images, labels, test_size=test_size, stratify=labels, random_state=seed
    )
    x_train, x_val, y_train, y_val = train_test_split(
        x_rest,
        y_rest,
        test_size=validation_size / (1 - test_size),
        stratify=y_rest,
        random_state=seed,
    )
    features = (torch.tensor(x, dtype=torch.float64) for x in (x_train, x_val, x_test))
    targets = (torch.tensor(y, dtype=torch.long) for y in (y_train, y_val, y_test))
    return DigitsSplit(*features, *targets)


def standardize(x_train: torch.Tensor, x_test: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Scale each feature with the *training* split's mean and std.

    The training split then has mean 0 and std 1 per feature (the population
    std, as scikit-learn's ``StandardScaler``). Statistics of the test split
    would let it shape the inputs the model is trained on. A feature that is
    constant in training (a border pixel that is always blank) is divided by 1
    instead of by its std of 0.
    """
    require_scores(x_train, "x_train", dims=(2,))
    require_scores(x_test, "x_test", dims=(2,))
    if x_train.shape[1] != x_test.shape[1]:
        raise ValueError(
            f"x_train has {x_train.shape[1]} features but x_test has {x_test.shape[1]}"
        )
    if len(x_train) < 2:
        raise ValueError(f"x_train needs at least 2 samples for a spread, got {len(x_train)}")
    center = x_train.mean(dim=0)
    spread = x_train.std(dim=0, correction=0)
    scale = torch.where(spread > 0, spread, torch.ones_like(spread))
    return (x_train - center) / scale, (x_test - center) / scale
