# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
#   seminar:
#     nav_order: 6
#     title: 06 Numerical stability
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 06 · Numerical stability
#
# In this lesson we will:
#
# - see the softmax formula return `nan` for large logits (overflow) and for very negative ones (underflow);
# - fix both by subtracting the maximum, which changes nothing mathematically;
# - meet LogSumExp, and see why `F.log_softmax` and `F.cross_entropy` take logits, not probabilities;
# - read where `exp` overflows, turns subnormal and rounds to 0 in float32, bfloat16 and float16.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. The formula from lesson 01 is correct mathematically and still fails
# on a computer. This lesson shows both failures, the one-line fix, and the limits of
# each float type, so that students can predict where a computation breaks.

# %% slideshow={"slide_type": "subslide"}
import math

import torch
import torch.nn.functional as F

from softmax_course.functional import log_softmax, softmax, stable_softmax
from softmax_course.plotting import plot_curves, show

# %% [markdown] slideshow={"slide_type": "notes"}
# Under a minute. The course's own `softmax` is the formula written as defined;
# `stable_softmax` and `log_softmax` are the fixed forms this lesson derives.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Overflow: large logits give `nan`
#
# $e^{1000}$ is far beyond the largest float32 (about $3.4 \times 10^{38}$), so
# `exp` returns `inf`, and `inf / inf` is `nan`.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. Run the first cell: three infinities, then three nans. Then the
# second: no single exp overflows at 88 (each is 1.65e38), yet their sum does. The
# sum is what breaks first, which is why the course's `softmax` checks the sum.

# %% slideshow={"slide_type": "fragment"}
z_high = torch.tensor([1000.0, 1001.0, 1002.0])
print(torch.exp(z_high))
print(torch.exp(z_high) / torch.exp(z_high).sum())

# %% [markdown] slideshow={"slide_type": "fragment"}
# The sum can overflow where no `exp` does: $e^{88} \approx 1.65 \times 10^{38}$ is
# finite in float32, three of them added are not (asserted).

# %% slideshow={"slide_type": "fragment"}
z_88 = torch.tensor([88.0, 88.0, 88.0])
print(torch.exp(z_88), torch.exp(z_88).sum())
assert torch.isfinite(torch.exp(z_88)).all() and torch.isinf(torch.exp(z_88).sum())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Underflow: very negative logits give `0 / 0`
#
# $e^{-1000}$ is far below the smallest positive float32 (about
# $1.4 \times 10^{-45}$), so every `exp` rounds to 0 and the division is `0 / 0 = nan`.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. The mirror image: every exp rounds to 0, so the sum is 0 and
# the division is 0 / 0. The limits table later says exactly where that starts.

# %% slideshow={"slide_type": "fragment"}
z_low = torch.tensor([-1000.0, -1001.0, -1002.0])
print(torch.exp(z_low))
print(torch.exp(z_low) / torch.exp(z_low).sum())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The fix: subtract the maximum
#
# Softmax ignores a constant added to every logit (lesson 01), so we may
# subtract $m = \max_j z_j$. Then the largest exponent is $e^0 = 1$: nothing
# overflows, and the sum is at least 1: nothing divides by 0.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. Remind the class of the shift invariance from lesson 01; the
# fix is that invariance used on purpose. The cell checks the three failing
# examples against `F.softmax`.

# %% slideshow={"slide_type": "fragment"}
for logits in (z_high, z_88, z_low):
    shifted = logits - logits.max()
    probs = torch.exp(shifted) / torch.exp(shifted).sum()
    print(f"{logits} -> {probs}")
    torch.testing.assert_close(probs, F.softmax(logits, dim=0))

# %% [markdown] slideshow={"slide_type": "subslide"}
# On ordinary logits the shift changes nothing (asserted), and the course helper
# `stable_softmax` is this fix. The definition-only helper `softmax` refuses
# such logits with a message that says what overflowed, instead of returning `nan`.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. Point at the two messages: at 1000 an exp itself overflows; at
# 88 every exp is finite and only their sum overflows.

# %%
z_ordinary = torch.tensor([1.0, 2.0, 3.0])
by_definition = torch.exp(z_ordinary) / torch.exp(z_ordinary).sum()
torch.testing.assert_close(stable_softmax(z_ordinary), by_definition)
torch.testing.assert_close(stable_softmax(z_high), F.softmax(z_high, dim=0))
for logits in (z_high, z_88):
    try:
        softmax(logits)
    except ValueError as error:
        print(error)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## LogSumExp
#
# The log of a softmax needs $\log \sum_j e^{z_j}$, the *LogSumExp*. With the same shift:
#
# $$ \log \sum_j e^{z_j} = m + \log \sum_j e^{z_j - m}, \qquad \log \text{softmax}(z)_k = (z_k - m) - \log \sum_j e^{z_j - m} $$
#
# No probability is ever formed, so none can round to 0 before the `log`.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. Derive the first identity on the board: factor e^m out of the
# sum. The three printed lines agree (the last is asserted against `F.log_softmax`).

# %% slideshow={"slide_type": "fragment"}
m = z_high.max()
print("logsumexp by hand:", m + torch.log(torch.exp(z_high - m).sum()))
print("torch.logsumexp:  ", torch.logsumexp(z_high, dim=0))
print("log_softmax:      ", log_softmax(z_high))
torch.testing.assert_close(log_softmax(z_high), F.log_softmax(z_high, dim=0))

# %% [markdown] slideshow={"slide_type": "subslide"}
# This is why `F.log_softmax` and `F.cross_entropy` take **logits**: from the
# logits they can use LogSumExp. Hand them probabilities instead and the
# information a rounded-to-0 probability carried is already gone.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. The true class has probability e^-400, which rounds to 0 in
# float32: its log is -inf, and the cost is inf. From the logits the cost is
# 400, as it should be (both asserted).

# %%
z_far = torch.tensor([[0.0, 200.0, 400.0]])
y_far = torch.tensor([0])
log_probs_far = torch.log(F.softmax(z_far, dim=1))
print("from logits:       ", F.cross_entropy(z_far, y_far).item())
print("from probabilities:", F.nll_loss(log_probs_far, y_far).item())
assert F.cross_entropy(z_far, y_far).item() == 400.0
assert math.isinf(F.nll_loss(log_probs_far, y_far).item())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The limits of each float type
#
# From `torch.finfo`: `exp(z)` is `inf` once $z > \log(\text{max})$, *subnormal* once
# $z < \log(\text{smallest normal})$, and 0 only once $z \le \log(\text{smallest subnormal} / 2)$,
# where 0 is the nearest number (each edge asserted half a unit either side).

# %% [markdown] slideshow={"slide_type": "notes"}
# About 3 minutes. Read the table row by row. eps is the spacing of numbers just above 1:
# a correctly rounded result in the normal range (a conversion, or one +, -, *, /; IEEE 754
# requires it of these, not of torch.exp) is off by at most eps/2 of its size, a subnormal one by
# up to half the smallest subnormal, which is far more than eps/2 of a tiny number (both
# asserted on the next slide). Stress the last two columns: the normal range does not end at 0;
# the subnormals fill the gap, with fewer and fewer digits.

# %% slideshow={"slide_type": "fragment"}
float_types = (torch.float32, torch.bfloat16, torch.float16)
log_max = {t: math.log(torch.finfo(t).max) for t in float_types}
print(f"{'':>14} {'':>8} {'exp(z) = inf':>12} {'subnormal':>10} {'exp(z) = 0':>10}")
print(f"{'dtype':>14} {'eps':>8} {'for z >':>12} {'for z <':>10} {'for z <':>10}")
for dtype in float_types:
    info = torch.finfo(dtype)
    smallest_subnormal = info.smallest_normal * info.eps
    edges = {"inf": log_max[dtype], "subnormal": math.log(info.smallest_normal),
             "0": math.log(smallest_subnormal / 2)}
    print(f"{str(dtype):>14} {info.eps:8.2e} {edges['inf']:12.2f}",
          f"{edges['subnormal']:10.2f} {edges['0']:10.2f}")
    around = {name: torch.exp(torch.tensor([edge - 0.5, edge + 0.5], dtype=dtype))
              for name, edge in edges.items()}
    assert torch.isfinite(around["inf"][0]) and torch.isinf(around["inf"][1]), dtype
    assert around["subnormal"][0] < info.smallest_normal <= around["subnormal"][1], dtype
    assert around["0"][0] == 0 < around["0"][1], dtype

# %% [markdown] slideshow={"slide_type": "subslide"}
# Reading only the smallest *normal* number, one would predict `exp(-90) = 0` in
# float32. It is $8.2 \times 10^{-40}$, a subnormal; the smallest subnormal,
# $2^{-149} \approx 1.4 \times 10^{-45}$, is the last step before 0 (asserted).

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. Ask the class first: what is exp(-90) in float32? Most say 0.
# The subnormals between 1.2e-38 and 1.4e-45 keep it, with fewer significant bits
# the smaller it gets; only below about -103.97 does exp give 0.

# %%
smallest_normal = torch.finfo(torch.float32).smallest_normal
z_small = torch.tensor([-87.0, -90.0, -103.5, -104.0])
for z_value, value in zip(z_small.tolist(), torch.exp(z_small).tolist(), strict=True):
    kind = "normal" if value >= smallest_normal else "subnormal" if value > 0 else "zero"
    print(f"exp({z_value:g}) = {value:.3g}  ({kind})")
assert 0 < torch.exp(torch.tensor(-90.0)) < smallest_normal
assert torch.exp(torch.tensor(-103.5)).item() == 2.0**-149
assert torch.exp(torch.tensor(-104.0)).item() == 0
for dtype in float_types:  # rounding a normal number: eps/2 at most; a subnormal: far more
    info = torch.finfo(dtype)
    third, tiny = torch.tensor([1 / 3, 1.3 * info.smallest_normal * info.eps], dtype=torch.float64)
    assert abs(third.to(dtype).double() / third - 1) <= info.eps / 2, dtype
    assert abs(tiny.to(dtype).double() / tiny - 1) > 10 * info.eps, dtype

# %% [markdown] slideshow={"slide_type": "subslide"}
# float16's `exp` overflows past 11.09, bfloat16's near float32's 88.72, with far
# fewer digits. That breaks the formula, not PyTorch: `F.softmax` subtracts the
# maximum itself and stays finite in float16.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. float16 has the same overflow problem at logits near 11, which
# a trained network easily produces; `F.softmax` is safe because it shifts first.

# %%
z_half = torch.tensor([10.0, 11.0, 12.0], dtype=torch.float16)
print("exp:          ", torch.exp(z_half))
print("naive softmax:", torch.exp(z_half) / torch.exp(z_half).sum())
print("F.softmax:    ", F.softmax(z_half, dim=0))
assert torch.isinf(torch.exp(z_half)).any()
assert torch.isfinite(F.softmax(z_half, dim=0)).all()

# %% [markdown] slideshow={"slide_type": "subslide"}
# Mixed precision (`torch.autocast`) runs matrix products in the low type and
# some functions in float32. On this CPU build with bfloat16: the logits come out
# in bfloat16, `F.cross_entropy` in float32, and `F.softmax` keeps its input's
# type (PyTorch's AMP docs list softmax among the *CUDA* ops autocast to float32).

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. Autocast decides per operation; the printed dtypes are this
# CPU build's choices (asserted). On a GPU the list of float32 operations differs.

# %%
features, weights = torch.eye(4, 3), torch.arange(15.0).view(3, 5)
labels = torch.tensor([0, 1, 2, 3])
with torch.autocast("cpu", dtype=torch.bfloat16):
    autocast_logits = features @ weights
    autocast_dtypes = {
        "logits (x @ W)": autocast_logits.dtype,
        "F.cross_entropy": F.cross_entropy(autocast_logits, labels).dtype,
        "F.softmax": F.softmax(autocast_logits, dim=1).dtype,
    }
for name, dtype in autocast_dtypes.items():
    print(f"{name:>16}: {dtype}")
assert list(autocast_dtypes.values()) == [torch.bfloat16, torch.float32, torch.bfloat16]

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Where the naive form fails
#
# Logits $s \cdot [0, 0.5, 1]$: at every scale sampled, the naive softmax in each type has a
# relative error below 1.5 eps until $s$ passes the type's $\log(\text{max})$, then gives `nan`
# (both asserted). Just before the limit the smallest probability is subnormal, and the error
# there reaches 1.5 to 2.5 eps in float16 and float32 (asserted in the notebook, off the slides).

# %% [markdown] slideshow={"slide_type": "notes"}
# About 3 minutes. Read the printed lines, then show the figure on the next slide.
# The error is set by each type's eps, not by the size of the logits, until the
# smallest probability turns subnormal just before the limit; then it jumps straight
# to nan. There is no gradual warning.

# %% slideshow={"slide_type": "fragment"}
scales = torch.logspace(0, 3, 301, dtype=torch.float64)
directions = torch.tensor([0.0, 0.5, 1.0], dtype=torch.float64)
errors = {}
for dtype in (torch.float16, torch.bfloat16, torch.float32):
    logits = (scales[:, None] * directions).to(dtype)
    exact = F.softmax(logits.double(), dim=1)  # the same logits, in float64
    naive = (torch.exp(logits) / torch.exp(logits).sum(dim=1, keepdim=True)).double()
    failed = torch.isnan(naive).any(dim=1)
    last_fine = scales[scales < log_max[dtype]].max().item()
    assert torch.equal(failed, scales > last_fine), dtype
    relative = ((naive - exact).abs() / exact).amax(dim=1)
    assert relative[~failed].max() < 1.5 * torch.finfo(dtype).eps, dtype
    print(f"{str(dtype):>14}: within 1.5 eps up to s = {last_fine:.1f}, nan from s = {scales[failed].min():.1f}")
    errors[str(dtype)] = torch.nan_to_num(relative, nan=1.0).tolist()

# %% [markdown] slideshow={"slide_type": "skip"}
# Between $-\log(\text{smallest normal})$ and $\log(\text{max})$ the smallest probability,
# about $e^{-s}$, is subnormal. On 20,000 scales there, the naive form's error reaches 1.5 to
# 2.5 eps in float16 and float32; in bfloat16 it stays below 1 eps: there its largest logit
# is a multiple of 0.5, so only three scales are left (87.5, 88 and 88.5). Asserted:

# %% slideshow={"slide_type": "skip"}
for dtype in (torch.float16, torch.bfloat16, torch.float32):
    info = torch.finfo(dtype)
    stretch = torch.linspace(-math.log(info.smallest_normal), log_max[dtype], 20001,
                             dtype=torch.float64)[:-1]
    logits = (stretch[:, None] * directions).to(dtype)
    naive = (torch.exp(logits) / torch.exp(logits).sum(dim=1, keepdim=True)).double()
    exact = F.softmax(logits.double(), dim=1)
    worst = ((naive - exact).abs() / exact).max().item() / info.eps
    bounds = (0, 1) if dtype == torch.bfloat16 else (1.5, 2.5)
    if dtype == torch.bfloat16:
        assert logits[:, 2].unique().tolist() == [87.5, 88.0, 88.5]
    assert bounds[0] < worst < bounds[1], (dtype, worst)
    print(f"{str(dtype):>14}: between {bounds[0]} and {bounds[1]} eps where subnormal")

# %% [markdown] slideshow={"slide_type": "subslide"}
# At the sampled scales each curve stays below 1.5 eps of its type, then jumps to `nan` (drawn as 1). The
# reference is the softmax of the logits *as stored* in each type, so only the softmax's
# own rounding is measured.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. Three bands, each below 1.5 eps of its type at these scales, then a cliff at
# 11 (float16) and near 89 (bfloat16, float32). bfloat16 has float32's range with
# even fewer digits than float16: it fails late but is never precise.

# %%
fig = plot_curves(scales.tolist(), errors,
                  "Naive softmax: relative error against the exact answer",
                  "largest logit s", "max relative error (nan as 1)",
                  log_x=True, log_y=True, legend_loc="outside")
show(fig, alt="Log-log plot of the naive softmax's largest relative error against the scale s "
              "of the logits, for float16, bfloat16 and float32: each curve stays near its "
              "type's eps (1e-3, 8e-3 and 1.2e-7) and jumps to 1 (nan) once s passes "
              "log(max): 11 for float16, near 89 for the other two.")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Recap
#
# In this lesson we:
#
# - saw `exp(z) / exp(z).sum()` give `nan` for logits of 1000 (overflow) and −1000 (underflow), and the sum overflow before any `exp` at 88;
# - fixed both by subtracting the maximum, which leaves softmax unchanged;
# - used LogSumExp, which is why `F.log_softmax` and `F.cross_entropy` take logits;
# - read the limits: in float32 `exp` overflows past 88.72, turns subnormal below −87.34 and is 0 only below −103.97;
# - saw the naive form within 1.5 eps at the scales sampled (up to 2.5 eps in the subnormal stretch just before its type's limit), then `nan`; `F.softmax` already subtracts the maximum.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. The one habit to keep: hand logits, not probabilities, to the
# loss, and never write the softmax formula without subtracting the maximum.

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Exercises
#
# **Exercise 1: predict, then run.** What does `torch.exp` give for the float32
# number 89? Write your answer in place of the `...` (a number, or
# `float("inf")`, or `float("nan")`), then run the cell after it.

# %% slideshow={"slide_type": "skip"}
from softmax_course.exercises import check_logsumexp, check_stable_softmax, reveal_prediction

exp_89_prediction = ...

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
exp_89_prediction = float("inf")  # 89 is past log(max) = 88.72 of float32

# %% slideshow={"slide_type": "skip"} tags=["check"]
reveal_prediction(exp_89_prediction, torch.exp(torch.tensor(89.0)).item())

# %% [markdown] slideshow={"slide_type": "skip"}
# In the next exercises, each check cell tests your function on several cases
# and prints ✓, or the first failing case with a hint.
#
# **Exercise 2.** Write `my_stable_softmax(z)` along the last dimension, finite
# for any finite logits (no `F.softmax`).

# %% slideshow={"slide_type": "skip"}
def my_stable_softmax(z):
    # Your code here.
    raise NotImplementedError


# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
def my_stable_softmax(z):
    exp_shifted = torch.exp(z - z.amax(dim=-1, keepdim=True))
    return exp_shifted / exp_shifted.sum(dim=-1, keepdim=True)


# %% slideshow={"slide_type": "skip"} tags=["check"]
check_stable_softmax(my_stable_softmax)


# %% [markdown] slideshow={"slide_type": "skip"}
# **Exercise 3.** Write `my_logsumexp(z)`: `log(sum(exp(z)))` over the last
# dimension, one number per row, without overflow (no `torch.logsumexp`).

# %% slideshow={"slide_type": "skip"}
def my_logsumexp(z):
    # Your code here.
    raise NotImplementedError


# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
def my_logsumexp(z):
    row_max = z.amax(dim=-1, keepdim=True)
    return (row_max + torch.log(torch.exp(z - row_max).sum(dim=-1, keepdim=True))).squeeze(-1)


# %% slideshow={"slide_type": "skip"} tags=["check"]
check_logsumexp(my_logsumexp)
