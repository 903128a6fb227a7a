"""The seminar's toy data and its random stream (lessons 02-04, 07), and lesson 08's digits.

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

#: The seminar's 8 samples with 4 features each (lessons 04 and 07).
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
    """Return the seminar's ``x_train`` (8x4) and ``y_train`` (class indices); lesson 04.

    The default dtype is float64: its rounding differences between processors
    (about 1e-15) lie far below the sixth decimal the training logs print (see
    the README's drift decision).
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
    """Replay the seminar's random draws; used by lessons 02-04 and 07.

    After this call the global generator stands where the seminar's did, so the
    next ``nn.Linear(4, 3)`` gets the seminar's initial weights (first cost 1.849513).
    """
    torch.manual_seed(SEMINAR_SEED)
    z = torch.rand(3, 5, requires_grad=True)
    y = torch.randint(5, (3,)).long()
    return SeminarDraws(z, y)


class DigitsSplit(NamedTuple):
    """Lesson 07's data: flattened 8x8 digit images (float64) and their labels (long)."""

    x_train: torch.Tensor
    x_test: torch.Tensor
    y_train: torch.Tensor
    y_test: torch.Tensor


def load_digits_split(test_size: float = 0.25, seed: int = 0) -> DigitsSplit:
    """scikit-learn's bundled digits (no download), split once, stratified; lesson 08.

    The split is fixed by ``seed``. Stratified: each digit's share is the same
    in both parts, up to rounding its count to a whole sample.
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    if isinstance(test_size, bool) or not isinstance(test_size, Real):
        raise TypeError(f"test_size must be a number, got {type(test_size).__name__}")
    if not 0 < test_size < 1:
        raise ValueError(f"test_size must be between 0 and 1, got {test_size}")
    if isinstance(seed, bool) or not isinstance(seed, Integral):
        # None would draw a new split on every call: the lesson's numbers would change.
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    images, labels = load_digits(return_X_y=True)
    x_train, x_test, y_train, y_test = train_test_split(
        images, labels, test_size=test_size, stratify=labels, random_state=seed
    )
    return DigitsSplit(
        torch.tensor(x_train, dtype=torch.float64),
        torch.tensor(x_test, dtype=torch.float64),
        torch.tensor(y_train, dtype=torch.long),
        torch.tensor(y_test, dtype=torch.long),
    )


def standardize(x_train: torch.Tensor, x_test: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Scale each feature with the *training* split's mean and std; lesson 08.

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
    mean = x_train.mean(dim=0)
    std = x_train.std(dim=0, correction=0)
    std = torch.where(std > 0, std, torch.ones_like(std))
    return (x_train - mean) / std, (x_test - mean) / std
