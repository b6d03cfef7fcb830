"""Names imported on first use, so that ``import equipoise`` and ``equipoise --help``
do not load pandas, SciPy and pydantic models a command may never need.

``exports({"analyze": "equipoise.analysis.assess", ...})`` gives a module-level
``__getattr__`` (PEP 562) for a package's public names; :class:`Deferred` stands in
for a name inside a module (it imports on the first call or attribute access).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def exports(names: Mapping[str, str], module: str) -> Callable[[str], Any]:
    """A ``__getattr__`` for ``module`` that imports each name from its module on demand."""

    def attribute(name: str) -> Any:
        if name not in names:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        return getattr(importlib.import_module(names[name]), name)

    return attribute


class Deferred:
    """A stand-in for ``name`` of ``module``, imported when first called or read."""

    def __init__(self, module: str, name: str) -> None:
        self._where = (module, name)
        self._target: Any = None

    def _resolve(self) -> Any:
        if self._target is None:
            module, name = self._where
            self._target = getattr(importlib.import_module(module), name)
        return self._target

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._resolve()(*args, **kwargs)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._resolve(), attribute)


def deferred(names: Mapping[str, str]) -> dict[str, Deferred]:
    """Stand-ins for every ``name -> 'module'`` (or ``'module:original_name'``), to
    update a module's globals with."""
    out = {}
    for name, where in names.items():
        module, _, original = where.partition(":")
        out[name] = Deferred(module, original or name)
    return out
