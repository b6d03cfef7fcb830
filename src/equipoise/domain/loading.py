"""Reading and writing scenario files, with errors that point at the line at fault.

YAML is parsed with ruamel.yaml's round-trip loader, which remembers where every
key and item stands; pydantic's error locations are mapped back onto those
positions so that a message names the file, the line and the field, and suggests
the fix (the closest valid key for a typo, the allowed values for a bad choice).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, NoReturn, TypeVar, Union, get_args, get_origin

import numpy as np
from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.composer import Composer
from ruamel.yaml.error import YAMLError
from ruamel.yaml.events import AliasEvent, CollectionStartEvent
from ruamel.yaml.nodes import MappingNode, SequenceNode

from equipoise.domain.references import Loc, LocatedProblem, format_loc, reference_problems, suggest
from equipoise.domain.scenario import Scenario
from equipoise.errors import InputError, Problem, ScenarioError

BUILTIN_PACKAGE = "equipoise.domain.builtin"
SYNTAX_FIX = "check the indentation, and that each 'key: value' has a space after the colon"

# Limits checked before any work starts, so that no file can exhaust memory or time.
MAX_FILE_BYTES = 10 * 1024 * 1024
"""Largest input file read (scenario, claims, series): 10 MB."""
MAX_DEPTH = 32
"""Deepest nesting of mappings and lists in a YAML file."""
MAX_NODES = 20_000
"""Most values a YAML file may hold, counting every alias at its expanded size (the
built-in scenarios hold under a thousand; the pure-Python YAML reader needs about a
second per 10,000)."""
MAX_LINE = 100_000
"""Longest line of a YAML file, in characters (a minified JSON scenario fits)."""
MAX_KEY_LENGTH = 200
"""Longest mapping key, in characters."""
ALLOWED_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "seq", "map")
)


@dataclass(frozen=True)
class ParsedYaml:
    """A YAML document as plain Python data plus the position-aware tree."""

    source: str
    data: Any
    tree: Any


def _plain(node: Any, texts: dict[int, str] | None = None) -> Any:
    """Plain dicts, lists and scalars for a ruamel tree. Text is converted once per
    node (``texts``, by id), so a long string that many aliases repeat is not copied
    once per alias (a 200 kB file would otherwise fill gigabytes)."""
    texts = {} if texts is None else texts
    if isinstance(node, Mapping):
        return {_plain(key, texts): _plain(value, texts) for key, value in node.items()}
    if isinstance(node, list | tuple):
        return [_plain(item, texts) for item in node]
    if isinstance(node, bool):
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        text = texts.get(id(node))
        if text is None:
            text = texts[id(node)] = str(node)
        return text
    if isinstance(node, dt.date | dt.datetime):
        return node.isoformat()
    return node


def _position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of character ``index`` of ``text``."""
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _refuse(source: str, message: str, fix: str, line: int | None, column: int | None) -> NoReturn:
    raise ScenarioError([Problem(source, "", message, fix, line=line, column=column)])


def _check_flow_depth(text: str, source: str) -> None:
    """Refuse brackets nested deeper than MAX_DEPTH, counted in vectorised passes over
    1 MB chunks (the YAML scanner would otherwise take seconds over '[[[[...')."""
    data = text.encode("utf-8")
    chunk, depth = 1 << 20, 0
    for begin in range(0, len(data), chunk):
        codes = np.frombuffer(
            data, dtype=np.uint8, count=min(chunk, len(data) - begin), offset=begin
        )
        steps = np.isin(codes, (91, 123)).astype(np.int32) - np.isin(codes, (93, 125))
        levels = np.cumsum(steps, dtype=np.int32) + depth
        deep = np.flatnonzero(levels > MAX_DEPTH)
        if deep.size:
            at = len(data[: begin + int(deep[0])].decode("utf-8", errors="ignore"))
            _refuse(
                source,
                f"brackets nested more than {MAX_DEPTH} levels deep",
                "flatten the structure: equipoise files need only a few levels",
                *_position(text, at),
            )
        depth = int(levels[-1]) if levels.size else depth


def check_text(text: str, source: str) -> None:
    """Refuse text too long to read, or holding a NUL byte (a binary or corrupted file)."""
    if len(text) > MAX_FILE_BYTES:
        _refuse(
            source,
            f"the text has {len(text):,} characters; the limit is {MAX_FILE_BYTES:,}",
            "split the input into smaller files",
            None,
            None,
        )
    if len(text) > MAX_LINE:
        lengths = [len(line) for line in text.split("\n")]
        longest = max(range(len(lengths)), key=lengths.__getitem__)
        if lengths[longest] > MAX_LINE:
            _refuse(
                source,
                f"line {longest + 1} has {lengths[longest]:,} characters; the limit is "
                f"{MAX_LINE:,}",
                "break it into several lines, or shorten the text",
                longest + 1,
                None,
            )
    if text.count("\n") > MAX_NODES:
        lines = sum(1 for line in text.split("\n") if line.strip()[:1] not in ("", "#"))
        if lines > MAX_NODES:
            _refuse(
                source,
                f"{lines:,} lines of content; a file may hold at most {MAX_NODES:,} values",
                "split the file, or remove what the scenario does not need",
                None,
                None,
            )
    if text.count("[") + text.count("{") > MAX_DEPTH:
        _check_flow_depth(text, source)
    nul = text.find("\x00")
    if nul >= 0:
        _refuse(
            source,
            "a NUL byte: this is a binary or corrupted file, not text",
            "save the file again as plain UTF-8 text",
            *_position(text, nul),
        )


def _mark(event: Any) -> tuple[int | None, int | None]:
    mark = getattr(event, "start_mark", None)
    if mark is None:
        return None, None
    return mark.line + 1, mark.column + 1


class _LimitExceededError(Exception):
    """A limit of :class:`_LimitedComposer` was hit (turned into a located Problem)."""

    def __init__(self, message: str, fix: str, event: Any) -> None:
        super().__init__(message)
        self.message, self.fix = message, fix
        self.line, self.column = _mark(event)


class _LimitedComposer(Composer):
    """ruamel's composer, measuring as it builds the node graph: nesting depth (refused
    before recursing deeper), tags (only the core ones), and every node's size with
    its aliases expanded, from the sizes of its children, so that an alias bomb
    ("billion laughs") or a self-referencing alias is refused without being expanded.
    """

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        sizes: dict[int, int] = self.__dict__.setdefault("_sizes", {})
        if isinstance(event, AliasEvent):
            node = super().compose_node(parent, index)
            size = sizes.get(id(node))
            if size is None:
                raise _LimitExceededError(
                    f"the alias '*{event.anchor}' refers to the node that contains it",
                    "remove the alias: a value cannot contain itself",
                    event,
                )
        else:
            tag = getattr(event, "tag", None)
            if tag is not None and str(tag) not in ALLOWED_TAGS:
                raise _LimitExceededError(
                    f"the YAML tag '{tag}' is not allowed here",
                    "remove the tag and write the value plainly (quote text, e.g. '2024-04-13')",
                    event,
                )
            if isinstance(event, CollectionStartEvent) and self.depth >= MAX_DEPTH:
                raise _LimitExceededError(
                    f"nested more than {MAX_DEPTH} levels deep",
                    "flatten the structure: equipoise files need only a few levels",
                    event,
                )
            node = super().compose_node(parent, index)
            size = 1
            if isinstance(node, MappingNode):
                size += sum(sizes.get(id(k), 1) + sizes.get(id(v), 1) for k, v in node.value)
            elif isinstance(node, SequenceNode):
                size += sum(sizes.get(id(item), 1) for item in node.value)
            sizes[id(node)] = size
        # the document's expanded size so far: each node once, each alias at its size
        total = self.__dict__.get("_total", 0) + (size if isinstance(event, AliasEvent) else 1)
        self._total = total
        if total > MAX_NODES:
            raise _LimitExceededError(
                f"the file holds more than {MAX_NODES:,} values (each alias counted at its "
                "expanded size, so an alias bomb stops here)",
                "write the values out, or use fewer and smaller aliases",
                event,
            )
        return node


def _key_problems(tree: Any, source: str) -> list[Problem]:
    """Mapping keys must be text (not numbers, null, lists or complex '? ' keys), and short."""
    problems: list[Problem] = []
    seen: set[int] = set()
    stack: list[tuple[Any, Loc]] = [(tree, ())]
    while stack and len(problems) < 50:
        node, path = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, CommentedMap):
            for key, value in node.items():
                if not isinstance(key, str) or len(key) > MAX_KEY_LENGTH:
                    try:
                        row, col = node.lc.key(key)
                        line, column = row + 1, col + 1
                    except (KeyError, TypeError, AttributeError):
                        line, column = None, None
                    if isinstance(key, str):
                        message = f"a key of {len(key):,} characters; keys are at most"
                        message += f" {MAX_KEY_LENGTH}"
                        fix = "use a short name as the key"
                    else:
                        shown = _json_start(_plain(key), 60)[:60]
                        if isinstance(key, tuple | list | Mapping):
                            message = f"a key must be text, got a list or mapping {shown}"
                            fix = "use a plain name as the key (no '? ' or [..] keys)"
                        else:
                            message = f"a key must be text, got {shown}"
                            fix = f"quote it: '\"{shown}\": ...', or use a name"
                    problems.append(Problem(source, format_loc(path), message, fix, line, column))
                    continue
                stack.append((value, (*path, key)))
        elif isinstance(node, CommentedSeq):
            stack.extend((item, (*path, index)) for index, item in enumerate(node))
    return problems


STARTING_POINTS = {
    "scenario": "start from a built-in scenario: `equipoise show west-asia-2024 > my.yaml`",
    "claims file": "a claims file holds one 'claims:' block: start from the one in "
    "`equipoise show west-asia-2024` (its 'claims:' line and the lines indented under it)",
    "arms-race file": "an arms-race file holds one 'arms_race:' block: start from the one in "
    "`equipoise show west-asia-2024` (its 'arms_race:' line and the lines indented under it)",
    "attrition file": "an attrition file holds one 'attrition:' block: the two sides, the "
    "law and the coefficients (docs/model.md §7; `equipoise attrition` runs the built-in one)",
}
"""How to start each kind of YAML file, for an empty file or one that is not a mapping."""


def parse_yaml(text: str, source: str, what: str = "scenario") -> ParsedYaml:
    """Parse YAML text, raising a ScenarioError naming the line of a syntax error.

    Limits are checked first (size, NUL bytes, nesting depth, expanded size of
    aliases, tags), then the document is built and its keys checked (text only).
    ``what`` is the kind of file (a key of ``STARTING_POINTS``): the error's ``kind``,
    and the fix of an empty file.
    """
    try:
        return _parse_yaml(text, source, what)
    except ScenarioError as error:
        if error.kind == what:
            raise
        raise ScenarioError(error.problems, kind=what) from None


def _parse_yaml(text: str, source: str, what: str) -> ParsedYaml:
    if not text.strip():
        raise ScenarioError(
            [Problem(source, "", "the file is empty", STARTING_POINTS.get(what, ""))], kind=what
        )
    check_text(text, source)
    yaml = YAML(typ="rt")
    yaml.Composer = _LimitedComposer
    try:
        tree = yaml.load(text)
    except _LimitExceededError as error:
        raise ScenarioError(
            [Problem(source, "", error.message, error.fix, error.line, error.column)]
        ) from None
    except YAMLError as error:
        problem_mark = getattr(error, "problem_mark", None)
        context_mark = getattr(error, "context_mark", None)
        duplicate = "duplicate" in str(error).lower()
        mark = problem_mark if duplicate else context_mark or problem_mark
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        if (
            not duplicate
            and context_mark is not None
            and problem_mark is not None
            and problem_mark.line != context_mark.line
        ):
            problem += f" (noticed at line {problem_mark.line + 1})"
        line = mark.line + 1 if mark is not None else None
        column = mark.column + 1 if mark is not None else None
        position = getattr(error, "position", None)
        fix = "rename or remove one of the repeated keys" if duplicate else SYNTAX_FIX
        if mark is None and isinstance(position, int):
            line, column = _position(text, position)
            fix = "remove the special character (is this a binary or corrupted file?)"
        raise ScenarioError(
            [
                Problem(
                    source,
                    "",
                    f"YAML syntax error: {problem}",
                    fix,
                    line=line,
                    column=column,
                )
            ]
        ) from None
    except (ValueError, TypeError, AttributeError, IndexError, KeyError, OverflowError) as error:
        # the YAML reader itself tripped over something odd: still the user's file
        raise ScenarioError(
            [
                Problem(
                    source, "", f"the YAML reader cannot read this: {str(error)[:200]}", SYNTAX_FIX
                )
            ]
        ) from None
    problems = _key_problems(tree, source)
    if problems:
        raise ScenarioError(problems)
    return ParsedYaml(source, _plain(tree), tree)


def locate(tree: Any, loc: Loc) -> tuple[int | None, int | None, Loc]:
    """Line and column (1-based) of the deepest node of ``loc`` found in ``tree``.

    Also returns the parts of ``loc`` that exist in the file (pydantic inserts
    parts of its own, such as a union's tag, that the user never wrote).
    """
    node, line, column = tree, None, None
    found: list[str | int] = []
    for part in loc:
        if isinstance(node, Mapping) and part in node:
            position = node.lc.key(part) if isinstance(node, CommentedMap) else None
            node = node[part]
        elif isinstance(node, list | tuple) and isinstance(part, int) and 0 <= part < len(node):
            position = node.lc.item(part) if isinstance(node, CommentedSeq) else None
            node = node[part]
        else:
            continue
        if position is not None:
            line, column = position[0] + 1, position[1] + 1
        found.append(part)
    return line, column, tuple(found)


def _unwrap(annotation: Any) -> Any:
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def _union_members(annotation: Any) -> tuple[Any, ...]:
    origin = get_origin(annotation)
    if origin is Union or origin is UnionType:
        return tuple(_unwrap(arg) for arg in get_args(annotation))
    return (annotation,)


def _step(annotation: Any, part: str | int) -> Any:
    annotation = _unwrap(annotation)
    members = [m for m in _union_members(annotation) if m is not type(None)]
    if len(members) > 1:
        for member in members:
            if isinstance(member, type) and issubclass(member, BaseModel):
                kind = member.model_fields.get("kind")
                if kind is not None and part in get_args(_unwrap(kind.annotation)):
                    return member
        return annotation
    annotation = members[0] if members else annotation
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        field = annotation.model_fields.get(str(part))
        return _unwrap(field.annotation) if field is not None else None
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is dict and len(args) == 2:
        return _unwrap(args[1])
    if origin in (tuple, list) and args:
        return _unwrap(args[0])
    return None


def fields_at(root: type[BaseModel], loc: Loc) -> list[str]:
    """Field names of the model found at ``loc`` (empty when it is not a model)."""
    annotation: Any = root
    for part in loc:
        annotation = _step(annotation, part)
        if annotation is None:
            return []
    members = [m for m in _union_members(_unwrap(annotation)) if isinstance(m, type)]
    names: list[str] = []
    for member in members:
        if issubclass(member, BaseModel):
            names += [n for n in member.model_fields if n not in names]
    return names


def _json_start(value: Any, limit: int) -> str:
    """The first ``limit`` characters or so of ``value`` as JSON. Only the start is
    encoded, so showing a list that aliases repeat a thousand times costs nothing."""
    pieces, length = [], 0
    for piece in json.JSONEncoder(default=str).iterencode(value):
        pieces.append(piece[: limit + 1])
        length += len(pieces[-1])
        if length > limit:
            break
    return "".join(pieces)


def _shown(value: Any, limit: int = 60) -> str:
    """At most ``limit`` characters showing ``value`` (repr for text, else JSON)."""
    text = repr(value[: 4 * limit]) if isinstance(value, str) else _json_start(value, limit)
    return text if len(text) <= limit else text[: limit - 3] + "..."


_TYPE_WORDS = {
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "string_type": "text",
    "bool_type": "true or false",
    "dict_type": "a mapping of 'key: value' lines",
    "model_type": "a mapping of 'key: value' lines",
    "model_attributes_type": "a mapping of 'key: value' lines",
    "tuple_type": "a list",
    "list_type": "a list",
}


def _explain(error: Mapping[str, Any], root: type[BaseModel], loc: Loc) -> tuple[str, str]:
    kind = str(error["type"])
    value = error.get("input")
    context = error.get("ctx") or {}
    last = loc[-1] if loc else ""
    if kind == "extra_forbidden":
        allowed = fields_at(root, loc[:-1])
        return f"unknown key '{last}'", suggest(last, allowed) if allowed else "remove it"
    if kind == "missing":
        return f"required field '{last}' is missing", f"add '{last}: ...' here"
    if kind in _TYPE_WORDS:
        return (
            f"expected {_TYPE_WORDS[kind]}, got {_shown(value)}",
            f"write {_TYPE_WORDS[kind]} here",
        )
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        expected = context.get("expected_tags", "")
        got = context.get("tag")
        message = f"unknown kind {_shown(got)}" if got is not None else "missing 'kind'"
        return message, f"use kind: one of {expected}"
    if kind == "literal_error":
        return f"{_shown(value)} is not allowed", f"use one of {context.get('expected', '')}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = next(iter(context.values()), None)
        word = {
            "greater_than_equal": "at least",
            "greater_than": "more than",
            "less_than_equal": "at most",
            "less_than": "less than",
        }[kind]
        hint = f"use a value {word} {bound}"
        if kind.startswith("less") and isinstance(value, int | float) and abs(value) >= 1e6:
            hint += "; a number this large is almost certainly a typo"
        if kind == "greater_than_equal" and bound == 0 and isinstance(value, int | float):
            return f"must not be negative, got {_shown(value)}", hint
        return f"must be {word} {bound}, got {_shown(value)}", hint
    if kind == "finite_number":
        return f"must be a finite number, got {_shown(value)}", "write an ordinary number"
    if kind == "string_pattern_mismatch":
        return (
            f"{_shown(value)} is not a valid name",
            "use lowercase letters, digits and hyphens, starting with a letter or digit",
        )
    if kind in ("too_short", "string_too_short"):
        return "must not be empty", "give at least one entry"
    if kind == "too_long":
        limit = context.get("max_length", "")
        return f"has too many entries (the limit is {limit})", f"keep at most {limit} entries"
    if kind == "string_too_long":
        limit = context.get("max_length", "")
        return f"is too long (the limit is {limit} characters)", "shorten it"
    message = str(error.get("msg", "invalid value"))
    if kind == "value_error":
        return message.removeprefix("Value error, "), ""
    return f"{message} (got {_shown(value)})", ""


def problems_from_validation(
    error: ValidationError, root: type[BaseModel], parsed: ParsedYaml
) -> list[Problem]:
    """Turn pydantic's errors into Problems that name the line and the field."""
    problems = []
    for item in error.errors():
        loc = tuple(part for part in item["loc"] if part != "[key]")
        line, column, found = locate(parsed.tree, loc)
        shown = found
        if (
            item["type"] in ("missing", "extra_forbidden")
            and loc
            and (not found or loc[-1] != found[-1])
        ):
            shown = (*found, loc[-1])
        message, fix = _explain(item, root, loc)
        problems.append(Problem(parsed.source, format_loc(shown), message, fix, line, column))
    return problems


def located(parsed: ParsedYaml, items: list[LocatedProblem]) -> list[Problem]:
    """Place reference problems at their lines."""
    problems = []
    for item in items:
        line, column, _ = locate(parsed.tree, item.loc)
        problems.append(
            Problem(parsed.source, format_loc(item.loc), item.message, item.fix, line, column)
        )
    return problems


def _require_mapping(parsed: ParsedYaml, what: str) -> None:
    if not isinstance(parsed.data, dict):
        raise ScenarioError(
            [
                Problem(
                    parsed.source,
                    "",
                    f"a {what} must be a mapping of 'key: value' lines at the top level, "
                    f"got {type(parsed.data).__name__}",
                    STARTING_POINTS.get(what, ""),
                    line=1,
                )
            ],
            kind=what,
        )


ModelT = TypeVar("ModelT", bound=BaseModel)


def document_problems(
    parsed: ParsedYaml,
    model: type[ModelT],
    what: str,
    references: Callable[[Mapping[str, Any]], list[LocatedProblem]] | None = None,
) -> tuple[ModelT | None, list[Problem]]:
    """Validate a parsed document against ``model``: the object (if valid) and every problem."""
    _require_mapping(parsed, what)
    problems = located(parsed, references(parsed.data)) if references is not None else []
    try:
        document = model.model_validate(parsed.data, context={"references_checked": True})
    except ValidationError as error:
        return None, problems_from_validation(error, model, parsed) + problems
    return (None if problems else document), problems


def scenario_problems(parsed: ParsedYaml) -> tuple[Scenario | None, list[Problem]]:
    """Validate a parsed scenario, returning it (if valid) and every problem found."""
    return document_problems(parsed, Scenario, "scenario", reference_problems)


def load_document(
    text: str,
    source: str,
    model: type[ModelT],
    what: str,
    references: Callable[[Mapping[str, Any]], list[LocatedProblem]] | None = None,
) -> ModelT:
    """Parse and validate YAML against any file model; a ScenarioError lists the problems
    (its ``kind`` is ``what``)."""
    document, problems = document_problems(parse_yaml(text, source, what), model, what, references)
    if problems or document is None:
        raise ScenarioError(problems, kind=what)
    return document


def scenario_from_text(text: str, source: str) -> Scenario:
    """Parse and validate scenario YAML; raise ScenarioError listing every problem."""
    return load_document(text, source, Scenario, "scenario", reference_problems)


def builtin_files(kind: str) -> dict[str, str]:
    """Built-in files of one kind (a subfolder of the built-ins), name -> YAML text."""
    folder = resources.files(BUILTIN_PACKAGE).joinpath(kind)
    return {
        entry.name.removesuffix(".yaml"): entry.read_text("utf-8")
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml")
    }


def builtin_names() -> list[str]:
    """Names of the scenarios that ship with equipoise."""
    folder = resources.files(BUILTIN_PACKAGE)
    return sorted(
        entry.name.removesuffix(".yaml")
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml")
    )


def builtin_text(name: str) -> str:
    """The YAML text of a built-in scenario, as shipped (comments included)."""
    if name not in builtin_names():
        raise InputError(
            f"no built-in scenario named '{name}'",
            f"{suggest(name, builtin_names())} `equipoise scenarios` lists them.",
        )
    return resources.files(BUILTIN_PACKAGE).joinpath(f"{name}.yaml").read_text("utf-8")


def _bytes_in_words(limit: int) -> str:
    """'10 MB' for a whole number of megabytes (MiB), else the bytes: '1,000,000 bytes'."""
    megabyte = 1024 * 1024
    return f"{limit // megabyte} MB" if limit % megabyte == 0 else f"{limit:,} bytes"


def check_input_file(
    path: Path, what: str = "file", *, label: str | None = None, limit: int = MAX_FILE_BYTES
) -> int:
    """Refuse, before opening it, anything but a regular file of at most ``limit`` bytes.

    Directories, devices (/dev/zero, /dev/urandom), FIFOs and sockets are refused
    from ``os.stat`` alone, so nothing blocks or reads without end. Messages name
    ``label`` (the path unless given: an upload's own name). Returns the size.
    """
    shown = str(path) if label is None else label
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        raise InputError(f"{shown}: no such {what}", "check the path") from None
    except PermissionError:
        raise InputError(f"{shown}: permission denied", "check the file's permissions") from None
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise InputError(f"{shown}: cannot read it ({reason})", "check the path") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{shown}: is a directory, not a {what}", f"name the {what} itself")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(
            f"{shown}: not a regular file (a device, pipe or socket)",
            f"save the {what} to an ordinary file and name that",
        )
    if info.st_size > limit:
        raise InputError(
            f"{shown}: {info.st_size / 1e6:.1f} MB; the limit for a {what} is "
            f"{_bytes_in_words(limit)}",
            "trim the file or split it into smaller ones",
        )
    return int(info.st_size)


def read_text_file(
    path: Path,
    what: str = "file",
    encoding: str = "utf-8",
    *,
    label: str | None = None,
    limit: int = MAX_FILE_BYTES,
) -> str:
    """Read a UTF-8 text file within the limits, turning OS errors into one InputError.

    The one reader of every input: files named on the command line and the app's
    uploads (saved to a file by the web server; ``label`` is then the uploaded
    name, ``limit`` the app's). Bytes that are not UTF-8 (a binary or truncated
    file) are reported at their line and column; NUL bytes and the limits on the
    text are checked by :func:`check_text` when the text is parsed.
    """
    path = Path(path)
    shown = str(path) if label is None else label
    check_input_file(path, what, label=label, limit=limit)
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except PermissionError:
        raise InputError(f"{shown}: permission denied", "check the file's permissions") from None
    except OSError as error:
        raise InputError(
            f"{shown}: cannot read it ({error.strerror or error})", "check the path"
        ) from None
    if len(data) > limit:  # it grew after the size check
        raise InputError(
            f"{shown}: more than {_bytes_in_words(limit)}",
            "trim the file or split it into smaller ones",
        )
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        ending = " (the file ends in the middle of a character)" if error.end >= len(data) else ""
        raise ScenarioError(
            [
                Problem(
                    shown,
                    "",
                    f"not UTF-8 text: byte {error.start}{ending}",
                    "save the file as UTF-8 text",
                    line,
                    column,
                )
            ]
        ) from None


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def resolve_source(name_or_path: str | Path) -> tuple[str, str]:
    """(text, source label) for a path to a YAML file or a built-in scenario name."""
    path = Path(name_or_path)
    if _exists(path) or path.suffix in (".yaml", ".yml") or len(path.parts) > 1:
        return read_text_file(path, "scenario file"), str(path)
    names = builtin_names()
    if str(name_or_path) in names:
        return builtin_text(str(name_or_path)), f"<built-in {name_or_path}>"
    raise InputError(
        f"'{name_or_path}' is neither a file nor a built-in scenario",
        f"{suggest(name_or_path, names)} `equipoise scenarios` lists the built-ins.",
    )


def load_scenario(source: str | Path | Mapping[str, Any] | Scenario) -> Scenario:
    """A validated Scenario from a file path, a built-in name, a mapping or a Scenario."""
    if isinstance(source, Scenario):
        return source
    if isinstance(source, Mapping):
        try:
            return Scenario.model_validate(dict(source))
        except ValidationError as error:
            parsed = ParsedYaml("<mapping>", dict(source), dict(source))
            raise ScenarioError(problems_from_validation(error, Scenario, parsed)) from None
    text, label = resolve_source(source)
    return scenario_from_text(text, label)


# YAML reads these as line breaks inside plain or single-quoted scalars; only the
# double-quoted style escapes them, so text holding them must use it to round-trip.
_LINE_BREAKS = ("\x85", "\u2028", "\u2029", "\r")


def _represent_text(representer: Any, text: str) -> Any:
    style = '"' if any(mark in text for mark in _LINE_BREAKS) else None
    return representer.represent_scalar("tag:yaml.org,2002:str", text, style=style)


def dump_scenario(scenario: Scenario) -> str:
    """YAML text for a scenario; loading it gives back an equal Scenario."""
    import io

    data = scenario.model_dump(mode="json", exclude_defaults=True)
    data = {"schema_version": scenario.schema_version, **data}
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.representer.add_representer(str, _represent_text)
    yaml.width = 100
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


def scenario_json_schema() -> dict[str, Any]:
    """JSON Schema of scenario files, for editors (YAML language servers read it)."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "equipoise scenario"
    return schema


__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_LINE",
    "MAX_NODES",
    "ParsedYaml",
    "builtin_names",
    "builtin_text",
    "check_input_file",
    "dump_scenario",
    "load_scenario",
    "parse_yaml",
    "read_text_file",
    "resolve_source",
    "scenario_from_text",
    "scenario_json_schema",
    "scenario_problems",
]
