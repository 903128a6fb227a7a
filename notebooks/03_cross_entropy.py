# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
#   seminar:
#     nav_order: 3
#     title: 03 Cross-entropy, four ways
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 03 · Cross-entropy, four ways
#
# In this lesson we will:
#
# - compute the cross-entropy loss by hand from probabilities and one-hot targets;
# - compute it again with `F.log_softmax`, `F.nll_loss` and `F.cross_entropy`, and assert all four equal;
# - state the gradient with respect to the logits, `(softmax − one_hot) / N`, and check it against autograd;
# - see why `log(softmax(z))` is the fragile form and `F.log_softmax(z)` the safe one.

# %% slideshow={"slide_type": "fragment"}
import torch
import torch.nn.functional as F

from softmax_course.data import replay_seminar_draws
from softmax_course.functional import cross_entropy_from_probs

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The seminar's example
#
# The logits `z` and labels `y` of lesson 02, replayed from the same seed.

# %% slideshow={"slide_type": "fragment"}
z, y = replay_seminar_draws()
hypothesis = F.softmax(z, dim=1)
y_one_hot = torch.zeros_like(hypothesis)
y_one_hot.scatter_(1, y.unsqueeze(1), 1)
print(y)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Cross-entropy by hand
#
# For $N$ samples with predicted probabilities $\hat{y}$ and one-hot targets $y$:
#
# $$ L = \frac{1}{N} \sum_{n=1}^{N} \sum_{k} - y_{n,k} \log \hat{y}_{n,k} $$
#
# Only the true class's term survives the product with the one-hot row, so each
# sample costs $-\log$ (the probability it gave its true class).

# %% slideshow={"slide_type": "fragment"}
cost = (y_one_hot * -torch.log(hypothesis)).sum(dim=1).mean()
print(cost)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## `log(softmax)` and `F.log_softmax`
#
# The two print the same numbers here ...

# %% slideshow={"slide_type": "fragment"}
# Low level
torch.log(F.softmax(z, dim=1))

# %% slideshow={"slide_type": "fragment"}
# High level
F.log_softmax(z, dim=1)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Negative log likelihood
#
# The hand-written cost is the *negative log likelihood* (NLL) of the true
# classes: the mean of $-\log \hat{y}_{n, y_n}$. `F.nll_loss` takes
# log-probabilities and the class indices and does exactly that.

# %% slideshow={"slide_type": "fragment"}
# Low level
(y_one_hot * -torch.log(F.softmax(z, dim=1))).sum(dim=1).mean()

# %% slideshow={"slide_type": "fragment"}
# High level
F.nll_loss(F.log_softmax(z, dim=1), y)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## `F.cross_entropy` = `F.log_softmax` + `F.nll_loss`
#
# `F.cross_entropy` takes the *logits* and the class indices.

# %% slideshow={"slide_type": "fragment"}
F.cross_entropy(z, y)

# %% [markdown] slideshow={"slide_type": "subslide"}
# Printing `1.4689` four times is suggestive; asserting checks it (to float32 precision).
# The course helper `cross_entropy_from_probs` is the hand-written form.

# %%
variants = {
    "by hand": (y_one_hot * -torch.log(hypothesis)).sum(dim=1).mean(),
    "nll_loss(log_softmax)": F.nll_loss(F.log_softmax(z, dim=1), y),
    "cross_entropy": F.cross_entropy(z, y),
    "helper": cross_entropy_from_probs(hypothesis, y),
}
for name, value in variants.items():
    torch.testing.assert_close(value, variants["cross_entropy"])
    print(f"{name:>22}: {value.item():.4f}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The gradient: probabilities minus targets
#
# Differentiating $L$ with respect to the logits gives a strikingly simple result:
#
# $$ \frac{\partial L}{\partial z_{n,k}} = \frac{\hat{y}_{n,k} - y_{n,k}}{N} $$
#
# A gradient step lowers every logit in proportion to its probability and
# raises the true class's logit in proportion to 1 (all divided by $N$), so the
# true class gains $1 - \hat{y}$ net. Autograd agrees.

# %% slideshow={"slide_type": "fragment"}
(grad_z,) = torch.autograd.grad(F.cross_entropy(z, y), z)
expected = (F.softmax(z, dim=1) - y_one_hot) / len(y)
torch.testing.assert_close(grad_z, expected)
print(grad_z)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Where it breaks: `log(softmax(z))` with large logits
#
# With logits $[0, 200, 400]$ the first two probabilities, about $e^{-400}$ and
# $e^{-200}$, round to 0 in float32 (its smallest positive number is
# $2^{-149} \approx 1.4 \times 10^{-45}$), and `log(0) = -inf`. `F.log_softmax` never
# forms the probability: it computes $z_k - \log \sum_j e^{z_j}$ directly (lesson 06 shows how).

# %% slideshow={"slide_type": "fragment"}
z_big = torch.tensor([[0.0, 200.0, 400.0]], requires_grad=True)
y_big = torch.tensor([0])
print(torch.log(F.softmax(z_big, dim=1)))
print(F.log_softmax(z_big, dim=1))

# %% [markdown] slideshow={"slide_type": "subslide"}
# The loss built on the fragile form is infinite and its gradient is `nan`, which
# a training step would copy into the weights; the stable form gives the true
# loss, $400 - 0$ (the gap between the top logit and the true class's, asserted).

# %%
fragile_cost = F.nll_loss(torch.log(F.softmax(z_big, dim=1)), y_big)
(fragile_grad,) = torch.autograd.grad(fragile_cost, z_big)
stable_cost = F.cross_entropy(z_big, y_big)
(stable_grad,) = torch.autograd.grad(stable_cost, z_big)
print("fragile:", fragile_cost.item(), fragile_grad)
print("stable: ", stable_cost.item(), stable_grad)
assert torch.isinf(fragile_cost) and torch.isnan(fragile_grad).any()
assert torch.isfinite(stable_grad).all()
gap = z_big.max() - z_big[0, y_big[0]]
torch.testing.assert_close(stable_cost, gap)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Recap
#
# In this lesson we:
#
# - computed the cross-entropy by hand, `(y_one_hot * -log(hypothesis)).sum(dim=1).mean()`, on the seminar's example: 1.4689;
# - got the same number from `F.nll_loss(F.log_softmax(z, dim=1), y)` and `F.cross_entropy(z, y)`, and asserted it;
# - named it correctly: the negative **log** likelihood;
# - checked that the gradient with respect to the logits is `(softmax − one_hot) / N`;
# - saw `log(softmax(z))` give `-inf` and a `nan` gradient where `F.log_softmax` stays finite.
#
# Next, lesson 04 trains a classifier with this loss, three ways.

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Exercises
#
# **Exercise 1: predict, then run.** A model that knows nothing gives every one
# of the seminar's 5 classes the same logit. What is its cross-entropy cost?
# Write your answer (two decimals are enough) in place of the `...`, then run
# the cell after it.

# %% slideshow={"slide_type": "skip"}
from softmax_course.exercises import check_cross_entropy, check_logit_gradient, reveal_prediction

uniform_cost_prediction = ...

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
uniform_cost_prediction = 1.61  # every class gets 1/5, and -log(1/5) = log 5

# %% slideshow={"slide_type": "skip"} tags=["check"]
reveal_prediction(uniform_cost_prediction, F.cross_entropy(torch.zeros_like(z), y).item())

# %% [markdown] slideshow={"slide_type": "skip"}
# In the next exercises, each check cell tests your function on several cases
# and prints ✓, or the first failing case with a hint.
#
# **Exercise 2.** Write `my_cross_entropy(z, y)` from logits `z` and labels `y`
# without `F.cross_entropy` or `F.nll_loss`. It must survive large logits.

# %% slideshow={"slide_type": "skip"}
def my_cross_entropy(z, y):
    # Your code here.
    raise NotImplementedError


# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
def my_cross_entropy(z, y):
    log_probs = F.log_softmax(z, dim=1)
    return -log_probs[torch.arange(len(y)), y].mean()


# %% slideshow={"slide_type": "skip"} tags=["check"]
check_cross_entropy(my_cross_entropy)


# %% [markdown] slideshow={"slide_type": "skip"}
# **Exercise 3.** Write `logit_gradient(z, y)`: the gradient of the mean
# cross-entropy with respect to `z`, from the formula (no autograd).

# %% slideshow={"slide_type": "skip"}
def logit_gradient(z, y):
    # Your code here.
    raise NotImplementedError


# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
def logit_gradient(z, y):
    return (F.softmax(z, dim=1) - F.one_hot(y, z.shape[1])) / len(y)


# %% slideshow={"slide_type": "skip"} tags=["check"]
check_logit_gradient(logit_gradient)
