"""Imports flow one way: data and engines (leaves) -> domain -> analysis -> records
(real-world records: interception reports, arms transfers) -> plots -> report -> cli.

The numeric core never imports the CLI framework, a plotting library or a web
framework, so a different front end can replace the CLI without touching it. The one
exception: result objects' ``.plot()`` methods import the plotting layer inside the
method (matplotlib is optional), never at module level.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "src" / "equipoise"

# what each layer may import from equipoise (besides itself, equipoise.errors and
# equipoise.lazy, the deferred-import helper)
ALLOWED = {
    "engines": set(),
    "data": set(),
    "domain": {"data"},
    "analysis": {"engines", "domain", "data"},
    "records": {"analysis", "engines", "domain", "data"},
    "plots": {"analysis", "records", "engines", "domain", "data"},
    "report": {"analysis", "records", "engines", "domain", "data", "plots"},
    "app": {"analysis", "records", "engines", "domain", "data", "report", "plots"},
    "cli": {"analysis", "records", "engines", "domain", "data", "report", "plots", "app"},
}
# imported only inside functions (lazily): the .plot() methods of result objects
LAZY = {"analysis": {"plots"}, "records": {"plots"}}


def _equipoise_imports(path: Path, *, module_level_only: bool = False) -> set[str]:
    tree = ast.parse(path.read_text())
    nodes = tree.body if module_level_only else list(ast.walk(tree))
    layers = set()
    for node in nodes:
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "equipoise" and len(parts) > 1:
                layers.add(parts[1])
    return layers


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_flow_one_way(layer: str) -> None:
    folder = PACKAGE / layer
    if not folder.exists():
        pytest.skip(f"no {layer} layer yet")
    for path in folder.rglob("*.py"):
        used = _equipoise_imports(path) - {layer, "errors", "lazy"}
        lazy = LAZY.get(layer, set())
        allowed = ALLOWED[layer] | lazy
        assert used <= allowed, f"{path.relative_to(PACKAGE)} imports {used - allowed}"
        eager = _equipoise_imports(path, module_level_only=True) & lazy
        assert not eager, f"{path.relative_to(PACKAGE)} imports {eager} at module level"


@pytest.mark.parametrize(
    ("command", "name", "content"),
    [
        ("validate", "bad.yaml", b"name: a\x00b\n"),
        ("validate", "bad.yaml", b"a: " + b"[" * 100),
        ("validate", "bad.yaml", b"title: 1\nstates: [1, 2]\n"),
        ("attrition --fit", "bad.csv", b"day,US,Japan\n0,1,x\n"),
    ],
)
def test_refusing_a_bad_file_loads_neither_pandas_nor_scipy(
    tmp_path: Path, command: str, name: str, content: bytes
) -> None:
    """A file refused by the checks on its text, or by its validation, is refused before
    pandas or SciPy load (they are most of a process's memory, which issue 13 bounds
    for a hostile file); they load when a valid input needs them."""
    path = tmp_path / name
    path.write_bytes(content)
    code = (
        "import sys\n"
        "from equipoise.cli.main import cli\n"
        "try:\n    cli(sys.argv[1:])\nexcept SystemExit as end:\n    assert end.code == 2, end\n"
        "heavy = ('pandas', 'scipy', 'matplotlib')\n"
        "print(','.join(m for m in heavy if m in sys.modules))"
    )
    args = [*command.split(), str(path)]
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
    )
    assert f"{path}" in out.stderr  # refused, naming the file
    assert out.stdout.strip() == ""


def test_core_imports_no_cli_plotting_or_web_framework() -> None:
    code = (
        "import sys, equipoise, equipoise.analysis.assess, equipoise.analysis.mapping;"
        "frameworks = ('click', 'matplotlib', 'flask', 'fastapi', 'typer');"
        "bad = [m for m in frameworks if m in sys.modules];"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_start_up_loads_no_heavy_library() -> None:
    """``import equipoise`` and the CLI's ``--help`` load neither NumPy, pandas, SciPy,
    pydantic nor matplotlib: names load on first use (equipoise.lazy), so start-up stays
    quick."""
    code = (
        "import sys, equipoise, equipoise.cli.main;"
        "heavy = ('numpy', 'pandas', 'scipy', 'pydantic', 'matplotlib', 'ruamel');"
        "print(','.join(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_analyze_in_a_terminal_needs_neither_pandas_scipy_nor_matplotlib() -> None:
    """The main job (`equipoise analyze`, table output) reads a scenario, runs the
    trials and prints text: the data-frame, fitting and plotting libraries stay unloaded
    (they cost most of its start-up otherwise)."""
    code = (
        "import sys; from equipoise.cli.main import main;"
        "sys.argv = ['equipoise', 'analyze', '--trials', '50'];"
        "exec('try:\\n main()\\nexcept SystemExit:\\n pass');"
        "heavy = ('pandas', 'scipy', 'matplotlib');"
        "print(','.join(m for m in heavy if m in sys.modules), file=sys.stderr)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Dyad IRN-ISR" in out.stdout
    assert out.stderr.strip().splitlines()[-1:] in ([], [""]), out.stderr
