# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
#   seminar:
#     nav_order: 6
#     title: 06 Real data, handwritten digits
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 06 · Real data: handwritten digits
#
# In this lesson we will:
#
# - load scikit-learn's bundled digits (8×8 images, 10 classes; no download) and split them once, stratified;
# - standardise the pixels with statistics of the training split only;
# - train the `nn.Module` classifier of lesson 04 on 64 features and 10 classes;
# - measure test accuracy, read a confusion matrix, look at the mistakes;
# - see what each class's weights have learned, as an 8×8 image.

# %% slideshow={"slide_type": "fragment"}
import torch
import torch.nn.functional as F

from softmax_course.data import load_digits_split, standardize
from softmax_course.functional import accuracy
from softmax_course.models import SoftmaxClassifierModel
from softmax_course.plotting import plot_costs, plot_images, plot_matrix
from softmax_course.training import train_module

generator = torch.manual_seed(0)  # the same initial weights on every run

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The data
#
# 1797 images of the digits 0–9, each 8×8 pixels with values 0–16, flattened
# to 64 features. A quarter is held out for testing; `stratify` keeps each
# digit's share the same in both parts, and a fixed `random_state` keeps the split.

# %% slideshow={"slide_type": "fragment"}
digits = load_digits_split(test_size=0.25, seed=0)
print("train:", tuple(digits.x_train.shape), " test:", tuple(digits.x_test.shape))
print("training images per digit:", torch.bincount(digits.y_train).tolist())
print("test images per digit:    ", torch.bincount(digits.y_test).tolist())

# %% [markdown] slideshow={"slide_type": "subslide"}
# A few training images with their labels.

# %%
fig = plot_images(digits.x_train[:16].view(-1, 8, 8), [str(int(d)) for d in digits.y_train[:16]], "Training digits")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Standardise with the training split only
#
# Each pixel is shifted and scaled to mean 0 and standard deviation 1, using
# the **training** images' statistics for both splits: the test images stand
# for data we have not seen, so they must not shape the preprocessing. Pixels
# that are blank in every training image keep a scale of 1.

# %% slideshow={"slide_type": "fragment"}
x_train, x_test = standardize(digits.x_train, digits.x_test)
y_train, y_test = digits.y_train, digits.y_test
print(f"train mean {x_train.mean():.3f}, test mean {x_test.mean():.3f}")
print("constant pixels in training:", int((digits.x_train.std(dim=0) == 0).sum()))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Train: the `nn.Module` style, full batch
#
# The same `SoftmaxClassifierModel` as lesson 04, now `nn.Linear(64, 10)`, and the
# same loop: `F.cross_entropy` on the logits, SGD on the whole training split at once.

# %% slideshow={"slide_type": "fragment"}
model = SoftmaxClassifierModel(in_features=64, num_classes=10).to(torch.float64)
run = train_module(model, x_train, y_train, nb_epochs=300, lr=0.5, log_every=50)

# %% slideshow={"slide_type": "subslide"}
fig = plot_costs({"nn.Module on digits": run.costs}, title="Training cost on the digits", log_scale=True)

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
assert test_accuracy >= 0.95, test_accuracy

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The confusion matrix
#
# Row = true digit, column = predicted digit. The diagonal holds the correct
# answers; every other number is a kind of mistake.

# %% slideshow={"slide_type": "fragment"}
predicted = test_logits.argmax(dim=1)
confusion = torch.bincount(y_test * 10 + predicted, minlength=100).view(10, 10)
assert int(confusion.trace()) == int((predicted == y_test).sum())
fig = plot_matrix(confusion, "Confusion matrix (test split)", "predicted digit", "true digit")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The mistakes
#
# Every misclassified test image, titled "true/pred". Many are ambiguous even
# to a person at 8×8 pixels.

# %% slideshow={"slide_type": "fragment"}
wrong = (predicted != y_test).nonzero().flatten()
print(f"{len(wrong)} of {len(y_test)} test images misclassified")
titles = [f"{int(y_test[i])}/{int(predicted[i])}" for i in wrong]
fig = plot_images(digits.x_test[wrong].view(-1, 8, 8), titles, "Misclassified test digits (true/pred)")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What each class has learned
#
# Row $k$ of the weight matrix scores class $k$: a logit is the sum of pixels
# times these weights. Shown as 8×8 images, red pixels raise the score of the
# class and blue ones lower it: rough templates of each digit.

# %% slideshow={"slide_type": "fragment"}
weights = model.linear.weight.detach().view(10, 8, 8)
fig = plot_images(weights, [f"class {k}" for k in range(10)], "Learned weights per class", ncols=5, cmap="RdBu_r")

# %% [markdown] slideshow={"slide_type": "subslide"}
# The probabilities for the first test images: the model is usually very sure.

# %%
torch.set_printoptions(precision=3, sci_mode=False)
print(F.softmax(test_logits[:4], dim=1))
print("true:", y_test[:4].tolist())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Recap
#
# In this lesson we:
#
# - split scikit-learn's digits once, stratified, and standardised them with training statistics only;
# - trained lesson 04's `nn.Module` classifier (64 → 10) with the same loop and loss;
# - reached a test accuracy above 0.95, asserted;
# - read the confusion matrix and looked at every mistake;
# - saw that each class's weights form a rough template of its digit.

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Exercises
#
# Each check cell tests your function on several cases and prints ✓, or the
# first failing case with a hint.
#
# **Exercise 1.** Write `my_standardize(x_train, x_test)`, returning both
# splits standardised with the training statistics (a constant feature keeps
# a scale of 1).

# %% slideshow={"slide_type": "skip"}
from softmax_course.exercises import check_confusion_matrix, check_standardize


def my_standardize(x_train, x_test):
    # Your code here.
    raise NotImplementedError


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def my_standardize(x_train, x_test):
    mean = x_train.mean(dim=0)
    std = x_train.std(dim=0, correction=0)
    std[std == 0] = 1.0
    return (x_train - mean) / std, (x_test - mean) / std


# %% slideshow={"slide_type": "skip"} tags=["check"]
check_standardize(my_standardize)


# %% [markdown] slideshow={"slide_type": "skip"}
# **Exercise 2.** Write `my_confusion_matrix(y_true, y_pred, num_classes)`: a
# `num_classes × num_classes` tensor of counts, rows = true class, columns = predicted.

# %% slideshow={"slide_type": "skip"}
def my_confusion_matrix(y_true, y_pred, num_classes):
    # Your code here.
    raise NotImplementedError


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def my_confusion_matrix(y_true, y_pred, num_classes):
    matrix = torch.zeros(num_classes, num_classes, dtype=torch.long)
    for true, pred in zip(y_true.tolist(), y_pred.tolist(), strict=True):
        matrix[true, pred] += 1
    return matrix


# %% slideshow={"slide_type": "skip"} tags=["check"]
check_confusion_matrix(my_confusion_matrix)
