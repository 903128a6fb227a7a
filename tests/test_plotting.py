"""Each plot helper draws the data it is given, titled and labelled as asked.

The tests read the artists back (bar heights, line data, image arrays, texts)
instead of comparing pictures, so that a restyled figure still passes and a
figure of the wrong array fails.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.image import AxesImage  # noqa: E402

from softmax_course.plotting import (  # noqa: E402
    plot_costs,
    plot_curves,
    plot_images,
    plot_matrix,
    plot_probabilities,
)

LOGITS = torch.tensor([1.0, 3.0, -0.5, 2.0])
PROBS = torch.softmax(LOGITS, dim=0)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def bar_heights(ax) -> list[float]:
    return [patch.get_height() for patch in ax.patches]


def texts(artist) -> list[str]:
    """Every non-empty text drawn in a figure or axes (titles, labels, annotations)."""
    return [t.get_text() for t in artist.findobj(matplotlib.text.Text) if t.get_text()]


def shows_value(text: str, value: float) -> bool:
    """Whether ``text`` is ``value`` rounded to the decimals it shows."""
    decimals = len(text.split(".")[1]) if "." in text else 0
    return abs(float(text) - value) <= 0.5 * 10**-decimals + 1e-12


def test_probabilities_draws_logits_and_probabilities():
    fig = plot_probabilities(LOGITS, PROBS, ["cat", "dog", "car", "sky"])
    fig.canvas.draw()
    ax_z, ax_p = fig.axes
    np.testing.assert_allclose(bar_heights(ax_z), LOGITS.numpy())
    np.testing.assert_allclose(bar_heights(ax_p), PROBS.numpy())
    for ax in (ax_z, ax_p):
        assert [t.get_text() for t in ax.get_xticklabels()] == ["cat", "dog", "car", "sky"]
        assert ax.get_title() and ax.get_ylabel()
    written = [t.get_text() for t in ax_p.texts]
    assert len(written) == 4
    assert all(shows_value(text, p) for text, p in zip(written, PROBS.tolist(), strict=True))


def test_probabilities_names_the_classes_by_default():
    fig = plot_probabilities(LOGITS[:3], PROBS[:3])
    fig.canvas.draw()
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert labels == ["class 0", "class 1", "class 2"]


def test_matrix_draws_the_matrix_with_its_values():
    matrix = torch.tensor([[5, 0, 1], [2, 7, 0]])
    fig = plot_matrix(matrix, "Confusion", "predicted", "true")
    (ax,) = fig.axes[:1]
    images = [im for im in ax.get_images() if isinstance(im, AxesImage)]
    assert len(images) == 1
    np.testing.assert_array_equal(images[0].get_array(), matrix.numpy())
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("Confusion", "predicted", "true")
    cells = {tuple(t.get_position()): t.get_text() for t in ax.texts}
    assert cells == {(col, row): f"{int(v)}" for (row, col), v in np.ndenumerate(matrix.numpy())}


def test_matrix_formats_values_and_can_leave_them_out():
    matrix = torch.tensor([[0.25, 0.5], [0.125, 1.0]])
    ax = plot_matrix(matrix, "t", "x", "y", fmt="{:.2f}").axes[0]
    assert sorted(t.get_text() for t in ax.texts) == ["0.12", "0.25", "0.50", "1.00"]
    assert len(plot_matrix(matrix, "t", "x", "y", annotate=False).axes[0].texts) == 0


def test_curves_draws_each_named_curve_over_x():
    x = [0.5, 1.0, 2.0, 4.0]
    curves = {"float16": [3.0, 1.0, 4.0, 1.5], "float32": [9.0, 2.0, 6.0, 5.0], "x2": [8, 9, 7, 9]}
    fig = plot_curves(x, curves, "Errors", "scale", "error", log_x=True, log_y=True)
    (ax,) = fig.axes
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == list(curves)
    for line, values in zip(lines, curves.values(), strict=True):
        np.testing.assert_array_equal(line.get_xdata(), x)
        np.testing.assert_array_equal(line.get_ydata(), values)
    assert len({line.get_linestyle() for line in lines}) == len(lines)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(curves)
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("Errors", "scale", "error")
    assert (ax.get_xscale(), ax.get_yscale()) == ("log", "log")


def test_curves_are_linear_by_default():
    ax = plot_curves([1, 2], {"a": [1.0, 2.0]}, "t", "x", "y").axes[0]
    assert (ax.get_xscale(), ax.get_yscale()) == ("linear", "linear")


def test_costs_draws_one_cost_per_epoch_from_epoch_0():
    runs = {"F.cross_entropy": [1.8, 1.1, 0.7], "double softmax": [1.8, 1.5, 1.4]}
    ax = plot_costs(runs, log_scale=True).axes[0]
    for line, (name, costs) in zip(ax.get_lines(), runs.items(), strict=True):
        assert line.get_label() == name
        np.testing.assert_array_equal(line.get_xdata(), [0, 1, 2])
        np.testing.assert_array_equal(line.get_ydata(), costs)
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("Cost per epoch", "epoch", "cost")
    assert ax.get_yscale() == "log"
    assert plot_costs(runs, title="Digits").axes[0].get_title() == "Digits"


def test_images_draw_masked_pixels_gray_outside_the_colour_scale():
    weights = torch.tensor([[[-2.0, 0.5], [1.0, 9.0]], [[0.25, -0.5], [1.5, -9.0]]])
    masked = torch.tensor([[False, False], [False, True]])
    fig = plot_images(weights, ["a", "b"], "weights", cmap="RdBu_r", masked=masked)
    values, gray = fig.axes[0].get_images()
    assert values.get_clim() == (-2.0, 2.0)  # the masked 9 and -9 do not stretch the scale
    drawn = np.ma.filled(values.get_array(), np.nan)
    assert not np.isin([9.0, -9.0], drawn).any()
    assert int(np.isfinite(np.ma.filled(gray.get_array(), np.nan)).sum()) == 2  # one per image
    with pytest.raises(TypeError, match="masked must be a boolean tensor"):
        plot_images(weights, ["a", "b"], "w", masked=masked.long())
    with pytest.raises(ValueError, match=r"masked must have shape \(2, 2\)"):
        plot_images(weights, ["a", "b"], "w", masked=masked[0])


def test_images_colour_bar_is_labelled():
    weights = torch.tensor([[[-2.0, 0.5], [1.0, 0.0]], [[0.25, -0.5], [1.5, 0.0]]])
    assert len(plot_images(weights, ["a", "b"], "weights").axes) == 1
    fig = plot_images(weights, ["a", "b"], "weights", cmap="RdBu_r", colorbar="weight")
    image_axes, bar_axes = fig.axes
    assert bar_axes.get_ylabel() == "weight"
    assert image_axes.get_images()[0].colorbar.ax is bar_axes


def contains_block(arrays: list[np.ndarray], block: np.ndarray) -> bool:
    """Whether ``block`` appears, pixel for pixel, somewhere in one of ``arrays``."""
    height, width = block.shape
    for array in arrays:
        windows = np.lib.stride_tricks.sliding_window_view(array, (height, width))
        if np.any(np.all(windows == block, axis=(2, 3))):
            return True
    return False


@pytest.mark.parametrize("ncols", [8, 2])
def test_images_draws_every_image_with_its_title(ncols):
    generator = torch.Generator().manual_seed(0)
    images = torch.rand(5, 8, 8, generator=generator, dtype=torch.float64)
    titles = ["zero", "one", "two", "three", "four"]
    fig = plot_images(images, titles, "Digits", ncols=ncols)
    drawn = [np.ma.filled(im.get_array(), np.nan) for ax in fig.axes for im in ax.get_images()]
    for image in images.numpy():
        assert contains_block(drawn, image)
    assert sum(int(np.isfinite(a).sum()) for a in drawn) == images.numel()  # nothing else drawn
    shown = texts(fig)
    assert all(title in shown for title in titles) and "Digits" in shown


def test_images_colour_scale_spans_the_data():
    weights = torch.tensor([[[-2.0, 0.5], [1.0, 0.0]], [[0.25, -0.5], [1.5, 0.0]]])
    fig = plot_images(weights, ["a", "b"], "weights", cmap="RdBu_r")
    (image,) = fig.axes[0].get_images()
    assert image.get_clim() == (-2.0, 2.0)  # symmetric: white is a weight of 0
    fig = plot_images(weights, ["a", "b"], "weights")
    (image,) = fig.axes[0].get_images()
    assert image.get_clim() == (-2.0, 1.5)
