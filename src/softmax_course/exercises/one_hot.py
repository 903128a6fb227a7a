"""Checkers of the one-hot lesson's exercises."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from softmax_course.exercises.runner import Case, Exercise, compare_tensors

ONE_HOT = Exercise(
    "check_one_hot",
    function="my_one_hot",
    cases=(
        Case(
            "y = [0, 2, 1], 5 classes",
            (torch.tensor([0, 2, 1]), 5),
            "one row per label, one column per class, floats: reread 'One-hot encoding with "
            "scatter_'",
        ),
        Case("last class", (torch.tensor([3, 3]), 4), "a label is a column index, counted from 0"),
        Case(
            "one sample",
            (torch.tensor([1]), 2),
            "scatter_'s index needs as many dimensions as the matrix it writes into "
            "(compare the shapes printed in 'One-hot encoding with scatter_')",
        ),
        Case("one class", (torch.tensor([0, 0, 0]), 1), "with one class every row is [1.]"),
        Case(
            "num_classes larger than any label",
            (torch.tensor([0, 1]), 6),
            "the number of columns is the number of classes, even for classes y never contains",
        ),
    ),
    reference=lambda y, num_classes: F.one_hot(y, num_classes).float(),
    compare=compare_tensors,
)

_SEARCH_ROWS = "the label of a row is the column that holds its 1: search along each row"

LABELS_FROM_ONE_HOT = Exercise(
    "check_labels_from_one_hot",
    function="labels_from_one_hot",
    cases=(
        Case("y = [0, 2, 1]", (F.one_hot(torch.tensor([0, 2, 1]), 5).float(),), _SEARCH_ROWS),
        Case("one sample", (F.one_hot(torch.tensor([3]), 4).float(),), _SEARCH_ROWS),
        Case(
            "repeated label",
            (F.one_hot(torch.tensor([1, 1, 0]), 2).float(),),
            "labels are integers (torch.long), one per row",
        ),
    ),
    # The column of each row's 1, found by a search that is not the lesson's argmax.
    reference=lambda y_one_hot: y_one_hot.nonzero()[:, 1],
    compare=compare_tensors,
)
