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
# - compute the cross-entropy loss by hand, and see what one sample costs: $-\log p$;
# - compute it again with `F.log_softmax`, `F.nll_loss` and `F.cross_entropy`, and assert all four equal;
# - derive its gradient with respect to the logits, `softmax − one_hot`, and check it two ways;
# - see two classes as a sigmoid with binary cross-entropy, and when softmax is the wrong tool;
# - see why `log(softmax(z))` is the fragile form and `F.log_softmax(z)` the safe one.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. Lesson 01 made probabilities, lesson 02 made targets; the
# loss compares the two. The seminar computes it four ways and gets 1.4689
# each time; we assert that, then derive the gradient that training uses.

# %% slideshow={"slide_type": "fragment"}
import torch
import torch.nn.functional as F

from softmax_course.data import replay_seminar_draws
from softmax_course.functional import cross_entropy_from_probs
from softmax_course.plotting import plot_negative_log, show

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The seminar's example
#
# The logits `z` and labels `y` of lesson 02, replayed from the same seed.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. The same three samples and five classes as lesson 02, and
# the same one-hot targets built with `scatter_`.

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

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. Multiply, sum each row (only the true class survives), then
# average over the samples. The seminar prints 1.4689.

# %% slideshow={"slide_type": "fragment"}
cost = (y_one_hot * -torch.log(hypothesis)).sum(dim=1).mean()
print(cost)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The cost of one sample: $-\log p$
#
# A sure, right answer ($p = 1$) costs 0, and the cost grows without bound as
# $p \to 0$. Here each true class gets 0.19 to 0.27: each sample costs 1.3 to 1.7.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. Point at the three markers: they sit close together because
# random logits make every class about equally likely (1/5 each would cost
# log 5 = 1.61). The loss is their mean, 1.4689. `reduction="none"` keeps the
# per-sample costs instead of averaging them.

# %% slideshow={"slide_type": "fragment"}
true_probs = hypothesis[torch.arange(len(y)), y]
per_sample = F.cross_entropy(z, y, reduction="none")
torch.testing.assert_close(per_sample, -torch.log(true_probs))
torch.testing.assert_close(per_sample.mean(), cost)
assert ((0.19 < true_probs) & (true_probs < 0.27)).all()
assert ((1.3 < per_sample) & (per_sample < 1.7)).all()
show(plot_negative_log(true_probs),
     alt="The curve -log p, from 4.6 at p = 0.01 to 0 at p = 1, with the three "
     "samples at p = 0.26, 0.23, 0.20 (costs 1.33, 1.46, 1.62).")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## `log(softmax)` and `F.log_softmax`
#
# The two print the same numbers here; the last slides show where they part.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. The seminar's two cells: the same log-probabilities, one row
# per sample.

# %% slideshow={"slide_type": "fragment"}
# Low level
torch.log(F.softmax(z, dim=1))

# %% slideshow={"slide_type": "fragment"}
# High level
F.log_softmax(z, dim=1)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Negative log likelihood, and `F.cross_entropy`
#
# The hand-written cost is the *negative log likelihood* (NLL) of the true
# classes: the mean of $-\log \hat{y}_{n, y_n}$. `F.nll_loss` takes
# log-probabilities and the class indices and does exactly that;
# `F.cross_entropy` takes the *logits* and does both steps, `F.log_softmax` then `F.nll_loss`.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. The seminar calls it "negative loss likelihood": it is the
# negative *log* likelihood. In practice one writes `F.cross_entropy(z, y)`.

# %% slideshow={"slide_type": "fragment"}
# Low level
(y_one_hot * -torch.log(F.softmax(z, dim=1))).sum(dim=1).mean()

# %% slideshow={"slide_type": "fragment"}
# High level
F.nll_loss(F.log_softmax(z, dim=1), y)

# %% slideshow={"slide_type": "fragment"}
F.cross_entropy(z, y)

# %% [markdown] slideshow={"slide_type": "subslide"}
# Printing `1.4689` four times is suggestive; asserting checks it, here within two units of
# float32's last place at 1.47 (2 eps, about $2.4 \times 10^{-7}$; `assert_close`'s default
# for float32, $10^{-5} + 1.3 \times 10^{-6} \cdot 1.47 \approx 1.2 \times 10^{-5}$, would allow
# some 100 of them). The course helper
# `cross_entropy_from_probs` is the hand-written form.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. Four routes, one number, asserted equal rather than eyeballed.

# %%
variants = {
    "by hand": (y_one_hot * -torch.log(hypothesis)).sum(dim=1).mean(),
    "nll_loss(log_softmax)": F.nll_loss(F.log_softmax(z, dim=1), y),
    "cross_entropy": F.cross_entropy(z, y),
    "helper": cross_entropy_from_probs(hypothesis, y),
}
two_units = 2 * torch.finfo(torch.float32).eps  # the spacing of float32 numbers in [1, 2) is eps
for name, value in variants.items():
    torch.testing.assert_close(value, variants["cross_entropy"], rtol=0, atol=two_units)
    print(f"{name:>22}: {value.item():.4f}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The gradient, step 1: the softmax Jacobian
#
# For one sample, $p_i = e^{z_i} / S$ with $S = \sum_k e^{z_k}$. Since
# $\partial e^{z_i} / \partial z_j = \delta_{ij} e^{z_i}$ ($\delta_{ij}$ is 1 when
# $i = j$, else 0) and $\partial S / \partial z_j = e^{z_j}$, the quotient rule gives
#
# $$ \frac{\partial p_i}{\partial z_j} = \frac{\delta_{ij} e^{z_i} S - e^{z_i} e^{z_j}}{S^2}
#    = p_i \delta_{ij} - p_i p_j = p_i (\delta_{ij} - p_j),
#    \qquad J = \operatorname{diag}(p) - p\, p^\top $$
#
# Each column of $J$ sums to 0: the probabilities keep summing to 1 however a logit moves.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 3 minutes. Derive it on the board: the quotient rule, then divide by
# S twice. The diagonal is p_i(1 - p_i), the rest -p_i p_j. The check uses
# float64 and the first sample of the seminar's example; autograd builds the
# same matrix.

# %% slideshow={"slide_type": "fragment"}
z64 = z.detach().double()  # float64, so that the checks can be tight
p = F.softmax(z64[0], dim=0)  # the first sample's probabilities
jacobian = torch.diag(p) - torch.outer(p, p)
by_autograd = torch.autograd.functional.jacobian(
    lambda logits: F.softmax(logits, dim=0), z64[0])
torch.testing.assert_close(by_autograd, jacobian)
torch.testing.assert_close(jacobian.sum(dim=0), torch.zeros_like(p))
print(jacobian.float())  # float32 prints without a dtype line

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Step 2: the gradient of $-\log p_y$
#
# A sample with true class $y$ costs $L = -\log p_y$. The chain rule and step 1:
#
# $$ \frac{\partial L}{\partial z_j} = -\frac{1}{p_y} \frac{\partial p_y}{\partial z_j}
#    = -\frac{1}{p_y}\, p_y (\delta_{yj} - p_j) = p_j - \delta_{yj},
#    \qquad \nabla_z L = p - \text{one\_hot}(y) $$
#
# The mean over $N$ samples divides each row by $N$. A gradient step of size lr on
# the logits lowers every logit $j$ by lr$\,p_j/N$ and raises the true class's by
# lr$/N$, so the true class's logit gains lr$\,(1 - p_y)/N$ net.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. Only row y of the Jacobian matters, and the 1/p_y cancels
# the p_y in front of it. The code takes that row of the matrix above.

# %% slideshow={"slide_type": "fragment"}
probs = F.softmax(z64, dim=1)
targets = F.one_hot(y, num_classes=5).double()
true_class = y[0].item()
chain_rule = -1 / p[true_class] * jacobian[true_class]  # row y of J
torch.testing.assert_close(chain_rule, probs[0] - targets[0])

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Step 3: checked by autograd and by finite differences
#
# With $e_{nk}$ the one-hot step of logit $(n, k)$, the central difference
# $(L(z + h e_{nk}) - L(z - h e_{nk})) / 2h$ approximates $\partial L / \partial z_{nk}$.
# At $h = 10^{-5}$ in float64 its error, of order $h^2$ (times the third derivative) plus
# $10^{-16} L / h$ (rounding), is about $10^{-11}$ here: we assert $10^{-8}$, far above it.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. Autograd knows nothing of our formula, and the finite
# difference knows nothing of calculus: three independent routes to one
# gradient. A finite-difference check is what to run when a hand-written
# gradient is suspect.

# %% slideshow={"slide_type": "fragment"}
formula = (probs - targets) / len(y)
leaf = z64.clone().requires_grad_()
(grad_by_autograd,) = torch.autograd.grad(F.cross_entropy(leaf, y), leaf)
h = 1e-5
by_differences = torch.zeros_like(z64)
for n in range(z64.shape[0]):
    for k in range(z64.shape[1]):
        step = torch.zeros_like(z64)
        step[n, k] = h
        rise = F.cross_entropy(z64 + step, y) - F.cross_entropy(z64 - step, y)
        by_differences[n, k] = rise / (2 * h)
torch.testing.assert_close(grad_by_autograd, formula, rtol=0, atol=1e-12)
torch.testing.assert_close(by_differences, formula, rtol=0, atol=1e-8)
print(formula.float())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Two classes: sigmoid and binary cross-entropy
#
# With two classes only the difference of the logits matters (lesson 01), so
# fix class 0's logit at 0 and call class 1's $z$: then $p_1 = \sigma(z)$, and
# the cross-entropy of a label $t \in \{0, 1\}$ is
# $-t \log \sigma(z) - (1 - t) \log (1 - \sigma(z))$, the *binary* cross-entropy.
# PyTorch computes it from the logit: `F.binary_cross_entropy_with_logits(z, t)`.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. A binary classifier needs one logit per sample, not two.
# The assertions show that both formulations give the same probabilities and
# the same loss.

# %% slideshow={"slide_type": "fragment"}
z_binary = torch.tensor([-1.0, 0.5, 2.0])  # one logit per sample
t = torch.tensor([0.0, 1.0, 1.0])  # each sample's label, 0 or 1
two_logits = torch.stack([torch.zeros_like(z_binary), z_binary], dim=1)
sigmoid_z = torch.sigmoid(z_binary)
torch.testing.assert_close(F.softmax(two_logits, dim=1)[:, 1], sigmoid_z)
bce = F.binary_cross_entropy_with_logits(z_binary, t)
ce = F.cross_entropy(two_logits, t.long())
torch.testing.assert_close(bce, ce)
print(f"binary_cross_entropy_with_logits(z, t): {bce.item():.4f}")
print(f"cross_entropy on logits [0, z]:         {ce.item():.4f}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Several labels at once: a sigmoid per label
#
# A photo can show a cat *and* a dog. Softmax makes the labels compete: its
# probabilities sum to 1, so at most one of them is above 1/2, and "cat: yes,
# dog: yes" is out of reach. A multi-label model gives each label its own
# yes/no, a sigmoid per logit trained with binary cross-entropy per label;
# those probabilities need not sum to 1.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. Softmax is for exactly one true class per sample. When the
# labels are not exclusive (tags, diseases, objects in a photo), each label is
# its own two-class problem.

# %% slideshow={"slide_type": "fragment"}
z_photo = torch.tensor([2.0, 1.0, -1.0])  # logits for cat, dog, outdoors
t_photo = torch.tensor([1.0, 1.0, 0.0])  # it shows a cat and a dog, indoors
per_label = torch.sigmoid(z_photo)
competing = F.softmax(z_photo, dim=0)
print("sigmoid:", per_label, f"sum {per_label.sum().item():.4f}")
print("softmax:", competing)
assert (per_label[t_photo == 1] > 0.5).all()  # cat: yes, dog: yes
assert (per_label[t_photo == 0] < 0.5).all()  # outdoors: no
torch.testing.assert_close(competing.sum(), torch.tensor(1.0))
assert (competing > 0.5).sum() <= 1  # they sum to 1: at most one is above 1/2
bce_per_label = F.binary_cross_entropy_with_logits(
    z_photo, t_photo, reduction="none")
print("BCE per label:", bce_per_label)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Where it breaks: `log(softmax(z))` with large logits
#
# With logits $[0, 200, 400]$ the first two probabilities, about $e^{-400}$ and
# $e^{-200}$, round to 0 in float32, whose smallest positive number is the
# *subnormal* $2^{-149} \approx 1.4 \times 10^{-45}$ (its smallest *normal* number is
# $2^{-126} \approx 1.2 \times 10^{-38}$), and `log(0) = -inf`. `F.log_softmax` never
# forms the probability: it computes $z_k - \log \sum_j e^{z_j}$ directly (lesson 06 shows how).

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. Below 2^-126 float32 keeps fewer and fewer digits (the
# subnormal numbers); a number at or below half of 2^-149 rounds to 0. e^-200 is
# about 1e-87, far below both.

# %% slideshow={"slide_type": "fragment"}
above_zero = torch.nextafter(torch.tensor(0.0), torch.tensor(1.0))
assert above_zero.item() == 2**-149  # the smallest subnormal float32
assert torch.finfo(torch.float32).smallest_normal == 2**-126
z_big = torch.tensor([[0.0, 200.0, 400.0]], requires_grad=True)
y_big = torch.tensor([0])
assert (F.softmax(z_big, dim=1)[0, :2] == 0).all()
print(torch.log(F.softmax(z_big, dim=1)))
print(F.log_softmax(z_big, dim=1))

# %% [markdown] slideshow={"slide_type": "subslide"}
# The loss built on the fragile form is infinite and its gradient is `nan`, which
# a training step would copy into the weights; the stable form gives exactly 400, the true
# loss: the gap between the top logit and the true class's (asserted).

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. One `nan` in a gradient and every weight it touches becomes
# `nan`. The stable form's gradient is again softmax minus one-hot: [-1, 0, 1].

# %%
fragile_cost = F.nll_loss(torch.log(F.softmax(z_big, dim=1)), y_big)
(fragile_grad,) = torch.autograd.grad(fragile_cost, z_big)
stable_cost = F.cross_entropy(z_big, y_big)
(stable_grad,) = torch.autograd.grad(stable_cost, z_big)
print("fragile:", fragile_cost.item(), fragile_grad)
print("stable: ", stable_cost.item(), stable_grad)
assert torch.isinf(fragile_cost) and torch.isnan(fragile_grad).any()
assert torch.isfinite(stable_grad).all()
expected_grad = F.softmax(z_big, dim=1) - F.one_hot(y_big, 3)
torch.testing.assert_close(stable_grad, expected_grad)
gap = z_big.max() - z_big[0, y_big[0]]
assert stable_cost.item() == gap.item() == 400.0

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Recap
#
# In this lesson we:
#
# - computed the cross-entropy by hand on the seminar's example, 1.4689: each sample costs $-\log p$ of its true class;
# - got the same number from `F.nll_loss(F.log_softmax(z, dim=1), y)` and `F.cross_entropy(z, y)`, and asserted it;
# - named it correctly: the negative **log** likelihood;
# - derived the gradient, softmax Jacobian $\operatorname{diag}(p) - p p^\top$, then `(softmax − one_hot) / N`, and checked it by autograd and by finite differences;
# - saw that two classes are a sigmoid with binary cross-entropy, and that several labels per sample need a sigmoid per label;
# - saw `log(softmax(z))` give `-inf` and a `nan` gradient where `F.log_softmax` stays finite.
#
# Next, lesson 04 trains a classifier with this loss, three ways.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. The exercises below: predict the cost of a model that knows
# nothing, then write the loss and its gradient without autograd.

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
