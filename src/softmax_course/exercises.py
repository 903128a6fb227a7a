"""Checkers for the exercises at the end of each lesson.

A checker runs the student's function on several cases, edge cases included,
and prints either a pass or the first failing case with a hint. It never
prints the solution: expected values are computed another way than the
lesson's solution (PyTorch's own functions, scikit-learn, autograd, counts by
hand) and only compared, never shown. A hint names the idea or the lesson
section to reread, never the expression to type.

:func:`reveal_prediction` closes a "predict, then run" exercise: it shows the
truth only once the student has written a prediction.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F


@dataclass(frozen=True)
class Case:
    """One call of the student's function, the right answer, and a hint if it fails."""

    name: str
    args: tuple[Any, ...]
    expected: Any
    hint: str


def compare_tensors(got: object, expected: torch.Tensor, atol: float = 1e-5) -> str | None:
    """Describe the first way ``got`` differs from ``expected``; None if it matches."""
    if not isinstance(got, torch.Tensor):
        return f"expected a torch.Tensor, got {type(got).__name__}"
    if got.shape != expected.shape:
        return f"expected shape {tuple(expected.shape)}, got {tuple(got.shape)}"
    if expected.is_floating_point() != got.is_floating_point():
        kind = "a floating-point" if expected.is_floating_point() else "an integer"
        return f"expected {kind} tensor, got dtype {got.dtype}"
    if not expected.is_floating_point() and got.dtype != expected.dtype:
        # Class indices and counts are torch.long: F.cross_entropy refuses int32 targets.
        return f"expected dtype {expected.dtype}, got {got.dtype}"
    got_values, expected_values = got.detach().double(), expected.detach().double()
    if torch.isnan(got_values).any():
        return "the result contains nan"
    close = torch.isclose(got_values, expected_values, atol=atol, rtol=1e-4)
    if not close.all():
        index = tuple(int(i) for i in (~close).nonzero()[0])
        return f"wrong value at index {index}"
    return None


def compare_numbers(got: object, expected: float, atol: float = 1e-5) -> str | None:
    """Like :func:`compare_tensors` for a plain number (or a 0-d tensor)."""
    if isinstance(got, torch.Tensor):
        if got.numel() != 1:
            return f"expected a single number, got a tensor of shape {tuple(got.shape)}"
        got = got.item()
    if not isinstance(got, int | float) or isinstance(got, bool):
        return f"expected a number, got {type(got).__name__}"
    if math.isnan(got):
        return "the result is nan"
    if not math.isclose(got, expected, abs_tol=atol, rel_tol=1e-4):
        return "the value is wrong"
    return None


# Set only inside collect_cases: run_checks then hands its cases over instead of running them.
_collected_cases: ContextVar[list[Case] | None] = ContextVar("_collected_cases", default=None)


def collect_cases(checker: Callable[[Callable[..., Any]], None]) -> list[Case]:
    """The cases ``checker`` would run, without running any student code.

    Tests read every hint a checker can print from here.
    """
    collected: list[Case] = []
    token = _collected_cases.set(collected)
    try:
        checker(_never_called)
    finally:
        _collected_cases.reset(token)
    return collected


def _never_called(*args: object) -> None:
    raise AssertionError("collect_cases must not run the function it is given")


def run_checks(
    exercise: str,
    fn: Callable[..., Any],
    cases: Sequence[Case],
    compare: Callable[[object, Any], str | None] = compare_tensors,
) -> None:
    """Run ``fn`` on every case; print a pass, or the first failure and its hint.

    Prints rather than returns, so that a check cell in a notebook shows only the message.
    Inside :func:`collect_cases` it only hands its cases over.
    """
    collected = _collected_cases.get()
    if collected is not None:
        collected.extend(cases)
        return
    if not callable(fn):
        print(f"✗ {exercise}: expected a function, got {type(fn).__name__}")
        return
    for case in cases:
        args = tuple(a.clone() if isinstance(a, torch.Tensor) else a for a in case.args)
        try:
            got = fn(*args)
        except NotImplementedError:
            print(f"✗ {exercise}: not written yet (the function raises NotImplementedError)")
            return
        except Exception as error:  # noqa: BLE001 - any error in student code is a hint
            print(f"✗ {exercise}, case '{case.name}': raised {type(error).__name__}: {error}")
            print(f"  Hint: {case.hint}")
            return
        problem = compare(got, case.expected)
        if problem:
            print(f"✗ {exercise}, case '{case.name}': {problem}")
            print(f"  Hint: {case.hint}")
            return
    print(f"✓ {exercise}: all {len(cases)} cases pass")


def reveal_prediction(
    prediction: object, truth: torch.Tensor | float | str, atol: float = 0.01
) -> None:
    """Compare a written prediction with the computed ``truth`` and show both.

    ``...`` (the stub's value) means "not predicted yet": the truth stays
    hidden, so that the student commits to a guess before seeing it.
    Predictions are typed by hand, hence the loose default ``atol``; a word
    (``truth`` a ``str``) is compared without regard to case or spaces.
    """
    if prediction is Ellipsis:
        print("✗ write your prediction first: replace the ... with it, then run this cell again")
        return
    if isinstance(truth, str):
        if not isinstance(prediction, str):
            print(f"✗ your prediction should be a word in quotes, got {type(prediction).__name__}")
            return
        right = prediction.strip().lower() == truth.strip().lower()
        shown_guess, shown_truth = prediction, truth
    elif isinstance(truth, torch.Tensor):
        try:
            guess = torch.as_tensor(prediction, dtype=torch.float64)
        except (TypeError, ValueError, RuntimeError) as error:
            print(f"✗ your prediction is not a number or a list of numbers: {error}")
            return
        if guess.shape != truth.shape:
            print(
                f"✗ your prediction has shape {tuple(guess.shape)}, the truth has shape "
                f"{tuple(truth.shape)}:\n{truth}"
            )
            return
        right = bool(torch.isclose(guess, truth.detach().double(), atol=atol, rtol=0).all())
        shown_guess, shown_truth = str(guess.to(truth.dtype)), str(truth)
    else:
        if not isinstance(prediction, int | float) or isinstance(prediction, bool):
            print(f"✗ your prediction should be a number, got {type(prediction).__name__}")
            return
        right = math.isclose(prediction, truth, abs_tol=atol, rel_tol=0)
        shown_guess, shown_truth = f"{prediction:.4f}", f"{truth:.4f}"
    if right:
        print(f"✓ your prediction is right; the truth:\n{shown_truth}")
    else:
        print(f"✗ you predicted\n{shown_guess}\nbut the truth is\n{shown_truth}")


def _example_logits() -> torch.Tensor:
    """Fixed 4x5 logits for the checkers (seeded here; not the seminar's draws)."""
    generator = torch.Generator().manual_seed(0)
    return torch.randn(4, 5, generator=generator)


def _double_softmax_floor_reference(num_classes: int) -> float:
    """The double softmax's cost at its best first softmax (the true class 1, others 0).

    Computed by applying the second softmax, not by the closed form the lesson derives.
    """
    best_probs = F.one_hot(torch.tensor(0), num_classes).double()
    return -F.log_softmax(best_probs, dim=0)[0].item()


# --- lesson 01 ---------------------------------------------------------------


def check_softmax(fn: Callable[[torch.Tensor], torch.Tensor]) -> None:
    """Lesson 01: ``fn(z)`` is the softmax of ``z`` along its last dimension."""
    rows = (
        "each row must sum to 1 on its own: total over the class dimension only, and keep "
        "that dimension so the division lines up row by row"
    )
    cases = [
        Case(
            "z = [1, 2, 3]",
            (torch.tensor([1.0, 2.0, 3.0]),),
            None,
            "reread 'Softmax from its definition' in lesson 01",
        ),
        Case("equal logits", (torch.zeros(4),), None, "equal scores must give equal probabilities"),
        Case("one class", (torch.tensor([7.0]),), None, "a single class has probability 1"),
        Case(
            "negative logits",
            (torch.tensor([-3.0, -1.0, -2.0]),),
            None,
            "exp of a negative number is still positive",
        ),
        Case("4 rows of 5 logits", (_example_logits(),), None, rows),
    ]
    cases = [Case(c.name, c.args, F.softmax(c.args[0], dim=-1), c.hint) for c in cases]
    run_checks("check_softmax", fn, cases)


def check_temperature(fn: Callable[[torch.Tensor, float], torch.Tensor]) -> None:
    """Lesson 01: ``fn(z, T)`` is the softmax of ``z / T`` along the last dimension."""
    z = torch.tensor([1.0, 2.0, 3.0])
    cases = [
        Case("T = 1", (z, 1.0), None, "at T = 1 the answer is the plain softmax"),
        Case(
            "T = 0.5",
            (z, 0.5),
            None,
            "a temperature below 1 must sharpen the probabilities: reread 'Scaling the logits'",
        ),
        Case("T = 10", (z, 10.0), None, "a high temperature must flatten the probabilities"),
        Case(
            "rows, T = 2",
            (_example_logits(), 2.0),
            None,
            "each row is one distribution: along which dimension must it sum to 1?",
        ),
    ]
    cases = [Case(c.name, c.args, F.softmax(c.args[0] / c.args[1], dim=-1), c.hint) for c in cases]
    run_checks("check_temperature", fn, cases)


# --- lesson 02 ---------------------------------------------------------------


def check_one_hot(fn: Callable[[torch.Tensor, int], torch.Tensor]) -> None:
    """Lesson 02: ``fn(y, num_classes)`` is a float one-hot matrix, one row per label."""
    shape_hint = (
        "one row per label, one column per class, floats: reread 'One-hot encoding with scatter_'"
    )
    cases = [
        Case("y = [0, 2, 1], 5 classes", (torch.tensor([0, 2, 1]), 5), None, shape_hint),
        Case(
            "last class",
            (torch.tensor([3, 3]), 4),
            None,
            "a label is a column index, counted from 0",
        ),
        Case(
            "one sample",
            (torch.tensor([1]), 2),
            None,
            "scatter_'s index needs as many dimensions as the matrix it writes into "
            "(compare the shapes printed in 'One-hot encoding with scatter_')",
        ),
        Case("one class", (torch.tensor([0, 0, 0]), 1), None, "with one class every row is [1.]"),
        Case(
            "num_classes larger than any label",
            (torch.tensor([0, 1]), 6),
            None,
            "the number of columns is the number of classes, even for classes y never contains",
        ),
    ]
    cases = [Case(c.name, c.args, F.one_hot(*c.args).float(), c.hint) for c in cases]
    run_checks("check_one_hot", fn, cases)


def check_labels_from_one_hot(fn: Callable[[torch.Tensor], torch.Tensor]) -> None:
    """Lesson 02: ``fn(y_one_hot)`` recovers the integer labels."""
    hint = "the label of a row is the column that holds its 1: search along each row"
    cases = [
        Case(
            "y = [0, 2, 1]",
            (F.one_hot(torch.tensor([0, 2, 1]), 5).float(),),
            torch.tensor([0, 2, 1]),
            hint,
        ),
        Case("one sample", (F.one_hot(torch.tensor([3]), 4).float(),), torch.tensor([3]), hint),
        Case(
            "repeated label",
            (F.one_hot(torch.tensor([1, 1, 0]), 2).float(),),
            torch.tensor([1, 1, 0]),
            "labels are integers (torch.long), one per row",
        ),
    ]
    run_checks("check_labels_from_one_hot", fn, cases)


# --- lesson 03 ---------------------------------------------------------------


def check_cross_entropy(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> None:
    """Lesson 03: ``fn(z, y)`` is the mean cross-entropy of logits ``z`` and labels ``y``."""
    z = _example_logits()
    y = torch.tensor([0, 4, 2, 1])
    cases = [
        Case(
            "4 samples",
            (z, y),
            None,
            "the mean over samples of -log(probability of the true class)",
        ),
        Case(
            "one sample",
            (z[:1], y[:1]),
            None,
            "each sample costs only its true class's term: pick it with the label",
        ),
        Case(
            "confident and right",
            (torch.tensor([[10.0, 0.0]]), torch.tensor([0])),
            None,
            "a confident right answer costs almost 0",
        ),
        Case(
            "large logits",
            (torch.tensor([[0.0, 200.0, 400.0]]), torch.tensor([0])),
            None,
            "the log of a softmax gives -inf here: reread 'Where it breaks' for the form that "
            "never forms the tiny probability",
        ),
    ]
    cases = [Case(c.name, c.args, F.cross_entropy(*c.args).item(), c.hint) for c in cases]
    run_checks("check_cross_entropy", fn, cases, compare_numbers)


def check_logit_gradient(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> None:
    """Lesson 03: ``fn(z, y)`` is the gradient of the mean cross-entropy with respect to ``z``."""
    z = _example_logits()
    y = torch.tensor([0, 4, 2, 1])

    def autograd_gradient(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        z = z.clone().requires_grad_(True)
        return torch.autograd.grad(F.cross_entropy(z, y), z)[0]

    cases = [
        Case(
            "4 samples",
            (z, y),
            None,
            "reread 'The gradient: probabilities minus targets', and remember the cost is a "
            "mean over samples",
        ),
        Case(
            "one sample",
            (z[:1], y[:1]),
            None,
            "with one sample there is nothing to average: only the formula's numerator is left",
        ),
        Case(
            "2 samples",
            (z[:2], y[:2]),
            None,
            "the cost is a mean over samples, so its gradient is too",
        ),
    ]
    cases = [Case(c.name, c.args, autograd_gradient(*c.args), c.hint) for c in cases]
    run_checks("check_logit_gradient", fn, cases)


# --- lesson 04 ---------------------------------------------------------------


def check_accuracy(fn: Callable[[torch.Tensor, torch.Tensor], float]) -> None:
    """Lesson 04: ``fn(logits, y)`` is the fraction of rows whose top logit is the true class."""
    logits = torch.tensor([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [5.0, 4.0, 9.0], [1.0, 2.0, 0.0]])
    cases = [
        Case(
            "half right",
            (logits, torch.tensor([0, 1, 1, 0])),
            0.5,
            "a row's predicted class is the position of its largest logit; "
            "count the rows where it equals the label",
        ),
        Case(
            "all right",
            (logits, torch.tensor([0, 1, 2, 1])),
            1.0,
            "look for the largest logit within each row (across the classes)",
        ),
        Case(
            "all wrong",
            (logits, torch.tensor([1, 0, 0, 0])),
            0.0,
            "a fraction: the number of right rows divided by the number of rows",
        ),
        Case(
            "one sample",
            (logits[2:3], torch.tensor([2])),
            1.0,
            "one prediction per row, even when there is a single row",
        ),
    ]
    run_checks("check_accuracy", fn, cases, compare_numbers)


# --- lesson 07 (the gallery of mistakes) ----------------------------------------


def check_double_softmax_floor(fn: Callable[[int], float]) -> None:
    """Lesson 06: ``fn(num_classes)`` is the floor a double softmax puts under the cost."""
    hint = (
        "the second softmax sees probabilities between 0 and 1: the cost nears its floor as "
        "the true class's probability nears 1 and every other class's nears 0 "
        "(lesson 07, mistake 6)"
    )
    cases = [
        Case(f"{k} classes", (k,), _double_softmax_floor_reference(k), hint) for k in (3, 2, 10)
    ]
    run_checks("check_double_softmax_floor", fn, cases, compare_numbers)


# --- lesson 06 ---------------------------------------------------------------


def check_stable_softmax(fn: Callable[[torch.Tensor], torch.Tensor]) -> None:
    """Lesson 05: ``fn(z)`` is softmax along the last dimension, finite for any finite logits."""
    cases = [
        Case(
            "z = [1, 2, 3]",
            (torch.tensor([1.0, 2.0, 3.0]),),
            None,
            "for small logits this is the plain definition of lesson 01",
        ),
        Case(
            "large logits",
            (torch.tensor([1000.0, 1001.0, 1002.0]),),
            None,
            "exp(1000) overflows: reread 'The fix' in lesson 06 (which constant may every logit "
            "be shifted by?)",
        ),
        Case(
            "very negative logits",
            (torch.tensor([-1000.0, -1001.0, -1002.0]),),
            None,
            "every exp underflows to 0 (0/0): the same shift fixes this too",
        ),
        Case(
            "rows with different scales",
            (torch.tensor([[1.0, 2.0, 3.0], [500.0, 0.0, -500.0]]),),
            None,
            "each row needs its own shift: one number for the whole tensor underflows a row "
            "whose logits are all far below it",
        ),
    ]
    cases = [Case(c.name, c.args, F.softmax(c.args[0], dim=-1), c.hint) for c in cases]
    run_checks("check_stable_softmax", fn, cases)


def check_logsumexp(fn: Callable[[torch.Tensor], torch.Tensor]) -> None:
    """Lesson 05: ``fn(z)`` is ``log(sum(exp(z)))`` over the last dimension, computed stably."""
    cases = [
        Case(
            "z = [1, 2, 3]",
            (torch.tensor([1.0, 2.0, 3.0]),),
            None,
            "for small logits it is the log of the sum of the exponentials",
        ),
        Case(
            "large logits",
            (torch.tensor([1000.0, 1001.0, 1002.0]),),
            None,
            "exp(1000) overflows: reread 'LogSumExp' in lesson 06 (shift before exp, and add "
            "the shift back after the log)",
        ),
        Case(
            "very negative logits",
            (torch.tensor([-1000.0, -1000.0]),),
            None,
            "every exp underflows to 0 and log(0) = -inf: the same shift fixes this too",
        ),
        Case(
            "rows",
            (torch.tensor([[1.0, 2.0, 3.0], [500.0, 0.0, -500.0]]),),
            None,
            "one number per row: the result has one dimension fewer than z",
        ),
    ]
    cases = [Case(c.name, c.args, torch.logsumexp(c.args[0], dim=-1), c.hint) for c in cases]
    run_checks("check_logsumexp", fn, cases)


# --- lesson 08 ---------------------------------------------------------------


def _standardize_reference(x_train: torch.Tensor, x_test: torch.Tensor) -> torch.Tensor:
    """scikit-learn's StandardScaler fitted on ``x_train``: independent of the lesson's formula.

    It divides by the population standard deviation and by 1 for a constant feature.
    """
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(x_train.numpy())
    return torch.cat([torch.from_numpy(scaler.transform(x.numpy())) for x in (x_train, x_test)])


def check_standardize(
    fn: Callable[[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]],
) -> None:
    """Lesson 07: ``fn(x_train, x_test)`` standardises both with the training split's statistics."""
    generator = torch.Generator().manual_seed(0)
    x_train = torch.randn(20, 3, generator=generator, dtype=torch.float64) * 4 + 2
    x_test = torch.randn(5, 3, generator=generator, dtype=torch.float64) * 9 - 1
    constant = x_train.clone()
    constant[:, 1] = 3.0
    cases = [
        Case(
            "train and test",
            (x_train, x_test),
            _standardize_reference(x_train, x_test),
            "use statistics of x_train only, one mean and one standard deviation per feature "
            "(column), for both splits",
        ),
        Case(
            "a constant feature",
            (constant, x_test),
            _standardize_reference(constant, x_test),
            "a feature with standard deviation 0 (a blank pixel) must not divide by 0: "
            "divide by 1 instead",
        ),
    ]

    def compare(got: object, expected: torch.Tensor) -> str | None:
        if not (isinstance(got, tuple) and len(got) == 2):
            return "expected a tuple (x_train_standardised, x_test_standardised)"
        if not all(isinstance(part, torch.Tensor) for part in got):
            return "expected two tensors"
        return compare_tensors(torch.cat(got), expected)

    run_checks("check_standardize", fn, cases, compare)


def check_confusion_matrix(fn: Callable[[torch.Tensor, torch.Tensor, int], torch.Tensor]) -> None:
    """Lesson 07: ``fn(y_true, y_pred, num_classes)`` counts (true, predicted) pairs."""

    def reference(y_true: torch.Tensor, y_pred: torch.Tensor, num_classes: int) -> torch.Tensor:
        return torch.bincount(y_true * num_classes + y_pred, minlength=num_classes**2).view(
            num_classes, num_classes
        )

    cases = [
        Case(
            "perfect",
            (torch.tensor([0, 1, 2]), torch.tensor([0, 1, 2]), 3),
            None,
            "row = true class, column = predicted class; a perfect classifier fills the diagonal",
        ),
        Case(
            "mistakes",
            (torch.tensor([0, 0, 1, 2, 2, 0]), torch.tensor([1, 0, 1, 0, 2, 1]), 3),
            None,
            "rows are the true classes and columns the predictions (not the other way round)",
        ),
        Case(
            "a class never seen",
            (torch.tensor([0, 0]), torch.tensor([0, 1]), 4),
            None,
            "the matrix is num_classes x num_classes even if some classes never occur",
        ),
    ]
    cases = [Case(c.name, c.args, reference(*c.args), c.hint) for c in cases]
    run_checks("check_confusion_matrix", fn, cases)
