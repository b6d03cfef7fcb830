"""The README's examples run as written (SimPy-style docs tests).

Every plain `equipoise ...` command in the README's bash blocks (those without
placeholders, alternatives, pipes or redirections) runs in a scratch directory and
exits 0; the Python blocks run in order.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from equipoise.domain.loading import builtin_text
from tests.cli import run

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text()


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def _commands() -> list[str]:
    commands = []
    for block in _blocks("bash"):
        text = block.replace("\\\n", " ")
        for line in text.splitlines():
            command = line.split("  #")[0].strip()
            if not command.startswith("equipoise ") or any(c in command for c in "[]|>&"):
                continue
            commands.append(command)
    return commands


COMMANDS = _commands()


def test_readme_lists_commands() -> None:
    assert len(COMMANDS) >= 15


@pytest.mark.parametrize("command", COMMANDS)
def test_readme_command_runs(command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    (tmp_path / "mine.yaml").write_text(
        builtin_text("west-asia-2024")
    )  # from `show ... > mine.yaml`
    monkeypatch.chdir(tmp_path)
    arguments = shlex.split(command)[1:]
    if "--trials" not in arguments and arguments[0] in ("analyze", "whatif", "recommend", "report"):
        arguments += ["--trials", "300"]
    if arguments[0] == "compare-policies":
        arguments += ["--trials", "100"]
    if arguments[0] == "map" and "--steps" in arguments:
        arguments[arguments.index("--steps") + 1] = "5"
    code, _, err = run(*arguments)
    assert code == 0, err


def test_readme_python_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    python = _blocks("python")
    assert len(python) == 4
    code = "\n".join(python).replace("trials=10_000", "trials=300").replace("41)", "9)")
    exec(compile(code, "README.md", "exec"), namespace)
    assert (tmp_path / "exchanges.png").exists()
    assert (tmp_path / "map.svg").exists()
