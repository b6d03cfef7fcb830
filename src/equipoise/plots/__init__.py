"""The plotting layer: the only part of equipoise that imports matplotlib.

matplotlib is an optional extra (``pip install 'equipoise[plot]'``); importing this
package without it raises one clear error saying so.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from equipoise.errors import InputError

try:
    import matplotlib  # noqa: F401
except ImportError as error:  # pragma: no cover - exercised only without the extra
    raise InputError(
        "plots need matplotlib, which is not installed",
        "pip install 'equipoise[plot]' (or pip install matplotlib)",
    ) from error

from equipoise.plots.figures import (
    OKABE_ITO,
    analysis_figure,
    arms_race_figure,
    attrition_figure,
    balance_figure,
    claims_figure,
    comparison_figure,
    damage_figure,
    deterrence_map_figure,
    fit_figure,
    interception_figure,
    plot_result,
    policy_figure,
    worlds_figure,
)

FORMATS = ("png", "svg", "pdf")


def figure_bytes(figure: Any, fmt: str = "png") -> bytes:
    """The figure encoded as PNG, SVG or PDF."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, bbox_inches="tight")
    return buffer.getvalue()


def save_figure(figure: Any, path: Path, *, force: bool = False) -> Path:
    """Write a figure, its format from the file name; never overwrite without ``force``."""
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise InputError(
            f"cannot tell the figure format of '{path.name}'",
            f"end the file name with one of {', '.join('.' + f for f in FORMATS)}",
        )
    if path.exists() and not force:
        raise InputError(f"{path} already exists", "choose another name, or pass --force")
    try:
        path.write_bytes(figure_bytes(figure, fmt))
    except OSError as error:
        raise InputError(
            f"cannot write {path}: {error.strerror or error}", "choose a writable path"
        ) from None
    return path


__all__ = [
    "FORMATS",
    "OKABE_ITO",
    "analysis_figure",
    "arms_race_figure",
    "attrition_figure",
    "balance_figure",
    "claims_figure",
    "comparison_figure",
    "damage_figure",
    "deterrence_map_figure",
    "figure_bytes",
    "fit_figure",
    "interception_figure",
    "plot_result",
    "policy_figure",
    "save_figure",
    "worlds_figure",
]
