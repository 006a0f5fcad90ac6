"""Bounded parsing of what a server sends (JSON, YAML) and of target files: nesting depth, YAML aliases and
number sizes are limited before any recursive code sees the document, so a hostile body is a FAIL "contenu
invalide" naming the limit, never an internal error, and never a blow-up in memory or time."""

from __future__ import annotations

import json
from typing import Any

import yaml

from cicclo.errors import InvalidContent

# far above any real document (GeoJSON ~6, OpenAPI ~30) and below Python's recursion limit
MAX_DEPTH = 100
MAX_YAML_ALIASES = 1000
MAX_YAML_NODES = 1_000_000
MAX_NUMBER_DIGITS = 4300  # Python refuses to convert longer integers (sys.get_int_max_str_digits)

_KEEP = b'"[]{}'
_DROP = bytes(b for b in range(256) if b not in _KEEP)
PEEL_PASSES = 8


def json_depth_exceeds(body: bytes, limit: int = MAX_DEPTH) -> bool:
    """True when the JSON text nests arrays/objects more than ``limit`` deep, decided at C speed for real
    documents: escapes and then strings are removed, innermost bracket pairs are peeled a few times (a real
    document empties), and what is left is walked with an early exit (a hostile one stops at ``limit``)."""
    reduced = body.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _DROP)
    brackets = b"".join(reduced.split(b'"')[::2])
    for _ in range(PEEL_PASSES):
        peeled = brackets.replace(b"[]", b"").replace(b"{}", b"")
        if peeled == brackets:
            break
        brackets = peeled
    depth = 0
    for byte in brackets:
        if byte in b"[{":
            depth += 1
            if depth > limit - PEEL_PASSES:
                return True
        else:
            depth -= 1
    return False


def json_document(body: bytes | str, what: str) -> Any:
    """``body`` parsed as JSON; raises InvalidContent (FAIL) naming ``what`` and the reason."""
    data = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    if json_depth_exceeds(data):
        raise InvalidContent(f"{what} : contenu invalide : JSON imbriqué à plus de {MAX_DEPTH} niveaux")
    try:
        return json.loads(data)
    except UnicodeDecodeError as exc:
        raise InvalidContent(f"{what} : contenu invalide : corps JSON qui n'est pas en UTF-8 ({exc})") from None
    except json.JSONDecodeError as exc:
        raise InvalidContent(f"{what} : contenu invalide : corps JSON invalide ({exc})") from None
    except ValueError:  # an integer too long to convert
        raise InvalidContent(f"{what} : contenu invalide : nombre de plus de {MAX_NUMBER_DIGITS} chiffres") from None
    except RecursionError:
        raise InvalidContent(f"{what} : contenu invalide : JSON trop profondément imbriqué") from None


class BoundedSafeLoader(yaml.SafeLoader):
    """A safe YAML loader whose documents are bounded: aliases, nodes and nesting depth."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._aliases = 0
        self._nodes = 0
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_YAML_ALIASES:
                raise yaml.YAMLError(f"plus de {MAX_YAML_ALIASES} alias YAML (expansion refusée)")
        self._nodes += 1
        if self._nodes > MAX_YAML_NODES:
            raise yaml.YAMLError(f"plus de {MAX_YAML_NODES} nœuds YAML")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise yaml.MarkedYAMLError(problem=f"YAML imbriqué à plus de {MAX_DEPTH} niveaux", problem_mark=mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_document(self, node: Any) -> Any:
        # an alias reused many times is built once, but a chain of aliases can still expand exponentially
        # when walked: count the expanded size before handing the document out
        _expanded_size(node)
        return super().construct_document(node)


def _expanded_size(root: Any) -> None:
    """Walk the composed graph as if aliases were expanded; refuse beyond MAX_YAML_NODES (alias bombs)."""
    seen = 0
    stack = [root]
    while stack:
        node = stack.pop()
        seen += 1
        if seen > MAX_YAML_NODES:
            raise yaml.YAMLError(f"document YAML de plus de {MAX_YAML_NODES} nœuds une fois les alias développés "
                                 "(expansion refusée)")
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.append(key)
                stack.append(value)


def yaml_document(text: str) -> tuple[yaml.Node | None, Any]:
    """The composed node tree (for line numbers) and the data of a YAML text, bounded; raises yaml.YAMLError."""
    loader = BoundedSafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return node, data
