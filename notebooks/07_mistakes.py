# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
#   seminar:
#     nav_order: 7
#     title: 07 A gallery of mistakes
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 07 · A gallery of mistakes
#
# In this lesson we will meet six mistakes, each shown, then fixed. Five run without
# an error and give a wrong number (a cost, or a bias stuck at 0); the other one, float
# or one-hot targets, stops with an error, or in one case happens to give the right number:
#
# - `F.nll_loss` on probabilities, and a softmax before `F.cross_entropy`;
# - float or one-hot targets, and a softmax over the wrong `dim`;
# - one bias shared by all classes, whose gradient is always zero;
# - the floor that a double softmax puts under the cost.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Setup: the seminar's random logits and labels
#
# The seminar's `z` (3 samples, 5 classes) and `y`, drawn after `torch.manual_seed(1)`.

# %% slideshow={"slide_type": "fragment"}
import math

import torch
import torch.nn.functional as F

from softmax_course.data import toy_data
from softmax_course.functional import cross_entropy_from_probs
from softmax_course.training import train_cross_entropy

nb_epochs = 1000
lr = 0.1
torch.manual_seed(1)
z = torch.rand(3, 5, requires_grad=True)
y = torch.randint(5, (3,)).long()
print(F.cross_entropy(z, y))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Mistake 1: `F.nll_loss` on probabilities
#
# `F.nll_loss` only picks $-$input$[n, y_n]$ and averages; it expects
# **log**-probabilities. Given probabilities, it returns minus the mean, over the
# samples, of the true class's probability: a *negative* "loss", minimised by making it
# more negative.

# %% slideshow={"slide_type": "fragment"}
print("wrong:", F.nll_loss(F.softmax(z, dim=1), y))
print("fixed:", F.nll_loss(F.log_softmax(z, dim=1), y))
true_class_probs = F.softmax(z, dim=1)[torch.arange(len(y)), y]
torch.testing.assert_close(F.nll_loss(F.softmax(z, dim=1), y), -true_class_probs.mean())
print(f"minus the mean probability of the true class: {-true_class_probs.mean().item():.4f}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Mistake 2: softmax before `F.cross_entropy`
#
# `F.cross_entropy` applies `log_softmax` itself; a softmax before it is the
# seminar's double softmax (lesson 04). Even a confident, correct prediction
# then keeps a cost that no training removes (mistake 6 says why):

# %% slideshow={"slide_type": "fragment"}
confident = torch.tensor([[20.0, 0.0, 0.0]])
print(f"wrong: {F.cross_entropy(F.softmax(confident, dim=1), torch.tensor([0])).item():.4f}")
print(f"fixed: {F.cross_entropy(confident, torch.tensor([0])).item():.4f}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Mistake 3: float or one-hot targets where class indices are expected
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
torch.testing.assert_close(F.cross_entropy(z, y_one_hot), F.cross_entropy(z, y))

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
# ## Mistake 4: softmax over the wrong `dim`
#
# `z` has one row per sample. `dim=0` normalises each *column* (each class
# across samples), so the rows no longer sum to 1 and the loss is wrong.

# %% slideshow={"slide_type": "fragment"}
wrong_probs = F.softmax(z, dim=0)
print("row sums with dim=0:", wrong_probs.sum(dim=1))
print("wrong:", F.nll_loss(torch.log(wrong_probs), y))
print("fixed:", F.nll_loss(torch.log(F.softmax(z, dim=1)), y))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Mistake 5: one bias shared by all classes
#
# The seminar's `b = torch.zeros(1)` adds the same number to every logit, and a
# softmax ignores a constant added to every logit (lesson 01). So nothing computed
# from that softmax depends on `b` (a log, or a second softmax as in lesson 04's
# first run): its gradient is zero whatever follows. For `F.cross_entropy` the formula shows it:
# $\frac{\partial\,\text{cost}}{\partial b} = \frac{1}{N}\sum_{n}\sum_k (\hat{y}_{nk} - y_{nk})$,
# a mean over the $N$ samples of $1 - 1 = 0$ (each row of $\hat{y}$ and of the one-hot $y$ sums to 1).

# %% slideshow={"slide_type": "fragment"}
x_train, y_train = toy_data()
W = torch.randn((4, 3), dtype=torch.float64)  # any weights will do
b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
hypothesis = F.softmax(x_train.matmul(W) + b, dim=1)
costs_of_b = {
    "F.cross_entropy": F.cross_entropy(x_train.matmul(W) + b, y_train),
    "softmax twice": F.nll_loss(torch.log(F.softmax(hypothesis, dim=1)), y_train),
}
for name, cost in costs_of_b.items():
    (grad_b,) = torch.autograd.grad(cost, b)
    assert abs(grad_b.item()) < 1e-12
    print(f"{name:>15}: gradient of the shared b is 0 (below 1e-12, rounding)")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Trained, the shared `b` never moves. The fix is a bias per class, `torch.zeros(3)`: it
# shifts the classes *relative to each other*. With this lesson's `nb_epochs = 1000` and
# `lr = 0.1`, it ends at the lower cost (the cell asserts this for those numbers only):

# %% slideshow={"slide_type": "fragment"}
schedule = {"nb_epochs": nb_epochs, "lr": lr, "log_every": 0}
shared_run = train_cross_entropy(x_train, y_train, **schedule)
per_class_run = train_cross_entropy(x_train, y_train, per_class_bias=True, **schedule)
assert abs(shared_run.parameters["b"].item()) < 1e-12
per_class_b = per_class_run.parameters["b"].detach()
print(f"epoch {nb_epochs}, wrong: b stays 0 (below 1e-12); cost {shared_run.costs[-1]:.6f}")
print(f"epoch {nb_epochs}, fixed: b = {per_class_b.numpy().round(3)}; cost {per_class_run.costs[-1]:.6f}")
if (nb_epochs, lr) == (1000, 0.1):
    assert per_class_run.costs[-1] < shared_run.costs[-1]

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Mistake 6: the floor of a double softmax
#
# Mistake 2's second softmax sees probabilities, numbers between 0 and 1. The nearer
# the first softmax comes to giving the true class 1 and the other two 0 (in exact
# arithmetic it never gets there: every $e^z$ is positive), the nearer the second one's
# probability for the true class comes to $\frac{e^1}{e^1 + 2e^0} = \frac{e}{e+2}$, which it
# never exceeds. So the cost approaches $-\log\frac{e}{e+2}$ and, in exact arithmetic, never
# falls below it. Mistake 2's wrong number, computed in float32, lies within $10^{-6}$ of it:

# %% slideshow={"slide_type": "fragment"}
floor = -math.log(math.e / (math.e + 2))
target = torch.tensor([0])
double_softmax_cost = F.cross_entropy(F.softmax(confident, dim=1), target).item()
print(f"floor with 3 classes:               {floor:.4f}")
print(f"a confident, correct prediction:    {double_softmax_cost:.4f}")
print(f"fixed, logits into F.cross_entropy: {F.cross_entropy(confident, target).item():.4f}")
assert abs(double_softmax_cost - floor) < 1e-6

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Recap
#
# In this lesson we:
#
# - fed `F.nll_loss` log-probabilities and `F.cross_entropy` logits, never probabilities;
# - passed class indices as `torch.long`, and took the softmax over the classes (`dim=1`);
# - saw a shared bias get a zero gradient and stay at 0, and a bias per class train;
# - found the double softmax's floor, $-\log\frac{e}{e+2} \approx 0.551$ for 3 classes: the cost it approaches.

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Exercises
#
# **Exercise 1 (predict, then run).** With **5** classes, what is the lowest
# cost that a double softmax allows? Write your prediction (a number, two
# decimals are enough) in place of the `...`, then run the check cell, which
# measures it on a confident, correct prediction.

# %% slideshow={"slide_type": "skip"}
from softmax_course.exercises import reveal_prediction

floor_prediction = ...

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
floor_prediction = math.log(1 + 4 / math.e)

# %% slideshow={"slide_type": "skip"} tags=["check"]
five_classes = torch.tensor([[40.0, 0.0, 0.0, 0.0, 0.0]])
measured_floor = F.cross_entropy(F.softmax(five_classes, dim=1), torch.tensor([0])).item()
reveal_prediction(floor_prediction, measured_floor)

# %% [markdown] slideshow={"slide_type": "skip"}
# Each check cell tests your function on several cases and prints ✓, or the
# first failing case with a hint.
#
# **Exercise 2.** Write `double_softmax_floor(num_classes)`: the floor under the
# seminar's double-softmax loss with `num_classes` classes, the cost it approaches.

# %% slideshow={"slide_type": "skip"}
from softmax_course.exercises import check_double_softmax_floor


def double_softmax_floor(num_classes):
    # Your code here.
    raise NotImplementedError


# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
def double_softmax_floor(num_classes):
    return -math.log(math.e / (math.e + num_classes - 1))


# %% slideshow={"slide_type": "skip"} tags=["check"]
check_double_softmax_floor(double_softmax_floor)
