"""Checkers of the digits lesson's exercises."""

from __future__ import annotations

import torch

from softmax_course.exercises.runner import Case, Exercise, compare_tensors


def _standardize_reference(
    x_train: torch.Tensor, x_test: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """scikit-learn's StandardScaler fitted on ``x_train``: independent of the lesson's formula.

    It divides by the population standard deviation and by 1 for a constant feature.
    """
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(x_train.numpy())
    train, test = (torch.from_numpy(scaler.transform(x.numpy())) for x in (x_train, x_test))
    return train, test


def _compare_splits(got: object, expected: tuple[torch.Tensor, torch.Tensor]) -> str | None:
    if not (isinstance(got, tuple) and len(got) == 2):
        return "expected a tuple (x_train_standardised, x_test_standardised)"
    for part, wanted, name in zip(got, expected, ("x_train", "x_test"), strict=True):
        problem = compare_tensors(part, wanted)
        if problem is not None:
            return f"{name} standardised: {problem}"
    return None


def _splits() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:  # pragma: no mutate block
    generator = torch.Generator().manual_seed(0)
    x_train = torch.randn(20, 3, generator=generator, dtype=torch.float64) * 4 + 2
    x_test = torch.randn(5, 3, generator=generator, dtype=torch.float64) * 9 - 1
    constant = x_train.clone()
    constant[:, 1] = 3.0
    return x_train, x_test, constant


_X_TRAIN, _X_TEST, _CONSTANT = _splits()

STANDARDIZE = Exercise(
    "check_standardize",
    function="my_standardize",
    cases=(
        Case(
            "train and test",
            (_X_TRAIN, _X_TEST),
            "use statistics of x_train only, one mean and one standard deviation per feature "
            "(column), for both splits",
        ),
        Case(
            "a constant feature",
            (_CONSTANT, _X_TEST),
            "a feature with standard deviation 0 (a blank pixel) must not divide by 0: "
            "divide by 1 instead",
        ),
    ),
    reference=_standardize_reference,
    compare=_compare_splits,
)


def _count_pairs(y_true: torch.Tensor, y_pred: torch.Tensor, num_classes: int) -> torch.Tensor:
    return torch.bincount(y_true * num_classes + y_pred, minlength=num_classes**2).view(
        num_classes, num_classes
    )


CONFUSION_MATRIX = Exercise(
    "check_confusion_matrix",
    function="my_confusion_matrix",
    cases=(
        Case(
            "perfect",
            (torch.tensor([0, 1, 2]), torch.tensor([0, 1, 2]), 3),
            "row = true class, column = predicted class; a perfect classifier fills the diagonal",
        ),
        Case(
            "mistakes",
            (torch.tensor([0, 0, 1, 2, 2, 0]), torch.tensor([1, 0, 1, 0, 2, 1]), 3),
            "rows are the true classes and columns the predictions (not the other way round)",
        ),
        Case(
            "a class never seen",
            (torch.tensor([0, 0]), torch.tensor([0, 1]), 4),
            "the matrix is num_classes x num_classes even if some classes never occur",
        ),
    ),
    reference=_count_pairs,
    compare=compare_tensors,
)
