# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
#   seminar:
#     nav_order: 9
#     title: 09 Minibatches, the loss module and weight decay
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 09 · Minibatches, the loss module and weight decay
#
# In this lesson we will:
#
# - feed lesson 08's digits to the model in shuffled minibatches with a `DataLoader`, and compare minibatch SGD with the full-batch loop;
# - use the loss as a module, `nn.CrossEntropyLoss`, and check its options `weight`, `ignore_index` and `label_smoothing` against computations by hand;
# - see why cross-entropy on data that a linear model separates drives $\|W\|$ up without bound, and measure what weight decay does about it;
# - initialise the last layer small, so that the first cost is $\ln C$ (the fix for lesson 04's start at 1.85).

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. Lesson 08 computed every gradient on all 1077 training images at
# once. Practice cuts the data into minibatches, uses the loss as a module, and adds a
# little weight decay: three habits, each measured here on the same digits.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Lesson 08's digits
#
# The same split (stratified, `split_seed` 0) and the same standardising with the
# training split's statistics. The validation split only shows the loss module and the
# accuracy below; it chooses nothing, so the test split stays unopened.

# %% [markdown] slideshow={"slide_type": "notes"}
# Under a minute. `DataLoader` and `TensorDataset` are the new imports; lesson 08
# explained every other line.

# %% slideshow={"slide_type": "fragment"}
import math

import torch
import torch.nn.functional as F
from torch import nn, optim
from torch.utils.data import DataLoader, TensorDataset

from softmax_course.data import load_digits_split, replay_seminar_draws, standardize, toy_data
from softmax_course.models import SoftmaxClassifierModel
from softmax_course.plotting import plot_curves, show

# %% slideshow={"slide_type": "fragment"}
split_seed = 0
digits = load_digits_split(test_size=0.2, validation_size=0.2, seed=split_seed)
x_train, x_val = standardize(digits.x_train, digits.x_val)
y_train, y_val = digits.y_train, digits.y_val
num_features, num_classes = x_train.shape[1], int(y_train.max()) + 1
print(f"{len(x_train)} training images, {len(x_val)} validation images")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## A `DataLoader` cuts an epoch into minibatches
#
# With `shuffle=True` every epoch visits every item once, in a new order, `batch_size` at a
# time; the last batch holds what is left. A seeded `torch.Generator` makes the order the
# same on every run. Ten numbers in batches of 4, then the training images with their
# labels (a `TensorDataset`): one step per minibatch, `len(loader)` steps per epoch.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. Point at the two epochs: the same ten numbers, each once, in another
# order. Without the generator the order would change at every run, and so would every
# number the training prints. The cost is a mean over images, so a minibatch's gradient
# is a cheap, noisy estimate of the full one.

# %% slideshow={"slide_type": "fragment"}
small_loader = DataLoader(torch.arange(10), batch_size=4, shuffle=True,
                          generator=torch.Generator().manual_seed(0))
epochs = [[batch.tolist() for batch in small_loader] for _ in range(2)]
for epoch, batches in enumerate(epochs, start=1):
    print(f"epoch {epoch}: {batches}")
    assert sorted(sum(batches, [])) == list(range(10))  # every item once per epoch
assert epochs[0] != epochs[1]  # a new order each epoch

batch_size = 64
loader = DataLoader(TensorDataset(x_train, y_train), batch_size=batch_size, shuffle=True,
                    generator=torch.Generator().manual_seed(0))
print(f"{len(loader)} steps per epoch; batch sizes: {[len(y) for _, y in loader]}")
assert len(loader) == math.ceil(len(x_train) / batch_size)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Minibatch SGD against the full-batch loop
#
# Lesson 08's loop with one more `for`, over the loader; a batch of all 1077 images is the
# full-batch loop. Same start, same `lr`; after each epoch, the cost on all images.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. Point at the inner loop: that is the only change. Each run builds its
# own generator, so running the cell again repeats its numbers.

# %% slideshow={"slide_type": "fragment"}
lr = 0.5
nb_epochs = 20


def train_in_batches(size):
    torch.manual_seed(0)  # the same initial weights for every run
    model = SoftmaxClassifierModel(num_features, num_classes).double()
    optimizer = optim.SGD(model.parameters(), lr=lr)
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=size, shuffle=True,
                        generator=torch.Generator().manual_seed(0))
    costs = [F.cross_entropy(model(x_train), y_train).item()]
    for _ in range(nb_epochs):
        for x_batch, y_batch in loader:  # len(loader) steps per epoch
            cost = F.cross_entropy(model(x_batch), y_batch)
            optimizer.zero_grad()
            cost.backward()
            optimizer.step()
        costs.append(F.cross_entropy(model(x_train), y_train).item())
    return model, costs

_, full_costs = train_in_batches(len(x_train))
mini_model, mini_costs = train_in_batches(batch_size)

# %% [markdown] slideshow={"slide_type": "subslide"}
# The same passes over the data, more steps: a lower cost after every epoch (asserted).

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. Both runs computed each image's gradient once per epoch, so the
# work is about the same; the minibatch run turned it into len(loader) steps. Try
# `batch_size = 1077` (one batch, the full-batch loop again) or a smaller `lr`.

# %% slideshow={"slide_type": "fragment"}
print(f"cost after {nb_epochs} epochs: {full_costs[-1]:.4f} full batch ({nb_epochs} steps), "
      f"{mini_costs[-1]:.4f} in minibatches ({nb_epochs * len(loader)} steps)")
below = all(mini < full for mini, full in zip(mini_costs[1:], full_costs[1:], strict=True))
assert below or len(loader) == 1  # a single minibatch is the full batch
shown = "after every epoch the minibatch curve lies below" if below else "the curves coincide"
show(plot_curves(range(nb_epochs + 1), {"full batch": full_costs, "minibatches": mini_costs},
                 "Cost after each epoch", "epoch", "cost", log_y=True, legend_loc="outside"),
     alt=f"Training cost against epochs on a log scale, full batch and minibatches: {shown}.")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The loss as a module: `nn.CrossEntropyLoss`
#
# `nn.CrossEntropyLoss()` is `F.cross_entropy` packed as an object that holds its
# options, as `nn.Linear` holds its weights. With `reduction="none"` it returns each
# image's $-\ln p_{\text{true class}}$, the row of `log_softmax` picked by the label;
# the default `"mean"` averages them and `"sum"` adds them (all asserted), here on the
# minibatch model's validation logits.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. Build the loss once, call it like a function. `nll` below is the
# hand computation that the options are checked against.

# %% slideshow={"slide_type": "fragment"}
with torch.no_grad():
    z = mini_model(x_val)
log_probs = z.log_softmax(dim=1)
nll = -log_probs[torch.arange(len(y_val)), y_val]  # each image's -ln p(true class)
loss_fn = nn.CrossEntropyLoss()
val_cost = loss_fn(z, y_val)
torch.testing.assert_close(val_cost, F.cross_entropy(z, y_val))
torch.testing.assert_close(nn.CrossEntropyLoss(reduction="none")(z, y_val), nll)
torch.testing.assert_close(val_cost, nll.mean())
torch.testing.assert_close(nn.CrossEntropyLoss(reduction="sum")(z, y_val), nll.sum())
print(f"validation cost: {val_cost.item():.4f}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### `weight` and `ignore_index`
#
# `weight` gives each class a weight (here a mistake on an 8 costs five times as
# much): the mean becomes a weighted mean, divided by the *total weight* of the images'
# classes, not by their number. `ignore_index` names a label value that costs nothing
# (an image without a label; the default is $-100$): the mean runs over the other images.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. The denominator surprises people: with weights it is the sum of the
# weights, so the cost stays a mean and does not grow with the weights' scale. The
# second assert shows that dividing by the count would give another number.

# %% slideshow={"slide_type": "fragment"}
class_weight = torch.ones(num_classes, dtype=torch.float64)
class_weight[8] = 5.0
weighted = nn.CrossEntropyLoss(weight=class_weight)(z, y_val)
w = class_weight[y_val]  # each image's weight, the weight of its class
torch.testing.assert_close(weighted, (w * nll).sum() / w.sum())
assert abs(weighted - (w * nll).mean()) > 1e-3  # not divided by the number of images

y_missing = y_val.clone()
y_missing[::4] = -100  # every fourth label unknown
ignoring = nn.CrossEntropyLoss(ignore_index=-100)(z, y_missing)
torch.testing.assert_close(ignoring, nll[y_missing != -100].mean())
print(f"weight (8s count 5 times): {weighted.item():.4f}")
print(f"ignore_index ({int((y_missing == -100).sum())} labels unknown): {ignoring.item():.4f}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### `label_smoothing`
#
# With `label_smoothing=ε` the target is no longer one-hot: the true class gets
# $1 - \varepsilon + \frac{\varepsilon}{C}$ and every other class $\frac{\varepsilon}{C}$,
# and the cost is the cross-entropy $-\sum_k q_k \ln p_k$ with that target $q$ (asserted).
# An image's cost is now smallest at $p = q$ (Gibbs' inequality), where it is the entropy
# of $q$, above 0; for one image, logits that grow towards one-hot cost more (asserted).

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. Show the target row on the board for C = 10 and ε = 0.1: 0.91 for
# the true class, 0.01 for the others. The smoothed cost is far larger here: the model
# gives most wrong classes much less than 0.01, and each costs ε/C times -ln of its probability.

# %% slideshow={"slide_type": "fragment"}
epsilon = 0.1
smoothed = nn.CrossEntropyLoss(label_smoothing=epsilon)(z, y_val)
target = (1 - epsilon) * F.one_hot(y_val, num_classes).double() + epsilon / num_classes
torch.testing.assert_close(target.sum(dim=1), torch.ones(len(y_val), dtype=torch.float64))
torch.testing.assert_close(smoothed, -(target * log_probs).sum(dim=1).mean())
q, y_0 = target[:1], F.one_hot(y_val[:1], num_classes).double()  # the first image
at_q = -(q * q.log()).sum()  # its cost when p = q
sharper = [-(q * F.log_softmax(c * y_0, dim=1)).sum() for c in (10.0, 20.0, 40.0)]
assert 0 < at_q < sharper[0] < sharper[1] < sharper[2]
print(f"label_smoothing = {epsilon}: {smoothed.item():.4f} (without: {val_cost.item():.4f})")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## On separable data, $\|W\|$ grows without bound
#
# A full-batch run for `nb_epochs_long` epochs at `lr_long`: its cost falls at every epoch
# (no oscillation) and $\|W\|$ rises at every epoch (both asserted). The next slide says why.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. The function is the loop of lesson 08 with the norm of W recorded after
# each step; `weight_decay` is for the slide after next.

# %% slideshow={"slide_type": "fragment"}
lr_long, nb_epochs_long = 2.0, 600


def train_full_batch(weight_decay):
    torch.manual_seed(0)  # the start of the runs above
    model = SoftmaxClassifierModel(num_features, num_classes).double()
    optimizer = optim.SGD(model.parameters(), lr=lr_long, weight_decay=weight_decay)
    costs, norms = [], []
    for _ in range(nb_epochs_long):
        cost = F.cross_entropy(model(x_train), y_train)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        costs.append(cost.item())
        norms.append(model.linear.weight.detach().norm().item())  # ||W|| after the step
    return model, costs, norms


plain, plain_costs, plain_norms = train_full_batch(weight_decay=0.0)
assert (torch.tensor(plain_costs).diff() < 0).all() and (torch.tensor(plain_norms).diff() > 0).all()

# %% [markdown] slideshow={"slide_type": "subslide"}
# The run classifies every training image right (asserted). Multiply its logits by $c > 1$:
# the cost falls towards 0 (asserted for $c$ = 1, 2, 4, 8). No finite $W$ is a minimum:
# the cost only falls as $\|W\|$ grows, and in this run $\|W\|$ grew at every epoch.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. Scaling the logits by c is scaling W and b by c: every image's true
# class gains on the others. The confidence that grows with the norm is lesson 10's topic.

# %% slideshow={"slide_type": "fragment"}
z_train = plain(x_train).detach()
assert (z_train.argmax(dim=1) == y_train).all(), "not separated yet: train for more epochs"
scaled = [F.cross_entropy(c * z_train, y_train).item() for c in (1, 2, 4, 8)]
print("cost with the logits times c = 1, 2, 4, 8:", ", ".join(f"{v:.2e}" for v in scaled))
assert (torch.tensor(scaled).diff() < 0).all() and scaled[-1] > 0

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Weight decay bounds it
#
# `optim.SGD(..., weight_decay=λ)` adds $\lambda\theta$ to the gradient of every parameter
# $\theta$ (the bias too): it minimises $\text{cost} + \frac{\lambda}{2}\|\theta\|^2$, which
# has a minimum, where $\nabla\text{cost} = -\lambda\theta$ (reached, asserted).

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. Read the table down each column: the plain run is still climbing at the
# last epoch, the decayed one is level from about epoch 100 (both asserted).

# %% slideshow={"slide_type": "fragment"}
weight_decay = 0.01
decayed, _, decayed_norms = train_full_batch(weight_decay)
gradients = torch.autograd.grad(F.cross_entropy(decayed(x_train), y_train),
                                list(decayed.parameters()))
assert max((g + weight_decay * p).abs().max().item()
           for g, p in zip(gradients, decayed.parameters(), strict=True)) < 1e-6
half = nb_epochs_long // 2
assert abs(decayed_norms[-1] - decayed_norms[99]) < 0.01 * decayed_norms[-1]
assert abs(decayed_norms[-1] - decayed_norms[half - 1]) < 1e-3 * decayed_norms[-1]
assert plain_norms[-1] - plain_norms[half - 1] > 0.1 * plain_norms[-1]
print(f"{'epoch':>5} {'||W||, no decay':>16} {f'||W||, decay {weight_decay:g}':>18}")
for epoch in (1, 10, 100, half, nb_epochs_long):
    print(f"{epoch:5d} {plain_norms[epoch - 1]:16.3f} {decayed_norms[epoch - 1]:18.3f}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# The norms as curves, and what the bound costs: a few training images.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. On the log axis the plain run keeps climbing; the decayed one is flat.
# The price here: a few training images it no longer fits, and no validation image gained.

# %% slideshow={"slide_type": "fragment"}
for name, model in {"no decay": plain, "decay": decayed}.items():
    print(f"{name:>8}: {int((model(x_train).argmax(1) == y_train).sum())} training, "
          f"{int((model(x_val).argmax(1) == y_val).sum())} validation images right")
show(plot_curves(range(1, nb_epochs_long + 1), {"no decay": plain_norms, "decay": decayed_norms},
                 "||W|| after each epoch", "epoch (log scale)", "||W||", log_x=True,
                 legend_loc="outside"),
     alt="The norm of W against epochs on a logarithmic epoch axis: without weight decay it "
         "rises at every epoch and is still rising at the last one; with weight decay it "
         "rises at first, then stays level from about epoch 100.")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The last layer initialised small: a first cost of $\ln C$
#
# Lesson 04's random start cost 1.85, above $\ln 3 \approx 1.10$, the cost of three equally
# likely classes. Scaling the last layer's weights by `init_scale` (its bias to 0) starts
# every logit below 0.05 in size, and the cost within 0.001 of $\ln C$ (both asserted).

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. The check from lesson 04, now with its fix. Many practitioners start the
# last layer this way, so that the first epochs are not spent undoing a confident, random
# start.

# %% slideshow={"slide_type": "fragment"}
init_scale = 0.001


def start_small(model):
    with torch.no_grad():
        model.linear.weight.mul_(init_scale)
        model.linear.bias.zero_()
    return model

x_seminar, y_seminar = toy_data()
replay_seminar_draws()  # lesson 04's initial weights
default = F.cross_entropy(SoftmaxClassifierModel().double()(x_seminar), y_seminar).item()
replay_seminar_draws()  # the same weights, made small
small_logits = start_small(SoftmaxClassifierModel().double())(x_seminar)
small = F.cross_entropy(small_logits, y_seminar).item()
print(f"seminar: first cost {default:.6f} (default), {small:.6f} (small); "
      f"ln 3 = {math.log(3):.6f}")
assert abs(small - math.log(3)) < 1e-3 < default - math.log(3) and small_logits.abs().max() < 0.05

# %% [markdown] slideshow={"slide_type": "subslide"}
# The same on the digits, from the start of every run above: ten classes, $\ln 10$.

# %% [markdown] slideshow={"slide_type": "notes"}
# Under a minute. On standardised pixels the default start is closer to ln 10 than the
# seminar's was to ln 3, but still above it (asserted).

# %% slideshow={"slide_type": "fragment"}
torch.manual_seed(0)
default = F.cross_entropy(SoftmaxClassifierModel(num_features, num_classes).double()(x_train),
                          y_train).item()
torch.manual_seed(0)
small = F.cross_entropy(start_small(SoftmaxClassifierModel(num_features, num_classes).double())(
    x_train), y_train).item()
print(f" digits: first cost {default:.6f} (default), {small:.6f} (small); "
      f"ln 10 = {math.log(num_classes):.6f}")
assert abs(small - math.log(num_classes)) < 1e-3 < default - math.log(num_classes)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Recap
#
# In this lesson we:
#
# - cut each epoch into shuffled minibatches with a seeded `DataLoader`; with the same passes over the data and the settings above, minibatch SGD reached a lower cost than the full-batch loop after every epoch;
# - used `nn.CrossEntropyLoss` and matched `reduction`, `weight` (divided by the total weight), `ignore_index` and `label_smoothing` with computations by hand;
# - saw that on separable data scaling the logits up lowers the cost, so $\|W\|$ grew at every epoch, and that weight decay gives the cost a minimum, where $\|W\|$ levelled off;
# - initialised the last layer small, which starts the cost at $\ln C$.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. Lesson 10 asks what the growing confidence means: whether a model
# that says "90 %" is right 90 % of the time.

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Exercises
#
# **Exercise 1: predict, then run.** With `batch_size = 100`, how many steps
# does one epoch over the 1077 training images take? Write your answer in place
# of the `...`, then run the cell after it.

# %% slideshow={"slide_type": "skip"}
from softmax_course.exercises import (
    check_label_smoothing_cross_entropy,
    check_sgd_step,
    reveal_prediction,
)

steps_prediction = ...

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
steps_prediction = 11  # ten minibatches of 100 images and a last one of 77

# %% slideshow={"slide_type": "skip"} tags=["check"]
reveal_prediction(steps_prediction,
                  float(len(DataLoader(TensorDataset(x_train, y_train), batch_size=100))))

# %% [markdown] slideshow={"slide_type": "skip"}
# In the next exercises, each check cell tests your function on several cases
# and prints ✓, or the first failing case with a hint.
#
# **Exercise 2.** Write `my_sgd_step(w, grad, lr, weight_decay)`: the weights
# that one step of `optim.SGD(..., lr=lr, weight_decay=weight_decay)` leaves,
# from weights `w` whose gradient is `grad`, by hand (no `torch.optim`).

# %% slideshow={"slide_type": "skip"}
def my_sgd_step(w, grad, lr, weight_decay):
    # Your code here.
    raise NotImplementedError


# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
def my_sgd_step(w, grad, lr, weight_decay):
    return w - lr * (grad + weight_decay * w)


# %% slideshow={"slide_type": "skip"} tags=["check"]
check_sgd_step(my_sgd_step)


# %% [markdown] slideshow={"slide_type": "skip"}
# **Exercise 3.** Write `my_label_smoothing_cross_entropy(z, y, epsilon)`: the
# cost `nn.CrossEntropyLoss(label_smoothing=epsilon)` gives for logits `z` and
# labels `y`, without `F.cross_entropy` or `F.nll_loss`.

# %% slideshow={"slide_type": "skip"}
def my_label_smoothing_cross_entropy(z, y, epsilon):
    # Your code here.
    raise NotImplementedError


# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
def my_label_smoothing_cross_entropy(z, y, epsilon):
    classes = z.shape[1]
    smoothed = (1 - epsilon) * F.one_hot(y, classes).to(z.dtype) + epsilon / classes
    return -(smoothed * F.log_softmax(z, dim=1)).sum(dim=1).mean()


# %% slideshow={"slide_type": "skip"} tags=["check"]
check_label_smoothing_cross_entropy(my_label_smoothing_cross_entropy)
