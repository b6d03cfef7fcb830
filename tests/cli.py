"""Helpers for driving the command line from tests."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from equipoise.cli.main import cli
from equipoise.domain.loading import builtin_text


def run(*args: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of one `equipoise` command."""
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def expect_file_error(
    tmp_path: Path, scenario: str, old: str, new: str, field: str, *command: str
) -> str:
    """Edit a built-in scenario (``old`` -> ``new``), run ``command FILE`` on it, and check
    the one error message: exit 2, the file and line of the edit, the field, no traceback."""
    text = builtin_text(scenario)
    assert old in text, old
    path = tmp_path / f"{scenario}-edited.yaml"
    path.write_text(text.replace(old, new, 1))
    code, _, err = run(*command, str(path))
    assert code == 2, err
    line = text[: text.index(old)].count("\n") + 1
    assert f"{path}:{line}" in err, (line, err)
    assert field in err
    assert "Traceback" not in err
    return err
