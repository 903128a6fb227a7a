"""The seed's toy data and its random stream (lessons 01-04), and lesson 06's digits.

The seminar's numbers come from one random stream: ``torch.manual_seed(1)``,
then ``torch.rand(3, 5)``, then ``torch.randint(5, (3,))``, then the
``nn.Linear(4, 3)`` initialisation. A lesson that starts in the middle of the
seminar replays that stream here, so that its numbers are the seminar's.
"""

from __future__ import annotations

from typing import NamedTuple

import torch

SEED = 1

#: The seed's 8 samples with 4 features each (lessons 04 and 05).
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
    """Return the seed's ``x_train`` (8x4) and ``y_train`` (class indices); lesson 04.

    The default dtype is float64: the training costs it gives print the same
    six decimals on every processor (see the README's drift decision).
    """
    if not dtype.is_floating_point:
        raise TypeError(f"dtype must be a floating-point dtype, got {dtype}")
    return torch.tensor(X_TRAIN, dtype=dtype), torch.tensor(Y_TRAIN, dtype=torch.long)


class SeedStream(NamedTuple):
    """The seed's random logits ``z`` (3x5, requires grad) and labels ``y``."""

    z: torch.Tensor
    y: torch.Tensor


def replay_seed_stream() -> SeedStream:
    """Replay the seed's random draws; used by lessons 02-04.

    After this call the global generator stands where the seed's did, so the
    next ``nn.Linear(4, 3)`` gets the seed's initial weights (first cost 1.849513).
    """
    torch.manual_seed(SEED)
    z = torch.rand(3, 5, requires_grad=True)
    y = torch.randint(5, (3,)).long()
    return SeedStream(z, y)
