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
# - read the float32, float16 and bfloat16 limits, and see which computations they break.

# %% slideshow={"slide_type": "subslide"}
import math

import torch
import torch.nn.functional as F

from softmax_course.functional import log_softmax, softmax, stable_softmax
from softmax_course.plotting import plot_curves

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Overflow: large logits give `nan`
#
# $e^{1000}$ is far beyond the largest float32 (about $3.4 \times 10^{38}$), so
# `exp` returns `inf`, and `inf / inf` is `nan`.

# %% slideshow={"slide_type": "fragment"}
z_high = torch.tensor([1000.0, 1001.0, 1002.0])
print(torch.exp(z_high))
print(torch.exp(z_high) / torch.exp(z_high).sum())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Underflow: very negative logits give `0 / 0`
#
# $e^{-1000}$ is below the smallest float32, so every `exp` is 0 and the
# division is `0 / 0 = nan`.

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

# %% slideshow={"slide_type": "fragment"}
for logits in (z_high, z_low):
    shifted = logits - logits.max()
    probs = torch.exp(shifted) / torch.exp(shifted).sum()
    print(f"{logits} -> {probs}")
    torch.testing.assert_close(probs, F.softmax(logits, dim=0))

# %% [markdown] slideshow={"slide_type": "subslide"}
# On ordinary logits the shift changes nothing (asserted), and the course helper
# `stable_softmax` is this fix. The definition-only helper `softmax` refuses
# large logits with a message instead of returning `nan`.

# %%
z_ordinary = torch.tensor([1.0, 2.0, 3.0])
by_definition = torch.exp(z_ordinary) / torch.exp(z_ordinary).sum()
torch.testing.assert_close(stable_softmax(z_ordinary), by_definition)
torch.testing.assert_close(stable_softmax(z_high),
                           F.softmax(z_high, dim=0))
try:
    softmax(z_high)
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

# %% slideshow={"slide_type": "fragment"}
m = z_high.max()
print("logsumexp by hand:", m + torch.log(torch.exp(z_high - m).sum()))
print("torch.logsumexp:  ", torch.logsumexp(z_high, dim=0))
print("log_softmax:      ", log_softmax(z_high))
torch.testing.assert_close(log_softmax(z_high),
                           F.log_softmax(z_high, dim=0))

# %% [markdown] slideshow={"slide_type": "subslide"}
# This is why `F.log_softmax` and `F.cross_entropy` take **logits**: from the
# logits they can use LogSumExp. Hand them probabilities instead and the
# information a rounded-to-0 probability carried is already gone.

# %%
z_far = torch.tensor([[0.0, 200.0, 400.0]])
y_far = torch.tensor([0])
log_probs_far = torch.log(F.softmax(z_far, dim=1))
print("from logits:       ", F.cross_entropy(z_far, y_far).item())
print("from probabilities:", F.nll_loss(log_probs_far, y_far).item())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The limits of each float type
#
# `torch.finfo` gives each type's largest number and smallest normal number.
# `exp(z)` overflows once $z > \log(\text{max})$ and leaves the normal range
# once $z < \log(\text{smallest normal})$.

# %% slideshow={"slide_type": "fragment"}
float_types = (torch.float32, torch.float16, torch.bfloat16)
log_max = {t: math.log(torch.finfo(t).max) for t in float_types}
print(f"{'dtype':>14} {'max':>9} {'log(max)':>8} {'min normal':>10} {'eps':>8}")
for dtype in float_types:
    info = torch.finfo(dtype)
    print(f"{str(dtype):>14} {info.max:9.2e} {log_max[dtype]:8.2f}",
          f"{info.smallest_normal:10.2e} {info.eps:8.2e}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# float16's `exp` overflows past 11.09, bfloat16's near float32's 88.72, with far
# fewer digits. That breaks the formula, not PyTorch: `F.softmax` subtracts the
# maximum itself and stays finite in float16.

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
# Logits $s \cdot [0, 0.5, 1]$ for a growing scale $s$: the naive softmax in each
# type against the exact answer (float64, stable). The naive form fails (`nan`)
# from the first $s$ past that type's $\log(\text{max})$ on (asserted).

# %% slideshow={"slide_type": "fragment"}
scales = torch.logspace(0, 3, 301, dtype=torch.float64)
directions = torch.tensor([0.0, 0.5, 1.0], dtype=torch.float64)
logits_by_scale = scales[:, None] * directions
exact = F.softmax(logits_by_scale, dim=1)
errors = {}
for dtype in (torch.float16, torch.bfloat16, torch.float32):
    low = logits_by_scale.to(dtype)
    exp_low = torch.exp(low)
    naive = (exp_low / exp_low.sum(dim=1, keepdim=True)).double()
    failed = torch.isnan(naive).any(dim=1)
    last_fine = scales[scales < log_max[dtype]].max()
    assert torch.equal(failed, scales > last_fine), dtype
    first_failure = scales[failed].min().item()
    print(f"{str(dtype):>14}: first failure at s = {first_failure:.1f}")
    error = (naive - exact).abs().amax(dim=1)
    errors[str(dtype)] = torch.nan_to_num(error, nan=1.0).tolist()

# %% [markdown] slideshow={"slide_type": "subslide"}
# Below its limit each type is off only by its rounding (its `eps`); past it, the
# error is drawn as 1.

# %%
fig = plot_curves(scales.tolist(), errors,
                  "Naive softmax: error against the exact answer",
                  "largest logit s", "max |error| (nan drawn as 1)",
                  log_x=True, log_y=True, legend_loc="outside")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Recap
#
# In this lesson we:
#
# - saw `exp(z) / exp(z).sum()` give `nan` for logits of 1000 (overflow) and −1000 (underflow);
# - fixed both by subtracting the maximum, which leaves softmax unchanged;
# - used LogSumExp, which is why `F.log_softmax` and `F.cross_entropy` take logits;
# - read the limits from `torch.finfo`: `exp` overflows past 88.72 in float32, past 11.09 in float16;
# - saw that `F.softmax` already subtracts the maximum, and what autocast runs in float32.

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
