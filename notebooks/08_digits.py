# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
#   seminar:
#     nav_order: 8
#     title: 08 Real data, handwritten digits
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 08 · Real data: handwritten digits
#
# In this lesson we will:
#
# - load scikit-learn's bundled digits (8×8 images, 10 classes; no download) and split them into train, validation and test;
# - standardise the pixels with statistics of the training split only, and overfit ten images as a sanity check;
# - train lesson 04's `nn.Module` classifier (64 features, 10 classes) with the seminar's loop, at several learning rates;
# - choose the learning rate and the number of epochs on the validation split, then measure the test split once;
# - read a confusion matrix, the mistakes, and what each class's weights have learned.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. The seminar's toy data had 8 samples; here there are 1797
# real images. The new idea is honest evaluation: the test images decide nothing.

# %% slideshow={"slide_type": "subslide"}
import math

import torch
import torch.nn.functional as F
import torch.optim as optim

from softmax_course.data import load_digits_split, standardize
from softmax_course.models import SoftmaxClassifierModel
from softmax_course.plotting import plot_curves, plot_images, plot_matrix, show

# %% [markdown] slideshow={"slide_type": "notes"}
# Under a minute. `SoftmaxClassifierModel` is the `nn.Module` that lesson 04 defines
# on screen, imported here; the loop below is the seminar's, written out again.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The data, in three parts
#
# 1797 images of the digits 0–9, each 8×8 pixels with values 0–16, flattened to 64
# features. A fifth is held out for testing and a fifth for validation; `stratify`
# keeps each digit's share nearly the same in every part, and `split_seed` fixes the split.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. Training fits the weights; validation chooses the settings (here
# the learning rate and the number of epochs); the test split is looked at once, at
# the end, so that its accuracy is a fair estimate for images nobody has seen.

# %% slideshow={"slide_type": "fragment"}
split_seed = 0

# %% slideshow={"slide_type": "fragment"}
digits = load_digits_split(test_size=0.2, validation_size=0.2, seed=split_seed)
all_pixels = torch.cat([digits.x_train, digits.x_val, digits.x_test])
assert len(all_pixels) == 1797
assert all_pixels.min() >= 0 and all_pixels.max() <= 16
num_features = digits.x_train.shape[1]
num_classes = int(digits.y_train.max()) + 1
for name, labels in {"train": digits.y_train, "validation": digits.y_val,
                     "test": digits.y_test}.items():
    print(f"{name:>10}: {len(labels):4d} images, per digit {labels.bincount().tolist()}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# A few training images with their labels.

# %% [markdown] slideshow={"slide_type": "notes"}
# Under a minute. At 8×8 pixels some digits are hard even for a person; keep that
# in mind when reading the mistakes later.

# %%
nb_shown = 16
images = digits.x_train[:nb_shown].view(-1, 8, 8)
labels = [str(int(d)) for d in digits.y_train[:nb_shown]]
show(plot_images(images, labels, "Training digits"),
     alt="Sixteen 8x8 training images of handwritten digits in two rows, each titled with its "
         "label, dark ink on white.")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Standardise with the training split only
#
# Each pixel is shifted and scaled to mean 0 and standard deviation 1, using the
# **training** images' statistics for all three splits: validation and test stand
# for images we have not seen, so they must not shape the preprocessing. Pixels that
# are blank in every training image keep a scale of 1 (and stay 0 in training).

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. Ask why not standardise all 1797 images at once: the test images
# would then shape the inputs of training, a small leak. The blank pixels return
# when we read the weights.

# %% slideshow={"slide_type": "fragment"}
x_train, x_val = standardize(digits.x_train, digits.x_val)
_, x_test = standardize(digits.x_train, digits.x_test)
y_train, y_val, y_test = digits.y_train, digits.y_val, digits.y_test
blank = (digits.x_train == 0).all(dim=0)
assert torch.equal(blank, digits.x_train.std(dim=0) == 0)
assert (x_train[:, blank] == 0).all()
# Mean 0 up to rounding, standard deviation 1 (asserted, not printed:
# a printed 0.000 could show as -0.000 on another processor).
assert x_train.mean(dim=0).abs().max() < 1e-12
spread = x_train[:, ~blank].std(dim=0, correction=0)
torch.testing.assert_close(spread, torch.ones_like(spread))
print(f"pixels blank in every training image: {int(blank.sum())}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## A sanity check: overfit ten images
#
# Before a long run, a practitioner checks that the model and loop can learn at all:
# on one training image per digit, a linear model with 64 inputs drives the cost below
# 0.01. It starts within 0.2 of $\ln 10 \approx 2.303$, the cost of ten equally likely
# classes (both asserted, for the constants in this cell: 100 epochs at lr 1.0).

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. If this fails, suspect the code before the data: a wrong loss, a
# missing `zero_grad`, labels shuffled apart from their images.

# %% slideshow={"slide_type": "fragment"}
tiny = torch.stack([(y_train == k).nonzero()[0, 0] for k in range(num_classes)])
torch.manual_seed(0)
tiny_model = SoftmaxClassifierModel(num_features, num_classes).double()
tiny_optimizer = optim.SGD(tiny_model.parameters(), lr=1.0)
tiny_costs = []
for _ in range(101):
    cost = F.cross_entropy(tiny_model(x_train[tiny]), y_train[tiny])
    tiny_optimizer.zero_grad()
    cost.backward()
    tiny_optimizer.step()
    tiny_costs.append(cost.item())
print(f"cost on {len(tiny)} images: {tiny_costs[0]:.4f} at epoch 0, {tiny_costs[-1]:.4f} at epoch 100")
assert abs(tiny_costs[0] - math.log(num_classes)) < 0.2 and tiny_costs[-1] < 0.01

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Train at several learning rates
#
# The seminar's loop on the whole training split, from the same initial weights for
# every `lr`, counting the correct validation images every `check_every` epochs.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. One function, so that every learning rate gets the identical loop.
# Change `lrs` or `nb_epochs` and run again: the choice below follows.

# %% slideshow={"slide_type": "fragment"}
lrs = [0.05, 0.5, 5.0, 50.0]
nb_epochs = 300
check_every = max(1, nb_epochs // 10)


def train_digits(lr, nb_epochs):
    torch.manual_seed(0)  # the same initial weights for every run
    model = SoftmaxClassifierModel(num_features, num_classes).double()
    optimizer = optim.SGD(model.parameters(), lr=lr)
    val_correct = {}
    for epoch in range(1, nb_epochs + 1):
        cost = F.cross_entropy(model(x_train), y_train)
        if not torch.isfinite(cost):
            break  # diverged (too large an lr): later epochs would only hold nan
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        if epoch % check_every == 0 or epoch == nb_epochs:
            val_correct[epoch] = int((model(x_val).argmax(dim=1) == y_val).sum())
    return model, val_correct  # val_correct: {epoch: correct validation images}

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Choose on validation
#
# The table counts the correct validation images (of 360) at each checked epoch. The best
# (`lr`, epochs) is the one with the most; a tie
# goes to fewer epochs, then to the smaller `lr`. It is chosen by validation alone (asserted).

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. Read the table: in the stored run the small lr climbs slowly and
# stays below the others; lr 5 is best early. A best lr at either end of the grid would
# mean the search is not finished (the last line says where it is). Counts out of 360, not long
# decimals: one image is 0.28 %.

# %% slideshow={"slide_type": "fragment"}
runs = {lr: train_digits(lr, nb_epochs)[1] for lr in lrs}
checkpoints = sorted({epoch for counts in runs.values() for epoch in counts})
print(f"{'correct at':>11}" + "".join(f"{epoch:6d}" for epoch in checkpoints))
for lr, counts in runs.items():
    print(f"{f'lr = {lr:g}':>11}" + "".join(
        f"{counts[epoch]:6d}" if epoch in counts else f"{'-':>6}" for epoch in checkpoints))
candidates = [(counts[epoch], -epoch, -lr, lr, epoch)
              for lr, counts in runs.items() for epoch in counts]
best_correct, _, _, best_lr, best_epochs = max(candidates)
assert best_correct == max(count for counts in runs.values() for count in counts.values())
where = "at an end of the grid: extend it" if best_lr in (min(lrs), max(lrs)) else "inside the grid"
print(f"chosen by validation among {len(candidates)} (lr, epochs): lr = {best_lr:g}, "
      f"{best_epochs} epochs ({best_correct} of {len(y_val)} correct), {where}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# The same counts as curves: validation accuracy over the epochs, one per `lr`.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. In the stored run the curves flatten: past some point more epochs
# change a handful of validation images, which is noise more than progress.

# %%
accuracy_curves = {f"lr = {lr:g}": [counts.get(epoch, math.nan) / len(y_val)
                                     for epoch in checkpoints] for lr, counts in runs.items()}
show(plot_curves(checkpoints, accuracy_curves, "Validation accuracy while training",
                 "epoch", "validation accuracy", legend_loc="outside"),
     alt="Validation accuracy against epochs, one curve for each learning rate tried; each "
         "first reaches its highest count at epoch " + ", ".join(
             f"{min(e for e in counts if counts[e] == max(counts.values()))} (lr = {lr:g})"
             for lr, counts in runs.items() if counts) + ".")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The test split, once
#
# The chosen run again (same initial weights, same loop, stopped at the chosen epoch:
# the same validation count, asserted), then the one look at the test images, which
# chose nothing: neither the preprocessing, nor `lr`, nor the epochs.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. Compare the test accuracy with the validation accuracy: the
# validation number is the best of 40 (lr, epochs) pairs, so it carries a selection bias
# (it tends to be optimistic); the test number does not, because nothing was chosen by it.
# But 360 images measure an accuracy only to about one point, sqrt(p (1 - p) / n), and the
# difference of two such accuracies to about 1.3 points (the square root of the sum of their
# squares), some 5 of 360 images (both printed): in the stored run the two differ by 3 images,
# consistent with noise, so this run cannot measure the optimism.

# %% slideshow={"slide_type": "fragment"}
model, val_correct = train_digits(best_lr, best_epochs)
assert val_correct[best_epochs] == best_correct
with torch.no_grad():
    train_correct = int((model(x_train).argmax(dim=1) == y_train).sum())
    test_logits = model(x_test)
predicted = test_logits.argmax(dim=1)
test_correct = int((predicted == y_test).sum())
for name, correct, total in [("train", train_correct, len(y_train)),
                             ("validation", best_correct, len(y_val)),
                             ("test", test_correct, len(y_test))]:
    print(f"{name:>10}: {correct} of {total} correct ({correct / total:.3f})")
test_accuracy, val_accuracy = test_correct / len(y_test), best_correct / len(y_val)
standard_error = math.sqrt(test_accuracy * (1 - test_accuracy) / len(y_test))
gap_error = math.sqrt(standard_error**2 + val_accuracy * (1 - val_accuracy) / len(y_val))
print(f"standard error: test accuracy {standard_error:.3f}, validation - test {gap_error:.3f}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The confusion matrix
#
# Row = true digit, column = predicted digit, on the test split. The diagonal holds
# the correct answers; every other number is a kind of mistake.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. Find the largest number off the diagonal and ask which two
# digits it confuses, and whether a person would confuse them too.

# %% slideshow={"slide_type": "fragment"}
pairs = y_test * num_classes + predicted  # one number per (true, predicted)
confusion = pairs.bincount(minlength=num_classes**2).view(num_classes, -1)
assert int(confusion.trace()) == test_correct
show(plot_matrix(confusion, "Confusion matrix (test split)", "predicted digit", "true digit"),
     alt="A 10 by 10 confusion matrix of the test split, true digit by row and predicted digit "
         "by column; nearly every count lies on the diagonal.")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The mistakes
#
# Every misclassified test image, titled "true/pred". Judge for yourself how
# many a person would read right at 8×8 pixels.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. Ask which of these a person would read right at 8×8 pixels, and
# which digits the model confuses most often (in the stored run, 8 is the most
# frequent true digit among them: 5 of the 13, in the printed list).

# %% slideshow={"slide_type": "fragment"}
wrong = (predicted != y_test).nonzero().flatten()
print(f"{len(wrong)} of {len(y_test)} misclassified, true digits:", sorted(y_test[wrong].tolist()))
if len(wrong) > 0:
    titles = [f"{int(y_test[i])}/{int(predicted[i])}" for i in wrong]
    show(plot_images(digits.x_test[wrong].view(-1, 8, 8), titles,
                     "Misclassified test digits (true/pred)"),
         alt="Every misclassified test image, each titled with its true and predicted digit.")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What each class has learned
#
# $z_k = \sum_p W_{kp}\, x_p + b_k$; a softmax sees only differences between classes, so the
# maps show $W_{kp} - \bar W_p$ (same probabilities, asserted). Inputs are standardised: red
# raises class $k$ where a pixel has more ink than usual, blue where it has less. Gray: blank.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 3 minutes. The inputs are standardised: a pixel with more ink than its training
# mean enters positive, one with less (a usually inked pixel left blank) negative. So a red
# weight speaks for the digit when the pixel is inked more than usual, and a blue weight
# speaks for it when the pixel is left blank where others ink it. The gray pixels never saw
# ink in training: the next slide says what that means for their weights.

# %% slideshow={"slide_type": "fragment"}
W, b = model.linear.weight.detach(), model.linear.bias.detach()
W_centred = W - W.mean(dim=0)
torch.testing.assert_close(F.softmax(x_test @ W_centred.T + b - b.mean(), dim=1),
                           F.softmax(test_logits, dim=1))
show(plot_images(W_centred.view(num_classes, 8, 8), [f"class {k}" for k in range(num_classes)],
                 "Learned weights minus each pixel's class mean", ncols=5, cmap="RdBu_r",
                 masked=blank.view(8, 8), colorbar="weight minus mean"),
     alt="Ten 8x8 weight maps, one per digit, red (positive) and blue (negative) around "
         "white (0), with a colour bar; pixels blank in every training image are gray.")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Two kinds of weight never learn. (1) Each pixel's mean over the classes:
# $\sum_k \frac{\partial L}{\partial W_{kp}} = \frac{1}{N}\sum_n x_{np} \sum_k (\hat y_{nk} - y_{nk}) = 0$,
# since both rows sum to 1 (lesson 05's shared bias, once per pixel), so
# $\bar W_p$ keeps its initial value. (2) The blank pixels: $x_{np} = 0$ in every
# training image, so their gradient is exactly 0 and their weights keep their
# random initial values (both asserted). A test image with ink there meets those random weights.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. Derive the first on the board from the gradient softmax - one_hot.
# The second is why the maps mask those pixels: their colours would be the
# initialisation's noise, not anything learned.

# %% slideshow={"slide_type": "fragment"}
torch.manual_seed(0)
W_initial = SoftmaxClassifierModel(num_features, num_classes).double().linear.weight.detach()
drift = (W.mean(dim=0) - W_initial.mean(dim=0)).abs().max().item()
assert drift < 1e-12
assert torch.equal(W[:, blank], W_initial[:, blank])
print("largest change of a pixel's class-mean weight: below 1e-12 (rounding)")
print(f"blank pixels' weights: unchanged since initialisation ({int(blank.sum())} pixels)")
inked = (digits.x_test[:, blank] != 0).any(dim=1)
print(f"test images with ink in a blank pixel: {int(inked.sum())} of {len(y_test)}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Recap
#
# In this lesson we:
#
# - split scikit-learn's digits into train, validation and test, stratified, and standardised them with training statistics only;
# - checked that the model overfits ten images before training it on all of them;
# - trained lesson 04's `nn.Module` classifier (64 → 10) with the seminar's loop at several learning rates;
# - chose `lr` and the number of epochs on validation, and measured the test split once, at the end;
# - read the confusion matrix, the mistakes, and the weights: only differences between classes are learned.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. The protocol, not the number, is the lesson: fit on train, choose
# on validation, report test once.

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Exercises
#
# **Exercise 1: predict, then run.** A "classifier" that ignores the image and
# always answers a digit with the most training images (several digits tie;
# `argmax` answers the first of them): what test accuracy does it get? Write your answer (two decimals are enough) in place of
# the `...`, then run the cell after it.

# %% slideshow={"slide_type": "skip"}
from softmax_course.exercises import check_confusion_matrix, check_standardize, reveal_prediction

majority_accuracy_prediction = ...

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
majority_accuracy_prediction = 0.1  # ten digits of nearly equal shares

# %% slideshow={"slide_type": "skip"} tags=["check"]
majority_digit = torch.bincount(y_train).argmax()
reveal_prediction(majority_accuracy_prediction, (y_test == majority_digit).double().mean().item())

# %% [markdown] slideshow={"slide_type": "skip"}
# In the next exercises, each check cell tests your function on several cases
# and prints ✓, or the first failing case with a hint.
#
# **Exercise 2.** Write `my_standardize(x_train, x_test)`, returning both
# splits standardised with the training statistics (a constant feature keeps
# a scale of 1).

# %% slideshow={"slide_type": "skip"}
def my_standardize(x_train, x_test):
    # Your code here.
    raise NotImplementedError


# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
def my_standardize(x_train, x_test):
    mean = x_train.mean(dim=0)
    std = x_train.std(dim=0, correction=0)
    std[std == 0] = 1.0
    return (x_train - mean) / std, (x_test - mean) / std


# %% slideshow={"slide_type": "skip"} tags=["check"]
check_standardize(my_standardize)


# %% [markdown] slideshow={"slide_type": "skip"}
# **Exercise 3.** Write `my_confusion_matrix(y_true, y_pred, num_classes)`: a
# `num_classes × num_classes` tensor of counts, rows = true class, columns = predicted.

# %% slideshow={"slide_type": "skip"}
def my_confusion_matrix(y_true, y_pred, num_classes):
    # Your code here.
    raise NotImplementedError


# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
def my_confusion_matrix(y_true, y_pred, num_classes):
    matrix = torch.zeros(num_classes, num_classes, dtype=torch.long)
    for true, pred in zip(y_true.tolist(), y_pred.tolist(), strict=True):
        matrix[true, pred] += 1
    return matrix


# %% slideshow={"slide_type": "skip"} tags=["check"]
check_confusion_matrix(my_confusion_matrix)
