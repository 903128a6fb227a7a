# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
#   seminar:
#     nav_order: 5
#     title: 05 Numerical stability, and a gallery of mistakes
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 05 · Numerical stability, and a gallery of mistakes
#
# In this lesson we will:
#
# - see the softmax formula return `nan` for large logits (overflow) and for very negative ones (underflow);
# - fix both by subtracting the maximum, which changes nothing mathematically;
# - meet LogSumExp, and see why `F.log_softmax` and `F.cross_entropy` take logits, not probabilities;
# - read the float32, float16 and bfloat16 limits that decide when the naive form breaks;
# - walk through five common mistakes, each producing its wrong number, then fixed.

# %% slideshow={"slide_type": "fragment"}
import math

import torch
import torch.nn.functional as F

from softmax_course.data import replay_seminar_draws, toy_data
from softmax_course.functional import cross_entropy_from_probs, log_softmax, softmax, stable_softmax
from softmax_course.plotting import plot_curves

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Overflow: large logits give `nan`
#
# $e^{1000}$ is far beyond the largest float32 (about $3.4 \times 10^{38}$), so
# `exp` returns `inf`, and `inf / inf` is `nan`.

# %% slideshow={"slide_type": "fragment"}
z = torch.tensor([1000.0, 1001.0, 1002.0])
print(torch.exp(z))
print(torch.exp(z) / torch.exp(z).sum())

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
for logits in (z, z_low):
    shifted = logits - logits.max()
    probs = torch.exp(shifted) / torch.exp(shifted).sum()
    print(f"{logits} -> {probs}")
    torch.testing.assert_close(probs, F.softmax(logits, dim=0))

# %% [markdown] slideshow={"slide_type": "subslide"}
# On ordinary logits the shift changes nothing (asserted), and the course helper
# `stable_softmax` is this fix. The definition-only helper `softmax` refuses
# large logits with a message instead of returning `nan`.

# %%
z_small = torch.tensor([1.0, 2.0, 3.0])
torch.testing.assert_close(stable_softmax(z_small), torch.exp(z_small) / torch.exp(z_small).sum())
torch.testing.assert_close(stable_softmax(z), F.softmax(z, dim=0))
try:
    softmax(z)
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
m = z.max()
print("logsumexp by hand:", m + torch.log(torch.exp(z - m).sum()))
print("torch.logsumexp:  ", torch.logsumexp(z, dim=0))
print("log_softmax:      ", log_softmax(z))
torch.testing.assert_close(log_softmax(z), F.log_softmax(z, dim=0))

# %% [markdown] slideshow={"slide_type": "subslide"}
# This is why `F.log_softmax`, `F.cross_entropy` take **logits**: from the
# logits they can use LogSumExp. Hand them probabilities instead and the
# information a rounded-to-0 probability carried is already gone.

# %%
z_far = torch.tensor([[0.0, 200.0, 400.0]])
y_far = torch.tensor([0])
print("from logits:       ", F.cross_entropy(z_far, y_far).item())
print("from probabilities:", F.nll_loss(torch.log(F.softmax(z_far, dim=1)), y_far).item())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The limits of each float type
#
# `torch.finfo` gives each type's largest number and smallest normal number.
# `exp(z)` overflows once $z > \log(\text{max})$ and leaves the normal range
# once $z < \log(\text{smallest normal})$.

# %% slideshow={"slide_type": "fragment"}
print(f"{'dtype':>14} {'max':>10} {'log(max)':>9} {'smallest normal':>16} {'eps':>9}")
for dtype in (torch.float32, torch.float16, torch.bfloat16):
    info = torch.finfo(dtype)
    print(f"{str(dtype):>14} {info.max:10.3e} {math.log(info.max):9.2f} {info.smallest_normal:16.3e} {info.eps:9.2e}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# float16 overflows already at a logit of 11.09, so mixed-precision training
# relies on the stable forms. bfloat16 keeps float32's range (88.72) with far
# fewer digits (its `eps` is 0.0078).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Where the naive form fails
#
# Logits $s \cdot [0, 0.5, 1]$ for a growing scale $s$: the naive softmax in each
# type against the exact answer (float64, stable). A failure (`nan`) is drawn
# as an error of 1. Each curve jumps where $s$ passes that type's $\log(\text{max})$.

# %% slideshow={"slide_type": "fragment"}
scales = torch.logspace(0, 3, 301, dtype=torch.float64)
directions = torch.tensor([0.0, 0.5, 1.0], dtype=torch.float64)
logits_by_scale = scales[:, None] * directions
exact = F.softmax(logits_by_scale, dim=1)
errors = {}
for dtype in (torch.float16, torch.bfloat16, torch.float32):
    low = logits_by_scale.to(dtype)
    naive = (torch.exp(low) / torch.exp(low).sum(dim=1, keepdim=True)).double()
    error = (naive - exact).abs().amax(dim=1)
    errors[str(dtype)] = torch.nan_to_num(error, nan=1.0).tolist()
first_failure = {name: scales[torch.tensor(e) >= 1].min().item() for name, e in errors.items()}
print({name: round(scale, 1) for name, scale in first_failure.items()})
fig = plot_curves(scales.tolist(), errors, "Naive softmax: error against the exact answer",
                  "largest logit s", "max |error| (nan drawn as 1)", log_x=True, log_y=True)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## A gallery of mistakes
#
# Five mistakes that run without an error (or with a confusing one) and give a
# wrong number. Each is shown, then fixed. All use the seminar's `z`, `y`:

# %% slideshow={"slide_type": "fragment"}
z, y = replay_seminar_draws()
print(F.cross_entropy(z, y))

# %% [markdown] slideshow={"slide_type": "slide"}
# ### Mistake 1: `F.nll_loss` on probabilities
#
# `F.nll_loss` only picks $-$input$[n, y_n]$ and averages; it expects
# **log**-probabilities. Given probabilities, it returns minus the mean
# probability: a *negative* "loss", minimised by making it more negative.

# %% slideshow={"slide_type": "fragment"}
print("wrong:", F.nll_loss(F.softmax(z, dim=1), y))
print("fixed:", F.nll_loss(F.log_softmax(z, dim=1), y))

# %% [markdown] slideshow={"slide_type": "slide"}
# ### Mistake 2: softmax before `F.cross_entropy`
#
# `F.cross_entropy` applies `log_softmax` itself; a softmax before it is the
# seminar's double softmax (lesson 04). Even a confident, correct prediction
# then costs at least $-\log\frac{e}{e+2} \approx 0.5514$:

# %% slideshow={"slide_type": "fragment"}
confident = torch.tensor([[20.0, 0.0, 0.0]])
print(f"wrong: {F.cross_entropy(F.softmax(confident, dim=1), torch.tensor([0])).item():.4f}")
print(f"fixed: {F.cross_entropy(confident, torch.tensor([0])).item():.4f}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ### Mistake 3: float or one-hot targets where class indices are expected
#
# Class indices are integers of shape `(N,)`. Indices stored as floats are
# refused with a message about the target's dtype; one-hot rows are read as
# class *probabilities* by `F.cross_entropy` (so they happen to work there), but
# `F.nll_loss` refuses them with a message about "multi-target".

# %% slideshow={"slide_type": "fragment"}
y_one_hot = F.one_hot(y, num_classes=5).float()
for name, call in {
    "cross_entropy(z, y.float())": lambda: F.cross_entropy(z, y.float()),
    "nll_loss(log_softmax(z), y_one_hot)": lambda: F.nll_loss(F.log_softmax(z, dim=1), y_one_hot),
}.items():
    try:
        call()
    except RuntimeError as error:
        print(f"{name}: {str(error).splitlines()[0]}")
print("cross_entropy(z, y_one_hot):", F.cross_entropy(z, y_one_hot))

# %% [markdown] slideshow={"slide_type": "subslide"}
# The fix is to pass `y` as it is (`torch.long` indices). The course helpers say
# what is wrong instead of guessing:

# %%
try:
    cross_entropy_from_probs(F.softmax(z, dim=1), y.float())
except TypeError as error:
    print(error)
print("fixed:", cross_entropy_from_probs(F.softmax(z, dim=1), y))

# %% [markdown] slideshow={"slide_type": "slide"}
# ### Mistake 4: softmax over the wrong `dim`
#
# `z` has one row per sample. `dim=0` normalises each *column* (each class
# across samples), so the rows no longer sum to 1 and the loss is wrong.

# %% slideshow={"slide_type": "fragment"}
wrong_probs = F.softmax(z, dim=0)
print("row sums with dim=0:", wrong_probs.sum(dim=1))
print("wrong:", F.nll_loss(torch.log(wrong_probs), y))
print("fixed:", F.nll_loss(torch.log(F.softmax(z, dim=1)), y))

# %% [markdown] slideshow={"slide_type": "slide"}
# ### Mistake 5: one bias shared by all classes
#
# `b = torch.zeros(1)` adds the same number to every logit, which softmax
# ignores, so its gradient is zero and it never learns (lesson 04). One bias per
# class, `torch.zeros(3)`, gets a real gradient.

# %% slideshow={"slide_type": "fragment"}
x_train, y_train = toy_data()
W = torch.zeros((4, 3), dtype=torch.float64)
for bias_shape in [(1,), (3,)]:
    b = torch.zeros(bias_shape, dtype=torch.float64, requires_grad=True)
    (grad_b,) = torch.autograd.grad(F.cross_entropy(x_train @ W + b, y_train), b)
    grad_b = torch.where(grad_b.abs() < 1e-12, 0.0, grad_b)  # rounding noise (~1e-17) is 0
    print(f"b of shape {bias_shape}: gradient {grad_b}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Recap
#
# In this lesson we:
#
# - saw `exp(z) / exp(z).sum()` give `nan` for logits of 1000 (overflow) and −1000 (underflow);
# - fixed both by subtracting the maximum, which leaves softmax unchanged;
# - used LogSumExp, which is why `F.log_softmax` and `F.cross_entropy` take logits;
# - read the limits from `torch.finfo`: `exp` overflows past 88.72 in float32 and bfloat16, past 11.09 in float16;
# - met five mistakes: `nll_loss` on probabilities, softmax before `cross_entropy`, float or one-hot targets, the wrong `dim`, a shared bias.

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Exercises
#
# Each check cell tests your function on several cases and prints ✓, or the
# first failing case with a hint.
#
# **Exercise 1.** Write `my_stable_softmax(z)` along the last dimension, finite
# for any finite logits (no `F.softmax`).

# %% slideshow={"slide_type": "skip"}
from softmax_course.exercises import check_logsumexp, check_stable_softmax


def my_stable_softmax(z):
    # Your code here.
    raise NotImplementedError


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def my_stable_softmax(z):
    exp_shifted = torch.exp(z - z.amax(dim=-1, keepdim=True))
    return exp_shifted / exp_shifted.sum(dim=-1, keepdim=True)


# %% slideshow={"slide_type": "skip"} tags=["check"]
check_stable_softmax(my_stable_softmax)


# %% [markdown] slideshow={"slide_type": "skip"}
# **Exercise 2.** Write `my_logsumexp(z)`: `log(sum(exp(z)))` over the last
# dimension, one number per row, without overflow (no `torch.logsumexp`).

# %% slideshow={"slide_type": "skip"}
def my_logsumexp(z):
    # Your code here.
    raise NotImplementedError


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def my_logsumexp(z):
    m = z.amax(dim=-1, keepdim=True)
    return (m + torch.log(torch.exp(z - m).sum(dim=-1, keepdim=True))).squeeze(-1)


# %% slideshow={"slide_type": "skip"} tags=["check"]
check_logsumexp(my_logsumexp)
