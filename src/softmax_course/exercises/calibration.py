"""Checkers of the calibration lesson's exercises (lesson 10): the expected calibration
error, written with one mask per bin, and top-k accuracy, written by counting."""

from __future__ import annotations

import math

import torch

from softmax_course.exercises.rules import Rule
from softmax_course.exercises.runner import Case, Exercise, compare_numbers

#: The lesson bins with ``bucketize`` and ``bincount``: the exercise is the other route.
NO_BINNING_FUNCTION = Rule(
    "with one mask per bin (no bucketize, bincount, histc or searchsorted)",
    frozenset({"bucketize", "bincount", "histc", "histogram", "histogramdd", "searchsorted",
               "digitize"}),
)  # fmt: skip
#: The lesson takes the k largest with ``topk``: the exercise counts instead.
NO_SORTING = Rule(
    "by counting (no topk, sort or argsort)",
    frozenset({"topk", "sort", "argsort", "sorted", "msort", "kthvalue"}),
)
#: The lesson's bins: (0, 0.1], (0.1, 0.2], ..., (0.9, 1].
NUM_BINS = 10


def _ece_by_hand(probs: torch.Tensor, y: torch.Tensor) -> float:
    """Sample by sample: the bin of each confidence from ``ceil(10 c) - 1``, sums per bin."""
    gaps = [0.0] * NUM_BINS
    for row, label in zip(probs.tolist(), y.tolist(), strict=True):
        confidence = max(row)
        right = 1.0 if row.index(confidence) == label else 0.0
        gaps[max(math.ceil(confidence * NUM_BINS) - 1, 0)] += right - confidence
    return sum(abs(gap) for gap in gaps) / len(y)


def _rows(*rows: list[float]) -> torch.Tensor:  # pragma: no mutate block
    return torch.tensor(rows, dtype=torch.float64)


def _ten_classes() -> torch.Tensor:  # pragma: no mutate block
    generator = torch.Generator().manual_seed(11)
    return torch.softmax(3 * torch.randn(40, 10, generator=generator, dtype=torch.float64), 1)


EXPECTED_CALIBRATION_ERROR = Exercise(
    "check_expected_calibration_error",
    function="my_ece",
    cases=(
        Case(
            "right and wrong",
            (_rows(*[[0.55, 0.45]] * 4), torch.tensor([0, 0, 0, 1])),
            "the confidence is the probability of the predicted class, the largest of the "
            "row, whether the prediction is right or wrong",
        ),
        Case(
            "calibrated",
            (_rows(*[[0.75, 0.25]] * 4), torch.tensor([0, 0, 0, 1])),
            "a model right exactly as often as it is sure has an ECE of 0: compare each "
            "bin's accuracy with its mean confidence",
        ),
        Case(
            "bins of different sizes",
            (_rows(*[[0.95, 0.05]] * 3, [0.55, 0.45]), torch.tensor([0, 0, 0, 0])),
            "each bin's gap counts in proportion to its number of samples",
        ),
        Case(
            "gaps of both signs",
            (_rows([0.95, 0.05], [0.95, 0.05], [0.55, 0.45], [0.55, 0.45]),
             torch.tensor([0, 1, 0, 0])),
            "an over-confident bin does not make up for an under-confident one: each bin's "
            "gap counts without its sign",
        ),  # fmt: skip
        Case(
            "certain",
            (_rows([1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]),
             torch.tensor([0, 1, 0, 0])),
            "a confidence of exactly 1 belongs to the last bin, (0.9, 1]",
        ),  # fmt: skip
        Case(
            "40 images, 10 classes",
            (_ten_classes(), torch.arange(40) % 10),
            "ten equal bins from 0 to 1, each open on the left and closed on the right",
        ),
    ),
    reference=_ece_by_hand,
    compare=compare_numbers,
    rules=(NO_BINNING_FUNCTION,),
)


def _top_k_by_counting(logits: torch.Tensor, y: torch.Tensor, k: int) -> float:
    """Row by row: the true class is in the top k when fewer than k logits are larger."""
    rows = logits.tolist()
    hits = sum(
        sum(value > row[label] for value in row) < k
        for row, label in zip(rows, y.tolist(), strict=True)
    )
    return hits / len(rows)


#: The true class comes first, second, fourth, third and first in its row (no ties).
_LOGITS = _rows(
    [3.0, 1.0, 0.5, 2.0],
    [0.1, 2.5, 1.5, -1.0],
    [1.0, -2.0, 2.0, 3.0],
    [0.2, 0.4, 0.6, 0.8],
    [2.0, 0.0, -1.0, 1.0],
)
_LABELS = torch.tensor([0, 2, 1, 1, 0])

TOP_K_ACCURACY = Exercise(
    "check_top_k_accuracy",
    function="my_top_k_accuracy",
    cases=(
        Case(
            "k = 1",
            (_LOGITS, _LABELS, 1),
            "with k 1 this is the accuracy, a fraction of the rows: those whose true class "
            "has the largest logit",
        ),
        Case(
            "k = 2",
            (_LOGITS, _LABELS, 2),
            "an image counts when its true class is among the k largest logits of its row; "
            "count the classes that beat it",
        ),
        Case(
            "k = 3",
            (_LOGITS, _LABELS, 3),
            "a fraction of the images: the number that count divided by the number of rows",
        ),
        Case(
            "k = C",
            (_LOGITS, _LABELS, 4),
            "with k equal to the number of classes every image counts",
        ),
    ),
    reference=_top_k_by_counting,
    compare=compare_numbers,
    rules=(NO_SORTING,),
)
