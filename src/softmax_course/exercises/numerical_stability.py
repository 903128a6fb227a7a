"""Checkers of the numerical-stability lesson's exercises."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from softmax_course.exercises.rules import NO_LOGSUMEXP, NO_SOFTMAX
from softmax_course.exercises.runner import Case, Exercise, compare_tensors

STABLE_SOFTMAX = Exercise(
    "check_stable_softmax",
    function="my_stable_softmax",
    cases=(
        Case(
            "z = [1, 2, 3]",
            (torch.tensor([1.0, 2.0, 3.0]),),
            "for small logits this is the plain definition of the softmax lesson",
        ),
        Case(
            "large logits",
            (torch.tensor([1000.0, 1001.0, 1002.0]),),
            "exp(1000) overflows: reread 'The fix' (which constant may every logit be shifted by?)",
        ),
        Case(
            "very negative logits",
            (torch.tensor([-1000.0, -1001.0, -1002.0]),),
            "every exp underflows to 0 (0/0): the same shift fixes this too",
        ),
        Case(
            "rows with different scales",
            (torch.tensor([[1.0, 2.0, 3.0], [500.0, 0.0, -500.0]]),),
            "each row needs its own shift: one number for the whole tensor underflows a row "
            "whose logits are all far below it",
        ),
    ),
    reference=lambda z: F.softmax(z, dim=-1),
    compare=compare_tensors,
    rules=(NO_SOFTMAX,),
)

LOGSUMEXP = Exercise(
    "check_logsumexp",
    function="my_logsumexp",
    cases=(
        Case(
            "z = [1, 2, 3]",
            (torch.tensor([1.0, 2.0, 3.0]),),
            "for small logits it is the log of the sum of the exponentials",
        ),
        Case(
            "large logits",
            (torch.tensor([1000.0, 1001.0, 1002.0]),),
            "exp(1000) overflows: reread 'LogSumExp' (shift before exp, and add the shift back "
            "after the log)",
        ),
        Case(
            "very negative logits",
            (torch.tensor([-1000.0, -1000.0]),),
            "every exp underflows to 0 and log(0) = -inf: the same shift fixes this too",
        ),
        Case(
            "rows",
            (torch.tensor([[1.0, 2.0, 3.0], [500.0, 0.0, -500.0]]),),
            "one number per row: the result has one dimension fewer than z",
        ),
    ),
    reference=lambda z: torch.logsumexp(z, dim=-1),
    compare=compare_tensors,
    rules=(NO_LOGSUMEXP,),
)
