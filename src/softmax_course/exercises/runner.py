"""The runner of every checker, its comparisons, and the close of a predict-then-run.

A checker runs the student's function on several cases, edge cases included,
prints either a pass or the first failing case with a hint, and returns a
:class:`CheckResult` (what it printed). It never
prints the expected value: expected values are computed another way than the
lesson's solution (PyTorch's own functions, scikit-learn, autograd, counts by
hand) and only compared. A hint names the idea or the lesson section to
reread, never the expression to type.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch

from softmax_course.exercises.rules import Rule, broken_rule
from softmax_course.exercises.wire import Unreadable

#: What a check prints for a function that still raises NotImplementedError (the stub).
NOT_WRITTEN = "not written yet (the function raises NotImplementedError)"
#: What a predict-then-run prints while the prediction is still ``...``.
PREDICT_FIRST = "✗ write your prediction first: replace the ... with it, then run this cell again"


@dataclass(frozen=True)
class Case:
    """One call of the student's function, and the hint printed if it fails."""

    name: str
    args: tuple[Any, ...]
    hint: str


@dataclass(frozen=True)
class Exercise:
    """A function to write, declared once: the check cell, the grader and the tests read it.

    ``name`` is what the lesson's check cell calls (``check_softmax(my_softmax)``),
    ``function`` the name of the function the student writes. ``reference``
    computes the expected value of a case from its arguments, by another route
    than the lesson's solution; ``compare`` says how an answer differs from it;
    ``rules`` are what the exercise forbids (checked on the source, by the
    check cell and by the grader alike). Case arguments and answers are plain
    data (tensors, numbers, strings, tuples of them): they cross the grader's
    sandbox as :mod:`~softmax_course.exercises.wire` values.
    """

    name: str
    function: str
    cases: tuple[Case, ...]
    reference: Callable[..., Any]
    compare: Callable[[object, Any], str | None]
    rules: tuple[Rule, ...] = ()

    def check(self, fn: Callable[..., Any]) -> CheckResult:
        """Run ``fn`` on the visible cases under the rules; print and return the result."""
        result = run_checks(self, fn, _kernel_sources())
        print(result.message)
        return result

    def problem(self, args: tuple[Any, ...], got: object) -> str | None:
        """How the answer ``got`` to a case with arguments ``args`` is wrong; None if right."""
        if isinstance(got, Unreadable):
            return f"the function returned {got.what}, which is not a value the check can read"
        expected = self.reference(*args)
        try:
            return self.compare(got, expected)
        except Exception as error:  # noqa: BLE001 - an answer of a form no comparison foresaw
            return f"the function returned something of another form than expected ({error})"[:200]


@dataclass(frozen=True)
class CheckResult:
    """What one check found, as its cell printed it.

    ``status`` is "pass", "fail", "not written" (the stub), "rule" (a rule of the
    exercise is broken) or "unfit" (not a function, or a prediction of the
    wrong type or shape: nothing was judged).
    """

    exercise: str
    status: str
    message: str

    def _ipython_display_(self) -> None:
        """Show nothing as a cell's last value: the check has printed its message already."""


def _kernel_sources() -> list[str]:
    """The cells this kernel has run, in order (IPython's ``In``); none outside IPython."""
    try:
        from IPython import get_ipython
    except ImportError:
        return []
    shell = get_ipython()
    return list(shell.user_ns.get("In", [])) if shell is not None else []


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


#: An int beyond this has no float: ``math.isclose`` would raise OverflowError on it.
_FLOAT_MAX = sys.float_info.max


def compare_numbers(got: object, expected: float, atol: float = 1e-5) -> str | None:
    """Like :func:`compare_tensors` for a plain number (or a 0-d tensor)."""
    if isinstance(got, torch.Tensor):
        if got.numel() != 1:
            return f"expected a single number, got a tensor of shape {tuple(got.shape)}"
        got = got.item()
    if not isinstance(got, int | float) or isinstance(got, bool):
        return f"expected a number, got {type(got).__name__}"
    if isinstance(got, int) and not -_FLOAT_MAX <= got <= _FLOAT_MAX:
        return "the value is wrong (too large for a float)"
    if math.isnan(got):
        return "the result is nan"
    if not math.isclose(got, expected, abs_tol=atol, rel_tol=1e-4):
        return "the value is wrong"
    return None


def run_checks(exercise: Exercise, fn: Callable[..., Any], sources: Sequence[str]) -> CheckResult:
    """Run ``fn`` on the visible cases; the first failure is the one named.

    ``sources`` are the cells that define ``fn``, read for the exercise's rules.
    Returns the result without printing it.
    """
    name = exercise.name
    if not callable(fn):
        return CheckResult(name, "unfit", f"✗ {name}: expected a function, got {type(fn).__name__}")
    function = getattr(fn, "__name__", exercise.function)
    broken = broken_rule(
        exercise.rules, sources, function if function.isidentifier() else exercise.function
    )
    if broken is not None:
        return CheckResult(name, "rule", f"✗ {name}: {broken}; the grader gives this exercise 0")
    first_failure = None
    for case in exercise.cases:
        args = tuple(a.clone() if isinstance(a, torch.Tensor) else a for a in case.args)
        try:
            got = fn(*args)
        except NotImplementedError:
            return CheckResult(name, "not written", f"✗ {name}: {NOT_WRITTEN}")
        except Exception as error:  # noqa: BLE001 - any error in student code is a hint
            problem = f"raised {type(error).__name__}: {error}"
        else:
            problem = exercise.problem(case.args, got)
        if problem is not None:
            first_failure = (case, problem)
            break
    if first_failure is None:
        return CheckResult(name, "pass", f"✓ {name}: all {len(exercise.cases)} cases pass")
    case, problem = first_failure
    return CheckResult(
        name, "fail", f"✗ {name}, case '{case.name}': {problem}\n  Hint: {case.hint}"
    )


def reveal_prediction(
    prediction: object, truth: torch.Tensor | float | str, atol: float = 0.01
) -> CheckResult:
    """Compare a written prediction with the computed ``truth``; show the truth only then.

    ``...`` (the stub's value) or a blank word means "not predicted yet": the truth stays
    hidden, so that the student commits to a guess before seeing it. A
    prediction of the wrong type or shape is named, and the truth stays hidden
    too. Predictions are typed by hand, hence the loose default ``atol``; a
    word (``truth`` a ``str``) is compared without regard to case or spaces.
    Prints, and returns the result.
    """
    result = _judge_prediction(prediction, truth, atol)
    print(result.message)
    return result


def _judge_prediction(prediction: object, truth: object, atol: float) -> CheckResult:
    def unfit(problem: str) -> CheckResult:
        return CheckResult("prediction", "unfit", f"✗ {problem}")

    if prediction is Ellipsis or (isinstance(prediction, str) and not prediction.strip()):
        return CheckResult("prediction", "not written", PREDICT_FIRST)
    if isinstance(truth, str):
        if not isinstance(prediction, str):
            return unfit(
                f"your prediction should be a word in quotes, got {type(prediction).__name__}"
            )
        right = prediction.strip().lower() == truth.strip().lower()
        shown_guess, shown_truth = prediction, truth
    elif isinstance(truth, torch.Tensor):
        if isinstance(prediction, str | bytes | bool):
            return unfit(
                f"your prediction should be a list of numbers, got {type(prediction).__name__}"
            )
        try:
            guess = torch.as_tensor(prediction, dtype=torch.float64)
        except (TypeError, ValueError, RuntimeError, OverflowError):
            return unfit(
                "your prediction is not a number or a list of numbers "
                f"(got {type(prediction).__name__})"
            )
        if guess.shape != truth.shape:
            wanted = "a single number" if truth.dim() == 0 else f"shape {tuple(truth.shape)}"
            return unfit(f"your prediction has shape {tuple(guess.shape)}; write it as {wanted}")
        right = bool(torch.isclose(guess, truth.detach().double(), atol=atol, rtol=0).all())
        shown_guess, shown_truth = str(guess.to(truth.dtype)), str(truth)
    else:
        if not isinstance(prediction, int | float) or isinstance(prediction, bool):
            return unfit(f"your prediction should be a number, got {type(prediction).__name__}")
        try:
            guess = float(prediction)
        except OverflowError:
            return unfit("your prediction is too large for a float")
        right = math.isclose(guess, truth, abs_tol=atol, rel_tol=0)
        shown_guess, shown_truth = f"{guess:.4f}", f"{truth:.4f}"
    if right:
        return CheckResult(
            "prediction", "pass", f"✓ your prediction is right; the truth:\n{shown_truth}"
        )
    message = f"✗ you predicted\n{shown_guess}\nbut the truth is\n{shown_truth}"
    return CheckResult("prediction", "fail", message)
