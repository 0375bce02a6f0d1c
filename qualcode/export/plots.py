"""Figures from the analysis tables: a heatmap of codes x groups, scholar-vs-mentor bars, and
the alignment of scholar-mentor pairs (codes x pairs coloured by status).

matplotlib's object API with the Agg canvas: no display, no pyplot global state,
safe in a CLI, a server or a notebook.
"""

from __future__ import annotations

import math
import re
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib import colormaps
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import PercentFormatter

from qualcode.analysis.compare import MIN_TOTAL, wilson_interval
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


def heatmap_figure(counts: pd.DataFrame, value: str = "share", title: str | None = None,
                   caption: str | None = None, min_group: int = MIN_TOTAL) -> Figure:
    """Codes (rows, themes in bold) x groups (columns), coloured by ``value``; cells show
    the share and turns/group turns.

    Shares of groups with fewer than ``min_group`` turns are not coloured (hatched, with their
    counts): one coded turn out of one is 100%, with a 95% interval from 21% to 100%, and
    would both claim the darkest colour and squeeze every other cell into the palest ones.
    The colour scale runs from 0 to the largest share among the other groups (rounded up to
    5%), and the colour bar shows it.  ``caption``: a line under the figure (the selection)."""
    if counts.empty:
        raise SelectionError("nothing to plot: the counts table is empty")
    shares = counts_wide(counts, value)
    turns = counts_wide(counts, "turns")
    totals = counts.drop_duplicates("group").set_index("group")["group_turns"]
    groups = [c for c in shares.columns if c not in ("code", "name", "theme", "depth")]
    data = shares[groups].to_numpy(dtype=float)
    few = np.array([value == "share" and int(totals[g]) < min_group for g in groups])
    shown = np.ma.masked_array(data, mask=np.broadcast_to(few, data.shape) | ~np.isfinite(data))
    n_rows, n_cols = data.shape
    fig = Figure(figsize=(3.6 + 1.25 * n_cols, 1.6 + 0.36 * n_rows), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    vmax = _scale_top(shown, value)
    image = ax.imshow(shown, cmap=_HEAT, vmin=0, vmax=vmax, aspect="auto")
    for i in range(n_rows):
        for j in range(n_cols):
            _heat_cell(ax, i, j, data[i, j], int(turns[groups[j]].iloc[i]), int(totals[groups[j]]),
                       value, bool(few[j]), vmax)
    ax.set_xticks(range(n_cols), [_wrapped(g) + (f"\n({_turns(int(totals[g]))})" if few[j] else "")
                                  for j, g in enumerate(groups)], fontsize=9)
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
        bar.set_label(f"share of the group's participant turns (scale: 0 to {vmax:.0%})", fontsize=8)
    bar.ax.tick_params(labelsize=8)
    by = counts["by"].iloc[0] if "by" in counts.columns else "group"
    ax.set_title(title or f"Codes by {by}", fontsize=11, loc="left")
    notes = [f"Hatched: groups with fewer than {min_group} participant turns, whose shares say "
             "little (counts shown, no colour)."] if few.any() else []
    _caption(fig, notes + ([caption] if caption else []))
    return fig


#: The heatmap's colours; cells left uncoloured (few turns) are drawn by hand.
_HEAT = colormaps["Blues"].with_extremes(bad="#ffffff")


def _scale_top(shown: np.ma.MaskedArray, value: str) -> float:
    """The top of the colour scale: the largest coloured value (a share rounded up to 5%)."""
    top = float(shown.max()) if shown.count() else 0.0
    if value != "share":
        return top if top > 0 else 1.0
    return max(0.05, min(1.0, math.ceil(round(top * 20, 9)) / 20))


def _heat_cell(ax, i: int, j: int, v: float, coded: int, total: int, value: str, few: bool,
               vmax: float) -> None:
    """One cell's text (and, for a group of few turns, its hatching)."""
    if few:
        ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="#f4f4f4", edgecolor="#bbbbbb",
                               hatch="///", linewidth=0))
        ax.text(j, i, f"{coded}/{total}", ha="center", va="center", fontsize=8, color="#555555")
        return
    text = f"{v:.0%}" if value == "share" else f"{v:g}"
    if value == "share":
        text += f"\n{coded}/{total}"
    ax.text(j, i, text, ha="center", va="center", fontsize=8,
            color="white" if v > 0.6 * vmax else "#1a1a1a")


def _wrapped(name: str, width: int = 14) -> str:
    """A column label on lines of about ``width`` characters, broken after ``_ . -`` or a space
    (a document name would run into its neighbours' otherwise)."""
    lines = [""]
    for piece in re.findall(r"[^_.\-\s]*[_.\-\s]?", str(name)):
        if lines[-1] and len(lines[-1]) + len(piece.rstrip()) > width:
            lines.append("")
        lines[-1] += piece
    return "\n".join(line.strip() for line in lines if line.strip())


def _turns(n: int) -> str:
    return f"{n} turn{'s' if n != 1 else ''}"


def _caption(fig: Figure, lines: list[str]) -> None:
    """Small grey lines under a figure."""
    if lines:   # a figure-wide label: the constrained layout makes room for it
        width = max(60, int(fig.get_figwidth() * 14))
        fig.supxlabel("\n".join(textwrap.fill(line, width) for line in lines), fontsize=7, color="#595959",
                      x=0.01, ha="left")


def bars_figure(table: pd.DataFrame, title: str | None = None, confidence: float = 0.95,
                caption: str | None = None) -> Figure:
    """Grouped horizontal bars: each code's share in group a and group b, with Wilson 95% CIs.
    The share axis runs to the largest upper interval bound (rounded up to 5%), not to 100%,
    so that shares of a few percent stay readable.  ``caption``: a line under the figure."""
    if table.empty:
        raise SelectionError("nothing to plot: the comparison table is empty")
    a, b, unit = table["a"].iloc[0], table["b"].iloc[0], table["unit"].iloc[0]
    n = len(table)
    fig = Figure(figsize=(8.0, 1.6 + 0.4 * n), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    y = np.arange(n)
    height = 0.38
    top = 0.0
    for offset, side, colour in ((-height / 2, "a", COLOURS[0]), (height / 2, "b", COLOURS[1])):
        x = table[f"{side}_units"].to_numpy()
        total = table[f"{side}_total"].to_numpy()
        share = table[f"{side}_share"].to_numpy(dtype=float)
        ci = np.array([wilson_interval(int(k), int(m), confidence) for k, m in zip(x, total)])
        err = np.clip(np.vstack([share - ci[:, 0], ci[:, 1] - share]), 0, None)
        top = max(top, float(np.nanmax(ci[:, 1])) if len(ci) else 0.0)
        name = table[side].iloc[0]
        ax.barh(y + offset, share, height, color=colour,
                label=f"{name} (n = {int(total[0])} {unit})",
                xerr=err, error_kw={"elinewidth": 0.8, "capsize": 2, "ecolor": "#555555"})
    labels = [_label(r.name) + (" (few data)" if r.few_data else "") for r in table.itertuples()]
    ax.set_yticks(y, labels, fontsize=9)
    _style_code_labels(ax, list(table["depth"]))
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlim(0, max(0.1, min(1.0, math.ceil(round((top + 0.01) * 20, 9)) / 20)))   # 5% steps, room for whiskers
    ax.set_xlabel(f"share of the group's {'participant turns' if unit == 'turns' else 'participants'}"
                  f" (bars: {confidence:.0%} Wilson intervals)", fontsize=9)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncols=2, fontsize=9, frameon=False)
    ax.set_title(title or f"{a} vs {b}", fontsize=11, loc="left")
    _caption(fig, [caption] if caption else [])
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
