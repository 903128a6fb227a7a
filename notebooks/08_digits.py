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
# - load scikit-learn's bundled digits (8×8 images, 10 classes; no download) and split them once, stratified;
# - standardise the pixels with statistics of the training split only;
# - train the `nn.Module` classifier of lesson 04 on 64 features and 10 classes, with the seminar's loop;
# - measure test accuracy, read a confusion matrix, look at the mistakes;
# - see what each class's weights have learned, as an 8×8 image.

# %% slideshow={"slide_type": "subslide"}
import torch
import torch.nn.functional as F
import torch.optim as optim

from softmax_course.data import load_digits_split, standardize
from softmax_course.functional import accuracy
from softmax_course.models import SoftmaxClassifierModel
from softmax_course.plotting import plot_costs, plot_images, plot_matrix

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The data
#
# 1797 images of the digits 0–9, each 8×8 pixels with values 0–16, flattened
# to 64 features. A quarter is held out for testing; `stratify` keeps each
# digit's share nearly the same in both parts, and `split_seed` fixes the split.

# %% slideshow={"slide_type": "fragment"}
split_seed = 0

# %% slideshow={"slide_type": "fragment"}
digits = load_digits_split(test_size=0.25, seed=split_seed)
all_pixels = torch.cat([digits.x_train, digits.x_test])
assert len(all_pixels) == 1797
assert all_pixels.min() >= 0 and all_pixels.max() <= 16
num_features = digits.x_train.shape[1]
num_classes = int(digits.y_train.max()) + 1
print("train:", tuple(digits.x_train.shape),
      " test:", tuple(digits.x_test.shape))
print("training images per digit:", digits.y_train.bincount().tolist())
print("test images per digit:    ", digits.y_test.bincount().tolist())

# %% [markdown] slideshow={"slide_type": "subslide"}
# A few training images with their labels.

# %%
nb_shown = 16
images = digits.x_train[:nb_shown].view(-1, 8, 8)
labels = [str(int(d)) for d in digits.y_train[:nb_shown]]
fig = plot_images(images, labels, "Training digits")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Standardise with the training split only
#
# Each pixel is shifted and scaled to mean 0 and standard deviation 1, using
# the **training** images' statistics for both splits: the test images stand
# for data we have not seen, so they must not shape the preprocessing. Pixels
# that are blank in every training image keep a scale of 1 (and stay 0).

# %% slideshow={"slide_type": "fragment"}
x_train, x_test = standardize(digits.x_train, digits.x_test)
y_train, y_test = digits.y_train, digits.y_test
blank = digits.x_train.std(dim=0) == 0
assert (digits.x_train[:, blank] == 0).all()
assert (x_train[:, blank] == 0).all()
# Mean 0 up to rounding, standard deviation 1 (asserted, not printed:
# a printed 0.000 could show as -0.000 on another processor).
assert x_train.mean(dim=0).abs().max() < 1e-12
spread = x_train[:, ~blank].std(dim=0, correction=0)
torch.testing.assert_close(spread, torch.ones_like(spread))
print(f"blank pixels in training: {int(blank.sum())}")
print(f"test mean: {x_test.mean():.3f} (other images, so not 0)")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Train: the `nn.Module` style, full batch
#
# The same `SoftmaxClassifierModel` as lesson 04, now `nn.Linear(64, 10)`, and
# the seminar's loop: `F.cross_entropy` on the logits, SGD on the whole training split at once.

# %% slideshow={"slide_type": "fragment"}
nb_epochs = 300
lr = 0.5

# %% [markdown] slideshow={"slide_type": "subslide"}
# The seminar's loop, as lesson 04 runs it: forward, cost, `zero_grad`, `backward`, `step`.

# %%
torch.manual_seed(0)  # the same initial weights on every run
model = SoftmaxClassifierModel(num_features, num_classes).double()
optimizer = optim.SGD(model.parameters(), lr=lr)
costs = []
for epoch in range(nb_epochs + 1):
    cost = F.cross_entropy(model(x_train), y_train)
    if not torch.isfinite(cost):
        raise FloatingPointError(f"cost {cost.item()} at epoch {epoch}"
                                 f" with lr = {lr}: try a smaller lr")
    optimizer.zero_grad()
    cost.backward()
    optimizer.step()
    costs.append(cost.item())
    if epoch % max(1, nb_epochs // 6) == 0:
        print(f"Epoch {epoch:4d}/{nb_epochs} Cost: {cost.item():.6f}")

# %% slideshow={"slide_type": "subslide"}
fig = plot_costs({f"nn.Module on digits, lr = {lr}": costs},
                 title="Training cost on the digits", log_scale=True)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Test accuracy
#
# The test images were never used for training or for the standardisation.

# %% slideshow={"slide_type": "fragment"}
with torch.no_grad():
    test_logits = model(x_test)
    train_accuracy = accuracy(model(x_train), y_train)
test_accuracy = accuracy(test_logits, y_test)
print(f"train accuracy: {train_accuracy:.4f}")
print(f"test accuracy:  {test_accuracy:.4f}")
assert test_accuracy >= 0.95, (
    f"test accuracy {test_accuracy:.4f} < 0.95 after {nb_epochs} epochs"
    f" at lr = {lr}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The confusion matrix
#
# Row = true digit, column = predicted digit. The diagonal holds the correct
# answers; every other number is a kind of mistake.

# %% slideshow={"slide_type": "fragment"}
predicted = test_logits.argmax(dim=1)
pairs = y_test * num_classes + predicted  # one number per (true, predicted)
confusion = pairs.bincount(minlength=num_classes**2).view(num_classes, -1)
assert int(confusion.trace()) == int((predicted == y_test).sum())
fig = plot_matrix(confusion, "Confusion matrix (test split)",
                  "predicted digit", "true digit")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The mistakes
#
# Every misclassified test image, titled "true/pred". Judge for yourself how
# many a person would read right at 8×8 pixels.

# %% slideshow={"slide_type": "fragment"}
wrong = (predicted != y_test).nonzero().flatten()
print(f"{len(wrong)} of {len(y_test)} test images misclassified")
if len(wrong) > 0:
    titles = [f"{int(y_test[i])}/{int(predicted[i])}" for i in wrong]
    fig = plot_images(digits.x_test[wrong].view(-1, 8, 8), titles,
                      "Misclassified test digits (true/pred)")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What each class has learned
#
# Class $k$'s logit is $z_k = \sum_p W_{k,p}\, x_p + b_k$ over the standardised
# pixels $x_p$ (asserted). A pixel **above its training mean** ($x_p > 0$) raises
# $z_k$ under a red (positive) weight and lowers it under a blue one; a pixel
# below its mean does the opposite. The bias $b_k$ adds the same to every image.

# %% slideshow={"slide_type": "fragment"}
W, b = model.linear.weight.detach(), model.linear.bias.detach()
torch.testing.assert_close(test_logits, x_test @ W.T + b)
names = [f"class {k}" for k in range(num_classes)]
fig = plot_images(W.view(num_classes, 8, 8), names,
                  "Learned weights per class", ncols=5, cmap="RdBu_r")

# %% [markdown] slideshow={"slide_type": "subslide"}
# The probabilities for the first test images, and how sure the model is over
# the whole test split.

# %%
test_probs = F.softmax(test_logits, dim=1)
torch.set_printoptions(precision=3, sci_mode=False)
print(test_probs[:4])
torch.set_printoptions(profile="default")  # back to the defaults
print("true:", y_test[:4].tolist())
top_probs = test_probs.max(dim=1).values
print(f"median top probability (test split): {top_probs.median():.3f}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Recap
#
# In this lesson we:
#
# - split scikit-learn's digits once, stratified, and standardised them with training statistics only;
# - trained lesson 04's `nn.Module` classifier (64 → 10) with the seminar's loop and loss;
# - reached a test accuracy of at least 0.95, asserted;
# - read the confusion matrix and looked at every mistake;
# - read each class's weights: which pixels, above or below their mean, raise its logit.

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Exercises
#
# **Exercise 1: predict, then run.** A "classifier" that ignores the image and
# always answers the most common digit of the training split: what test
# accuracy does it get? Write your answer (two decimals are enough) in place of
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
