"""Figures from the analysis tables: a heatmap of codes x groups, scholar-vs-mentor bars, and
the alignment of scholar-mentor pairs (codes x pairs coloured by status).

matplotlib's object API with the Agg canvas: no display, no pyplot global state,
safe in a CLI, a server or a notebook.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from qualcode.analysis.compare import wilson_interval
from qualcode.analysis.counts import counts_wide
from qualcode.core.errors import SelectionError
from qualcode.core.files import FIGURE_SUFFIXES, atomic_output, table_format

KINDS = ("heatmap", "bars", "alignment")
COLOURS = ("#2b6cb0", "#dd8b2b")
#: Okabe-Ito colours (distinguishable with every common colour-vision deficiency), plus a
#: letter in each cell, so the status never rests on colour alone.
STATUS_STYLE = {"both": ("#009E73", "B"), "scholar only": ("#E69F00", "S"),
                "mentor only": ("#56B4E9", "M"), "neither": ("#F2F2F2", "")}
LABEL_WIDTH = 56


def _label(name: str) -> str:
    return textwrap.shorten(str(name), LABEL_WIDTH, placeholder="\u2026")


def _style_code_labels(ax, depths: list[int]) -> None:
    for tick, depth in zip(ax.get_yticklabels(), depths):
        if depth == 0:
            tick.set_fontweight("bold")


def heatmap_figure(counts: pd.DataFrame, value: str = "share", title: str | None = None) -> Figure:
    """Codes (rows, themes in bold) x groups (columns), coloured by ``value``; cells show
    the share and turns/group turns."""
    if counts.empty:
        raise SelectionError("nothing to plot: the counts table is empty")
    shares = counts_wide(counts, value)
    turns = counts_wide(counts, "turns")
    totals = counts.drop_duplicates("group").set_index("group")["group_turns"]
    groups = [c for c in shares.columns if c not in ("code", "name", "theme", "depth")]
    data = shares[groups].to_numpy(dtype=float)
    n_rows, n_cols = data.shape
    fig = Figure(figsize=(3.6 + 1.25 * n_cols, 1.4 + 0.36 * n_rows), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    vmax = np.nanmax(data) if np.isfinite(data).any() and np.nanmax(data) > 0 else 1.0
    image = ax.imshow(data, cmap="Blues", vmin=0, vmax=vmax, aspect="auto")
    for i in range(n_rows):
        for j in range(n_cols):
            v = data[i, j]
            text = f"{v:.0%}" if value == "share" else f"{v:g}"
            if value == "share":
                text += f"\n{int(turns[groups[j]].iloc[i])}/{int(totals[groups[j]])}"
            ax.text(j, i, text, ha="center", va="center", fontsize=8,
                    color="white" if v > 0.6 * vmax else "#1a1a1a")
    ax.set_xticks(range(n_cols), [f"{g}" for g in groups], fontsize=9)
    ax.xaxis.tick_top()
    ax.set_yticks(range(n_rows), [_label(n) for n in shares["name"]], fontsize=9)
    _style_code_labels(ax, list(shares["depth"]))
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    bar = fig.colorbar(image, ax=ax, shrink=min(1.0, 6 / max(n_rows, 1)) if n_rows > 6 else 1.0,
                       pad=0.02)
    if value == "share":
        bar.ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        bar.set_label("share of the group's participant turns", fontsize=8)
    bar.ax.tick_params(labelsize=8)
    by = counts["by"].iloc[0] if "by" in counts.columns else "group"
    ax.set_title(title or f"Codes by {by}", fontsize=11, loc="left")
    return fig


def bars_figure(table: pd.DataFrame, title: str | None = None, confidence: float = 0.95) -> Figure:
    """Grouped horizontal bars: each code's share in group a and group b, with Wilson 95% CIs."""
    if table.empty:
        raise SelectionError("nothing to plot: the comparison table is empty")
    a, b, unit = table["a"].iloc[0], table["b"].iloc[0], table["unit"].iloc[0]
    n = len(table)
    fig = Figure(figsize=(8.0, 1.6 + 0.4 * n), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    y = np.arange(n)
    height = 0.38
    for offset, side, colour in ((-height / 2, "a", COLOURS[0]), (height / 2, "b", COLOURS[1])):
        x = table[f"{side}_units"].to_numpy()
        total = table[f"{side}_total"].to_numpy()
        share = table[f"{side}_share"].to_numpy(dtype=float)
        ci = np.array([wilson_interval(int(k), int(m), confidence) for k, m in zip(x, total)])
        err = np.clip(np.vstack([share - ci[:, 0], ci[:, 1] - share]), 0, None)
        name = table[side].iloc[0]
        ax.barh(y + offset, share, height, color=colour,
                label=f"{name} (n = {int(total[0])} {unit})",
                xerr=err, error_kw={"elinewidth": 0.8, "capsize": 2, "ecolor": "#555555"})
    labels = [_label(r.name) + (" (few data)" if r.few_data else "") for r in table.itertuples()]
    ax.set_yticks(y, labels, fontsize=9)
    _style_code_labels(ax, list(table["depth"]))
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlim(0, 1)
    ax.set_xlabel(f"share of the group's {'participant turns' if unit == 'turns' else 'participants'}"
                  f" (bars: {confidence:.0%} Wilson intervals)", fontsize=9)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncols=2, fontsize=9, frameon=False)
    ax.set_title(title or f"{a} vs {b}", fontsize=11, loc="left")
    return fig


def alignment_figure(alignment, title: str | None = None) -> Figure:
    """Codes (rows, themes in bold) x pairs (columns), each cell coloured and lettered by its
    status (B both, S scholar only, M mentor only, blank neither); codes no pair raised are
    left out and counted under the figure.  ``alignment``: :class:`qualcode.analysis.alignment.Alignment`."""
    codes, across = alignment.codes, alignment.across
    shown = across[across["raised"] > 0]
    if shown.empty:
        raise SelectionError("nothing to plot: no side of any pair raised a code")
    pairs = list(dict.fromkeys(codes["pair"]))
    status = codes.pivot(index="code", columns="pair", values="status").loc[shown["code"], pairs]
    order = list(STATUS_STYLE)
    grid = status.apply(lambda column: column.map(order.index)).to_numpy()
    n_rows, n_cols = grid.shape
    labels = [_label(n) for n in shown["code_name"]]
    width = max(6.4, 1.2 + 0.075 * max(len(label) for label in labels) + 0.5 * n_cols)
    fig = Figure(figsize=(width, 2.2 + 0.3 * n_rows), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    cmap = ListedColormap([STATUS_STYLE[s][0] for s in order])
    ax.imshow(grid, cmap=cmap, vmin=-0.5, vmax=len(order) - 0.5, aspect="auto")
    for i in range(n_rows):
        for j in range(n_cols):
            ax.text(j, i, STATUS_STYLE[order[grid[i, j]]][1], ha="center", va="center", fontsize=7,
                    color="#1a1a1a")
    ax.set_xticks(range(n_cols), pairs, fontsize=9, rotation=90 if n_cols > 12 else 0)
    ax.xaxis.tick_top()
    ax.set_yticks(range(n_rows), labels, fontsize=8)
    _style_code_labels(ax, list(shown["depth"]))
    ax.set_xticks(np.arange(-0.5, n_cols), minor=True)
    ax.set_yticks(np.arange(-0.5, n_rows), minor=True)
    ax.grid(which="minor", color="white", linewidth=1.2)
    ax.tick_params(which="both", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    handles = [Patch(facecolor=colour, edgecolor="#999999", label=f"{letter} {name}" if letter else name)
               for name, (colour, letter) in STATUS_STYLE.items()]
    fig.legend(handles=handles, loc="outside lower center", ncols=4 if width >= 7 else 2, fontsize=8,
               frameon=False)
    fig.suptitle(title or "Codes raised within each scholar-mentor pair", fontsize=11)
    hidden = len(across) - len(shown)
    if hidden:
        ax.set_title(f"{hidden} code{'s' if hidden != 1 else ''} raised in no pair not shown", fontsize=8,
                     color="#595959", pad=24)
    return fig


def save_figure(fig: Figure, path: str | Path, dpi: int = 200) -> Path:
    """Write a figure atomically; the format follows the suffix (.png or .svg)."""
    suffix = table_format(path, FIGURE_SUFFIXES)
    with atomic_output(path) as tmp:
        fig.savefig(tmp, format=suffix[1:], dpi=dpi)
    return Path(path)
