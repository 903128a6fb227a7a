"""Figures for the lessons, drawn with one set of figure settings.

Every figure has a size set here (fixed, or from its number of rows and
columns), a title and labelled axes, so that the stored PNGs look alike in the
notebooks, the slides and the seminar pages. At 96 dpi a point of text is a CSS
point, and a slide shows a PNG at its own size (a 1280x800 screen shows the
960x700 reveal.js slide about 1.1 times larger), so no text there is below 10 pt.
Colours come from a palette that readers with a colour-vision deficiency can
tell apart (matplotlib's "tableau-colorblind10").
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import matplotlib.style
import numpy as np
import torch
from matplotlib import cycler
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from softmax_course._validation import require_number, require_scores, require_tensor

FIGSIZE = (6.5, 3.0)  # inches; at 96 dpi, 624 x 288 pixels
LINE_STYLES = ("-", "--", "-.", ":")
#: The smallest text in any figure, in points.
SMALLEST_FONT = 10

#: matplotlib's "tableau-colorblind10" colours, in its order: blue, orange, light
#: gray, dark gray, light blue, dark orange, ... Curves take them in turn. A helper
#: names a colour from here, not as "C0": matplotlib resolves "CN" when it draws, and
#: a figure drawn outside the course's settings would take another palette's.
COLORBLIND_COLORS = tuple(
    matplotlib.style.library["tableau-colorblind10"]["axes.prop_cycle"].by_key()["color"]
)

#: matplotlib's rcParams for every figure of the course, applied to its figures only.
FIGURE_SETTINGS = {
    "figure.figsize": FIGSIZE,
    "figure.dpi": 96,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "font.size": 11,
    "xtick.labelsize": SMALLEST_FONT,
    "ytick.labelsize": SMALLEST_FONT,
    "legend.fontsize": SMALLEST_FONT,
    "axes.prop_cycle": cycler(color=COLORBLIND_COLORS),
    "image.cmap": "viridis",
    "svg.hashsalt": "softmax-course",
}


def show(fig: Figure, alt: str) -> None:
    """Display ``fig`` as a PNG whose output carries ``alt`` (its alternative text), then close it.

    The alt text travels in the notebook output's metadata (``image/png`` ->
    ``alt``), from which the seminar pages' Markdown takes it; closing the
    figure keeps the inline backend from showing it a second time.
    """
    from IPython.display import display

    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError("alt must be a sentence that describes the figure, got an empty text")
    with course_figure_settings():  # the settings matplotlib reads while it saves
        display(fig, metadata={"image/png": {"alt": alt.strip()}})
    plt.close(fig)


def course_figure_settings() -> contextlib.AbstractContextManager:
    """The course's figure settings (size, fonts, palette) while a helper draws a figure.

    ``plt.rc_context`` applies them while the figure is built and restores
    matplotlib's own afterwards, so a figure a student draws after a lesson's
    keeps matplotlib's defaults (and the student's own settings). Each plotting
    helper draws inside ``with course_figure_settings():``.
    """
    return plt.rc_context(FIGURE_SETTINGS)


def _as_numpy(values: object, name: str) -> np.ndarray:
    return require_tensor(values, name).detach().cpu().numpy()


def plot_probabilities(
    logits: torch.Tensor, probs: torch.Tensor, class_names: Sequence[str] | None = None
) -> Figure:
    """Logits and softmax probabilities side by side, each probability's value above its bar."""
    with course_figure_settings():
        logits = require_scores(logits, "logits", dims=(1,))
        probs = require_scores(probs, "probs", dims=(1,))
        if logits.shape != probs.shape:
            raise ValueError(
                f"logits {tuple(logits.shape)} and probs {tuple(probs.shape)} must have one shape"
            )
        names = list(class_names) if class_names else [f"class {i}" for i in range(len(logits))]
        if len(names) != len(logits):
            raise ValueError(f"{len(names)} class names for {len(logits)} logits")
        fig, (ax_z, ax_p) = plt.subplots(1, 2)
        ax_z.bar(names, _as_numpy(logits, "logits"), color=COLORBLIND_COLORS[3])
        ax_z.set(title="Logits z (any real number)", ylabel="score")
        ax_p.bar(names, _as_numpy(probs, "probs"), color=COLORBLIND_COLORS[0])
        ax_p.set(title="softmax(z) (sums to 1)", ylabel="probability", ylim=(0, 1))
        for i, p in enumerate(_as_numpy(probs, "probs")):
            ax_p.text(i, p + 0.02, f"{p:.3f}", ha="center")
        fig.tight_layout()
        return fig


def plot_matrix(
    matrix: torch.Tensor,
    title: str,
    xlabel: str,
    ylabel: str,
    annotate: bool = True,
    fmt: str = "{:g}",
) -> Figure:
    """A matrix as a heat map with its values written in (a confusion matrix, say).

    The values are written in each cell, so a colour bar would only repeat them.
    """
    with course_figure_settings():
        values = _as_numpy(matrix, "matrix")
        if values.ndim != 2:
            raise ValueError(f"matrix must be 2-D, got shape {values.shape}")
        rows, cols = values.shape
        fig, ax = plt.subplots(figsize=(1.25 + 0.3125 * cols, 0.75 + 0.25 * rows))
        ax.imshow(values, cmap="Blues", aspect="auto")
        ax.grid(False)
        ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
        ax.set_xticks(range(values.shape[1]))
        ax.set_yticks(range(values.shape[0]))
        if annotate:
            middle = (values.max() + values.min()) / 2
            for (row, col), value in np.ndenumerate(values):
                color = "white" if value > middle else "black"
                ax.text(col, row, fmt.format(value), ha="center", va="center", color=color)
        fig.tight_layout()
        return fig


def plot_curves(
    x: Sequence[float],
    curves: Mapping[str, Sequence[float]],
    title: str,
    xlabel: str,
    ylabel: str,
    log_x: bool = False,
    log_y: bool = False,
    legend_loc: str = "best",
) -> Figure:
    """Several named curves over one x axis.

    Line styles cycle (solid, dashed, ...) so that curves lying on top of each
    other stay visible. ``legend_loc="outside"`` puts the legend right of the
    axes, where it cannot cover a curve.
    """
    with course_figure_settings():
        if not curves:
            raise ValueError("curves is empty: give at least one named curve")
        fig, ax = plt.subplots()
        for index, (name, values) in enumerate(curves.items()):
            if len(values) != len(x):
                raise ValueError(f"curve {name!r} has {len(values)} values for {len(x)} x values")
            ax.plot(x, values, label=name, linestyle=LINE_STYLES[index % len(LINE_STYLES)])
        ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
        if log_x:
            ax.set_xscale("log")
        if log_y:
            ax.set_yscale("log")
        if legend_loc == "outside":
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
        else:
            ax.legend(loc=legend_loc)
        fig.tight_layout()
        return fig


#: Cost figures are wider than the others, because their legend sits beside the
#: axes: at 96 dpi, 720 x 288 pixels, with text above the smallest size.
COST_FIGSIZE = (7.5, 3.0)
COST_FONT_SIZE = 11


def plot_costs(
    runs: Mapping[str, Sequence[float]],
    title: str = "Cost per epoch",
    log_scale: bool = False,
    reference_lines: Mapping[str, float] | None = None,
) -> Figure:
    """The cost curves of several training runs on one axes.

    ``reference_lines`` draws each named level (a floor, say) as a thin gray
    line. The legend sits right of the axes, so it never hides a curve.
    """
    with course_figure_settings():
        if not runs:
            raise ValueError("runs is empty: give at least one named cost history")
        lengths = {name: len(costs) for name, costs in runs.items()}
        for name, length in lengths.items():
            if length == 0:
                raise ValueError(f"run {name!r} has no costs")
        epochs = range(max(lengths.values()))
        if len(set(lengths.values())) != 1:
            raise ValueError(f"runs must have the same number of epochs, got {lengths}")
        fig = plot_curves(epochs, runs, title, "epoch", "cost", log_y=log_scale)
        fig.set_size_inches(COST_FIGSIZE)
        ax = fig.axes[0]
        for index, (name, level) in enumerate((reference_lines or {}).items()):
            dashes = LINE_STYLES[index % len(LINE_STYLES)]
            ax.axhline(level, color="gray", linewidth=1, linestyle=dashes, label=name)
        ax.title.set_fontsize(COST_FONT_SIZE + 1)
        ax.xaxis.label.set_fontsize(COST_FONT_SIZE)
        ax.yaxis.label.set_fontsize(COST_FONT_SIZE)
        ax.tick_params(which="both", labelsize=COST_FONT_SIZE)
        ax.legend(
            fontsize=COST_FONT_SIZE, loc="upper left", bbox_to_anchor=(1.02, 1), borderaxespad=0
        )
        fig.tight_layout()
        return fig


#: The colour of masked pixels in an image grid: not in the diverging ``RdBu`` scales that
#: masks go with (white is 0 there); a ``gray_r`` grid shows that grey for a value of 0.4.
MASKED_GRAY = "0.6"


def plot_images(
    images: torch.Tensor,
    titles: Sequence[str],
    title: str,
    ncols: int = 8,
    cmap: str = "gray_r",
    masked: torch.Tensor | None = None,
    colorbar: str | None = None,
) -> Figure:
    """A grid of small images (digits or learned weights), each titled.

    The grid is one mosaic drawn on one axes, with each title placed as text,
    so that laying it out costs one axes however many images it shows. A
    ``cmap`` starting with ``RdBu`` is centred: white is 0. ``masked`` (a
    boolean ``(height, width)`` or ``(count, height, width)`` tensor) draws
    those pixels gray and leaves them out of the colour scale; ``colorbar``
    adds a colour bar with that label.
    """
    with course_figure_settings():
        pixels = _as_numpy(images, "images").astype(float)
        if pixels.ndim != 3:
            raise ValueError(f"images must be 3-D (count, height, width), got shape {pixels.shape}")
        if len(titles) != len(pixels):
            raise ValueError(f"{len(titles)} titles for {len(pixels)} images")
        if len(pixels) == 0:
            raise ValueError("images is empty: nothing to show")
        hidden = np.zeros(pixels.shape, dtype=bool)
        if masked is not None:
            mask = require_tensor(masked, "masked")
            if mask.dtype != torch.bool:
                raise TypeError(f"masked must be a boolean tensor, got dtype {mask.dtype}")
            if tuple(mask.shape) not in (pixels.shape[1:], pixels.shape):
                raise ValueError(
                    f"masked must have shape {pixels.shape[1:]} or {pixels.shape}, "
                    f"got {tuple(mask.shape)}"
                )
            hidden = np.broadcast_to(mask.cpu().numpy(), pixels.shape)
            if hidden.all():
                raise ValueError("masked hides every pixel: nothing to show")
        count, height, width = pixels.shape
        ncols = min(ncols, count)
        nrows = -(-count // ncols)
        pad = 1
        # 3 blank rows above each image hold its title
        cell_h, cell_w = height + pad + 3, width + pad
        mosaic = np.full((nrows * cell_h, ncols * cell_w), np.nan)
        gray = np.full_like(mosaic, np.nan)
        for index, (image, hide) in enumerate(zip(pixels, hidden, strict=True)):
            row, col = divmod(index, ncols)
            top, left = row * cell_h + 3, col * cell_w
            mosaic[top : top + height, left : left + width] = np.where(hide, np.nan, image)
            gray[top : top + height, left : left + width] = np.where(hide, 0.0, np.nan)
        shown = pixels[~hidden]
        width_in = 0.75 * ncols + 0.25 + (1.0 if colorbar else 0.0)
        fig, ax = plt.subplots(figsize=(width_in, 0.875 * nrows + 0.5))
        limit = np.abs(shown).max() if cmap.startswith("RdBu") else None
        drawn = ax.imshow(
            mosaic,
            cmap=cmap,
            vmin=-limit if limit else shown.min(),
            vmax=limit if limit else shown.max(),
            interpolation="nearest",
        )
        if hidden.any():
            ax.imshow(gray, cmap=ListedColormap([MASKED_GRAY]), interpolation="nearest")
        for index, label in enumerate(titles):
            row, col = divmod(index, ncols)
            ax.text(
                col * cell_w + width / 2 - 0.5,
                row * cell_h + 1.2,
                label,
                ha="center",
                fontsize=SMALLEST_FONT,
            )
        ax.set_axis_off()
        ax.set_title(title)
        right = 0.98
        if colorbar:
            right = 1 - 1.0 / width_in
            bar_axes = fig.add_axes((right + 0.15 / width_in, 0.1, 0.15 / width_in, 0.7))
            fig.colorbar(drawn, cax=bar_axes, label=colorbar)
            bar_axes.tick_params(labelsize=SMALLEST_FONT)
        fig.subplots_adjust(left=0.02, right=right, bottom=0.02, top=0.88)
        return fig


def plot_temperatures(
    logits: torch.Tensor, probs_by_temperature: Mapping[float, torch.Tensor]
) -> Figure:
    """Bars of ``softmax(z / T)``, class by class, one colour per temperature ``T``.

    Side by side, the bars show a small ``T`` handing the largest logit almost
    everything and a large ``T`` levelling every class towards ``1 / C`` (drawn
    as a gray line). A temperature that is not a positive finite number is
    refused here, by name, rather than drawn as ``nan`` bars: softmax(z / T)
    divides by it.
    """
    with course_figure_settings():
        logits = require_scores(logits, "logits", dims=(1,))
        if not probs_by_temperature:
            raise ValueError("probs_by_temperature is empty: give at least one temperature")
        bars = {}
        for temperature, probs in probs_by_temperature.items():
            temperature = require_number(temperature, "a temperature", positive=True)
            probs = require_scores(probs, f"probs at T = {temperature:g}", dims=(1,))
            if probs.shape != logits.shape:
                raise ValueError(
                    f"probs at T = {temperature:g} has shape {tuple(probs.shape)}, "
                    f"logits {tuple(logits.shape)}: one probability per logit"
                )
            bars[temperature] = _as_numpy(probs, "probs")
        classes = len(logits)
        fig, ax = plt.subplots()
        width = 0.8 / len(bars)
        for index, (temperature, heights) in enumerate(bars.items()):
            offset = (index - (len(bars) - 1) / 2) * width
            ax.bar(np.arange(classes) + offset, heights, width, label=f"T = {temperature:g}")
        ax.axhline(
            1 / classes, color="gray", linewidth=1, linestyle="--", label=f"1/{classes} (large T)"
        )
        ax.set_xticks(
            range(classes), [f"class {i}\nz = {z:g}" for i, z in enumerate(logits.tolist())]
        )
        ax.set(
            title="softmax(z / T): a small T sharpens, a large T flattens",
            ylabel="probability",
            ylim=(0, 1),
        )
        ax.grid(False, axis="x")
        handles, labels = ax.get_legend_handles_labels()  # the bars first, the line last
        order = [*range(1, len(handles)), 0]
        ax.legend(
            [handles[i] for i in order],
            [labels[i] for i in order],
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            borderaxespad=0.0,
        )
        fig.tight_layout()
        return fig


#: Marker shapes for the marked points of one figure, so that they differ by more than colour.
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
#: The -log p curve is a little flatter than the others (at 96 dpi, about
#: 624 x 250 pixels), so that it fits on one slide under the code that draws it.
NEGATIVE_LOG_FIGSIZE = (6.5, 2.6)


def plot_negative_log(true_probs: torch.Tensor, names: Sequence[str] | None = None) -> Figure:
    """The cost of one sample, ``-log p``, against ``p``, the probability of its true class.

    Each of ``true_probs`` is marked on the curve with its cost, so that a
    sample's place on it reads off what it costs: 0 when the model is sure and
    right (``p = 1``), and without bound as ``p`` falls towards 0.
    """
    with course_figure_settings():
        probs = require_scores(true_probs, "true_probs", dims=(1,)).detach().double()
        outside = (probs <= 0) | (probs > 1)
        if outside.any():
            index = int(outside.nonzero()[0])
            raise ValueError(
                f"true_probs must be probabilities in (0, 1], got {float(probs[index]):g} at "
                f"index {index}: -log p is infinite at 0 and a probability is at most 1"
            )
        labels = list(names) if names else [f"sample {i}" for i in range(len(probs))]
        if len(labels) != len(probs):
            raise ValueError(f"{len(labels)} names for {len(probs)} probabilities")
        fig, ax = plt.subplots(figsize=NEGATIVE_LOG_FIGSIZE)
        lowest = min(0.01, float(probs.min()) / 2)
        grid = np.linspace(lowest, 1.0, 500)
        ax.plot(grid, -np.log(grid), color=COLORBLIND_COLORS[0], label="−log p")
        for index, (p, label) in enumerate(zip(probs.tolist(), labels, strict=True)):
            cost = 0.0 - math.log(p)  # not -math.log(p): at p = 1 that is -0.0, written "-0.00"
            ax.plot(
                p,
                cost,
                linestyle="none",
                marker=MARKERS[index % len(MARKERS)],
                markersize=8,
                color=COLORBLIND_COLORS[1 + index % 9],
                label=f"{label}: p = {p:.3f}, cost {cost:.2f}",
            )
        ax.set(
            title="The cost of one sample: −log p",
            xlabel="p, the probability given to the true class",
            ylabel="cost",
            xlim=(0, 1.02),
            ylim=(0, None),
        )
        ax.legend(loc="upper right")
        fig.tight_layout()
        return fig


def plot_reliability(
    edges: torch.Tensor,
    counts: torch.Tensor,
    confidence: torch.Tensor,
    accuracy: torch.Tensor,
    title: str,
) -> Figure:
    """A reliability diagram (lesson 10): each confidence bin's accuracy against the diagonal.

    Bin ``b`` spans ``edges[b]`` to ``edges[b + 1]``; its bar is the accuracy of the
    samples in it, its marker sits at their mean confidence, and its count is
    written above it, because a bar of three samples says little. A calibrated
    model's markers lie on the diagonal (accuracy = confidence); a marker below
    it is over-confidence, above it under-confidence. Empty bins (count 0, their
    confidence and accuracy ``nan``) draw nothing.
    """
    edges = require_scores(edges, "edges", dims=(1,)).detach().double()
    if len(edges) < 2 or not bool((edges[1:] > edges[:-1]).all()):
        raise ValueError("edges must be at least two increasing numbers, the bins' bounds")
    bins = len(edges) - 1
    counts = require_tensor(counts, "counts")
    if counts.is_floating_point() or counts.dtype == torch.bool or counts.shape != (bins,):
        raise ValueError(
            f"counts must be {bins} integers, one per bin, got {counts.dtype} "
            f"of shape {tuple(counts.shape)}"
        )
    if bool((counts < 0).any()) or int(counts.sum()) == 0:
        raise ValueError("counts must be 0 or more, and some bin must hold a sample")
    values = {}
    for name, tensor in (("confidence", confidence), ("accuracy", accuracy)):
        tensor = require_tensor(tensor, name).detach().double()
        if tensor.shape != (bins,):
            raise ValueError(
                f"{name} must have one value per bin ({bins}), got {tuple(tensor.shape)}"
            )
        filled = tensor[counts > 0]
        if not bool(torch.isfinite(filled).all()) or bool(((filled < 0) | (filled > 1)).any()):
            raise ValueError(f"{name} must lie in [0, 1] in every bin that holds a sample")
        values[name] = tensor.cpu().numpy()
    with course_figure_settings():
        filled = (counts > 0).cpu().numpy()
        lefts, widths = edges[:-1].cpu().numpy(), (edges[1:] - edges[:-1]).cpu().numpy()
        fig, ax = plt.subplots()
        ax.bar(
            lefts[filled],
            values["accuracy"][filled],
            widths[filled],
            align="edge",
            color=COLORBLIND_COLORS[0],
            edgecolor="white",
            label="accuracy in the bin",
        )
        ax.plot(
            values["confidence"][filled],
            values["accuracy"][filled],
            linestyle="none",
            marker="o",
            color=COLORBLIND_COLORS[1],
            label="at its mean confidence",
        )
        low, high = float(edges[0]), float(edges[-1])
        ax.plot(
            [low, high], [low, high], color="gray", linestyle="--", linewidth=1, label="calibrated"
        )
        heights = values["accuracy"][filled]
        for left, width, height, count in zip(
            lefts[filled], widths[filled], heights, counts[counts > 0].tolist(), strict=True
        ):
            ax.text(
                left + width / 2, height + 0.05, str(count), ha="center", fontsize=SMALLEST_FONT
            )
        ax.set(
            title=title,
            xlabel="confidence (largest probability)",
            ylabel="accuracy",
            xlim=(low, high),
            ylim=(0, 1.2),
        )
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
        fig.tight_layout()
        return fig
