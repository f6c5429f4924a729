"""Read a YAML file into plain data plus a map from field path to line number.

PyYAML silently keeps the last of two equal keys and loses line numbers once a
document is constructed; trainers need both errors and lines, so this composes
the node tree, checks it, and records where every value sits.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from protocols.library.errors import Problem

Key = tuple[str | int, ...]
MAX_FILE_BYTES = 2_000_000


@dataclass
class YamlDocument:
    """Parsed data, and the line (1-based) where each field path starts."""

    data: Any
    lines: dict[Key, int] = field(default_factory=dict)
    sha256: str = ""
    """The SHA-256 of the bytes the document was parsed from (hex)."""

    def line_for(self, path: Key) -> int | None:
        """The line of ``path`` or of its nearest ancestor that has one."""
        for cut in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:cut]))
            if line is not None:
                return line
        return None


_SafeBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when PyYAML has it (several times faster), else the pure-Python one."""


class _Loader(_SafeBase):  # type: ignore[valid-type,misc]
    """A safe loader; no custom tags, so no code runs from content.

    Only ``true``/``false`` are booleans (as in YAML 1.2): ``yes``, ``no``, ``on``
    and ``off`` stay strings, so a decision question's ``yes:`` key and an
    answer of ``no`` mean what a trainer wrote.
    """


_DROPPED = ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")
"""Booleans are re-added below; dates stay text so the model parses them with a clear error."""
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _DROPPED]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)
_KEEP_AS_WRITTEN = frozenset({"version"})
"""Keys whose scalar value is kept as the text written (``1.10`` is not ``1.1``)."""


def read_yaml(file: Path, display: Path | None = None) -> tuple[YamlDocument | None, list[Problem]]:
    """Parse ``file``; return the document or the problems that stop it being read."""
    shown = display or file
    try:
        raw = file.read_bytes()
    except OSError as exc:
        return None, [Problem(shown, None, "", f"cannot read the file ({exc.strerror})",
                              "check that the file exists and is readable")]
    return parse_yaml(raw, shown)


def parse_yaml(raw: bytes, shown: Path) -> tuple[YamlDocument | None, list[Problem]]:
    """Parse the bytes of the file ``shown``; return the document or the problems found."""
    text = _text_of(raw, shown)
    if isinstance(text, Problem):
        return None, [text]
    root = _composed(text, shown)
    if isinstance(root, Problem):
        return None, [root]
    problems: list[Problem] = []
    lines: dict[Key, int] = {}
    as_written: dict[Key, str] = {}
    try:
        _index(root, (), lines, as_written, problems, shown, set(), 0)
    except _Refused as refused:
        # The event stream knows exactly where an alias was written; nodes only know the anchor.
        return None, [_screen(text, shown) or refused.problem]
    if problems:
        return None, problems
    data = _constructed(root, shown)
    if isinstance(data, Problem):
        return None, [data]
    for key_path, written in as_written.items():
        _put(data, key_path, written)
    return YamlDocument(data, lines, hashlib.sha256(raw).hexdigest()), []


def _text_of(raw: bytes, shown: Path) -> str | Problem:
    """The file's text, or why it is not a content file's text (too big, not UTF-8, empty)."""
    if len(raw) > MAX_FILE_BYTES:
        return Problem(shown, None, "", f"the file is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,}",
                       "split it into smaller files")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return Problem(shown, line, "", f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x})",
                       "save the file as UTF-8 in your editor")
    if not text.strip():
        return Problem(shown, 1, "", "the file is empty", "add the content or delete the file")
    return text


def _composed(text: str, shown: Path) -> yaml.Node | Problem:
    """The one YAML document of the text as nodes, or the syntax problem in plain words."""
    screened = _screen(text, shown) if _SafeBase is yaml.SafeLoader else None
    if screened is not None:
        return screened
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        return _syntax_problem(exc, text, shown)
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        return Problem(shown, line, "", f"the file holds a control character (#x{exc.character:04x}) "
                       "that YAML does not allow", "delete it; retype the line if you cannot see it")
    except yaml.YAMLError as exc:
        return Problem(shown, None, "", f"YAML syntax error: {exc}", "check the file's indentation and quoting")
    if len(nodes) != 1:
        return Problem(shown, 1, "", f"the file holds {len(nodes)} YAML documents; expected one",
                       "remove the extra `---` separators or split the file")
    return nodes[0]


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str, shown: Path) -> Problem:
    """A YAML syntax error as what to look for on its line (``_PLAIN_ERRORS``), with YAML's own words."""
    mark = exc.problem_mark or exc.context_mark
    where: int | None = mark.line + 1 if mark else None
    start = exc.context_mark.line + 1 if exc.context_mark else where
    said = exc.problem or "the YAML is not valid"
    if (mark is not None and mark.index < len(text) and text[mark.index] == "\t") or "tab character" in said:
        return Problem(shown, where, "", "YAML syntax error: found a tab character; indent with spaces, not tabs",
                       "delete the tab at the start of this line and type spaces instead, as many as the "
                       "lines around it use")
    said = said.replace("not allowed in this context", "not allowed here")  # libyaml's words, as the book quotes
    for starts, what, fix in _PLAIN_ERRORS:
        if said.startswith(starts):
            return Problem(shown, where, "", f"YAML syntax error: {what.format(start=start)} (YAML's words: "
                           f"{said})", fix.format(start=start))
    return Problem(shown, where, "", f"YAML syntax error: {said}",
                   "check the indentation, colons and quotes on this line and the one above")


def _constructed(root: yaml.Node, shown: Path) -> dict[str, Any] | Problem:
    """The document's values as Python data, which must be a mapping of fields."""
    try:
        data = _Loader("").construct_document(root)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return Problem(shown, mark.line + 1 if mark else None, "",
                       f"YAML value error: {exc.problem or exc.context}",
                       "write plain text, numbers, lists and mappings; no `!!` tags")
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        return Problem(shown, None, "", f"YAML value error: {exc}", "check dates (YYYY-MM-DD), numbers and quoting")
    if not isinstance(data, dict):
        return Problem(shown, 1, "", f"the file holds a {type(data).__name__}, not a mapping of fields",
                       "start the file with `id: ...` and the other fields, one per line")
    return data


_QUOTE_IT = "put the whole value in double quotes, e.g. `script: \"Note: call us any time.\"`"
_LINE_UP = ("indent this line with exactly as many spaces as the other fields at its level (look at the "
            "line above); if a value has text after its closing quote, put the whole value inside the quotes")
_PLAIN_ERRORS: tuple[tuple[str, str, str], ...] = (
    ("mapping values are not allowed",
     "a colon (`:`) where YAML does not expect one",
     f"if the text on this line has a colon in it, {_QUOTE_IT}; if not, check that this line is indented "
     "like the lines above it"),
    ("could not find expected ':'",
     "line {start} has a field name with no colon after it",
     "write a colon and a space after the field name on line {start}, e.g. `title: Scene safe`; if that "
     "line is more text for the field above it, indent it further than that field's name"),
    ("found character",
     "this line has a character that YAML keeps for itself (such as ` @ or %) at the start of a value",
     _QUOTE_IT),
    ("found undefined alias",
     "a value starts with `*`, which YAML reads as a link to another value",
     f"{_QUOTE_IT}, or take out the `*`"),
    ("expected alphabetic or numeric character",
     "a value starts with `*` or `&`, which YAML reads as a link to another value",
     f"{_QUOTE_IT}, or take out the `*` or `&`"),
    ("did not find expected alphabetic or numeric character",
     "a value starts with `*` or `&`, which YAML reads as a link to another value",
     f"{_QUOTE_IT}, or take out the `*` or `&`"),
    ("expected <block end>", "this line does not line up with the lines above it", _LINE_UP),
    ("did not find expected key", "this line does not line up with the lines above it", _LINE_UP),
    ("did not find expected '-' indicator",
     "a list entry here has no `- ` in front of it, or is indented like a field",
     "start each list entry with `- ` at the same indent as the other entries; a field of an entry goes "
     "under its `- `, indented like the entry's first field"),
    ("expected ',' or ']'", "the list opened with `[` on line {start} has no closing `]`",
     "end the list with `]` on line {start}, e.g. `needs: [safety, voice]`"),
    ("did not find expected ',' or ']'", "the list opened with `[` on line {start} has no closing `]`",
     "end the list with `]` on line {start}, e.g. `needs: [safety, voice]`"),
    ("expected ',' or '}'", "the mapping opened with `{{` on line {start} has no closing `}}`",
     "end it with `}}` on line {start}, e.g. `value: {{type: time}}`"),
    ("did not find expected ',' or '}'", "the mapping opened with `{{` on line {start} has no closing `}}`",
     "end it with `}}` on line {start}, e.g. `value: {{type: time}}`"),
    ("found unexpected end of stream", "a quote opened on line {start} is never closed",
     "add the closing quote at the end of the value on line {start}; inside double quotes, write "
     "a double quote as \\\"; inside single quotes, write a single quote twice ('')"),
    ("found unknown escape character", "a backslash (`\\`) inside double quotes that YAML cannot read",
     "write the value in single quotes instead, or write two backslashes (`\\\\`) for one"),
    ("expected chomping or indentation indicators", "there is text on the same line as `|` or `>`",
     "put nothing after `|` or `>`; start the text on the next line, indented"),
    ("did not find expected comment or line break", "there is text on the same line as `|` or `>`",
     "put nothing after `|` or `>`; start the text on the next line, indented"),
)
"""What PyYAML (pure Python or libyaml) reports, as the start of its words → what it means
and what to do, in plain words. ``{start}`` is the line where the broken part began."""

MAX_DEPTH = 64
"""Content is a few levels deep; far deeper nesting is a mistake or an attack on the parser."""


def _screen(text: str, shown: Path) -> Problem | None:
    """Refuse what PyYAML accepts but the walk below cannot handle safely (without libyaml).

    The pure-Python composer recurses, so deep nesting must be refused before composing.

    An alias (``*name``) re-uses a node: a few lines of them can stand for billions of
    nodes, or for a node that contains itself. Very deep nesting exhausts Python's
    recursion limit. The event stream is read without recursion, so this check is safe.
    """
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            line = event.start_mark.line + 1 if event.start_mark else None
            if isinstance(event, yaml.AliasEvent):
                return Problem(shown, line, "", "aliases (`*name`, and `<<:` merges) are not supported in content "
                               "files", "write the value out in full where it is needed")
            if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return Problem(shown, line, "", f"the data is nested more than {MAX_DEPTH} levels deep",
                                   "check the brackets and indentation around this line")
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return None  # composing below reports the syntax error with its line
    return None


def shown_path(file: Path) -> Path:
    """The path as a trainer sees it: relative to the working folder when possible."""
    try:
        return file.resolve().relative_to(Path.cwd().resolve())
    except (ValueError, OSError):
        return file


def _put(data: Any, path: Key, value: str) -> None:
    target = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value


def _alias_problem(file: Path, line: int | None) -> Problem:
    return Problem(file, line, "", "aliases (`*name`, and `<<:` merges) are not supported in content files",
                   "write the value out in full where it is needed")


class _Refused(Exception):
    """A node the walk must not follow (an alias, or nesting too deep)."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem


def _index(node: yaml.Node, path: Key, lines: dict[Key, int], as_written: dict[Key, str],
           problems: list[Problem], file: Path, visited: set[int], depth: int) -> None:
    """Record the line of every field path; refuse aliases and deep nesting as it goes.

    An alias (``*name``) is the same node object reached twice: a few lines of them can
    stand for billions of nodes, or for a node that contains itself. libyaml composes
    nodes without Python recursion; this walk stops long before Python's recursion limit.
    """
    lines.setdefault(path, node.start_mark.line + 1)
    if id(node) in visited:
        raise _Refused(_alias_problem(file, lines[path]))
    visited.add(id(node))
    if depth > MAX_DEPTH:
        raise _Refused(Problem(file, node.start_mark.line + 1, "", f"the data is nested more than {MAX_DEPTH} "
                               "levels deep", "check the brackets and indentation around this line"))
    if (isinstance(node, yaml.ScalarNode) and path and path[-1] in _KEEP_AS_WRITTEN
            and node.tag in ("tag:yaml.org,2002:float", "tag:yaml.org,2002:int")):
        as_written[path] = node.value
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if id(key_node) in visited:
                raise _Refused(_alias_problem(file, line))
            visited.add(id(key_node))
            if key in seen:
                problems.append(Problem(file, line, _dotted((*path, key)),
                                        f"the key `{key}` appears twice (first on line {seen[key]})",
                                        "keep one of them; YAML would silently drop the first"))
                continue
            seen[key] = line
            lines[(*path, key)] = line
            _index(value_node, (*path, key), lines, as_written, problems, file, visited, depth + 1)
    elif isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            _index(child, (*path, index), lines, as_written, problems, file, visited, depth + 1)


def _dotted(path: Key) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def dotted(prefix: str, path: Key) -> str:
    """``scene-response.pause_points[1].items[3].prompt`` style path."""
    rest = _dotted(path)
    if not prefix:
        return rest
    if not rest:
        return prefix
    return f"{prefix}{rest}" if rest.startswith("[") else f"{prefix}.{rest}"
