"""The hand-written formulas agree with torch.nn.functional, value for value."""

import pytest
import torch
import torch.nn.functional as F

from softmax_course._validation import (
    MAX_ROW_SUM_TOLERANCE,
    require_rows_sum_to_one,
    row_sum_tolerance,
)
from softmax_course.data import replay_seminar_draws
from softmax_course.functional import (
    cross_entropy_from_probs,
    log_softmax,
    one_hot,
    one_hot_cross_entropy,
    softmax,
    stable_softmax,
)


@pytest.fixture
def seminar_example():
    return replay_seminar_draws()


def test_softmax_of_one_two_three_is_the_seminars():
    probs = softmax(torch.tensor([1.0, 2.0, 3.0]), dim=0)
    torch.testing.assert_close(probs, torch.tensor([0.0900, 0.2447, 0.6652]), atol=5e-5, rtol=0)
    torch.testing.assert_close(probs.sum(), torch.tensor(1.0))


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_matches_pytorch(seminar_example, dim):
    z = seminar_example.z.detach()
    torch.testing.assert_close(softmax(z, dim=dim), F.softmax(z, dim=dim))
    torch.testing.assert_close(stable_softmax(z, dim=dim), F.softmax(z, dim=dim))
    torch.testing.assert_close(log_softmax(z, dim=dim), F.log_softmax(z, dim=dim))


def test_softmax_keeps_the_graph(seminar_example):
    probs = softmax(seminar_example.z, dim=1)
    assert probs.requires_grad
    probs[0, 0].backward()
    assert seminar_example.z.grad is not None


@pytest.mark.parametrize(
    "z",
    [
        torch.tensor([[1000.0, 1001.0, 1002.0]]),
        torch.tensor([[-1000.0, -1001.0, -1002.0]]),
        torch.tensor([[0.0, 200.0, 400.0]]),
        torch.tensor([[3.0e38, 3.0e38, 0.0]]),
        torch.tensor([[1e4, 1e4, 1e4]], dtype=torch.float16),
        torch.tensor([[60000.0, 0.0, -60000.0]], dtype=torch.bfloat16),
        # Each row shifted by its own maximum: by the largest of all, the second row's
        # exps would all underflow to 0.
        torch.tensor([[1000.0, 1001.0, 1002.0], [0.0, 1.0, 2.0]]),
    ],
)
def test_stable_forms_match_pytorch_on_extreme_logits(z):
    torch.testing.assert_close(stable_softmax(z), F.softmax(z, dim=-1))
    torch.testing.assert_close(log_softmax(z), F.log_softmax(z, dim=-1))
    assert torch.isfinite(log_softmax(z)).all()


def test_definitional_softmax_refuses_to_overflow():
    message = r"^exp\(z\) overflows to inf in torch.float32.*stable_softmax"
    with pytest.raises(ValueError, match=message):
        softmax(torch.tensor([1000.0, 1001.0, 1002.0]))


def test_definitional_softmax_says_when_only_the_sum_overflows():
    """In float32 each exp(88) is a finite 1.65e38; three of them sum past the largest float32."""
    z = torch.tensor([88.0, 88.0, 88.0])
    assert torch.isfinite(torch.exp(z)).all() and torch.isinf(torch.exp(z).sum())
    with pytest.raises(ValueError, match=r"sum of exp\(z\) overflows to inf in torch.float32, "
                       r"though every exp\(z\) is finite \(logits from 88 to 88\)"):
        softmax(z)
    torch.testing.assert_close(stable_softmax(z), torch.full((3,), 1 / 3))


def test_definitional_softmax_refuses_to_underflow():
    with pytest.raises(ValueError, match=r"every exp\(z\) underflows to 0 in torch.float32, "
                       r"so their sum is 0.*use stable_softmax"):
        softmax(torch.tensor([-1000.0, -1001.0, -1002.0]))


def test_definitional_softmax_keeps_subnormal_exps():
    """exp(-90) is 8.2e-40 in float32, a subnormal, not 0: the definition still works there."""
    z = torch.tensor([-90.0, -90.0])
    assert 0 < torch.exp(z[0]).item() < torch.finfo(torch.float32).smallest_normal
    torch.testing.assert_close(softmax(z), torch.tensor([0.5, 0.5]))


def test_one_hot_matches_pytorch(seminar_example):
    expected = F.one_hot(seminar_example.y, num_classes=5).float()
    torch.testing.assert_close(one_hot(seminar_example.y, 5), expected)
    torch.testing.assert_close(
        one_hot(seminar_example.y, 5),
        torch.tensor([[1.0, 0, 0, 0, 0], [0, 0, 1.0, 0, 0], [0, 1.0, 0, 0, 0]]),
    )


def test_cross_entropy_matches_pytorch_and_the_seminar(seminar_example):
    z, y = seminar_example
    cost = cross_entropy_from_probs(F.softmax(z, dim=1), y)
    torch.testing.assert_close(cost, F.cross_entropy(z, y))
    torch.testing.assert_close(cost, F.nll_loss(F.log_softmax(z, dim=1), y))
    assert round(cost.item(), 4) == 1.4689


@pytest.mark.parametrize(
    ("y", "num_classes"),
    [([1, 2, 0], 3), ([1, 2, 0, 2], 3), ([3, 0, 1], 4)],
    ids=["square", "more samples than classes", "more classes than samples"],
)
def test_one_hot_rows_follow_the_labels(y, num_classes):
    """Labels that are not their own inverse: a transposed scatter writes other cells."""
    expected = torch.zeros(len(y), num_classes)
    for row, label in enumerate(y):
        expected[row, label] = 1.0
    if len(y) == num_classes:
        assert not torch.equal(expected.T, expected)
    torch.testing.assert_close(one_hot(torch.tensor(y), num_classes), expected, rtol=0, atol=0)


def test_cross_entropy_ignores_a_zero_probability_in_a_wrong_class():
    probs = torch.tensor([[1.0, 0.0], [0.25, 0.75]], dtype=torch.float64)
    cost = cross_entropy_from_probs(probs, torch.tensor([0, 1]))
    torch.testing.assert_close(cost, -torch.log(torch.tensor(0.75, dtype=torch.float64)) / 2)
    perfect = cross_entropy_from_probs(probs[:1], torch.tensor([0]))
    assert perfect.item() == 0.0 and str(perfect.item()) == "0.0"


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32, torch.float64])
@pytest.mark.parametrize("num_classes", [2, 3, 10, 1000])
def test_cross_entropy_accepts_every_softmax_row(dtype, num_classes):
    """The row-sum check never refuses an honest softmax, in any dtype or width."""
    generator = torch.Generator().manual_seed(num_classes)
    z = torch.randn(500, num_classes, generator=generator, dtype=torch.float64) * 4
    y = torch.randint(num_classes, (500,), generator=generator)
    for probs in (F.softmax(z.to(dtype), dim=1), stable_softmax(z.to(dtype), dim=1)):
        assert not torch.isnan(cross_entropy_from_probs(probs, y))  # inf if p rounded to 0


#: (dtype, number of classes): the widths at which an honest row's miss was measured;
#: float16 from 100,000 classes has subnormal probabilities, float32 and float64
#: at a million classes the largest accumulated sums.
MEASURED_WIDTHS = [
    (dtype, num_classes)
    for dtype in (torch.float16, torch.bfloat16, torch.float32, torch.float64)
    for num_classes in (2, 3, 10, 100, 1000, 10**4, 10**5, 10**6)
]


@pytest.mark.parametrize(("dtype", "num_classes"), MEASURED_WIDTHS,
                         ids=[f"{d}-{c}".replace("torch.", "") for d, c in MEASURED_WIDTHS])
def test_row_sum_tolerance_is_well_above_what_honest_rows_miss(dtype, num_classes):
    """Rows of F.softmax and of exp(z - max) / sum miss 1 by less than the tolerance / 2.5.

    Not by more: a tolerance far above what rounding does would pass wrong rows too."""
    generator = torch.Generator().manual_seed(num_classes)
    rows = max(2, min(200, 2 * 10**6 // num_classes))
    worst = 0.0
    for scale in (0.01, 1.0, 3.0, 10.0, 30.0):
        z = torch.randn(rows, num_classes, generator=generator, dtype=torch.float64) * scale
        z = z.to(dtype)
        exp_shifted = torch.exp(z - z.amax(dim=1, keepdim=True))
        formula = exp_shifted / exp_shifted.sum(dim=1, keepdim=True)
        # float16's sum of over 65,504 exps overflows: those rows are 0, not honest rows
        overflowed = torch.isinf(exp_shifted.sum(dim=1))
        assert (formula[overflowed] == 0).all()
        assert dtype == torch.float16 or not overflowed.any()
        honest = [F.softmax(z, dim=1)] + ([formula[~overflowed]] if (~overflowed).any() else [])
        for probs in honest:
            sums = probs.double().sum(dim=1)
            worst = max(worst, (sums - 1).abs().max().item())
            require_rows_sum_to_one(probs)
    tolerance = row_sum_tolerance(dtype, num_classes)
    assert 2.5 * worst <= tolerance < 0.1


def test_the_row_sum_check_catches_a_wrong_row_in_low_precision():
    """bfloat16 at 64 classes and float16 at 512: a 2 C eps tolerance reached 1 there."""
    for dtype, num_classes in ((torch.bfloat16, 64), (torch.float16, 512), (torch.bfloat16, 10**5)):
        z = torch.randn(8, num_classes, generator=torch.Generator().manual_seed(0))
        wrong_dim = F.softmax(z.to(dtype), dim=0)
        sums = wrong_dim.double().sum(dim=1)
        assert (sums - 1).abs().max() > 0.05
        with pytest.raises(ValueError, match=rf"classes in {dtype}\); .*wrong dim"):
            require_rows_sum_to_one(wrong_dim)
        off = torch.full((1, num_classes), 1.1 / num_classes, dtype=dtype)
        with pytest.raises(ValueError, match=r"probs row 0 sums to 1\.\d+ \(off by \+"):
            require_rows_sum_to_one(off)


def test_the_row_sum_check_says_when_the_dtype_cannot_tell():
    """float16 rows of 7 million classes: rounding alone may move an honest sum by 0.5."""
    num_classes = 7 * 10**6
    assert row_sum_tolerance(torch.float16, num_classes) >= MAX_ROW_SUM_TOLERANCE
    assert row_sum_tolerance(torch.float32, num_classes) < 0.2
    uniform = torch.full((1, num_classes), 1 / num_classes, dtype=torch.float16)
    with pytest.raises(ValueError, match=r"7000000 classes in torch.float16: rounding alone may "
                                         r"move an honest row's sum by 0.53.*cannot tell"):
        require_rows_sum_to_one(uniform)
    require_rows_sum_to_one(torch.full((1, num_classes), 1 / num_classes))  # float32 can tell


def test_a_row_may_miss_one_by_the_tolerance_and_no_more():
    """float64 at 8 classes: 4 eps + 8 (eps / 8) = 5 eps, all steps exact in float64."""
    eps = torch.finfo(torch.float64).eps
    assert row_sum_tolerance(torch.float64, 8) == 5 * eps
    row = torch.zeros(1, 8, dtype=torch.float64)
    row[0, 0] = 1 + 5 * eps  # a sum off by exactly the tolerance passes
    require_rows_sum_to_one(row)
    row[0, 0] = 1 + 6 * eps  # the next float64 above it does not
    with pytest.raises(ValueError, match=r"probs row 0 sums to 1 \(off by \+1\.3e-15\), not 1 "
                                         r"\(tolerance 1\.1e-15 for 8 classes in torch\.float64\)"):
        require_rows_sum_to_one(row)


def test_the_row_sum_check_cannot_tell_from_a_tolerance_of_exactly_one_half():
    """float32 at 2**25 - 32 classes: 4 eps + C eps / 8 is 0.5 exactly, and a row summing to
    0.5 or 1.5 would pass; one class fewer, the rows are checked."""
    num_classes = 2**25 - 32
    assert row_sum_tolerance(torch.float32, num_classes) == MAX_ROW_SUM_TOLERANCE
    uniform = torch.full((1, 1), 1 / num_classes).expand(1, num_classes)  # no memory per class
    with pytest.raises(ValueError, match=rf"{num_classes} classes in torch.float32: .*cannot tell"):
        require_rows_sum_to_one(uniform)
    assert row_sum_tolerance(torch.float32, num_classes - 1) < MAX_ROW_SUM_TOLERANCE


def test_cross_entropy_refuses_a_softmax_over_the_wrong_dim():
    z = torch.tensor([[1.0, 2.0, 0.5], [0.0, 1.0, 3.0], [2.0, 0.0, 1.0]])
    with pytest.raises(ValueError, match=r"probs row 0 sums to .*wrong dim"):
        cross_entropy_from_probs(F.softmax(z, dim=0), torch.tensor([0, 1, 2]))
    nearly = torch.tensor([[0.2, 0.3, 0.5 + 1e-9]], dtype=torch.float64)
    with pytest.raises(ValueError, match=r"row 0 sums to 1 \(off by \+1.0e-09\), not 1"):
        cross_entropy_from_probs(nearly, torch.tensor([0]))


def test_the_seminars_formula_matches_pytorch_but_turns_a_zero_into_nan(seminar_example):
    z, y = seminar_example
    targets = one_hot(y, 5)
    cost = one_hot_cross_entropy(F.softmax(z, dim=1), targets)
    torch.testing.assert_close(cost, F.cross_entropy(z, y))
    probs = torch.tensor([[1.0, 0.0]])
    assert torch.isnan(one_hot_cross_entropy(probs, one_hot(torch.tensor([0]), 2)))
    assert cross_entropy_from_probs(probs, torch.tensor([0])).item() == 0.0


def test_log_softmax_keeps_float32_precision_next_to_large_logits():
    """Off by 8e-8 from the float64 answer; adding the maximum back first is off by 1.3e-5."""
    z = torch.tensor([1000.0, 1001.0, 1002.0])
    exact = F.log_softmax(z.double(), dim=0)
    assert (log_softmax(z).double() - exact).abs().max() < 1e-6
