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
# - see how scaling the logits (a *temperature*) sharpens or flattens the probabilities.

# %% slideshow={"slide_type": "subslide"}
import math

import torch
import torch.nn.functional as F

from softmax_course.functional import softmax
from softmax_course.plotting import plot_probabilities

# %% [markdown]
# The seminar's first cell seeds PyTorch's random generator, so that every random
# number drawn after it is the same on every run (lesson 02 draws some).

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

# %% slideshow={"slide_type": "fragment"}
z = torch.FloatTensor([1, 2, 3])

# %% [markdown] slideshow={"slide_type": "fragment"}
# PyTorch's `F.softmax` takes the dimension along which the probabilities must sum to 1.

# %% slideshow={"slide_type": "fragment"}
hypothesis = F.softmax(z, dim=0)
print(hypothesis)

# %% [markdown] slideshow={"slide_type": "subslide"}
# Probabilities must add up to 1: a quick sanity check.

# %%
hypothesis.sum()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Softmax from its definition
#
# The formula fits in one line. Our helper `softmax_course.functional.softmax`
# is the same line plus checks of its input; both agree with PyTorch.

# %% slideshow={"slide_type": "fragment"}
by_hand = torch.exp(z) / torch.exp(z).sum()
print(by_hand)
torch.testing.assert_close(by_hand, hypothesis)
torch.testing.assert_close(softmax(z, dim=0), hypothesis)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## A picture: scores and probabilities
#
# The order of the classes is kept, and each unit of score multiplies a class's
# probability by $e \approx 2.7$ relative to the others:
# $p_i / p_j = e^{z_i} / e^{z_j} = e^{z_i - z_j}$ (the sums cancel).

# %% slideshow={"slide_type": "fragment"}
ratios = hypothesis[1:] / hypothesis[:-1]
torch.testing.assert_close(ratios, torch.exp(z[1:] - z[:-1]))
print("p[i+1] / p[i]:", ratios)
fig = plot_probabilities(z, hypothesis)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Adding a constant changes nothing
#
# $$ \frac{e^{z_i + c}}{\sum_j e^{z_j + c}} = \frac{e^{c}\, e^{z_i}}{e^{c} \sum_j e^{z_j}} = \frac{e^{z_i}}{\sum_j e^{z_j}} $$
#
# Only the *differences* between logits matter. (Lesson 06 meets the
# consequence: a bias shared by all classes can never learn anything.)

# %% slideshow={"slide_type": "fragment"}
for c in [-3.0, 10.0, 50.0]:
    shifted = F.softmax(z + c, dim=0)
    print(f"c = {c:5.1f}: {shifted}")
    torch.testing.assert_close(shifted, hypothesis)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Scaling the logits: temperature
#
# Dividing the logits by a temperature $T$ does change the probabilities: the
# ratio of two of them becomes $e^{(z_i - z_j)/T}$. A small $T$ stretches the
# gaps (the largest logit takes almost everything), a large $T$ shrinks them
# (every ratio tends to 1, every probability to $1/3$).

# %% slideshow={"slide_type": "fragment"}
temperatures = [0.25, 0.5, 1.0, 2.0, 10.0]

# %% slideshow={"slide_type": "fragment"}
if not temperatures or min(temperatures) <= 0:
    raise ValueError(f"temperatures must be positive, got {temperatures}")
by_temperature = {T: F.softmax(z / T, dim=0)
                  for T in sorted(temperatures)}
for T, probs in by_temperature.items():
    print(f"T = {T:5.2f}: {probs}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# What the table shows, asserted: the largest over the smallest probability is
# $e^{(\max z - \min z)/T}$; as $T$ grows every ratio shrinks, so the top
# probability falls; and the order of the classes never changes.

# %%
spread = (z.max() - z.min()).item()
for T, probs in by_temperature.items():
    assert probs.min() > 0, f"T = {T}: a probability rounds to 0"
    ratio = (probs.max() / probs.min()).item()
    assert math.isclose(ratio, math.exp(spread / T), rel_tol=1e-4), T
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
# - showed that dividing by a temperature sharpens ($T < 1$) or flattens ($T > 1$) the probabilities.
#
# Next, lesson 02 encodes the *true* class of each sample as a one-hot row.

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
