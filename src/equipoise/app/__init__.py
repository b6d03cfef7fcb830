"""The interactive explorer: a local web app over the library's own evaluator.

``equipoise app [SCENARIO]`` serves it (``pip install 'equipoise[app]'``). The pure
computation behind its panels is :mod:`equipoise.app.model` (no web framework); the
Shiny app is :mod:`equipoise.app.server`, imported only when the app starts.
"""

from __future__ import annotations

from equipoise.app.model import MAP_STEPS, Computed, View, compute, edit_scenario, edited

__all__ = ["MAP_STEPS", "Computed", "View", "compute", "edit_scenario", "edited"]
