# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
#   seminar:
#     nav_order: 10
#     title: 10 Calibration, is 90 % sure right 90 % of the time?
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 10 · Calibration: is "90 % sure" right 90 % of the time?
#
# In this lesson we will:
#
# - read a digits model's largest probability as its *confidence*, and ask whether the images it is 90 % sure of are right 90 % of the time;
# - draw a reliability diagram and compute the expected calibration error (ECE) on the validation split;
# - fit a temperature on the validation split (lesson 01's temperature, now with a use), then measure the test split once;
# - measure top-k accuracy: how often the true digit is among the k most probable.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. Accuracy says how often the first guess is right; calibration says
# whether the probabilities can be taken at their word. A doctor, a spam filter or a
# self-driving car acts on "how sure", not only on "which class".

# %% slideshow={"slide_type": "subslide"}
import math

import torch
import torch.nn.functional as F
from torch import optim

from softmax_course.data import load_digits_split, standardize
from softmax_course.models import SoftmaxClassifierModel
from softmax_course.plotting import plot_curves, plot_reliability, show

# %% [markdown] slideshow={"slide_type": "notes"}
# Under a minute. `plot_reliability` draws the diagram from a table this lesson computes.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## A model to judge
#
# Lesson 08's digits and its full-batch loop, `nb_epochs` epochs at `lr`. The calibration
# steps look at the validation logits `z_val` only; the test logits wait for the end.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. A short run on purpose: the notes of the temperature slide ask you to
# train longer and compare.

# %% slideshow={"slide_type": "fragment"}
digits = load_digits_split(test_size=0.2, validation_size=0.2, seed=0)
x_train, x_val = standardize(digits.x_train, digits.x_val)
_, x_test = standardize(digits.x_train, digits.x_test)
y_train, y_val, y_test = digits.y_train, digits.y_val, digits.y_test
num_features, num_classes = x_train.shape[1], int(y_train.max()) + 1

lr = 0.5
nb_epochs = 100
torch.manual_seed(0)
model = SoftmaxClassifierModel(num_features, num_classes).double()
optimizer = optim.SGD(model.parameters(), lr=lr)
for _ in range(nb_epochs):
    cost = F.cross_entropy(model(x_train), y_train)
    optimizer.zero_grad()
    cost.backward()
    optimizer.step()
with torch.no_grad():
    z_val, z_test = model(x_val), model(x_test)
val_accuracy = (z_val.argmax(dim=1) == y_val).double().mean().item()
print(f"validation accuracy after {nb_epochs} epochs: {val_accuracy:.3f}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Confidence
#
# The model's *confidence* in an image is its largest probability, the one of the
# class it predicts. Over many images, a calibrated model that says 0.9 is right 9
# times in 10: its mean confidence matches its accuracy. We look at the images it is
# "about 90 % sure" of, confidence in (0.85, 0.95], and at all of them.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. Ask first: should the mean confidence equal the accuracy? Then read
# the two lines; the word at the end of each is computed from the two numbers before it.

# %% slideshow={"slide_type": "fragment"}
probs_val = F.softmax(z_val, dim=1)
confidence, predicted = probs_val.max(dim=1)
correct = (predicted == y_val).double()


def verdict(mean_confidence, accuracy):
    return "under-confident" if mean_confidence < accuracy else "over-confident"


about_90 = (confidence > 0.85) & (confidence <= 0.95)
for name, chosen in [("about 90 % sure", about_90), ("all images", torch.ones_like(about_90))]:
    mean_confidence, accuracy = confidence[chosen].mean().item(), correct[chosen].mean().item()
    print(f"{name:>16}: {int(chosen.sum()):3d} images, mean confidence {mean_confidence:.3f}, "
          f"right {accuracy:.3f}: {verdict(mean_confidence, accuracy)}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## A reliability diagram
#
# Cut the confidences into `num_bins` equal bins, $(0, 0.1], (0.1, 0.2], \dots$; in each
# bin compare the accuracy with the mean confidence. With $C = 10$ classes the
# confidence is at least $\frac{1}{10}$ (equal to it only when all ten probabilities
# are equal), so the first bin is empty here (asserted).

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. `bucketize` gives each image its bin; `bincount` with weights sums
# per bin. Empty bins divide 0 by 0 and show nan, which the figure leaves out. No
# confidence lies within 1e-9 of an inner edge (asserted), so rounding cannot move an
# image from one bin to the next.

# %% slideshow={"slide_type": "fragment"}
num_bins = 10
edges = torch.linspace(0, 1, num_bins + 1, dtype=torch.float64)


def reliability_table(probs, y):
    """Per bin: the number of images, their mean confidence, their accuracy."""
    confidence, predicted = probs.max(dim=1)
    assert (confidence[:, None] - edges[1:-1]).abs().min() > 1e-9  # none on an inner edge
    in_bin = torch.bucketize(confidence, edges[1:-1])  # bin b: edges[b] < confidence <= edges[b+1]
    counts = torch.bincount(in_bin, minlength=num_bins)
    confidence_sum = torch.bincount(in_bin, weights=confidence, minlength=num_bins)
    correct_sum = torch.bincount(in_bin, weights=(predicted == y).double(), minlength=num_bins)
    return counts, confidence_sum / counts, correct_sum / counts


counts, bin_confidence, bin_accuracy = reliability_table(probs_val, y_val)
assert int(counts.sum()) == len(y_val) and counts[0] == 0

# %% [markdown] slideshow={"slide_type": "subslide"}
# The table, bin by bin (empty bins left out):

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. Read one row aloud: in that bin, the model said about this much and was
# right this often. Then compare the last two columns row by row.

# %% slideshow={"slide_type": "fragment"}
print(f"{'bin':>11} {'images':>6} {'confidence':>10} {'accuracy':>8}")
for b in range(num_bins):
    if counts[b] > 0:
        print(f"({edges[b]:.1f}, {edges[b + 1]:.1f}] {int(counts[b]):6d} "
              f"{bin_confidence[b]:10.3f} {bin_accuracy[b]:8.3f}")


def describe(counts, bin_confidence, bin_accuracy):
    """The alt text's account of a diagram, counted from its table."""
    filled = counts > 0
    above = int((bin_accuracy[filled] > bin_confidence[filled]).sum())
    return (f"{above} of {int(filled.sum())} markers lie above the dashed diagonal; the last "
            f"bin holds {int(counts[-1])} of {int(counts.sum())} images")


# %% [markdown] slideshow={"slide_type": "subslide"}
# The table as a figure: a marker above the diagonal is a bin where the model is right
# more often than it says.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. Read the counts above the bars before the heights: most images sit in
# the last bin, and a bar of a handful of images moves a lot with one image.

# %% slideshow={"slide_type": "fragment"}
show(plot_reliability(edges, counts, bin_confidence, bin_accuracy,
                      "Reliability diagram, validation split"),
     alt="A reliability diagram of the validation split: one bar per confidence bin with the "
         "bin's accuracy, its image count above it, and a marker at the bin's mean "
         f"confidence; {describe(counts, bin_confidence, bin_accuracy)}.")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The expected calibration error
#
# One number for the diagram: the gap between accuracy and mean confidence in each bin,
# weighted by the bin's share of the images,
# $$\text{ECE} = \sum_b \frac{n_b}{N}\,\bigl|\text{acc}_b - \text{conf}_b\bigr|.$$
# 0 is calibrated. Since $n_b\,\text{acc}_b$ and $n_b\,\text{conf}_b$ are sums over the
# bin's images, the same number comes from summing each image's (right − confidence)
# within its bin (asserted).

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. The ECE depends on the bins: more bins, fewer images each, a noisier
# number. Quote it with its number of bins.

# %% slideshow={"slide_type": "fragment"}
def expected_calibration_error(probs, y):
    counts, bin_confidence, bin_accuracy = reliability_table(probs, y)
    filled = counts > 0
    share = counts[filled].double() / len(y)
    return (share * (bin_accuracy[filled] - bin_confidence[filled]).abs()).sum().item()


ece_val = expected_calibration_error(probs_val, y_val)
gaps = torch.zeros(num_bins, dtype=torch.float64).index_add_(
    0, torch.bucketize(confidence, edges[1:-1]), correct - confidence)
assert math.isclose(ece_val, gaps.abs().sum().item() / len(y_val), rel_tol=1e-12)
print(f"ECE on the validation split ({num_bins} bins): {ece_val:.3f}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Temperature scaling
#
# Lesson 01's $T$, fitted: L-BFGS takes $\ln T$ to the smallest validation cost (asserted).

# %% [markdown] slideshow={"slide_type": "notes"}
# About 3 minutes. The cost of z_val / T over T; optimising ln T keeps T positive, and
# L-BFGS suits a few parameters and a full batch. T < 1 sharpens the probabilities, T > 1
# flattens them (lesson 01); the word after T says which. Only the validation split fits
# T: the training images are the ones the model was fitted to, so a T fitted there would
# match its confidence to seen images. Then try `nb_epochs = 2000` at the top and run
# again: does the longer run's model grow more confident, and its fitted T pass 1?

# %% slideshow={"slide_type": "fragment"}
log_T = torch.zeros((), dtype=torch.float64, requires_grad=True)  # T = 1 to start
fit = optim.LBFGS([log_T], max_iter=100, tolerance_grad=1e-10, tolerance_change=1e-14,
                  line_search_fn="strong_wolfe")


def validation_cost():
    fit.zero_grad()
    cost = F.cross_entropy(z_val / log_T.exp(), y_val)
    cost.backward()
    return cost

fit.step(validation_cost)
T = log_T.exp().item()
validation_cost()  # its gradient at the fitted T
assert abs(log_T.grad.item()) < 1e-8  # a stationary point of the validation cost

def cost_at(temperature):
    return F.cross_entropy(z_val / temperature, y_val).item()

effect = "sharpens" if T < 1 else "flattens"
print(f"T = {T:.3f} ({effect}): cost {cost_at(T):.4f}, at T = 1 {cost_at(1):.4f}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# The validation cost as a function of $T$: one valley, and the fitted $T$ at its bottom.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. One parameter, one smooth valley: any sensible optimiser finds it.

# %% slideshow={"slide_type": "fragment"}
assert cost_at(T) < min(cost_at(T * 1.01), cost_at(T / 1.01))  # a minimum, not a maximum
temperatures = torch.linspace(0.3, 3.0, 55).tolist()
figure = plot_curves(temperatures, {"validation cost": [cost_at(t) for t in temperatures]},
                     "Validation cost against the temperature", "T", "cross-entropy")
figure.axes[0].axvline(T, color="gray", linestyle=":", label=f"fitted T = {T:.3f}")
figure.axes[0].legend()
show(figure, alt="The validation cross-entropy against the temperature T from 0.3 to 3: a "
                 "valley whose lowest point is marked by a dotted vertical line at the fitted "
                 f"T = {T:.3f}.")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### After scaling
#
# Dividing every logit of an image by the same $T > 0$ keeps their order, so the
# predicted class and the accuracy do not change (asserted); only the confidence does.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. A free repair: no retraining, one number. The ECE here is measured on
# the split that fitted T, so it may flatter; the test split, at the end, cannot.

# %% slideshow={"slide_type": "fragment"}
probs_val_scaled = F.softmax(z_val / T, dim=1)
assert torch.equal(probs_val_scaled.argmax(dim=1), probs_val.argmax(dim=1))
ece_val_scaled = expected_calibration_error(probs_val_scaled, y_val)
print(f"validation ECE: {ece_val:.3f} at T = 1, {ece_val_scaled:.3f} at T = {T:.3f}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# The reliability diagram again, after scaling.

# %% [markdown] slideshow={"slide_type": "notes"}
# Under a minute. Compare the counts with the first diagram's: a T below 1 raises every
# confidence, so images move to higher bins; a T above 1 moves them lower.

# %% slideshow={"slide_type": "fragment"}
scaled_table = reliability_table(probs_val_scaled, y_val)
show(plot_reliability(edges, *scaled_table, f"Reliability diagram, validation split, T = {T:.3f}"),
     alt="The reliability diagram of the validation split after dividing the logits by the "
         f"fitted temperature {T:.3f}: {describe(*scaled_table)}.")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Top-k accuracy
#
# Top-$k$ accuracy counts an image as right when its true class is among the $k$
# classes of largest probability (`torch.topk`); top-1 is the accuracy. It grows with
# $k$ and reaches 1 at $k = C$. On the validation split:

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. Useful when a person chooses among a few suggestions, and a measure
# of how far off the mistakes are: a true digit in second place is a near miss. No
# two logits of an image tie for these places (asserted).

# %% slideshow={"slide_type": "fragment"}
for z in (z_val, z_test):  # no tie for the first three places (a tie would be rounding)
    top3 = z.topk(3, dim=1).values
    assert (top3[:, :-1] - top3[:, 1:]).min() > 1e-9


def top_k_accuracy(z, y, k):
    top_k = z.topk(k, dim=1).indices  # the k classes of largest logit, hence probability
    return (top_k == y[:, None]).any(dim=1).double().mean().item()


top_ks = {k: top_k_accuracy(z_val, y_val, k) for k in (1, 2, 3, num_classes)}
print(", ".join(f"top-{k}: {accuracy:.3f}" for k, accuracy in top_ks.items()))
assert top_ks[1] == val_accuracy and top_ks[num_classes] == 1.0
assert list(top_ks.values()) == sorted(top_ks.values())
assert all(top_k_accuracy(z_val / T, y_val, k) == top_ks[k] for k in top_ks)  # T keeps the order

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The test split, once
#
# $T$ was fitted on validation (the model's settings were set by hand, not searched).
# The test split now measures what that gives on images that chose nothing.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. Compare with the validation numbers: the test ECE is the honest one
# for the temperature, because T was fitted without these images.

# %% slideshow={"slide_type": "fragment"}
probs_test = F.softmax(z_test, dim=1)
ece_test = expected_calibration_error(probs_test, y_test)
ece_test_scaled = expected_calibration_error(F.softmax(z_test / T, dim=1), y_test)
print(f"test ECE: {ece_test:.3f} at T = 1, {ece_test_scaled:.3f} at T = {T:.3f}")
print(", ".join(f"top-{k}: {top_k_accuracy(z_test, y_test, k):.3f}" for k in (1, 2, 3)))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Recap
#
# In this lesson we:
#
# - read the largest probability as the model's confidence, and compared its mean with the accuracy;
# - drew a reliability diagram and computed the expected calibration error over confidence bins;
# - fitted a temperature on the validation split, which changes the confidence and never the predicted class;
# - measured top-k accuracy, and the test split once, for the calibration chosen on validation.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. The habit to keep: before acting on a model's probabilities, draw its
# reliability diagram on data it was not trained on.

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Exercises
#
# **Exercise 1: predict, then run.** Divide every validation logit by $T = 2$,
# a flatter softmax: what validation accuracy does the model get then? Write
# your answer (two decimals are enough) in place of the `...`, then run the
# cell after it.

# %% slideshow={"slide_type": "skip"}
from softmax_course.exercises import (
    check_expected_calibration_error,
    check_top_k_accuracy,
    reveal_prediction,
)

scaled_accuracy_prediction = ...

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
scaled_accuracy_prediction = 0.964  # the accuracy above: a T > 0 keeps each row's order

# %% slideshow={"slide_type": "skip"} tags=["check"]
reveal_prediction(scaled_accuracy_prediction,
                  ((z_val / 2).argmax(dim=1) == y_val).double().mean().item())

# %% [markdown] slideshow={"slide_type": "skip"}
# In the next exercises, each check cell tests your function on several cases
# and prints ✓, or the first failing case with a hint.
#
# **Exercise 2.** Write `my_ece(probs, y)`: the expected calibration error of
# the probabilities `probs` (one row per image) for the labels `y`, over the
# ten bins $(0, 0.1], (0.1, 0.2], \dots, (0.9, 1]$, with one mask per bin (no
# `bucketize`, `bincount`, `histc` or `searchsorted`).

# %% slideshow={"slide_type": "skip"}
def my_ece(probs, y):
    # Your code here.
    raise NotImplementedError


# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
def my_ece(probs, y):
    confidence, predicted = probs.max(dim=1)
    right = (predicted == y).to(probs.dtype)
    total = 0.0
    for b in range(10):
        mask = (confidence > b / 10) & (confidence <= (b + 1) / 10)
        if mask.any():
            gap = right[mask].mean() - confidence[mask].mean()
            total += mask.sum().item() / len(y) * abs(gap.item())
    return total


# %% slideshow={"slide_type": "skip"} tags=["check"]
check_expected_calibration_error(my_ece)


# %% [markdown] slideshow={"slide_type": "skip"}
# **Exercise 3.** Write `my_top_k_accuracy(logits, y, k)`: the fraction of
# images whose true class is among the `k` largest logits of their row, by
# counting (no `topk`, `sort` or `argsort`).

# %% slideshow={"slide_type": "skip"}
def my_top_k_accuracy(logits, y, k):
    # Your code here.
    raise NotImplementedError


# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
def my_top_k_accuracy(logits, y, k):
    true_logit = logits.gather(1, y.unsqueeze(1))
    beaten_by = (logits > true_logit).sum(dim=1)  # classes with a larger logit
    return (beaten_by < k).double().mean().item()


# %% slideshow={"slide_type": "skip"} tags=["check"]
check_top_k_accuracy(my_top_k_accuracy)
