"""Our own fuzzer: a seeded, structure-aware mutator over everything a user can hand us.

Each case is derived from something valid (a built-in scenario, its claims block, a
series the tool itself writes, a command line that works) and then broken in one
way a user or a hostile file could break it: a value replaced by nan, inf, a huge or
negative number, the wrong type or a long text; a key deleted, misspelt or doubled;
the file truncated, given a NUL byte, a YAML tag, an alias bomb, deep nesting or a
non-text key; a CSV column doubled, a year of 1e20, a cell that is not a number; a
flag given nan, inf or nonsense; an output path that is a directory or a pipe; an
input that is a device, a FIFO or 11 MB; a record file (the interception record, the
SIPRI register) with a hostile cell, a doubled column or a NUL byte. Every case runs
the real command line (click's CliRunner) under a time limit and must end with exit 0,
or exit 2 and one ``equipoise: error:`` (or click usage) message, never a traceback, an "internal
error" (exit 1) or a hang. Cases known to be bad ("must refuse") must not exit 0.

The quick profile (a few hundred cases) runs with every ``pytest``; the long one
(10,000 cases) only on request: ``pytest -m fuzz tests/test_fuzz.py -s``
(``EQUIPOISE_FUZZ_CASES`` and ``EQUIPOISE_FUZZ_SEED`` change its size and seed).
Both print the number of cases and the outcome counts.
"""

from __future__ import annotations

import collections
import copy
import io
import json
import math
import os
import random
import re
import resource
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from equipoise.cli.main import cli
from equipoise.domain.loading import builtin_names, builtin_text, parse_yaml

QUICK_CASES = 250
LONG_CASES = int(os.environ.get("EQUIPOISE_FUZZ_CASES", "10000"))
LONG_SEED = int(os.environ.get("EQUIPOISE_FUZZ_SEED", "1"))
CASE_TIME_LIMIT_S = 30
MEMORY_LIMIT_MB = 2_000
TRIALS = "16"

HOSTILE_VALUES: list[tuple[Any, bool]] = [
    # (value, whether any field of a valid file must refuse it)
    (math.nan, True),
    (math.inf, True),
    (-math.inf, True),
    (10**20, True),
    (2**63, True),
    (1e308, True),
    (-1e308, True),
    ("x" * 5000, True),
    (-1, False),
    (-1e-9, False),
    (0, False),
    (0.5, False),
    (1e-300, False),
    (7, False),
    ("", False),
    (None, False),
    ([], False),
    ({}, False),
    (True, False),
    ("2024-04-13", False),
    ([1, [2, [3]]], False),
    ({"a": {"b": 1}}, False),
    ("IRN", False),
    ("no-such-name", False),
    ("é\u2028ü", False),
]

BAD_FLAG_VALUES = [
    "nan",
    "inf",
    "-inf",
    "1e308",
    "-1",
    "0",
    "abc",
    "",
    "99999999999999999999",
    "x" * 300,
    "²",
    "1:2:3",
    ":",
]


@dataclass
class Case:
    """One fuzz case: a command line and the files it needs (written into its folder)."""

    kind: str
    args: list[str]
    files: dict[str, str | bytes] = field(default_factory=dict)
    must_refuse: bool = False
    note: str = ""
    special: Callable[[Path], None] | None = None


# --- building blocks -----------------------------------------------------------------


def _plain_builtin(name: str) -> dict[str, Any]:
    data = parse_yaml(builtin_text(name), name).data
    assert isinstance(data, dict)
    return data


_BUILTINS = {name: _plain_builtin(name) for name in builtin_names()}


def _dump(data: Any) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield (*prefix, key)
            yield from _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield (*prefix, index)
            yield from _paths(value, (*prefix, index))


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


def mutate_data(rng: random.Random, data: dict[str, Any], under: str | None = None) -> bool:
    """Break ``data`` in place at one random path; True when the result must be refused."""
    paths = [p for p in _paths(data) if under is None or p[0] == under]
    path = rng.choice(paths)
    parent, last = _parent(data, path), path[-1]
    operation = rng.choice(["value", "value", "value", "delete", "rename", "duplicate", "extra"])
    if operation == "value":
        value, must = rng.choice(HOSTILE_VALUES)
        parent[last] = copy.deepcopy(value)
        return must
    if operation == "delete":
        del parent[last]
        return False
    if operation == "rename" and isinstance(parent, dict):
        parent[f"{last}x" if rng.random() < 0.7 else str(last).upper()] = parent.pop(last)
        return False
    if operation == "duplicate" and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[last]))
        return False
    if isinstance(parent, dict):
        parent[rng.choice(["relability", "extra", "x" * 81, "kind", "source"])] = rng.choice(
            [1, "x", None, [1]]
        )
    return False


ALIAS_BOMB = 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 10)
)


def mutate_text(rng: random.Random, text: str) -> tuple[str | bytes, bool, str]:
    """A text-level break of a YAML file: (new content, must refuse, what was done)."""
    lines = text.splitlines(keepends=True)
    where = rng.randrange(len(lines))
    choice = rng.randrange(13)
    if choice == 0:
        return text[: rng.randrange(len(text))], False, "truncated"
    if choice == 1:
        at = rng.randrange(len(text))
        return text[:at] + "\x00" + text[at:], True, "NUL byte"
    if choice == 2:
        data = text.encode()
        at = rng.randrange(len(data))
        return data[:at] + bytes([0xFF, 0xFE, 0xC3]) + data[at:], True, "invalid UTF-8"
    if choice == 3:
        tag = rng.choice(
            ["!!timestamp 2024-04-13", "!!python/object:os.system x", "!!binary aGk=", "!x y"]
        )
        keyed = [  # a plain 'key: value' line (not a comment: a tag there is just text)
            i for i, line in enumerate(lines) if re.match(r"\s*(- )?[\w.-]+: \S", line)
        ]
        index = rng.choice(keyed)
        key, _, _ = lines[index].partition(": ")
        lines[index] = f"{key}: {tag}\n"
        return "".join(lines), True, f"tag {tag}"
    if choice == 4:
        return ALIAS_BOMB + text, True, "alias bomb"
    if choice == 5:
        depth = rng.choice([40, 200, 5000])
        return text + "deep: " + "[" * depth + "]" * depth + "\n", True, f"nesting {depth}"
    if choice == 6:
        key = rng.choice(["1", "null", "true", "[a, b]", "? [a, b]\n", "3.5"])
        body = f"{key}: x\n" if not key.startswith("?") else key + ": x\n"
        return text + body, True, f"key {key!r}"
    if choice == 7:
        top = [line for line in lines if line[:1].isalpha() and ":" in line]
        return text + rng.choice(top), True, "duplicate key"
    if choice == 8:
        return text + "a: &r [*r]\n", True, "recursive alias"
    if choice == 9:
        return "\ufeff" + text.replace("\n", "\r\n"), False, "BOM and CRLF"
    if choice == 10:
        lines.insert(where, "\t" + lines[where])
        return "".join(lines), False, "tab"
    if choice == 11:
        return text + "---\nname: second\n", True, "two documents"
    noise = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64)))
    return text.encode()[: rng.randrange(len(text))] + noise, False, "binary tail"


def _scenario_command(rng: random.Random, name: str, path: str) -> list[str]:
    roll = rng.random()
    if roll < 0.55:
        return ["validate", path]
    if roll < 0.75:
        return [
            "analyze",
            path,
            "--trials",
            TRIALS,
            "--format",
            rng.choice(["json", "csv", "table"]),
        ]
    if name == "west-asia-2024" and roll < 0.82:
        return ["whatif", path, "--deliver", "IRN:lr-sam-battery", "--trials", TRIALS]
    if name == "west-asia-2024" and roll < 0.87:
        return ["recommend", path, "--trials", TRIALS, "--method", "local", "--time-limit", "0.2"]
    if name == "west-asia-2024" and roll < 0.92:
        return [
            "map",
            path,
            "--dyad",
            "IRN:ISR",
            "--x",
            "IRN.mrbm",
            "--y",
            "ISR.upper-tier-bmd",
            "--steps",
            "3",
            "--no-fsa",
        ]
    if name == "west-asia-2024" and roll < 0.96:
        return ["arms-race", path]
    return ["analyze", path, "--trials", TRIALS, "--format", "json"]


# --- case generators -------------------------------------------------------------------


def scenario_case(rng: random.Random) -> Case:
    name = rng.choice(sorted(_BUILTINS))
    data = copy.deepcopy(_BUILTINS[name])
    must = False
    note = ""
    if rng.random() < 0.6:
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            must = mutate_data(rng, data) or must
        content: str | bytes = _dump(data)
        note = "data"
    else:
        content, must, note = mutate_text(rng, builtin_text(name))
    return Case(
        "scenario", _scenario_command(rng, name, "{dir}/s.yaml"), {"s.yaml": content}, must, note
    )


def claims_case(rng: random.Random) -> Case:
    data = copy.deepcopy(_BUILTINS["west-asia-2024"])
    must = mutate_data(rng, data, under="claims")
    command = rng.choice(
        [
            ["claims", "{dir}/s.yaml"],
            ["claims", "{dir}/s.yaml", "--value-of-information"],
            ["analyze", "{dir}/s.yaml", "--claims", "--trials", TRIALS],
        ]
    )
    return Case("claims", command, {"s.yaml": _dump(data)}, must, "claims")


def _arms_race_csv() -> list[list[str]]:
    header = ["year", "IRN", "ISR", "delivered_to_IRN", "delivered_to_ISR"]
    rows = [
        [
            str(1990 + i),
            f"{10 + 0.8 * i + (i % 3) * 0.3:.3f}",
            f"{15 + 0.5 * i + (i % 2) * 0.4:.3f}",
            "0",
            "",
        ]
        for i in range(25)
    ]
    return [header, *rows]


def _attrition_csv() -> list[list[str]]:
    out = CliRunner().invoke(cli, ["attrition", "--format", "csv"]).stdout
    return [line.split(",") for line in out.strip().splitlines()]


_SERIES = {"arms-race": _arms_race_csv(), "attrition": _attrition_csv()}


def series_case(rng: random.Random) -> Case:
    command = rng.choice(sorted(_SERIES))
    table = [list(row) for row in _SERIES[command]]
    must, note = False, ""
    choice = rng.randrange(12)
    body = table[1:]
    if choice == 0:
        column = rng.randrange(3)
        table[0].append(table[0][column])
        for row in body:
            row.append(row[column] if rng.random() < 0.5 else "1")
        must, note = True, "duplicated column"
    elif choice == 1:
        column = rng.randrange(1, 3)
        table[0].append(table[0][column].lower())
        for row in body:
            row.append("1")
        must, note = True, "column differing in case"
    elif choice == 2:
        row = rng.choice(body)
        row[rng.randrange(3)] = rng.choice(
            ["nan", "inf", "-inf", "1e400", "abc", '"1,000"', "", "--1"]
        )
        must, note = True, "bad cell"
    elif choice == 3:
        row = rng.choice(body)
        row[rng.randrange(1, 3)] = rng.choice(["1e20", "1e300", "-5"])
        must, note = True, "out-of-range level"
    elif choice == 4:
        for index, row in enumerate(body):
            row[0] = str(10**20 + index)
        must, note = True, "years around 1e20"
    elif choice == 5:
        i, j = rng.sample(range(1, len(table)), 2)
        table[i], table[j] = table[j], table[i]
        must, note = True, "rows out of order"
    elif choice == 6:
        del table[0][rng.randrange(3)]
        must, note = True, "missing column"
    elif choice == 7:
        start = int(float(body[0][0]))
        first = body[0]
        table[1:] = [[str(start + i), *first[1:]] for i in range(2000)]
        note = "2,000 rows"
    elif choice == 8:
        table = table[:1] + table[1:3]
        must, note = True, "too few rows"
    elif choice == 9:
        table = [table[0]]
        must, note = True, "header only"
    elif choice == 10:
        rng.choice(body).append("extra")
        note = "ragged row"
    else:
        del rng.choice(body)[rng.randrange(1, 3) :]
        must, note = True, "truncated row"
    text = "\n".join(",".join(row) for row in table) + "\n"
    if rng.random() < 0.1:
        text = text[: rng.randrange(len(text))]
        must, note = False, note + ", truncated file"
    args = [command, "--fit", "{dir}/series.csv", "--format", rng.choice(["json", "table"])]
    if command == "arms-race":
        args.insert(1, "west-asia-2024")
    return Case("series", args, {"series.csv": text}, must, note)


FLAG_TEMPLATES: list[tuple[list[str], int, bool]] = [
    # (command line, index of the value to break, whether nan/inf there must be refused)
    (
        [
            "map",
            "west-asia-2024",
            "--dyad",
            "IRN:ISR",
            "--x",
            "IRN.mrbm",
            "--y",
            "ISR.upper-tier-bmd",
            "--x-range",
            "0:20",
            "--steps",
            "3",
            "--no-fsa",
        ],
        9,
        True,
    ),
    (
        [
            "map",
            "west-asia-2024",
            "--dyad",
            "IRN:ISR",
            "--x",
            "IRN.mrbm",
            "--y",
            "ISR.upper-tier-bmd",
            "--y-range",
            "0:4",
            "--steps",
            "3",
            "--no-fsa",
        ],
        9,
        True,
    ),
    (
        [
            "map",
            "west-asia-2024",
            "--dyad",
            "IRN:ISR",
            "--x",
            "IRN.mrbm",
            "--y",
            "ISR.upper-tier-bmd",
            "--steps",
            "3",
            "--no-fsa",
        ],
        9,
        False,
    ),
    (["balance", "ISR", "IRN", "--years", "2000-2010", "--exponent", "1"], 6, True),
    (["balance", "ISR", "IRN", "--years", "2000-2010"], 4, False),
    (["balance", "ISR", "IRN", "--years", "2000-2010"], 1, False),
    (
        [
            "recommend",
            "west-asia-2024",
            "--trials",
            TRIALS,
            "--method",
            "local",
            "--time-limit",
            "0.2",
        ],
        7,
        True,
    ),
    (
        [
            "recommend",
            "west-asia-2024",
            "--trials",
            TRIALS,
            "--weights",
            "cost=1",
            "--time-limit",
            "0.2",
        ],
        5,
        True,
    ),
    (
        [
            "recommend",
            "west-asia-2024",
            "--trials",
            TRIALS,
            "--policy",
            "balancer",
            "--time-limit",
            "0.2",
        ],
        5,
        False,
    ),
    (["whatif", "west-asia-2024", "--deliver", "IRN:lr-sam-battery", "--trials", TRIALS], 3, False),
    (["whatif", "west-asia-2024", "--deliver", "IRN:lr-sam-battery", "--trials", TRIALS], 5, True),
    (["analyze", "levant-2018", "--trials", TRIALS, "--seed", "3"], 5, True),
    (["analyze", "levant-2018", "--trials", TRIALS], 3, True),
    (["claims", "west-asia-2024", "--seed", "1"], 3, True),
    (["arms-race", "west-asia-2024", "--format", "json"], 3, False),
    (["attrition", "--law", "square"], 2, False),
    (["show", "levant-2018"], 1, False),
]

SPECIAL_FLAG_VALUES = {
    "--x-range": ["0:nan", "nan:10", "0:inf", "0:1e308", "10:0", "-5:5", "0", "a:b"],
    "--y-range": ["0:nan", "nan:10", "0:inf", "0:1e308"],
    "--weights": ["cost=1e308", "mutual=nan", "fsa=-1", "range=inf", "x=1", "cost", "cost=1,,"],
    "--deliver": [
        "IRN:lr-sam-batteryx99999999999999999999",
        "IRN:lr-sam-batteryx0",
        "IRN:",
        ":x",
        "ISR:lr-sam-battery",
        "IRN:lr-sam-batteryx1001",
    ],
    "--policy": ["partisan:", "partisan:XXX", "partisan", "ABSTAIN"],
    "--years": ["2010-2000", "0-99999", "1990", "x-y", "1e20-1e21"],
}
MUST_REFUSE_SPECIAL = {
    "0:nan",
    "nan:10",
    "0:inf",
    "0:1e308",
    "cost=1e308",
    "mutual=nan",
    "range=inf",
    "IRN:lr-sam-batteryx99999999999999999999",
}


def flags_case(rng: random.Random) -> Case:
    template, index, numeric = rng.choice(FLAG_TEMPLATES)
    args = list(template)
    flag = args[index - 1] if index > 0 else ""
    specials = SPECIAL_FLAG_VALUES.get(flag, [])
    if specials and rng.random() < 0.6:
        value = rng.choice(specials)
        must = value in MUST_REFUSE_SPECIAL
    else:
        value = rng.choice(BAD_FLAG_VALUES)
        must = numeric and value in ("nan", "inf", "-inf")
    args[index] = value
    return Case("flags", args, must_refuse=must, note=f"{flag or args[0]} {value[:40]!r}")


def _make_fifo(folder: Path) -> None:
    os.mkfifo(folder / "fifo.yaml")


def files_case(rng: random.Random) -> Case:
    choice = rng.randrange(11)
    valid = builtin_text("levant-2018")
    if choice == 0:
        return Case("files", ["analyze", "/dev/zero"], must_refuse=True, note="/dev/zero")
    if choice == 1:
        return Case("files", ["validate", "/dev/urandom"], must_refuse=True, note="/dev/urandom")
    if choice == 2:
        return Case(
            "files",
            ["analyze", "{dir}/fifo.yaml"],
            must_refuse=True,
            note="FIFO",
            special=_make_fifo,
        )
    if choice == 3:
        return Case("files", ["analyze", "{dir}"], must_refuse=True, note="directory")
    if choice == 4:
        return Case("files", ["validate", "{dir}/missing.yaml"], must_refuse=True, note="missing")
    if choice == 5:
        return Case(
            "files",
            ["validate", "{dir}/big.yaml"],
            {"big.yaml": "# " + "x" * (11 * 1024 * 1024)},
            True,
            "11 MB",
        )
    if choice == 6:
        out = rng.choice(
            ["{dir}", "{dir}/no/such/dir/out.json", "{dir}/fifo.yaml", "{dir}/" + "x" * 300]
        )
        return Case(
            "files",
            ["analyze", "levant-2018", "--trials", TRIALS, "-o", out, "--force"],
            must_refuse=True,
            note=f"output {out[:30]}",
            special=_make_fifo,
        )
    if choice == 7:
        return Case(
            "files", ["schema", "-o", "{dir}/s.yaml"], {"s.yaml": valid}, True, "no --force"
        )
    if choice == 8:
        return Case(
            "files",
            ["validate", "{dir}/empty.yaml"],
            {"empty.yaml": rng.choice(["", "\n\n", "---\n", "# only\n"])},
            True,
            "empty",
        )
    if choice == 9:
        return Case(
            "files",
            ["validate", "{dir}/list.yaml"],
            {"list.yaml": rng.choice(["[1, 2]\n", "just text\n", "42\n", "null\n"])},
            True,
            "not a mapping",
        )
    return Case(
        "files",
        ["attrition", "{dir}/battle.yaml"],
        {"battle.yaml": rng.choice(["attrition: 5\n", "attrition:\n  name: x\n", "a: 1\n"])},
        True,
        "attrition file",
    )


RECORD_FILES = {
    "interception": Path(__file__).parent / "data" / "ua-mini.csv",
    "transfers": Path(__file__).parent / "data" / "sipri-mini.csv",
}


def record_cases(rng: random.Random) -> Case | None:
    """The real-world record readers (equipoise.records.interception and .transfers), fed
    their test files broken one way: a hostile cell, a doubled or missing column, a NUL
    byte, a truncated or binary file. None when the readers are not installed."""
    try:
        import equipoise.records.interception
        import equipoise.records.transfers  # noqa: F401
    except ImportError:
        return None
    reader = rng.choice(sorted(RECORD_FILES))
    encoding = "utf-8" if reader == "interception" else "latin-1"  # as SIPRI ships it
    lines = RECORD_FILES[reader].read_text(encoding=encoding).splitlines(keepends=True)
    header_at = (
        0
        if reader == "interception"
        else next((i for i, line in enumerate(lines) if line.count(",") > 5), 0)
    )
    choice = rng.randrange(8)
    note = ""
    if choice == 0 and len(lines) > header_at + 1:
        index = rng.randrange(header_at + 1, len(lines))
        cells = lines[index].rstrip("\n").split(",")
        cells[rng.randrange(len(cells))] = rng.choice(
            ["nan", "inf", "-1", "1e308", "99999999999999999999", "", "abc", "2025-13-45", '"']
        )
        lines[index] = ",".join(cells) + "\n"
        note = "hostile cell"
    elif choice == 1:
        cells = lines[header_at].rstrip("\n").split(",")
        lines[header_at] = ",".join([*cells, cells[rng.randrange(len(cells))]]) + "\n"
        note = "doubled column"
    elif choice == 2:
        cells = lines[header_at].rstrip("\n").split(",")
        del cells[rng.randrange(len(cells))]
        lines[header_at] = ",".join(cells) + "\n"
        note = "missing column"
    elif choice == 3:
        text = "".join(lines)
        at = rng.randrange(len(text))
        lines = [text[:at] + "\x00" + text[at:]]
        note = "NUL byte"
    elif choice == 4:
        text = "".join(lines)
        lines = [text[: rng.randrange(len(text))]]
        note = "truncated"
    elif choice == 5:
        lines = lines * rng.choice([2, 50])
        note = "repeated rows"
    elif choice == 6:
        lines = [""]
        note = "empty"
    else:
        lines.insert(rng.randrange(len(lines) + 1), "x" * rng.choice([10, 10_000]) + "\n")
        note = "junk line"
    args = (
        ["interception", "record", "{dir}/r.csv", "--format", rng.choice(["json", "table"])]
        if reader == "interception"
        else ["transfers", "--register", "{dir}/r.csv", "--format", rng.choice(["json", "table"])]
    )
    content = "".join(lines).encode(encoding, errors="replace")
    return Case("records", args, {"r.csv": content}, False, f"{reader}: {note}")


GENERATORS: list[tuple[Callable[[random.Random], Case | None], float]] = [
    (scenario_case, 0.42),
    (claims_case, 0.11),
    (series_case, 0.16),
    (flags_case, 0.15),
    (files_case, 0.07),
    (record_cases, 0.09),
]


def make_case(seed: int, number: int) -> Case:
    rng = random.Random(f"{seed}:{number}")
    while True:
        generator = rng.choices([g for g, _ in GENERATORS], [w for _, w in GENERATORS])[0]
        case = generator(rng)
        if case is not None:
            return case


# --- running ---------------------------------------------------------------------------


class FuzzTimeout(BaseException):
    """Raised by the alarm: a BaseException, so that no `except Exception` swallows it."""


def _alarm(signum: int, frame: Any) -> None:
    raise FuzzTimeout


LOCATED = ("<built-in", "--", "error: invalid value", "error: no such", "error: missing", "usage:")


def run_case(case: Case, folder: Path) -> tuple[str, str]:
    """(outcome, detail): ok, refused, refused-unlocated, accepted-bad, traceback, hang."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in case.files.items():
        target = folder / name
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    if case.special is not None:
        case.special(folder)
    args = [arg.replace("{dir}", str(folder)) for arg in case.args]
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(CASE_TIME_LIMIT_S)
    try:
        result = CliRunner().invoke(cli, args)
    except FuzzTimeout:
        return "hang", f"killed after {CASE_TIME_LIMIT_S} s"
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    err = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return "traceback", f"{type(result.exception).__name__}: {result.exception}"
    if result.exit_code == 1 or "Traceback" in err or "internal error" in err:
        return "traceback", err[-400:]
    if result.exit_code == 0:
        return ("accepted-bad", result.stdout[:200]) if case.must_refuse else ("ok", "")
    if result.exit_code != 2:
        return "traceback", f"exit {result.exit_code}: {err[-300:]}"
    places = [str(folder), *LOCATED, *(a for a in args if a.startswith("/"))]
    located = any(place in err for place in places)
    return ("refused" if located else "refused-unlocated"), err[:300]


FAILURES = ("traceback", "hang", "accepted-bad")


def campaign(cases: int, seed: int, folder: Path) -> collections.Counter[str]:
    """Run ``cases`` cases; print the counts; return them (failures listed with their case)."""
    counts: collections.Counter[str] = collections.Counter()
    kinds: collections.Counter[str] = collections.Counter()
    failures: list[str] = []
    slowest = (0.0, "")
    started = time.perf_counter()
    for number in range(cases):
        case = make_case(seed, number)
        kinds[case.kind] += 1
        begin = time.perf_counter()
        outcome, detail = run_case(case, folder / f"case-{number}")
        shutil.rmtree(folder / f"case-{number}", ignore_errors=True)
        spent = time.perf_counter() - begin
        if spent > slowest[0]:
            slowest = (spent, " ".join(case.args)[:100])
        counts[outcome] += 1
        if outcome in FAILURES:
            failures.append(
                f"case {seed}:{number} [{case.kind}: {case.note}] {' '.join(case.args)[:200]}\n"
                f"    -> {outcome}: {detail}"
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\nfuzz: {cases} cases (seed {seed}) in {time.perf_counter() - started:.1f} s; "
        f"by kind {dict(sorted(kinds.items()))}; outcomes {dict(sorted(counts.items()))}; "
        f"slowest case {slowest[0]:.2f} s ({slowest[1]}); peak memory {peak:.0f} MB"
    )
    for failure in failures[:40]:
        print(failure)
    assert peak < MEMORY_LIMIT_MB, f"peak memory {peak:.0f} MB"
    return counts


def _check(counts: collections.Counter[str]) -> None:
    assert {name: counts[name] for name in FAILURES} == {name: 0 for name in FAILURES}, counts


def test_fuzz_quick_profile(tmp_path: Path) -> None:
    """A few hundred seeded cases over every kind of input, in CI (under a minute)."""
    counts = campaign(QUICK_CASES, 0, tmp_path)
    _check(counts)
    assert counts["ok"] > 0
    assert counts["refused"] > 0


@pytest.mark.fuzz
def test_fuzz_long_profile(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """The long campaign, run by hand: ``pytest -m fuzz tests/test_fuzz.py -s``."""
    if "fuzz" not in (request.config.getoption("-m") or ""):
        pytest.skip("the long fuzz profile runs only with `pytest -m fuzz`")
    counts = campaign(LONG_CASES, LONG_SEED, tmp_path)
    (tmp_path / "counts.json").write_text(json.dumps(counts))
    _check(counts)
