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

# %% slideshow={"slide_type": "subslide"}
import math

import torch
import torch.nn.functional as F
from torch import nn, optim
from torch.utils.data import DataLoader, TensorDataset

from softmax_course.data import load_digits_split, replay_seminar_draws, standardize, toy_data
from softmax_course.models import SoftmaxClassifierModel
from softmax_course.plotting import plot_curves, show

# %% [markdown] slideshow={"slide_type": "notes"}
# Under a minute. `DataLoader` and `TensorDataset` are new; the rest is lesson 08's.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Lesson 08's digits
#
# The same split (stratified, `split_seed` 0) and the same standardising with the
# training split's statistics. This lesson uses the validation split only to show
# the loss module; it chooses nothing, so the test split stays unopened.

# %% [markdown] slideshow={"slide_type": "notes"}
# Under a minute. Nothing new here: lesson 08 explained each line.

# %% slideshow={"slide_type": "fragment"}
split_seed = 0
digits = load_digits_split(test_size=0.2, validation_size=0.2, seed=split_seed)
x_train, x_val = standardize(digits.x_train, digits.x_val)
y_train, y_val = digits.y_train, digits.y_val
num_features, num_classes = x_train.shape[1], int(y_train.max()) + 1
print(f"{len(x_train)} training images, {len(x_val)} validation images, "
      f"{num_features} features, {num_classes} classes")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## A `DataLoader` cuts an epoch into minibatches
#
# With `shuffle=True` every epoch visits every item once, in a new order, `batch_size`
# at a time (the last batch holds what is left). A `torch.Generator` with a fixed seed
# makes the order the same on every run. Ten numbers in batches of 4, for two epochs:

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. Point at the two epochs: the same ten numbers, each once, in another
# order. Without the generator the order would change at every run, and so would every
# number the training prints.

# %% slideshow={"slide_type": "fragment"}
small_loader = DataLoader(torch.arange(10), batch_size=4, shuffle=True,
                          generator=torch.Generator().manual_seed(0))
epochs = [[batch.tolist() for batch in small_loader] for _ in range(2)]
for epoch, batches in enumerate(epochs, start=1):
    print(f"epoch {epoch}: {batches}")
for batches in epochs:
    assert sorted(sum(batches, [])) == list(range(10))  # every item once per epoch
assert epochs[0] != epochs[1]  # a new order each epoch

# %% [markdown] slideshow={"slide_type": "subslide"}
# The training images and their labels travel together in a `TensorDataset`. With
# `batch_size` images per step, one epoch is `len(loader)` steps. The gradient of the
# cost on all images is the average of the minibatches' gradients, each weighted by
# its number of images (asserted): a minibatch's gradient is a cheap, noisy estimate of it.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. The cost is a mean over images, so a sum of minibatch sums is the
# full sum. Each step uses one minibatch's estimate, so an epoch takes many small
# steps where the full-batch loop took one.

# %% slideshow={"slide_type": "fragment"}
batch_size = 64
loader = DataLoader(TensorDataset(x_train, y_train), batch_size=batch_size, shuffle=True,
                    generator=torch.Generator().manual_seed(0))
print(f"{len(loader)} steps per epoch; batch sizes: {[len(y) for _, y in loader]}")
assert len(loader) == math.ceil(len(x_train) / batch_size)

torch.manual_seed(0)
probe = SoftmaxClassifierModel(num_features, num_classes).double()
full_gradient = torch.autograd.grad(F.cross_entropy(probe(x_train), y_train),
                                    probe.linear.weight)[0]
weighted_sum = sum(len(y) * torch.autograd.grad(F.cross_entropy(probe(x), y),
                                                probe.linear.weight)[0] for x, y in loader)
torch.testing.assert_close(weighted_sum / len(x_train), full_gradient)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Minibatch SGD against the full-batch loop
#
# Both runs start from the same weights, at the same `lr`, for `nb_epochs` passes over
# the training images; after each epoch we measure the cost on all of them. The
# minibatch loop is lesson 08's loop with one more `for`.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. Read the two loops side by side: the only change is the inner loop
# over the loader. Each run builds its own generator, so running a cell again repeats
# its numbers.

# %% slideshow={"slide_type": "fragment"}
lr = 0.5
nb_epochs = 20


def new_model():
    torch.manual_seed(0)  # the same initial weights for every run
    return SoftmaxClassifierModel(num_features, num_classes).double()


def training_cost(model):
    with torch.no_grad():
        return F.cross_entropy(model(x_train), y_train).item()


full_model = new_model()
optimizer = optim.SGD(full_model.parameters(), lr=lr)
full_costs = [training_cost(full_model)]
for _ in range(nb_epochs):
    cost = F.cross_entropy(full_model(x_train), y_train)  # one step per epoch
    optimizer.zero_grad()
    cost.backward()
    optimizer.step()
    full_costs.append(training_cost(full_model))

mini_model = new_model()
optimizer = optim.SGD(mini_model.parameters(), lr=lr)
loader = DataLoader(TensorDataset(x_train, y_train), batch_size=batch_size, shuffle=True,
                    generator=torch.Generator().manual_seed(0))
mini_costs = [training_cost(mini_model)]
for _ in range(nb_epochs):
    for x_batch, y_batch in loader:  # len(loader) steps per epoch
        cost = F.cross_entropy(mini_model(x_batch), y_batch)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
    mini_costs.append(training_cost(mini_model))

# %% [markdown] slideshow={"slide_type": "subslide"}
# The same passes over the data, many more steps: the minibatch run's cost is lower
# after every epoch (asserted for the settings above).

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. Both runs computed each image's gradient once per epoch, so the
# work is about the same; the minibatch run turned it into len(loader) steps. Try
# `batch_size = 1077` (one batch, the full-batch loop again) or a smaller `lr`.

# %% slideshow={"slide_type": "fragment"}
every = max(1, nb_epochs // 4)
print(f"{'epoch':>5} {'full batch':>10} {'minibatches':>11}   (training cost)")
for epoch in range(0, nb_epochs + 1, every):
    print(f"{epoch:5d} {full_costs[epoch]:10.4f} {mini_costs[epoch]:11.4f}")
print(f"steps: {nb_epochs} full-batch, {nb_epochs * len(loader)} minibatch")
if len(loader) > 1:
    assert all(mini < full for mini, full in zip(mini_costs[1:], full_costs[1:], strict=True))
    shown = "the minibatch curve lies below the full-batch curve after every epoch"
else:
    shown = "one minibatch holds every image, so the two curves coincide"
show(plot_curves(range(nb_epochs + 1),
                 {"full batch": full_costs, f"minibatches of {batch_size}": mini_costs},
                 "Training cost after each epoch", "epoch", "cost on all training images",
                 log_y=True, legend_loc="outside"),
     alt="Training cost against epochs, on a log scale, for the full-batch loop and for "
         f"minibatch SGD from the same start: {shown}.")

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
# An image's cost is now smallest at $p = q$, where it is the entropy of $q$, above 0;
# logits that grow towards one-hot make it rise again (both asserted for one image).

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. Show the target row on the board for C = 10 and ε = 0.1: 0.91 for
# the true class, 0.01 for the others. The smoothed cost is far larger here: the model
# gives most wrong classes much less than 0.01, and each costs -ln of its probability.

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
# A linear model that classifies every training image right exists (the run below finds
# one). Multiply its logits by $c > 1$: every image's true class gains on the others, so
# the cost falls, towards 0, and never reaches it (asserted for $c$ = 1, 2, 4, 8). No
# finite $W$ is a minimum, so gradient descent keeps growing $W$: its norm rises at
# every epoch (asserted).

# %% [markdown] slideshow={"slide_type": "notes"}
# About 3 minutes. A full-batch run at `lr_long` (the cost falls at every epoch,
# asserted: no oscillation) for many epochs. The confidence that grows with the norm
# is the topic of lesson 10.

# %% slideshow={"slide_type": "fragment"}
lr_long = 2.0
nb_epochs_long = 600


def train_full_batch(weight_decay):
    model = new_model()
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
with torch.no_grad():
    z_train = plain(x_train)
correct = int((z_train.argmax(dim=1) == y_train).sum())
print(f"correct training images: {correct} of {len(y_train)}")
assert correct == len(y_train), "this run separates no longer: give it more epochs"
scaled = {c: F.cross_entropy(c * z_train, y_train).item() for c in (1, 2, 4, 8)}
print("cost with the logits times c:", ", ".join(f"c = {c}: {v:.2e}" for c, v in scaled.items()))
assert (torch.tensor(list(scaled.values())).diff() < 0).all() and scaled[8] > 0
assert (torch.tensor(plain_costs).diff() < 0).all()  # the cost falls at every epoch
assert (torch.tensor(plain_norms).diff() > 0).all()  # ||W|| rises at every epoch

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Weight decay bounds it
#
# `optim.SGD(..., weight_decay=λ)` adds $\lambda\theta$ to the gradient of every
# parameter $\theta$ (the bias too): it minimises $\text{cost} + \frac{\lambda}{2}\|\theta\|^2$,
# which does have a minimum, where $\nabla\,\text{cost} = -\lambda\theta$ (reached,
# asserted). Measured: without decay $\|W\|$ keeps rising; with it, $\|W\|$ levels off.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 3 minutes. Read the table down each column, then the figure on its log axis:
# the plain run is still climbing at epoch 600, the decayed one has been flat since
# about epoch 100. The price: a few training images it no longer fits, printed below.

# %% slideshow={"slide_type": "fragment"}
weight_decay = 0.01
decayed, _, decayed_norms = train_full_batch(weight_decay)
gradients = torch.autograd.grad(F.cross_entropy(decayed(x_train), y_train),
                                list(decayed.parameters()))
residual = max((g + weight_decay * p).abs().max().item()
               for g, p in zip(gradients, decayed.parameters(), strict=True))
assert residual < 1e-6  # the gradient of cost + (λ/2)||θ||² is 0 here
half = nb_epochs_long // 2
assert abs(decayed_norms[-1] - decayed_norms[99]) < 0.01 * decayed_norms[-1]  # level from epoch 100
assert abs(decayed_norms[-1] - decayed_norms[half - 1]) < 1e-3 * decayed_norms[-1]
assert plain_norms[-1] - plain_norms[half - 1] > 0.1 * plain_norms[-1]
print(f"{'epoch':>5} {'||W||, no decay':>16} {f'||W||, decay {weight_decay:g}':>18}")
for epoch in (1, 10, 100, half, nb_epochs_long):
    print(f"{epoch:5d} {plain_norms[epoch - 1]:16.3f} {decayed_norms[epoch - 1]:18.3f}")
for name, model in {"no decay": plain, f"decay {weight_decay:g}": decayed}.items():
    with torch.no_grad():
        counts = [int((model(x).argmax(dim=1) == y).sum()) for x, y in
                  ((x_train, y_train), (x_val, y_val))]
    print(f"{name:>10}: {counts[0]} of {len(y_train)} training, "
          f"{counts[1]} of {len(y_val)} validation images correct")
show(plot_curves(range(1, nb_epochs_long + 1),
                 {"no weight decay": plain_norms, f"weight_decay = {weight_decay:g}": decayed_norms},
                 "||W|| after each epoch", "epoch (log scale)", "||W||",
                 log_x=True, legend_loc="outside"),
     alt="The norm of W against epochs on a logarithmic epoch axis: without weight decay it "
         "rises at every epoch and is still rising at the last one; with weight decay it "
         "rises at first, then stays level from about epoch 100.")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The last layer initialised small: a first cost of $\ln C$
#
# `nn.Linear`'s random start gives random, unequal logits, and the first cost lies above
# $\ln C$, the cost of $C$ equally likely classes (asserted for both data sets below):
# lesson 04's model started at 1.85 against $\ln 3 \approx 1.10$. Scaling the last layer's initial weights down by
# `init_scale` (and its bias to 0) puts every logit near 0 and the first cost at
# $\ln C$ (within 0.001, asserted, for the seminar's data and for the digits).

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. The check from lesson 04, now with its fix. Many practitioners
# start the last layer this way, so that the first epochs are not spent undoing a
# confident, random start; on the digits the small start's cost stays below the
# default start's at every one of the `nb_epochs` epochs (asserted).

# %% slideshow={"slide_type": "fragment"}
init_scale = 0.001


def start_small(model):
    with torch.no_grad():
        model.linear.weight.mul_(init_scale)
        model.linear.bias.zero_()
    return model


x_seminar, y_seminar = toy_data()
replay_seminar_draws()  # lesson 04's initial weights
seminar_default = F.cross_entropy(SoftmaxClassifierModel().double()(x_seminar), y_seminar).item()
replay_seminar_draws()
seminar_small = F.cross_entropy(start_small(SoftmaxClassifierModel().double())(x_seminar),
                                y_seminar).item()
print(f"seminar: first cost {seminar_default:.6f} (default), {seminar_small:.6f} (small); "
      f"ln 3 = {math.log(3):.6f}")
assert abs(seminar_small - math.log(3)) < 1e-3 < seminar_default - math.log(3)

digits_costs = {}
for start, model in {"default": new_model(), "small": start_small(new_model())}.items():
    optimizer = optim.SGD(model.parameters(), lr=lr)
    digits_costs[start] = []
    for _ in range(nb_epochs + 1):  # lesson 08's full-batch loop
        cost = F.cross_entropy(model(x_train), y_train)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        digits_costs[start].append(cost.item())
default, small = digits_costs["default"], digits_costs["small"]
print(f" digits: first cost {default[0]:.6f} (default), {small[0]:.6f} (small); "
      f"ln {num_classes} = {math.log(num_classes):.6f}")
print(f"         at epoch {nb_epochs}: {default[-1]:.4f} (default), {small[-1]:.4f} (small)")
assert abs(small[0] - math.log(num_classes)) < 1e-3 < default[0] - math.log(num_classes)
assert all(s < d for s, d in zip(small, default, strict=True))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Recap
#
# In this lesson we:
#
# - cut each epoch into shuffled minibatches with a seeded `DataLoader`; their size-weighted gradients average to the full gradient, and minibatch SGD reached a lower cost than the full-batch loop after every epoch;
# - used `nn.CrossEntropyLoss` and matched `reduction`, `weight` (divided by the total weight), `ignore_index` and `label_smoothing` with computations by hand;
# - saw that on separable data scaling the logits up always lowers the cost, so $\|W\|$ grows at every epoch, and that weight decay gives the cost a minimum where $\|W\|$ levels off;
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
