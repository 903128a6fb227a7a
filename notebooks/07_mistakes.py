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
# In this lesson we will meet three mistakes, each shown, then fixed. Mistakes 1 and 3
# run without an error and give a wrong number; mistake 2 stops with an error, or in one
# case happens to give the right number:
#
# - `F.nll_loss` on probabilities instead of log-probabilities;
# - float or one-hot targets where class indices are expected;
# - a softmax over the wrong `dim`.
#
# Two more have a lesson of their own, 05: a softmax before `F.cross_entropy` (the
# seminar's double softmax) and one bias shared by all classes.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. Each of these mistakes is easy to make and two of them fail
# silently: the code runs and prints a number. The habit to teach is to check what
# each loss function expects before calling it.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Setup: the seminar's random logits and labels
#
# The seminar's `z` (3 samples, 5 classes) and `y`, drawn after `torch.manual_seed(1)`.

# %% [markdown] slideshow={"slide_type": "notes"}
# Under a minute. The same `z` and `y` as lessons 02 and 03, so the correct cost,
# 1.4689, is one the class has already seen.

# %% slideshow={"slide_type": "fragment"}
import torch
import torch.nn.functional as F

from softmax_course.functional import cross_entropy_from_probs

torch.manual_seed(1)
z = torch.rand(3, 5, requires_grad=True)
y = torch.randint(5, (3,)).long()
print(F.cross_entropy(z, y))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Mistake 1: `F.nll_loss` on probabilities
#
# `F.nll_loss` only picks $-$input$[n, y_n]$ and averages; it expects
# **log**-probabilities. Given probabilities, it returns $-$mean($p_{\text{true}}$), a
# *negative* "loss" (asserted). Minimising it still raises the true class's probability,
# but with no log it fails like lesson 05's double softmax: on a confident mistake its
# gradient vanishes (shown below).

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. Ask what a negative loss should make you suspect. The function
# has no way to know whether its input is a log-probability: it just indexes.

# %% slideshow={"slide_type": "fragment"}
print("wrong:", F.nll_loss(F.softmax(z, dim=1), y))
print("fixed:", F.nll_loss(F.log_softmax(z, dim=1), y))
true_class_probs = F.softmax(z, dim=1)[torch.arange(len(y)), y]
torch.testing.assert_close(F.nll_loss(F.softmax(z, dim=1), y), -true_class_probs.mean())
assert F.nll_loss(F.softmax(z, dim=1), y) < 0
print(f"minus the mean probability of the true class: {-true_class_probs.mean().item():.4f}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### A negative "loss" still trains, badly
#
# One sample of class 0 whose logits are sure of class 1: its true class gets probability
# $5 \times 10^{-5}$. Both costs' gradients raise the true class's logit; $-p_{\text{true}}$'s is
# $p_{\text{true}}$ times a vector of norm at most $\sqrt{2}$, so it vanishes just where the
# model is most wrong (asserted).

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. The gradient of -p_y with respect to the logits is -p_y (one_hot - p):
# tiny when p_y is tiny. The cross-entropy's is p - one_hot: the log's 1/p_y cancels the p_y,
# which is what makes a confident mistake expensive to the cross-entropy and cheap here.

# %% slideshow={"slide_type": "fragment"}
mistake = torch.tensor([[0.0, 10.0, 0.0]], dtype=torch.float64, requires_grad=True)
true_0 = torch.tensor([0])  # class 0 is true; the logits are sure of class 1
p_true_0 = F.softmax(mistake, dim=1)[0, 0].item()
(grad_p,) = torch.autograd.grad(F.nll_loss(F.softmax(mistake, dim=1), true_0), mistake)
(grad_log,) = torch.autograd.grad(F.cross_entropy(mistake, true_0), mistake)
print(f"p(true class) {p_true_0:.1e}; gradient norm: -p_true {grad_p.norm():.1e}, "
      f"cross-entropy {grad_log.norm():.4f}")
assert grad_p[0, 0] < 0 and grad_log[0, 0] < 0  # descent raises the true logit, both ways
assert grad_p.norm() < 1e-4 * grad_log.norm()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Mistake 2: float or one-hot targets where class indices are expected
#
# Class indices are integers of shape `(N,)`. Indices stored as floats are
# refused with a message about the target's dtype; one-hot rows are read as
# class *probabilities* by `F.cross_entropy` (so they happen to work there), but
# `F.nll_loss` refuses them with a message about "multi-target".

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. Read the two error messages aloud: they name the problem, but
# in PyTorch's words. The one-hot case that works is a trap: it works only because
# `F.cross_entropy` also accepts class probabilities as targets.

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

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. The course's `cross_entropy_from_probs` refuses float labels
# with a message that also says what one-hot or probability targets are not.

# %%
try:
    cross_entropy_from_probs(F.softmax(z, dim=1), y.float())
except TypeError as error:
    print(error)
print("fixed:", cross_entropy_from_probs(F.softmax(z, dim=1), y))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Mistake 3: softmax over the wrong `dim`
#
# `z` has one row per sample. `dim=0` normalises each *column* (each class
# across samples), so the rows no longer sum to 1 and the loss is wrong (both
# asserted). The course helper refuses such rows.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. With a batch of one, `dim=0` makes every probability 1 and the
# cost 0, which looks like perfect training; with several samples the number is
# merely wrong and nothing complains. Checking that the rows sum to 1 catches both.

# %% slideshow={"slide_type": "fragment"}
wrong_probs = F.softmax(z, dim=0)
wrong_cost = F.nll_loss(torch.log(wrong_probs), y)
fixed_cost = F.nll_loss(torch.log(F.softmax(z, dim=1)), y)
print("row sums with dim=0:", wrong_probs.sum(dim=1).detach())
print(f"wrong: {wrong_cost.item():.4f}   fixed: {fixed_cost.item():.4f}")
assert (wrong_probs.sum(dim=1) - 1).abs().min() > 0.1
assert abs(wrong_cost.item() - fixed_cost.item()) > 0.1
one_sample_cost = F.nll_loss(torch.log(F.softmax(z[:1], dim=0)), y[:1])
assert one_sample_cost.item() == 0  # a batch of one: every probability 1, a perfect-looking 0
try:  # in float64, so that the row sum the message prints is the same on every processor
    cross_entropy_from_probs(F.softmax(z.double(), dim=0), y)
except ValueError as error:
    print(error)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Recap
#
# In this lesson we:
#
# - fed `F.nll_loss` log-probabilities and `F.cross_entropy` logits, never probabilities;
# - passed class indices as `torch.long` of shape `(N,)`, not floats, not one-hot rows;
# - took the softmax over the classes (`dim=1`), and checked that each row sums to 1.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. Lesson 05 covered the two mistakes of the seminar itself: the
# double softmax and the shared bias.

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Exercises
#
# **Exercise 1 (predict, then run).** A model already outputs probabilities:
# `[[0.7, 0.2, 0.1]]` for one sample of class 0. What does `F.nll_loss` return
# when it is given these probabilities? Write your prediction (a number) in place
# of the `...`, then run the check cell.

# %% slideshow={"slide_type": "skip"}
from softmax_course.exercises import reveal_prediction

model_probs = torch.tensor([[0.7, 0.2, 0.1]])
nll_prediction = ...

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
nll_prediction = -0.7

# %% slideshow={"slide_type": "skip"} tags=["check"]
reveal_prediction(nll_prediction, F.nll_loss(model_probs, torch.tensor([0])).item())

# %% [markdown] slideshow={"slide_type": "skip"}
# Each check cell tests your function on several cases and prints ✓, or the
# first failing case with a hint.
#
# **Exercise 2.** Write `cost_from_probabilities(probs, y)`: the mean
# cross-entropy of a model whose outputs `probs` are probabilities already (each
# row sums to 1), for the class indices `y`.

# %% slideshow={"slide_type": "skip"}
from softmax_course.exercises import check_cost_from_probabilities


def cost_from_probabilities(probs, y):
    # Your code here.
    raise NotImplementedError


# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
def cost_from_probabilities(probs, y):
    return F.nll_loss(torch.log(probs), y)


# %% slideshow={"slide_type": "skip"} tags=["check"]
check_cost_from_probabilities(cost_from_probabilities)
