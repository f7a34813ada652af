"""PNG plots of an evaluation: confusion matrix, ROC curve, reliability diagram.

Figures are drawn on matplotlib's Agg canvas directly (no pyplot, no global backend switch).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from factcheck.extras import require_extra
from factcheck.labels import CON
from factcheck.evaluation.calibration import Decisions
from factcheck.evaluation.metrics import confusion_matrix, reliability_bins, roc_auc, roc_curve

__all__ = ["write_plots"]


def _figure(size: tuple[float, float] = (4.5, 4.0)):
    agg = require_extra("matplotlib.backends.backend_agg", "eval", "writing plots")
    figure = require_extra("matplotlib.figure", "eval", "writing plots")

    fig = figure.Figure(figsize=size, dpi=120)
    agg.FigureCanvasAgg(fig)
    return fig


def _save(fig, ax, title: str, path: Path) -> Path:
    """Title the plot, lay it out and write it to ``path``."""
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path)
    return path


def plot_confusion(cm: np.ndarray, labels: tuple[str, ...], path: Path, title: str = "") -> Path:
    fig = _figure()
    ax = fig.add_subplot()
    ax.imshow(cm, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    peak = cm.max() if cm.size else 0
    for (i, j), value in np.ndenumerate(cm):
        ax.text(j, i, str(value), ha="center", va="center", color="white" if value > peak / 2 else "black")
    return _save(fig, ax, title or "confusion matrix", path)


def plot_roc(y: np.ndarray, scores: np.ndarray, path: Path, label: str, title: str = "") -> Path:
    fig = _figure()
    ax = fig.add_subplot()
    fpr, tpr, _ = roc_curve(y, scores)
    ax.plot(fpr, tpr, label=f"{label} (AUC {roc_auc(y, scores):.3f})")
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=0.8)
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.01)
    ax.legend(loc="lower right", fontsize=8)
    return _save(fig, ax, title or "ROC", path)


def plot_reliability(probs: np.ndarray, gold: np.ndarray, path: Path, title: str = "", n_bins: int = 15) -> Path:
    bins = reliability_bins(probs.max(axis=1), probs.argmax(axis=1) == gold, n_bins)
    fig = _figure()
    ax = fig.add_subplot()
    centers = (bins["edges"][:-1] + bins["edges"][1:]) / 2
    filled = bins["count"] > 0
    ax.bar(centers[filled], bins["accuracy"][filled], width=1.0 / n_bins, edgecolor="black", alpha=0.7, label="accuracy")
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=0.8, label="perfect calibration")
    ax.set_xlabel("confidence (top class)")
    ax.set_ylabel("accuracy")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left", fontsize=8)
    return _save(fig, ax, title or "reliability", path)


def write_plots(folder: Path, d: Decisions, classes: tuple[str, ...], title: str = "") -> list[Path]:
    """confusion_matrix.png, roc.png (binary, or contradiction vs rest) and reliability.png in ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    cm = confusion_matrix(d.gold, d.pred, len(classes))
    written = [plot_confusion(cm, classes, folder / "confusion_matrix.png", title)]
    if d.scores is not None:
        y, s, label = d.gold == 1, d.scores, classes[1]
    else:
        y, s, label = d.gold == classes.index("contradiction"), d.probs[:, CON], "contradiction vs rest"
    if y.any() and not y.all():
        written.append(plot_roc(y, s, folder / "roc.png", label, title))
    written.append(plot_reliability(d.probs, d.gold, folder / "reliability.png", title))
    return written
