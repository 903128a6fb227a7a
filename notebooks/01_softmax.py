# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
#   seminar:
#     nav_order: 1
#     title: '01 Softmax: from scores to probabilities'
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 01 · Softmax: from scores to probabilities
#
# In this lesson we will:
#
# - turn a vector of scores (*logits*) into probabilities with `F.softmax`;
# - write softmax from its definition and check it against PyTorch;
# - see why adding the same number to every logit changes nothing;
# - see that softmax over two classes is the sigmoid of their difference;
# - see how dividing the logits by a *temperature* sharpens or flattens the probabilities.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. Softmax is the last step of every classifier in this course:
# it turns whatever scores a model computes into probabilities. Most of this
# lesson is about one vector of three scores, `[1, 2, 3]`.

# %% slideshow={"slide_type": "subslide"}
import math

import torch
import torch.nn.functional as F

from softmax_course.functional import softmax
from softmax_course.plotting import plot_probabilities, plot_temperatures, show

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. The imports, then the seminar's first cell, which seeds the random
# generator; this lesson draws nothing random, and each later lesson repeats the seed itself.

# %% [markdown]
# The seminar's first cell seeds PyTorch's random generator, so that every random
# number drawn after it is the same on every run (lesson 02 repeats this seed before its draws).

# %%
# For reproducibility
torch.manual_seed(1)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Softmax
#
# A classifier gives each class $i$ a score $z_i$, any real number. Softmax turns
# the scores into probabilities:
#
# $$ P(\text{class} = i) = \frac{e^{z_i}}{\sum_j e^{z_j}} $$
#
# Every $e^{z_i}$ is positive, and dividing by their sum makes them add up to 1.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. Read the formula aloud: exponentiate, then normalise. The
# exponential makes every score positive; the division makes them sum to 1.
# `dim=0` names the axis that must sum to 1 (here the only one).

# %% slideshow={"slide_type": "fragment"}
z = torch.FloatTensor([1, 2, 3])

# %% [markdown] slideshow={"slide_type": "fragment"}
# PyTorch's `F.softmax` takes the dimension along which the probabilities must sum to 1.

# %% slideshow={"slide_type": "fragment"}
hypothesis = F.softmax(z, dim=0)
print(hypothesis)

# %% [markdown] slideshow={"slide_type": "subslide"}
# Probabilities must add up to 1: a quick sanity check.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. The seminar's own sanity check: the sum prints as 1.

# %%
hypothesis.sum()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Softmax from its definition
#
# The formula fits in one line. Our helper `softmax_course.functional.softmax`
# is the same line plus checks of its input; both agree with PyTorch.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. The formula as code, one line; `torch.testing.assert_close`
# checks closeness within its float32 defaults, rtol 1.3e-6 and atol 1e-5.

# %% slideshow={"slide_type": "fragment"}
by_hand = torch.exp(z) / torch.exp(z).sum()
print(by_hand)
assert (hypothesis > 0).all() and abs(hypothesis.sum().item() - 1) <= torch.finfo(z.dtype).eps
torch.testing.assert_close(by_hand, hypothesis)
torch.testing.assert_close(softmax(z, dim=0), hypothesis)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## A picture: scores and probabilities
#
# The order of the classes is kept, and each unit of score multiplies a class's
# probability by $e \approx 2.7$ relative to the others:
# $p_i / p_j = e^{z_i} / e^{z_j} = e^{z_i - z_j}$ (the sums cancel).

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. The logits are 1 apart, so each probability is e times the
# one before it: 0.09, 0.24, 0.67. The ratio, not the gap, is what a unit of
# score buys.

# %% slideshow={"slide_type": "fragment"}
ratios = hypothesis[1:] / hypothesis[:-1]
torch.testing.assert_close(ratios, torch.exp(z[1:] - z[:-1]))
print("p[i+1] / p[i]:", ratios)
show(plot_probabilities(z, hypothesis),
     alt="Bars of the logits 1, 2, 3 and of their softmax probabilities "
     "0.090, 0.245, 0.665.")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Adding a constant changes nothing
#
# $$ \frac{e^{z_i + c}}{\sum_j e^{z_j + c}} = \frac{e^{c}\, e^{z_i}}{e^{c} \sum_j e^{z_j}} = \frac{e^{z_i}}{\sum_j e^{z_j}} $$
#
# Only the *differences* between logits matter. (A later lesson meets the
# consequence: a bias shared by all classes can never learn anything.)

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. The factor e^c cancels. Ask the room what this means for a
# bias that is added to every class alike: it cannot change any prediction.

# %% slideshow={"slide_type": "fragment"}
for c in [-3.0, 10.0, 50.0]:
    shifted = F.softmax(z + c, dim=0)
    print(f"c = {c:5.1f}: {shifted}")
    torch.testing.assert_close(shifted, hypothesis)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Two classes: softmax is the sigmoid of the difference
#
# With two logits, divide the top and the bottom by $e^{z_2}$:
#
# $$ p_2 = \frac{e^{z_2}}{e^{z_1} + e^{z_2}} = \frac{1}{1 + e^{-(z_2 - z_1)}} = \sigma(z_2 - z_1) $$
#
# the logistic sigmoid $\sigma(t) = 1 / (1 + e^{-t})$ of their difference, and
# $p_1 = \sigma(z_1 - z_2) = 1 - p_2$. A binary classifier's single logit is
# that difference (lesson 03 compares the two losses).

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. This follows from the previous slide: only the difference
# of the two logits matters, so one number, passed through a sigmoid, says
# everything. Logistic regression is softmax regression with two classes.

# %% slideshow={"slide_type": "fragment"}
pair = torch.tensor([0.5, 2.0])
pair_probs = F.softmax(pair, dim=0)
print("softmax:          ", pair_probs)
print("sigmoid of z2 - z1:", torch.sigmoid(pair[1] - pair[0]))
torch.testing.assert_close(pair_probs[1], torch.sigmoid(pair[1] - pair[0]))
torch.testing.assert_close(pair_probs[0], torch.sigmoid(pair[0] - pair[1]))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Scaling the logits: temperature
#
# Dividing the logits by a temperature $T$ does change the probabilities: the
# ratio of two of them becomes $e^{(z_i - z_j)/T}$. A small $T$ stretches the
# gaps (the largest logit takes almost everything), a large $T$ shrinks them
# (every ratio tends to 1, every probability to $1/3$). Change the temperatures
# and run the cells again.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. Dividing by T multiplies every gap between logits by 1/T.
# T = 1 is the softmax we had. Invite the room to guess the row of T = 10
# before showing it.

# %% slideshow={"slide_type": "fragment"}
temperatures = [0.25, 0.5, 1.0, 2.0, 10.0]

# %% slideshow={"slide_type": "fragment"}
by_temperature = {T: F.softmax(z / T, dim=0)
                  for T in sorted(temperatures)}
for T, probs in by_temperature.items():
    print(f"T = {T:5.2f}: {probs}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# The same table as bars: for each class, one bar per temperature.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. Read the picture class by class: at T = 0.25 class 2 has
# almost everything; at T = 10 the bars are near the dashed line 1/3.
# A temperature of 0 or below is refused here by the figure helper.

# %% slideshow={"slide_type": "fragment"}
show(
    plot_temperatures(z, by_temperature),
    alt="Grouped bar chart of softmax(z / T) for z = [1, 2, 3]: one bar per "
    "temperature for each class. At small T class 2 takes almost all the "
    "probability; at large T every class is near 1/3.",
)

# %% [markdown] slideshow={"slide_type": "subslide"}
# What the table shows, asserted for the temperatures above: the largest over the
# smallest probability is $e^{(\max z - \min z)/T}$ (compared as float64 logarithms,
# which stay accurate when a probability is tiny); as $T$ grows the top probability
# never rises; and the order of the classes never changes.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. The three claims of the slide before, checked for whatever
# temperatures the cell above holds. Comparing logarithms keeps the first claim
# checkable even when a probability underflows to 0 at a tiny T.

# %%
spread = (z.max() - z.min()).item()
for T, probs in by_temperature.items():
    log_probs = F.log_softmax(z.double() / T, dim=0)
    gap = (log_probs.max() - log_probs.min()).item()
    assert math.isclose(gap, spread / T, rel_tol=1e-9, abs_tol=1e-12), T
    assert (probs[z.argsort()].diff() >= 0).all(), f"T = {T}: order changed"
top = [probs.max().item() for probs in by_temperature.values()]
assert top == sorted(top, reverse=True), top
coolest, hottest = min(by_temperature), max(by_temperature)
print(f"top probability from T = {coolest:g} to T = {hottest:g}:",
      f"{top[0]:.4f} -> {top[-1]:.4f}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Recap
#
# In this lesson we:
#
# - turned logits into probabilities with `F.softmax(z, dim=0)`: positive, summing to 1;
# - wrote softmax as `exp(z) / exp(z).sum()` and checked it against PyTorch;
# - saw that each unit of score multiplies a probability ratio by $e$;
# - showed that adding a constant to every logit leaves softmax unchanged;
# - saw that with two classes softmax is the sigmoid of the logits' difference;
# - showed that dividing by a temperature sharpens ($T < 1$) or flattens ($T > 1$) the probabilities.
#
# Next, lesson 02 encodes the *true* class of each sample as a one-hot row.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. Six facts, each asserted above. The exercises below ask for
# softmax and the temperature in code.

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Exercises
#
# **Exercise 1: predict, then run.** At a very high temperature, $T = 1000$,
# what probabilities does `F.softmax(z / T, dim=0)` give for `z = [1, 2, 3]`?
# Write your answer (two decimals are enough) as a list in place of the `...`,
# then run the cell after it.

# %% slideshow={"slide_type": "skip"}
from softmax_course.exercises import check_softmax, check_temperature, reveal_prediction

hot_prediction = ...

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
hot_prediction = [1 / 3, 1 / 3, 1 / 3]

# %% slideshow={"slide_type": "skip"} tags=["check"]
reveal_prediction(hot_prediction, F.softmax(z / 1000, dim=0))

# %% [markdown] slideshow={"slide_type": "skip"}
# Each of the next exercises has a function to write and a check cell that tests
# it on several cases: it prints ✓, or the first failing case with a hint.
#
# **Exercise 2.** Write `my_softmax(z)`: the softmax of a 1-D or 2-D tensor
# along its *last* dimension, from the definition (no `F.softmax`).

# %% slideshow={"slide_type": "skip"}
def my_softmax(z):
    # Your code here.
    raise NotImplementedError


# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
def my_softmax(z):
    exp_z = torch.exp(z)
    return exp_z / exp_z.sum(dim=-1, keepdim=True)


# %% slideshow={"slide_type": "skip"} tags=["check"]
check_softmax(my_softmax)


# %% [markdown] slideshow={"slide_type": "skip"}
# **Exercise 3.** Write `softmax_with_temperature(z, T)`: the probabilities at
# temperature `T`, along the last dimension.

# %% slideshow={"slide_type": "skip"}
def softmax_with_temperature(z, T):
    # Your code here.
    raise NotImplementedError


# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
def softmax_with_temperature(z, T):
    return F.softmax(z / T, dim=-1)


# %% slideshow={"slide_type": "skip"} tags=["check"]
check_temperature(softmax_with_temperature)
