# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
#   seminar:
#     nav_order: 4
#     title: 04 Training a softmax classifier, three ways
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 04 · Training a softmax classifier, three ways
#
# In this lesson we will:
#
# - train the seminar's classifier on 8 samples with a hand-written loss, with `F.cross_entropy`, and as an `nn.Module`;
# - find the bug in the seminar's hand-written loss (softmax applied twice) and see why its cost cannot fall below ≈ 0.551;
# - fix it, and see the fixed loop match `F.cross_entropy` epoch for epoch;
# - see why a bias shared by all classes never trains;
# - compare the runs: cost curves, accuracy and predicted probabilities.

# %% slideshow={"slide_type": "fragment"}
import math

import torch
import torch.nn.functional as F

from softmax_course.data import replay_seminar_draws, toy_data
from softmax_course.functional import accuracy
from softmax_course.models import SoftmaxClassifierModel
from softmax_course.plotting import plot_costs
from softmax_course.training import train_cross_entropy, train_low_level, train_module

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The data: 8 samples, 4 features, 3 classes
#
# The seminar's `x_train` and `y_train`. We keep them in float64: the seminar's
# float32 costs differ in the sixth decimal from one processor to another
# (it printed 0.132443 where this course's machine computes 0.132442), while
# float64 costs print the same six decimals everywhere.

# %% slideshow={"slide_type": "fragment"}
x_train, y_train = toy_data()
print(x_train)
print(y_train)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## One loop, three costs
#
# The seminar writes its training loop three times; only the cost changes. The
# course helper `softmax_course.training.train` is that loop once:
#
# ```python
# for epoch in range(nb_epochs + 1):
#     cost = compute_cost()
#     # optimizer.zero_grad(); cost.backward(); optimizer.step() with optim.SGD(params, lr=0.1):
#     for p in params:
#         p.grad = None
#     cost.backward()
#     with torch.no_grad():
#         for p in params:
#             p -= lr * p.grad
#     if epoch % 500 == 0:
#         print('Epoch {:4d}/{} Cost: {:.6f}'.format(epoch, nb_epochs, cost.item()))
# ```
#
# The update is exactly the one `optim.SGD` makes (the tests check it, cost for
# cost); writing it out spares each lesson the second that building any
# `torch.optim` optimizer spends importing `torch._dynamo`.
# Each style gives it a different `compute_cost`, and all start from `W = 0`, `b = 0`.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Style 1: the seminar's hand-written cost
#
# ```python
# hypothesis = F.softmax(x_train.matmul(W) + b, dim=1)
# cost = (y_one_hot * -torch.log(F.softmax(hypothesis, dim=1))).sum(dim=1).mean()
# ```

# %% slideshow={"slide_type": "subslide"}
seminar_run = train_low_level(x_train, y_train, double_softmax=True)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Style 2: `F.cross_entropy` on `W` and `b`
#
# ```python
# z = x_train.matmul(W) + b
# cost = F.cross_entropy(z, y_train)
# ```

# %% slideshow={"slide_type": "subslide"}
ce_run = train_cross_entropy(x_train, y_train)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Style 3: an `nn.Module`
#
# `SoftmaxClassifierModel` is one `nn.Linear(4, 3)`; it returns logits and
# `F.cross_entropy(prediction, y_train)` is the cost. Its weights start random:
# replaying the seminar's random stream first gives the seminar's start.

# %% slideshow={"slide_type": "subslide"}
z, y = replay_seminar_draws()
model = SoftmaxClassifierModel().to(torch.float64)
module_run = train_module(model, x_train, y_train)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The pitfall: softmax applied twice
#
# In style 1 `hypothesis` is already a softmax, and the cost takes a softmax of it
# *again*. The second softmax sees inputs between 0 and 1, so the largest
# probability it can give is $\frac{e^1}{e^1 + 2e^0} = \frac{e}{e + 2}$ with 3 classes,
# and the cost can never fall below $-\log\frac{e}{e+2}$:

# %% slideshow={"slide_type": "fragment"}
floor = -math.log(math.e / (math.e + 2))
print(f"lowest possible cost with softmax twice: {floor:.4f}")
print(f"seminar's hand-written run after 5000 epochs: {seminar_run.costs[-1]:.4f}")
print(f"F.cross_entropy run after 5000 epochs:        {ce_run.costs[-1]:.4f}")
assert min(seminar_run.costs) > floor > ce_run.costs[-1]

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The fix: one softmax
#
# ```python
# hypothesis = F.softmax(x_train.matmul(W) + b, dim=1)
# cost = (y_one_hot * -torch.log(hypothesis)).sum(dim=1).mean()
# ```
#
# This is the cross-entropy of lesson 03, so the fixed loop follows the
# `F.cross_entropy` run epoch for epoch: all 5001 costs agree to $10^{-12}$.

# %% slideshow={"slide_type": "fragment"}
fixed_run = train_low_level(x_train, y_train, log_every=1000)
largest_gap = max(abs(fixed - ce) for fixed, ce in zip(fixed_run.costs, ce_run.costs, strict=True))
assert largest_gap < 1e-12, largest_gap

# %% [markdown] slideshow={"slide_type": "slide"}
# ## A bias that never trains
#
# `b = torch.zeros(1)` is one number added to *every* logit, and softmax ignores
# a constant added to every logit (lesson 01). So the cost does not depend on `b`:
# its gradient is the sum over classes of $(\hat{y}_k - y_k)$, which is $1 - 1 = 0$.
# After 5000 epochs `b` is still 0 (to rounding: below $10^{-12}$).

# %% slideshow={"slide_type": "fragment"}
for name, run in {"seminar's hand-written": seminar_run, "F.cross_entropy": ce_run}.items():
    b = run.parameters["b"]
    assert b.shape == (1,) and abs(b.item()) < 1e-12
    print(f"{name:>22}: b has shape {tuple(b.shape)}, |b| after 5000 epochs = {abs(b.item()):.6f}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# A bias per class, `b = torch.zeros(3)`, shifts the classes *relative to each
# other*, so it does train (the `nn.Linear` of style 3 has one per class, too).

# %% slideshow={"slide_type": "fragment"}
per_class_run = train_cross_entropy(x_train, y_train, per_class_bias=True, log_every=1000)
print("per-class b after 5000 epochs:", per_class_run.parameters["b"].detach())
assert per_class_run.parameters["b"].detach().abs().max() > 0.1

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Every run's cost, on one picture
#
# The seminar's double-softmax run flattens above its floor; the fixed loop lies
# on the `F.cross_entropy` curve (dashed over solid); the `nn.Module` starts
# higher (random weights) and ends lowest (its biases train). The thick early
# stretch is real: at `lr=0.1` the cost zigzags from one epoch to the next before it settles.

# %% slideshow={"slide_type": "fragment"}
runs = {
    "seminar's hand-written (softmax twice)": seminar_run,
    "F.cross_entropy, shared b": ce_run,
    "hand-written, fixed": fixed_run,
    "F.cross_entropy, per-class b": per_class_run,
    "nn.Module": module_run,
}
fig = plot_costs({name: run.costs for name, run in runs.items()}, log_scale=True, legend_loc="lower left")
fig.axes[0].axhline(floor, color="gray", linewidth=0.8)
label = fig.axes[0].annotate("floor with softmax twice", (3200, floor * 0.9), color="gray")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## How well do they classify?
#
# Accuracy on the 8 training samples: the predicted class is the largest logit.

# %% slideshow={"slide_type": "fragment"}
with torch.no_grad():
    for name, run in runs.items():
        print(f"{name:>38}: {accuracy(run.forward(x_train), y_train):.3f}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# The trained `nn.Module`'s class probabilities for the 8 samples (one row per
# sample), next to the true class.

# %%
torch.set_printoptions(precision=4, sci_mode=False)
with torch.no_grad():
    probs = F.softmax(model(x_train), dim=1)
print(probs)
print("predicted:", probs.argmax(dim=1))
print("true:     ", y_train)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Recap
#
# In this lesson we:
#
# - trained one loop with three costs and reproduced the seminar's three logs;
# - found the seminar's double softmax: its cost cannot fall below $-\log\frac{e}{e+2} \approx 0.551$, so it stalls near 0.686;
# - fixed it and matched the `F.cross_entropy` run epoch for epoch;
# - saw a shared scalar bias stay at 0 for 5000 epochs, and a per-class bias train;
# - compared the runs by cost, accuracy and predicted probabilities.

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Exercises
#
# Each check cell tests your function on several cases and prints ✓, or the
# first failing case with a hint.
#
# **Exercise 1.** Write `my_accuracy(logits, y)`: the fraction (a Python
# `float`) of samples whose largest logit is the true class.

# %% slideshow={"slide_type": "skip"}
from softmax_course.exercises import check_accuracy, check_double_softmax_floor


def my_accuracy(logits, y):
    # Your code here.
    raise NotImplementedError


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def my_accuracy(logits, y):
    return (logits.argmax(dim=1) == y).float().mean().item()


# %% slideshow={"slide_type": "skip"} tags=["check"]
check_accuracy(my_accuracy)


# %% [markdown] slideshow={"slide_type": "skip"}
# **Exercise 2.** Write `double_softmax_floor(num_classes)`: the lowest cost the
# seminar's double-softmax loss can reach with `num_classes` classes.

# %% slideshow={"slide_type": "skip"}
def double_softmax_floor(num_classes):
    # Your code here.
    raise NotImplementedError


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def double_softmax_floor(num_classes):
    return -math.log(math.e / (math.e + num_classes - 1))


# %% slideshow={"slide_type": "skip"} tags=["check"]
check_double_softmax_floor(double_softmax_floor)
