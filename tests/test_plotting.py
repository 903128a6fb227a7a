"""Each plot helper draws the data it is given, titled and labelled as asked.

The tests read the artists back (bar heights, line data, image arrays, texts)
instead of comparing pictures, so that a restyled figure still passes and a
figure of the wrong array fails.
"""

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.image import AxesImage  # noqa: E402

from softmax_course import plotting  # noqa: E402
from softmax_course.plotting import (  # noqa: E402
    plot_costs,
    plot_curves,
    plot_images,
    plot_matrix,
    plot_negative_log,
    plot_probabilities,
    plot_temperatures,
    show,
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


def in_view(ax, x: float, y: float) -> bool:
    """Whether the point ``(x, y)`` (in data coordinates) lies inside the axes' view: is shown."""
    (left, right), (bottom, top) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
    return left <= x <= right and bottom <= y <= top


def test_probabilities_says_what_each_side_shows_and_writes_each_value_over_its_bar():
    ax_z, ax_p = plot_probabilities(LOGITS, PROBS).axes
    assert (ax_z.get_title(), ax_z.get_ylabel()) == ("Logits z (any real number)", "score")
    assert (ax_p.get_title(), ax_p.get_ylabel()) == ("softmax(z) (sums to 1)", "probability")
    assert ax_p.get_ylim() == (0, 1)  # every probability against the whole range
    for bar, text in zip(ax_p.patches, ax_p.texts, strict=True):
        x, y = text.get_position()
        assert x == pytest.approx(bar.get_x() + bar.get_width() / 2)
        assert bar.get_height() < y and in_view(ax_p, x, y)


def test_probabilities_names_the_argument_that_is_no_tensor():
    with pytest.raises(TypeError, match="^logits must be a torch.Tensor, got list$"):
        plot_probabilities([1.0, 2.0], PROBS[:2])
    with pytest.raises(TypeError, match="^probs must be a torch.Tensor, got list$"):
        plot_probabilities(LOGITS[:2], [0.5, 0.5])


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


def test_matrix_labels_every_row_and_column_and_keeps_its_values_legible():
    matrix = torch.tensor([[10, 2, 5], [6, 9, 2]])  # 2 rows, 3 columns: the axes cannot be swapped
    ax = plot_matrix(matrix, "Confusion", "predicted", "true").axes[0]
    assert list(ax.get_xticks()) == [0, 1, 2] and list(ax.get_yticks()) == [0, 1]
    colours = {t.get_text(): t.get_color() for t in ax.texts}
    # Above the middle of the range (6, halfway from 2 to 10) the cell is dark: its value
    # is written in white; the middle itself is still light.
    assert [colours[text] for text in ("10", "9", "6", "5", "2")] == [
        "white", "white", "black", "black", "black",
    ]
    assert {(t.get_ha(), t.get_va()) for t in ax.texts} == {("center", "center")}
    assert not any(line.get_visible() for line in ax.get_xgridlines() + ax.get_ygridlines())


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


def test_curves_legend_outside_sits_right_of_the_axes():
    fig = plot_curves([1, 2], {"a": [1.0, 2.0]}, "t", "x", "y", legend_loc="outside")
    fig.canvas.draw()
    ax = fig.axes[0]
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["a"]
    assert legend.get_window_extent().x0 >= ax.get_window_extent().x1  # it covers no curve


def test_curves_puts_the_legend_where_asked():
    # the curve rises to the upper right: "best" would avoid that corner, asked for it takes it
    fig = plot_curves([0, 1], {"a": [0.0, 1.0]}, "t", "x", "y", legend_loc="upper right")
    fig.canvas.draw()
    legend, axes = fig.axes[0].get_legend().get_window_extent(), fig.axes[0].get_window_extent()
    assert legend.x1 > axes.x1 - 0.25 * axes.width and legend.y1 > axes.y1 - 0.25 * axes.height


def test_costs_draws_one_cost_per_epoch_from_epoch_0():
    runs = {"F.cross_entropy": [1.8, 1.1, 0.7], "double softmax": [1.8, 1.5, 1.4]}
    ax = plot_costs(runs, log_scale=True).axes[0]
    for line, (name, costs) in zip(ax.get_lines(), runs.items(), strict=True):
        assert line.get_label() == name
        np.testing.assert_array_equal(line.get_xdata(), [0, 1, 2])
        np.testing.assert_array_equal(line.get_ydata(), costs)
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("Cost per epoch", "epoch", "cost")
    assert ax.get_yscale() == "log"
    ax = plot_costs(runs, title="Digits").axes[0]
    assert ax.get_title() == "Digits" and ax.get_yscale() == "linear"


def test_costs_draws_each_reference_level_as_a_named_line():
    runs = {"F.cross_entropy": [1.8, 1.1, 0.7]}
    ax = plot_costs(runs, reference_lines={"floor": 0.5, "chance": 1.1}).axes[0]
    curve, *levels = ax.get_lines()
    assert [line.get_label() for line in levels] == ["floor", "chance"]
    for line, level in zip(levels, [0.5, 1.1], strict=True):
        np.testing.assert_array_equal(line.get_ydata(), [level, level])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "F.cross_entropy", "floor", "chance",
    ]
    assert levels[0].get_linestyle() != levels[1].get_linestyle()  # both gray: told apart so
    ax.figure.canvas.draw()
    assert ax.get_legend().get_window_extent().x0 >= ax.get_window_extent().x1  # hides no curve


def test_costs_draws_a_run_of_one_epoch():
    (line,) = plot_costs({"one step": [0.7]}).axes[0].get_lines()
    np.testing.assert_array_equal(line.get_ydata(), [0.7])


def test_images_draw_masked_pixels_gray_outside_the_colour_scale():
    weights = torch.tensor([[[-2.0, 0.5], [1.0, 9.0]], [[0.25, -0.5], [1.5, -9.0]]])
    masked = torch.tensor([[False, False], [False, True]])
    fig = plot_images(weights, ["a", "b"], "weights", cmap="RdBu_r", masked=masked)
    values, gray = fig.axes[0].get_images()
    assert values.get_clim() == (-2.0, 2.0)  # the masked 9 and -9 do not stretch the scale
    drawn = np.ma.filled(values.get_array(), np.nan)
    assert not np.isin([9.0, -9.0], drawn).any()
    gray_pixels = np.ma.filled(gray.get_array(), np.nan)
    assert int(np.isfinite(gray_pixels).sum()) == 2  # one per image
    shown_as = gray.to_rgba(gray_pixels[np.isfinite(gray_pixels)])
    assert shown_as.tolist() == [list(matplotlib.colors.to_rgba(plotting.MASKED_GRAY))] * 2
    with pytest.raises(TypeError, match="masked must be a boolean tensor"):
        plot_images(weights, ["a", "b"], "w", masked=masked.long())
    with pytest.raises(ValueError, match=r"masked must have shape \(2, 2\)"):
        plot_images(weights, ["a", "b"], "w", masked=masked[0])


def test_images_and_their_colour_bar_lie_side_by_side_inside_the_figure():
    weights = torch.rand(3, 4, 4, generator=torch.Generator().manual_seed(2)) - 0.5
    for colorbar in ("weight", None):
        fig = plot_images(weights, ["a", "b", "c"], "w", cmap="RdBu_r", colorbar=colorbar)
        fig.canvas.draw()
        boxes = [ax.get_position() for ax in fig.axes]
        assert all(0 <= box.x0 < box.x1 <= 1 and 0 <= box.y0 < box.y1 <= 1 for box in boxes)
        if colorbar:
            images, bar = boxes
            assert images.x1 <= bar.x0 and bar.width < images.width


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


def block_at(array: np.ndarray, block: np.ndarray) -> tuple[int, int]:
    """The (row, column) of the top left corner of ``block`` in ``array`` (it appears once)."""
    windows = np.lib.stride_tricks.sliding_window_view(array, block.shape)
    ((top, left),) = np.argwhere(np.all(windows == block, axis=(2, 3)))
    return int(top), int(left)


@pytest.mark.parametrize("ncols", [3, 2])
def test_images_write_each_title_just_above_its_own_image(ncols):
    generator = torch.Generator().manual_seed(1)
    images = torch.rand(5, 4, 6, generator=generator, dtype=torch.float64)
    titles = ["zero", "one", "two", "three", "four"]
    ax = plot_images(images, titles, "Digits", ncols=ncols).axes[0]
    mosaic = np.ma.filled(ax.get_images()[0].get_array(), np.nan)
    written = {t.get_text(): t.get_position() for t in ax.texts}
    for image, title in zip(images.numpy(), titles, strict=True):
        top, left = block_at(mosaic, image)
        x, y = written[title]
        assert x == pytest.approx(left + (image.shape[1] - 1) / 2)  # centred over the image
        assert top - 3 <= y < top - 0.5  # in the blank rows above it, not on the one above
        assert in_view(ax, x, y)


def test_images_accept_a_mask_per_image_and_refuse_one_that_hides_everything():
    images = torch.tensor([[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]])
    masked = torch.tensor([[[True, False], [False, False]], [[False, False], [False, True]]])
    values, gray = plot_images(images, ["a", "b"], "t", masked=masked).axes[0].get_images()
    drawn = np.ma.filled(values.get_array(), np.nan)
    assert sorted(drawn[np.isfinite(drawn)].tolist()) == [2.0, 3.0, 4.0, 5.0, 6.0, 7.0]
    assert values.get_clim() == (2.0, 7.0)
    with pytest.raises(ValueError, match="masked hides every pixel"):
        plot_images(images, ["a", "b"], "t", masked=torch.ones(2, 2, dtype=torch.bool))
    with pytest.raises(ValueError, match="images is empty"):
        plot_images(torch.zeros(0, 2, 2), [], "t")


def test_images_names_the_argument_that_is_no_tensor():
    with pytest.raises(TypeError, match="^images must be a torch.Tensor, got list$"):
        plot_images([[[0.0, 1.0]]], ["a"], "t")
    with pytest.raises(TypeError, match="^masked must be a torch.Tensor, got list$"):
        plot_images(torch.zeros(1, 1, 2), ["a"], "t", masked=[[False, True]])


def test_images_draw_a_single_image():
    image = torch.tensor([[[0.0, 1.0], [2.0, 3.0]]])
    ax = plot_images(image, ["only"], "one").axes[0]
    (drawn,) = ax.get_images()
    assert contains_block([np.ma.filled(drawn.get_array(), np.nan)], image[0].numpy())
    assert "only" in texts(ax)


def test_images_colour_scale_spans_the_data():
    weights = torch.tensor([[[-2.0, 0.5], [1.0, 0.0]], [[0.25, -0.5], [1.5, 0.0]]])
    fig = plot_images(weights, ["a", "b"], "weights", cmap="RdBu_r")
    (image,) = fig.axes[0].get_images()
    assert image.get_clim() == (-2.0, 2.0)  # symmetric: white is a weight of 0
    assert image.get_cmap().name == "RdBu_r"
    (image,) = plot_images(weights + 1.0, ["a", "b"], "weights", cmap="RdBu").axes[0].get_images()
    assert image.get_clim() == (-2.5, 2.5)  # the largest is positive: the scale still centres
    fig = plot_images(weights, ["a", "b"], "weights")
    (image,) = fig.axes[0].get_images()
    assert image.get_clim() == (-2.0, 1.5)


def test_figure_settings_use_matplotlib_s_colour_blind_palette():
    expected = matplotlib.style.library["tableau-colorblind10"]["axes.prop_cycle"].by_key()["color"]
    fig = plot_curves([0, 1], {"a": [0.0, 1.0], "b": [1.0, 0.0]}, "t", "x", "y")
    assert [line.get_color() for line in fig.axes[0].get_lines()] == expected[:2]
    marks = plot_negative_log(torch.tensor([0.5, 0.25])).axes[0].get_lines()
    assert [line.get_color() for line in marks] == expected[:3]  # named, not "C0": see plotting


def test_show_displays_the_figure_with_its_alt_text_and_closes_it(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: shown.append((a, k)))
    fig = plot_curves([0, 1], {"a": [0.0, 1.0]}, "t", "x", "y")
    later = plt.figure()  # the current figure: show closes the one it shows, not this one
    show(fig, alt="  A rising line from 0 to 1.\n")
    assert shown == [((fig,), {"metadata": {"image/png": {"alt": "A rising line from 0 to 1."}}})]
    assert not plt.fignum_exists(fig.number) and plt.fignum_exists(later.number)


@pytest.mark.parametrize(
    ("fig", "alt", "error", "message"),
    [
        ("a figure", "a sentence", TypeError, "^fig must be a matplotlib Figure, got str$"),
        (None, " \n", ValueError, "^alt must be a sentence that describes the figure, got an"),
        (None, None, ValueError, "^alt must be a sentence"),
    ],
)
def test_show_refuses_what_is_not_a_figure_or_an_alt_text(fig, alt, error, message):
    with pytest.raises(error, match=message):
        show(fig if fig is not None else plt.figure(), alt=alt)


def every_helper_figure() -> None:
    """One figure from each plotting helper, each shown as a lesson shows it."""
    show(plot_probabilities(LOGITS, PROBS), alt="bars")
    show(plot_matrix(torch.eye(2), "t", "x", "y"), alt="a matrix")
    show(plot_costs({"a": [1.0, 0.5]}, reference_lines={"floor": 0.2}), alt="costs")
    show(plot_images(torch.rand(2, 3, 3), ["a", "b"], "t", colorbar="w"), alt="images")
    show(plot_temperatures(LOGITS[:3], {2.0: torch.softmax(LOGITS[:3] / 2, 0)}), alt="bars")
    show(plot_negative_log(PROBS), alt="a curve")


def test_a_students_own_figure_after_a_lessons_keeps_matplotlib_s_settings(monkeypatch):
    monkeypatch.setattr("IPython.display.display", lambda *args, **kwargs: None)
    matplotlib.rcdefaults()
    before = dict(plt.rcParams)
    every_helper_figure()
    assert dict(plt.rcParams) == before
    fig, ax = plt.subplots()
    (line,) = ax.plot([0, 1], [1, 0])
    ax.set_title("mine")
    fig.canvas.draw()
    defaults = matplotlib.rcParamsDefault
    assert tuple(fig.get_size_inches()) == tuple(defaults["figure.figsize"])
    assert line.get_color() == defaults["axes.prop_cycle"].by_key()["color"][0]
    title_size = matplotlib.font_manager.FontProperties(size=defaults["axes.titlesize"])
    assert ax.title.get_fontsize() == title_size.get_size_in_points()
    assert ax.spines["top"].get_visible() and not ax.xaxis.get_gridlines()[0].get_visible()
    # and a student's own setting stays theirs
    plt.rcParams["lines.linewidth"] = 4.0
    every_helper_figure()
    assert plt.rcParams["lines.linewidth"] == 4.0
    assert plt.rcParams["figure.dpi"] == before["figure.dpi"]


def test_figure_settings_are_not_called_a_style():
    # "style" names one of the course's training styles, never matplotlib's settings.
    assert not hasattr(plotting, "STYLE") and not hasattr(plotting, "use_course_style")


def test_temperatures_draws_one_bar_per_class_and_temperature():
    logits = torch.tensor([1.0, 2.0, 3.0])
    by_temperature = {T: torch.softmax(logits / T, dim=0) for T in (0.5, 1.0, 4.0)}
    ax = plot_temperatures(logits, by_temperature).axes[0]
    heights = np.array(bar_heights(ax)).reshape(len(by_temperature), len(logits))
    np.testing.assert_allclose(heights, torch.stack(list(by_temperature.values())).numpy())
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["T = 0.5", "T = 1", "T = 4", "1/3 (large T)"]
    # each entry's key is drawn as what it names: a temperature's bars, then the gray line
    *keys, line_key = ax.get_legend().legend_handles
    bar_colours = [group.patches[0].get_facecolor() for group in ax.containers]
    assert [key.get_facecolor() for key in keys] == bar_colours
    assert isinstance(line_key, matplotlib.lines.Line2D)
    assert line_key.get_color() == ax.get_lines()[0].get_color()
    (line,) = ax.get_lines()
    np.testing.assert_allclose(line.get_ydata(), [1 / 3, 1 / 3])
    assert ax.get_title() and ax.get_ylabel() == "probability"
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == ["class 0\nz = 1", "class 1\nz = 2", "class 2\nz = 3"]


def test_temperatures_groups_each_class_s_bars_over_its_tick_in_temperature_order():
    logits = torch.tensor([1.0, 2.0, 3.0, 0.0])
    by_temperature = {T: torch.softmax(logits / T, dim=0) for T in (0.5, 1.0, 4.0)}
    ax = plot_temperatures(logits, by_temperature).axes[0]
    assert ax.get_title() == "softmax(z / T): a small T sharpens, a large T flattens"
    assert ax.get_ylim() == (0, 1)
    bars = np.array(ax.patches).reshape(len(by_temperature), len(logits))
    for class_index in range(len(logits)):
        lefts = [bar.get_x() for bar in bars[:, class_index]]
        rights = [bar.get_x() + bar.get_width() for bar in bars[:, class_index]]
        assert class_index - 0.5 < lefts[0] and rights[-1] < class_index + 0.5  # over its tick
        assert all(r <= left + 1e-9 for r, left in zip(rights, lefts[1:], strict=False))
        centre = (lefts[0] + rights[-1]) / 2
        assert centre == pytest.approx(class_index)


@pytest.mark.parametrize(
    ("by_temperature", "error", "message"),
    [
        ({}, ValueError, "probs_by_temperature is empty"),
        ({0.0: torch.full((3,), 1 / 3)}, ValueError, "a temperature must be positive, got 0.0"),
        ({-1: torch.full((3,), 1 / 3)}, ValueError, "a temperature must be positive, got -1"),
        ({math.inf: torch.full((3,), 1 / 3)}, ValueError, "temperature must be a finite number"),
        ({"1": torch.full((3,), 1 / 3)}, TypeError, "a temperature must be a number, got str"),
        ({1.0: torch.full((2,), 0.5)}, ValueError, r"probs at T = 1 has shape \(2,\)"),
        ({1.0: torch.full((3,), float("nan"))}, ValueError, "probs at T = 1 contains NaN"),
    ],
)
def test_temperatures_refuses_bad_input_by_name(by_temperature, error, message):
    with pytest.raises(error, match=message):
        plot_temperatures(torch.tensor([1.0, 2.0, 3.0]), by_temperature)


def test_temperatures_and_negative_log_name_the_argument_that_is_no_tensor():
    with pytest.raises(TypeError, match="^logits must be a torch.Tensor, got list$"):
        plot_temperatures([1.0, 2.0], {1.0: torch.tensor([0.5, 0.5])})
    with pytest.raises(TypeError, match="^true_probs must be a torch.Tensor, got list$"):
        plot_negative_log([0.5])


def test_negative_log_draws_the_curve_and_marks_each_probability():
    true_probs = torch.tensor([0.25, 0.5, 0.9])
    ax = plot_negative_log(true_probs, ["a", "b", "c"]).axes[0]
    curve, *marks = ax.get_lines()
    np.testing.assert_allclose(curve.get_ydata(), -np.log(curve.get_xdata()))
    assert curve.get_xdata()[-1] == 1.0 and curve.get_ydata()[-1] == 0.0
    for mark, p in zip(marks, true_probs.tolist(), strict=True):
        np.testing.assert_allclose(mark.get_xdata(), [p])
        np.testing.assert_allclose(mark.get_ydata(), [-np.log(p)])
    assert len({mark.get_marker() for mark in marks}) == len(marks)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[1] == "a: p = 0.250, cost 1.39"
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()


def test_negative_log_names_its_axes_and_shows_every_mark():
    true_probs = torch.tensor([0.05, 0.5, 1.0])  # 1: sure and right, cost 0
    ax = plot_negative_log(true_probs).axes[0]
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == (
        "The cost of one sample: −log p", "p, the probability given to the true class", "cost",
    )
    curve, *marks = ax.get_lines()
    assert curve.get_xdata()[0] <= 0.01  # the curve rises towards 0, where the cost has no bound
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [
        "−log p", "sample 0: p = 0.050, cost 3.00", "sample 1: p = 0.500, cost 0.69",
        "sample 2: p = 1.000, cost 0.00",
    ]
    for line in ax.get_lines():
        assert all(in_view(ax, x, y) for x, y in line.get_xydata())


def test_negative_log_tells_ten_samples_apart():
    ax = plot_negative_log(torch.linspace(0.1, 1.0, 10)).axes[0]
    curve, *marks = ax.get_lines()
    assert len(marks) == 10
    assert len({(mark.get_marker(), mark.get_color()) for mark in marks}) == 10
    assert curve.get_color() not in {mark.get_color() for mark in marks}


def test_negative_log_reaches_below_a_small_probability():
    (curve, mark) = plot_negative_log(torch.tensor([0.001])).axes[0].get_lines()
    assert curve.get_xdata()[0] <= 0.001


@pytest.mark.parametrize(
    ("true_probs", "names", "message"),
    [
        (torch.tensor([0.5, 0.0]), None, r"probabilities in \(0, 1\], got 0 at index 1"),
        (torch.tensor([1.5]), None, r"got 1.5 at index 0"),
        (torch.tensor([0.5, 0.25]), ["one"], "1 names for 2 probabilities"),
    ],
)
def test_negative_log_refuses_bad_input_by_name(true_probs, names, message):
    with pytest.raises(ValueError, match=message):
        plot_negative_log(true_probs, names)


def test_the_masked_grey_is_gray_r_at_0_4_as_its_comment_says():
    import matplotlib

    from softmax_course.plotting import MASKED_GRAY

    expected = matplotlib.colors.to_rgba(MASKED_GRAY)
    assert matplotlib.colormaps["gray_r"](0.4) == pytest.approx(expected)
