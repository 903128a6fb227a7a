# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
#   seminar:
#     nav_order: 2
#     title: 02 One-hot targets with scatter_
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 02 · One-hot targets with `scatter_`
#
# In this lesson we will:
#
# - draw the seminar's random logits `z` and labels `y`;
# - encode each label as a one-hot row with `scatter_`, and see why it needs `y.unsqueeze(1)`;
# - check the result against `F.one_hot`;
# - see what happens to a label that is out of range.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. Lesson 01 had one vector of scores; now there are several
# samples, each with a true class. The loss of lesson 03 needs that class as a
# row of numbers: this lesson builds it.

# %% slideshow={"slide_type": "fragment"}
import torch
import torch.nn.functional as F

from softmax_course.data import replay_seminar_draws
from softmax_course.functional import one_hot

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Three samples, five classes
#
# The seminar draws random logits for 3 samples and 5 classes, then a true
# class for each sample, from one random stream. The seed comes first, so the
# numbers are the seminar's, each time the cell runs.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. Three rows (samples), five columns (classes). `dim=1`
# normalises each row. `y` holds one class index per sample: 0, 2 and 1.

# %% slideshow={"slide_type": "fragment"}
torch.manual_seed(1)
z = torch.rand(3, 5, requires_grad=True)
print(z)
hypothesis = F.softmax(z, dim=1)
print(hypothesis)
y = torch.randint(5, (3,)).long()
print(y)

# %% [markdown] slideshow={"slide_type": "subslide"}
# `dim=1` makes each *row* (one sample) sum to 1. Later lessons start from
# here: `replay_seminar_draws()` repeats exactly these draws.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. Two checks: every row sums to 1, and the helper the next
# lessons use gives back these very tensors.

# %%
torch.testing.assert_close(hypothesis.sum(dim=1), torch.ones(len(z)))
replayed_z, replayed_y = replay_seminar_draws()
torch.testing.assert_close(replayed_z, z)
assert torch.equal(replayed_y, y)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## One-hot encoding with `scatter_`
#
# The hand-written cross-entropy of lesson 03 needs the true class as a row
# with a 1 in its column and 0 elsewhere: the probability distribution that is
# sure of the true class. `y_one_hot.scatter_(1, index, 1)` writes the value 1
# into row `i`, column `index[i][0]`. The index must have the same number of
# dimensions as `y_one_hot`, so the labels become a column: `y.unsqueeze(1)`.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 3 minutes. Walk through the printed shapes: `(3,)` is a row of labels,
# `(3, 1)` a column, one label per row of the target matrix. Then read the
# matrix: the 1s sit in columns 0, 2 and 1.

# %% slideshow={"slide_type": "subslide"}
y_one_hot = torch.zeros_like(hypothesis)
print(y.shape)
print(y)
print(y.unsqueeze(1).shape)
print(y.unsqueeze(1))
y_one_hot.scatter_(1, y.unsqueeze(1), 1)

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. The seminar's cell and its output; the next cell shows what
# `scatter_` says when the labels are not a column.

# %% slideshow={"slide_type": "fragment"}
try:
    torch.zeros_like(hypothesis).scatter_(1, y, 1)
except RuntimeError as error:
    print("without unsqueeze:", error)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The same matrix from `F.one_hot`
#
# PyTorch has `F.one_hot`, which returns integers (`torch.long`); as floats it
# is the same matrix. So is the course helper `one_hot`, which uses `scatter_`
# as above.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. In practice one writes `F.one_hot`; `scatter_` is what the
# seminar used, and the two agree.

# %% slideshow={"slide_type": "fragment"}
from_one_hot = F.one_hot(y, num_classes=5)
assert from_one_hot.dtype == torch.long
print(from_one_hot.float())
torch.testing.assert_close(from_one_hot.float(), y_one_hot)
torch.testing.assert_close(one_hot(y, num_classes=5), y_one_hot)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Where it breaks: a label out of range
#
# With 5 classes a label must be 0 to 4. `scatter_` rejects a 5 with an index
# error that gives the value but not the sample holding it; the course helper
# names the position too.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 2 minutes. The first message says an index is out of bounds; the
# second also says which sample holds the bad label.

# %% slideshow={"slide_type": "fragment"}
bad_y = torch.tensor([0, 5, 1])
num_classes = z.shape[1]
try:
    torch.zeros(len(bad_y), num_classes).scatter_(1, bad_y.unsqueeze(1), 1)
except RuntimeError as error:
    print("scatter_:", error)
try:
    one_hot(bad_y, num_classes=num_classes)
except ValueError as error:
    print("one_hot: ", error)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Recap
#
# In this lesson we:
#
# - drew the seminar's `z` (3 samples, 5 classes) and `y = tensor([0, 2, 1])` after `torch.manual_seed(1)`;
# - built one-hot rows with `y_one_hot.scatter_(1, y.unsqueeze(1), 1)`: the index is a column, shape `(3, 1)`;
# - checked that `F.one_hot(y, 5)` gives the same matrix;
# - saw that an out-of-range label deserves an error that names it.
#
# Next, lesson 03 combines `hypothesis` and `y_one_hot` into the cross-entropy loss.

# %% [markdown] slideshow={"slide_type": "notes"}
# About 1 minute. The exercises below: predict a one-hot matrix, then write
# the encoding and its inverse.

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Exercises
#
# **Exercise 1: predict, then run.** Write down the one-hot matrix of the
# labels `new_labels` with `new_num_classes` classes (the cell below), as a list
# of rows in place of the `...`; then run the cell after it.

# %% slideshow={"slide_type": "skip"}
from softmax_course.exercises import check_labels_from_one_hot, check_one_hot, reveal_prediction

new_labels = torch.tensor([3, 0, 2])
new_num_classes = 4
one_hot_prediction = ...

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
one_hot_prediction = [[0, 0, 0, 1], [1, 0, 0, 0], [0, 0, 1, 0]]

# %% slideshow={"slide_type": "skip"} tags=["check"]
reveal_prediction(one_hot_prediction, one_hot(new_labels, new_num_classes), atol=0)

# %% [markdown] slideshow={"slide_type": "skip"}
# In the next exercises, each check cell tests your function on several cases
# and prints ✓, or the first failing case with a hint.
#
# **Exercise 2.** Write `my_one_hot(y, num_classes)` with `scatter_`: a float
# tensor of shape `(len(y), num_classes)`.

# %% slideshow={"slide_type": "skip"}
def my_one_hot(y, num_classes):
    # Your code here.
    raise NotImplementedError


# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
def my_one_hot(y, num_classes):
    encoded = torch.zeros(len(y), num_classes)
    return encoded.scatter_(1, y.unsqueeze(1), 1)


# %% slideshow={"slide_type": "skip"} tags=["check"]
check_one_hot(my_one_hot)


# %% [markdown] slideshow={"slide_type": "skip"}
# **Exercise 3.** The way back: write `labels_from_one_hot(y_one_hot)`, which
# returns the integer labels (`torch.long`) of a one-hot matrix.

# %% slideshow={"slide_type": "skip"}
def labels_from_one_hot(y_one_hot):
    # Your code here.
    raise NotImplementedError


# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
def labels_from_one_hot(y_one_hot):
    return y_one_hot.argmax(dim=1)


# %% slideshow={"slide_type": "skip"} tags=["check"]
check_labels_from_one_hot(labels_from_one_hot)
