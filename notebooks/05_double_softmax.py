# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
#   seminar:
#     nav_order: 5
#     title: '05 The seminar''s bug: softmax applied twice'
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 05 · The seminar's bug: softmax applied twice
#
# In this lesson we will:
#
# - find the bug in the seminar's hand-written cost: it applies softmax twice;
# - see the floor that the second softmax puts under the cost, and, with per-sample costs
#   (`reduction='none'`), the sample it leaves stuck;
# - measure what makes the run stall: its gradient against the true cross-entropy's;
# - fix the seminar's loop by changing one line;
# - see why the seminar's shared bias never trains, and what gives the `nn.Module` its lead.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. Lesson 04 left two questions open: why the hand-written run stalls near
# 0.69 while `F.cross_entropy` reaches 0.13, and why the `nn.Module` ends lowest. This lesson
# answers both, with measurements.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Setup
#
# The seminar's data in float64, and the course's helpers for the loops lesson 04 wrote out:
# `train_hand_written` (style 1; `double_softmax=True` is the seminar's cost) and
# `train_cross_entropy` (style 2). The seminar's buggy run is studied on the seminar's
# schedule, written out in its call. `nb_epochs` and `lr` drive the fixed loop and the bias
# runs at the end: change them and run the lesson again.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. The helpers run exactly the loops of lesson 04 (the course's tests check
# that they make the same updates as `optim.SGD` written out). The fixed loop later in this
# lesson is written out again, so that the one changed line is on screen.

# %% slideshow={"slide_type": "fragment"}
import math

import torch
import torch.nn.functional as F
import torch.optim as optim

from softmax_course.data import replay_seminar_draws, toy_data
from softmax_course.models import SoftmaxClassifierModel
from softmax_course.plotting import plot_costs, show
from softmax_course.training import train_cross_entropy, train_hand_written, train_module

nb_epochs = 5000
lr = 0.1
x_train, y_train = toy_data()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The bug: a softmax of probabilities
#
# The seminar's hand-written loop computes
#
# ```python
# hypothesis = F.softmax(x_train.matmul(W) + b, dim=1)
# cost = (y_one_hot * -torch.log(F.softmax(hypothesis, dim=1))).sum(dim=1).mean()
# ```
#
# `hypothesis` already holds probabilities; the cost takes a softmax of them *again*. Its run,
# on the seminar's schedule, against `F.cross_entropy`'s:

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. Let the audience find it: `F.softmax` appears twice on the way from the
# logits to the log. Nothing fails, the cost falls, the log looks reasonable: this bug only
# shows when you compare with another style. The log is the seminar's first log (lesson 04).

# %% slideshow={"slide_type": "fragment"}
seminar_run = train_hand_written(x_train, y_train, double_softmax=True,
                                 nb_epochs=5000, lr=0.1, log_every=1000)
reference_run = train_cross_entropy(x_train, y_train, nb_epochs=5000, lr=0.1, log_every=0)
print(f"F.cross_entropy at epoch 5000: {reference_run.costs[-1]:.6f}")
W_end, b_end = seminar_run.parameters["W"].detach(), seminar_run.parameters["b"].detach()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## A floor under the cost
#
# The second softmax sees numbers between 0 and 1 that sum to 1. The most it can give the true
# class is $\frac{e^1}{e^1 + 2e^0} = \frac{e}{e+2}$ (when the first softmax gives it 1 and the
# others 0), and the least $\frac{1}{e+2}$ (the first gives it 0). So every sample costs between
# $-\log\frac{e}{e+2} \approx 0.551$ and $-\log\frac{1}{e+2} \approx 1.551$. The floor is a bound,
# not where the run goes: it ends at 0.686, far above it.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. Derive the bound on the board: the second softmax's inputs lie in [0, 1],
# so its outputs lie between 1/(e+2) and e/(e+2). The floor explains why the cost can never
# reach F.cross_entropy's 0.13, but the run stays well above the floor. The ceiling at 1.551
# matters on the next slide.

# %% slideshow={"slide_type": "fragment"}
floor = -math.log(math.e / (math.e + 2))
ceiling = -math.log(1 / (math.e + 2))
print(f"floor {floor:.4f}, ceiling {ceiling:.4f}; the seminar's run ends at "
      f"{seminar_run.costs[-1]:.4f}")
assert floor < min(seminar_run.costs) and max(seminar_run.costs) < ceiling

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The run flattens far above the floor
#
# On a log scale, with `F.cross_entropy`'s run of the same schedule for comparison:

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. The thin gray line is the floor. The double-softmax curve flattens around
# 0.69 and is still falling, ever more slowly; `F.cross_entropy` ends at 0.13 (its thick band
# up to epoch 1292 is the bouncing of lesson 04's last slides). The next slides ask which
# samples pay, and why the steps became so small.

# %% slideshow={"slide_type": "fragment"}
fig = plot_costs({"softmax twice (the seminar's)": seminar_run.costs,
                  "F.cross_entropy": reference_run.costs}, "One softmax or two", log_scale=True,
                 reference_lines={"floor with softmax twice": floor})
show(fig, alt="Cost per epoch over the seminar's 5000 epochs, log scale: the double-softmax "
              "run flattens near 0.69, above its floor of 0.551, while F.cross_entropy falls "
              "to 0.13.")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Per-sample costs: `reduction='none'`
#
# Each sample's cost instead of their mean, at the `W` and `b` the seminar's run ended with:

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. The mean hides who pays. Per sample, the double softmax charges every sample
# between 0.551 and 1.551; the true cross-entropy charges one sample 29.5. That sample, number 4
# counting from 0, is the one the run gave up on: its true class gets a probability of about
# 1e-13, and the double softmax charges it less than its ceiling.

# %% slideshow={"slide_type": "fragment"}
z_end = x_train.matmul(W_end) + b_end
hypothesis_end = F.softmax(z_end, dim=1)
per_sample_twice = F.cross_entropy(hypothesis_end, y_train, reduction='none')  # the seminar's
per_sample_once = F.cross_entropy(z_end, y_train, reduction='none')
true_class_probs = hypothesis_end[torch.arange(len(y_train)), y_train]
print("sample class  p(true class)  cost, softmax twice  cost, cross-entropy")
for n in range(len(y_train)):
    print(f"{n:6d} {y_train[n].item():5d} {true_class_probs[n]:14.1e} "
          f"{per_sample_twice[n]:20.4f} {per_sample_once[n]:20.4f}")
stuck = per_sample_once.argmax().item()
assert ((floor < per_sample_twice) & (per_sample_twice < ceiling)).all()
print(f"stuck: sample {stuck}, x = {x_train[stuck].int().tolist()}, class {y_train[stuck].item()}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What makes the run stall: the gradient
#
# Both costs' gradients, at the same `W` and `b`. At $W = 0$, where nothing has saturated (every
# probability is $\frac{1}{3}$), the double softmax's is already a third of the true
# cross-entropy's. Along the run it falls much further as the first softmax saturates: the
# stuck sample's true class goes towards probability 0, where the first softmax's slope
# vanishes, and its double-softmax cost stays under the ceiling, so nothing pulls it back.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. A stall means small steps, and SGD's step is lr times the gradient. So
# compare the gradients of the two costs at the same parameters. The first surprise: a factor
# of 3 at the very first step, before anything saturates.

# %% slideshow={"slide_type": "fragment"}
def gradient_norms(W, b):
    """The norms of d cost / d W for softmax twice and for the cross-entropy, at W and b."""
    W = W.detach().clone().requires_grad_(True)
    z = x_train.matmul(W) + b.detach()
    twice = F.cross_entropy(F.softmax(z, dim=1), y_train)
    (grad_twice,) = torch.autograd.grad(twice, W, retain_graph=True)
    (grad_once,) = torch.autograd.grad(F.cross_entropy(z, y_train), W)
    return grad_twice.norm().item(), grad_once.norm().item()


W_zero, b_zero = torch.zeros((4, 3), dtype=torch.float64), torch.zeros(1, dtype=torch.float64)
twice_at_0, once_at_0 = gradient_norms(W_zero, b_zero)
print(f"W = 0: softmax twice {twice_at_0:.4f}, cross-entropy {once_at_0:.4f}, "
      f"ratio {twice_at_0 / once_at_0:.6f}")
assert abs(twice_at_0 / once_at_0 - 1 / 3) < 1e-12

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Why a third
#
# At $W = 0$ each sample's first softmax is $p = (\frac{1}{3}, \frac{1}{3}, \frac{1}{3})$. Both costs
# reach $z$ through its Jacobian $J = \mathrm{diag}(p) - p p^\top = \frac{1}{3}(I - \frac{1}{3}\mathbf{1}\mathbf{1}^\top)$,
# which scales any gradient whose entries sum to 0 by $\frac{1}{3}$. The seminar's cost has gradient
# $q - y$ with respect to $p$ ($q$, the second softmax, is $p$ again): it reaches $z$ as
# $\frac{1}{3}(q - y)$. The true cross-entropy's, $-y / p$, is $-3y$ here: its $\frac{1}{p_y} = 3$
# cancels the Jacobian's third, and it reaches $z$ as $p - y$. Line by line, for a sample of class 0:

# %% [markdown] slideshow={"slide_type": "notes"}
# About 3 minutes. The third sits in the first softmax's Jacobian, which both costs pass
# through. The log of the true cross-entropy divides by p_y = 1/3, which cancels it; the
# second softmax replaced that log, and with it the 1/p. So the run starts like
# F.cross_entropy at a third of the learning rate.

# %% slideshow={"slide_type": "fragment"}
p = torch.full((3,), 1 / 3, dtype=torch.float64)
y_0 = torch.tensor([1.0, 0.0, 0.0], dtype=torch.float64)  # a sample of class 0, one-hot
J = torch.diag(p) - torch.outer(p, p)
twice_wrt_p, once_wrt_p = F.softmax(p, dim=0) - y_0, (0.0 - y_0) / p  # 0.0 - y: no -0


def show_row(v):
    return " ".join(f"{value:+.4f}" for value in v)


print(f"d cost/dp, twice: {show_row(twice_wrt_p)}   once: {show_row(once_wrt_p)}")
print(f"d cost/dz, twice: {show_row(J @ twice_wrt_p)}   once: {show_row(J @ once_wrt_p)}")
torch.testing.assert_close(J @ twice_wrt_p, (p - y_0) / 3, rtol=0, atol=1e-15)
torch.testing.assert_close(J @ once_wrt_p, p - y_0, rtol=0, atol=1e-15)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Then the first softmax saturates
#
# Runs of 50, 500 and 5000 epochs at `lr = 0.1`: gradient norms, their ratio, the smallest
# true-class probability, and the true cross-entropy, which ends worse than at $W = 0$.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. Two causes, in order: the factor 3 from the start, then saturation, which
# takes the ratio from a third to below a hundredth by epoch 5000. The true cost at the run's
# end is above ln 3: the double softmax traded one sample for small gains on the others.

# %% slideshow={"slide_type": "fragment"}
ends = {0: (W_zero, b_zero), 5000: (W_end, b_end)}  # W and b at the end of each run
for epochs in (50, 500):
    run = train_hand_written(x_train, y_train, double_softmax=True, nb_epochs=epochs, lr=0.1,
                             log_every=0)
    ends[epochs] = (run.parameters["W"].detach(), run.parameters["b"].detach())
print("epochs  twice    once    ratio  min p(true)  cross-entropy")
ratios = []
for epochs, (W_at, b_at) in sorted(ends.items()):
    twice, once = gradient_norms(W_at, b_at)
    z_at = x_train.matmul(W_at) + b_at
    p_true = F.softmax(z_at, dim=1)[torch.arange(len(y_train)), y_train].min().item()
    true_cost = F.cross_entropy(z_at, y_train).item()
    ratios.append(twice / once)
    print(f"{epochs:6d} {twice:6.4f} {once:7.4f} {twice / once:7.4f} {p_true:12.1e} {true_cost:14.4f}")
assert ratios == sorted(ratios, reverse=True) and ratios[-1] < 0.01
assert p_true < 1e-12 and true_cost > math.log(3)

# %% [markdown] slideshow={"slide_type": "skip"}
# ## The fix: one softmax
#
# The seminar's loop with one line changed: the log of `hypothesis` itself, the cross-entropy
# of lesson 03. It runs with your `nb_epochs` and `lr`.

# %% slideshow={"slide_type": "slide"}
# The fix: the seminar's loop with one line changed, at your nb_epochs and lr
W = torch.zeros((4, 3), dtype=torch.float64, requires_grad=True)
b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
optimizer = optim.SGD([W, b], lr=lr)
fixed_costs = []
for epoch in range(nb_epochs + 1):
    hypothesis = F.softmax(x_train.matmul(W) + b, dim=1)
    y_one_hot = torch.zeros_like(hypothesis)
    y_one_hot.scatter_(1, y_train.unsqueeze(1), 1)
    cost = (y_one_hot * -torch.log(hypothesis)).sum(dim=1).mean()  # changed: one softmax
    optimizer.zero_grad()
    cost.backward()
    optimizer.step()
    fixed_costs.append(cost.item())
    if epoch % 500 == 0:
        print('Epoch {:4d}/{} Cost: {:.6f}'.format(epoch, nb_epochs, cost.item()))

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. Point at the one changed line: the log of `hypothesis` itself, the
# cross-entropy of lesson 03; everything else is the seminar's loop. With the seminar's
# numbers the log now reads like `F.cross_entropy`'s in lesson 04.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The fixed loop follows `F.cross_entropy`
#
# Against `F.cross_entropy` at the same `nb_epochs` and `lr`, epoch by epoch. At `lr = 0.1` the
# two agree within $10^{-12}$ at every epoch (asserted below for the seminar's schedule, written
# out); at a high learning rate (lesson 04's exercise 2 shows `lr = 1.0`) a run becomes chaotic,
# and the two costs' rounding differences, the same cost computed in another order, grow.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. Same formula, computed two ways (log of softmax against log_softmax), so
# they differ by rounding only. At lr 0.1 training keeps that below 1e-12. At lr = 1.0 the
# printed gap grows: chaos amplifying rounding, not a bug.

# %% slideshow={"slide_type": "fragment"}
cross_entropy_run = train_cross_entropy(x_train, y_train, nb_epochs=nb_epochs, lr=lr, log_every=0)
gaps = [abs(f - c) for f, c in zip(fixed_costs, cross_entropy_run.costs, strict=True)]
if max(gaps) < 1e-12:
    print(f"nb_epochs {nb_epochs}, lr {lr}: within 1e-12 of F.cross_entropy at every epoch")
else:
    print(f"nb_epochs {nb_epochs}, lr {lr}: apart by up to {max(gaps):.0e}")
fixed_at_seminar = train_hand_written(x_train, y_train, nb_epochs=5000, lr=0.1, log_every=0)
seminar_gaps = [abs(f - c) for f, c in
                zip(fixed_at_seminar.costs, reference_run.costs, strict=True)]
assert max(seminar_gaps) < 1e-12
print("the seminar's schedule, 5000 epochs at lr 0.1: within 1e-12 at all 5001 epochs")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The shared bias never trains
#
# The seminar's `b = torch.zeros(1)` adds the same number to every logit, and a softmax does not
# change when a constant is added to every logit (lesson 01). So neither cost depends on `b`: its
# gradient is zero in exact arithmetic, and in float64 only rounding is left, below $10^{-15}$.
# The seminar's run ended with `b` still at 0, up to that rounding:

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. For F.cross_entropy the formula shows it: d cost / d b is the mean over
# samples of the sum over classes of (p - y), and each row of p and of y sums to 1. The same
# holds for the double softmax, since its cost is computed from the first softmax.

# %% slideshow={"slide_type": "fragment"}
b_shared = torch.zeros(1, dtype=torch.float64, requires_grad=True)
for where, W_at in {"W = 0": W_zero, "W at the end": W_end}.items():
    z = x_train.matmul(W_at) + b_shared
    twice = F.cross_entropy(F.softmax(z, dim=1), y_train)
    (grad_twice,) = torch.autograd.grad(twice, b_shared, retain_graph=True)
    (grad_once,) = torch.autograd.grad(F.cross_entropy(z, y_train), b_shared)
    assert abs(grad_twice.item()) < 1e-15 and abs(grad_once.item()) < 1e-15
    print(f"{where}: gradient of the shared b below 1e-15 for both costs")
assert abs(b_end.item()) < 1e-15
print("the seminar's run, epoch 5000: b below 1e-15")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### A bias per class
#
# The fix is one bias per class, `torch.zeros(3)`: it shifts the classes *relative to each
# other*. Style 2's loop with that one line changed, at your `nb_epochs` and `lr`:

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. Three numbers instead of one; only their differences matter to the softmax,
# and those do train. Compare the cost with F.cross_entropy's shared-bias run above.

# %% slideshow={"slide_type": "fragment"}
W = torch.zeros((4, 3), dtype=torch.float64, requires_grad=True)
b = torch.zeros(3, dtype=torch.float64, requires_grad=True)  # changed: one bias per class
optimizer = optim.SGD([W, b], lr=lr)
per_class_costs = []
for _ in range(nb_epochs + 1):
    z = x_train.matmul(W) + b
    cost = F.cross_entropy(z, y_train)
    optimizer.zero_grad()
    cost.backward()
    optimizer.step()
    per_class_costs.append(cost.item())
print(f"epoch {nb_epochs}: b = {[round(value, 3) for value in b.tolist()]}, "
      f"cost {per_class_costs[-1]:.6f}")
print(f"shared b, the same schedule:  cost {cross_entropy_run.costs[-1]:.6f}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What gives the `nn.Module` its lead
#
# `nn.Linear(4, 3)` differs from style 2 in two ways: a bias per class, and a random start.
# The three runs at your `nb_epochs` and `lr` separate them: the step from a shared to a
# per-class bias (both from zero), then from zero to the seminar's random start. With the
# seminar's numbers nearly all of the lead comes from the bias per class.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. The module started worse (1.85 against 1.10) and still ends best: not
# because of its random start, but because of its three biases. The cell computes the split
# for whatever numbers are set; with other schedules the shares change.

# %% slideshow={"slide_type": "fragment"}
replay_seminar_draws()  # the nn.Module starts where the seminar's did (lesson 04)
module_run = train_module(SoftmaxClassifierModel().to(torch.float64), x_train, y_train,
                          nb_epochs=nb_epochs, lr=lr, log_every=0)
shared, per_class, module = (cross_entropy_run.costs[-1], per_class_costs[-1],
                             module_run.costs[-1])
print(f"cost at epoch {nb_epochs}: shared b {shared:.6f}, per-class b {per_class:.6f}, "
      f"nn.Module {module:.6f}")
print(f"bias per class: {per_class - shared:+.6f}; random start: {module - per_class:+.6f}")
larger = "the bias per class" if abs(per_class - shared) > abs(module - per_class) else "the start"
print(f"the larger part of the difference: {larger}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Recap
#
# In this lesson we:
#
# - found the seminar's double softmax: every sample's cost lies between
#   $-\log\frac{e}{e+2} \approx 0.551$ (a floor, which the run stays far above) and
#   $-\log\frac{1}{e+2} \approx 1.551$;
# - saw, per sample (`reduction='none'`), the one sample the run gives up on;
# - measured the stall: the gradient is a third of the cross-entropy's at $W = 0$ (the first
#   softmax's Jacobian scales both by a third, and only the log's $\frac{1}{p_y}$ cancels it), and
#   then falls below a hundredth as the first softmax saturates;
# - fixed it by removing one softmax: at `lr = 0.1` the loop follows `F.cross_entropy` within
#   $10^{-12}$;
# - saw the shared bias's gradient vanish, and a bias per class give the `nn.Module` its lead.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. The habit to keep: when a run stalls, look at the per-sample costs and at
# the gradient, not only at the mean cost.


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
# seminar's double-softmax loss with `num_classes` classes: no sample's cost goes below it.

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
