"""The class report's plots (matplotlib, Agg), each returned as a base64 PNG for a self-contained HTML page."""

from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from .principles import LEVELS  # noqa: E402

HEATMAP_MAX_TRAINEES = 60  # above this the heat map shows mastery-level counts instead of one row per trainee


def png(fig) -> str:
    """The figure as a base64 PNG (and closed)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def score_distributions(ta: pd.DataFrame):
    """One histogram per assignment of graded trainees' score shares."""
    names = sorted(ta["assignment"].unique())
    cols = min(4, max(1, len(names)))
    rows = -(-max(1, len(names)) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.6 * rows), squeeze=False)
    for ax in axes.flat[len(names):]:
        ax.set_visible(False)
    for ax, a in zip(axes.flat, names):
        d = ta[(ta["assignment"] == a) & (ta["status"] == "graded")]
        ax.hist(d["share"].dropna() * 100, bins=np.linspace(0, 100, 11), color="#3b6ea5", edgecolor="white")
        ax.set_title(a, fontsize=9)
        ax.set_xlabel("score (% of max)")
        ax.set_ylabel("trainees")
    fig.tight_layout()
    return fig


def mastery_heatmap(tp: pd.DataFrame, principle_order: list[str]):
    """Trainee x principle share earned (small classes), else principle x mastery level counts."""
    keys = [k for k in principle_order if k in set(tp["principle"])]
    students = sorted(tp["student"].unique())
    if len(students) <= HEATMAP_MAX_TRAINEES:
        m = tp.pivot(index="student", columns="principle", values="share").reindex(index=students, columns=keys)
        fig, ax = plt.subplots(figsize=(1 + 0.5 * len(keys), 1 + 0.3 * len(students)))
        im = ax.imshow(m.to_numpy(dtype=float), cmap="RdYlGn", vmin=0, vmax=1, aspect="auto")
        ax.set_yticks(range(len(students)), students, fontsize=7)
        label = "share of points earned"
    else:
        m = (tp.groupby(["principle", "mastery"]).size().unstack(fill_value=0)
             .reindex(index=keys, columns=list(LEVELS), fill_value=0))
        m = (m.T / m.sum(axis=1).replace(0, np.nan)).fillna(0.0)
        fig, ax = plt.subplots(figsize=(1 + 0.5 * len(keys), 2.4))
        im = ax.imshow(m.to_numpy(dtype=float), cmap="Blues", vmin=0, vmax=1, aspect="auto")
        ax.set_yticks(range(len(LEVELS)), LEVELS, fontsize=8)
        label = "share of trainees"
    ax.set_xticks(range(len(keys)), keys, fontsize=8)
    fig.colorbar(im, ax=ax, label=label, shrink=0.8)
    return fig


MAX_LABELS = 12  # numbered points on the item plot: the questions most in need of review


def labelled(items: pd.DataFrame) -> pd.DataFrame:
    """The flagged items the item plot numbers (hardest first, at most MAX_LABELS), in number order."""
    d = items.dropna(subset=["difficulty"])
    return d[d["flagged"]].sort_values(["difficulty", "grade_id"]).head(MAX_LABELS)


def difficulty_vs_discrimination(items: pd.DataFrame):
    """Each analysed item: difficulty (x) against point-biserial discrimination (y); flagged items in red, the
    hardest of them numbered (the report lists them in that order); nothing else is labelled."""
    d = items.dropna(subset=["difficulty"])
    fig, ax = plt.subplots(figsize=(6, 4))
    colors = np.where(d["flagged"], "#c0392b", "#3b6ea5")
    ax.scatter(d["difficulty"], d["point_biserial"].fillna(0.0), c=colors, s=14 if len(d) > 100 else 28,
               alpha=0.6 if len(d) > 100 else 0.9)
    for n, (_, r) in enumerate(labelled(items).iterrows(), 1):
        ax.annotate(str(n), (r["difficulty"], 0.0 if pd.isna(r["point_biserial"]) else r["point_biserial"]),
                    fontsize=8, xytext=(3, 3), textcoords="offset points", color="#7b1d12")
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_xlim(-0.05, 1.05)
    ax.set_xlabel("difficulty (mean proportion of points)")
    ax.set_ylabel("discrimination (point-biserial)")
    return fig


def path_bars(paths: pd.DataFrame, scenario: str, top: int = 8):
    """The most common paths through one scenario, as horizontal bars (best path in green)."""
    d = paths[paths["scenario"] == scenario].head(top).iloc[::-1]
    fig, ax = plt.subplots(figsize=(6.5, 0.45 * len(d) + 0.9))
    labels = [p if p else f"({s.replace('_', ' ')})" for p, s in zip(d["path"], d["status"])]
    ax.barh(range(len(d)), d["n"], color=np.where(d["on_best_path"], "#2e8b57", "#999999"))
    ax.set_yticks(range(len(d)), labels, fontsize=7)
    ax.set_xlabel("trainees")
    ax.set_title(scenario, fontsize=9)
    return fig
