"""Reading a YAML spec as untrusted input: bounded in size, depth and alias expansion, UTF-8 only.

A spec file is small; anything else (a binary file, UTF-16, an alias bomb, a recursive alias, nesting
thousands deep) is one SpecError naming the file, never a traceback or a process that eats the machine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from dockyard.errors import SpecError

MAX_BYTES = 1 << 20  # a spec is a few hundred bytes; long package lists belong in a requirements file
MAX_DEPTH = 64
MAX_NODES = 100_000  # nodes after alias expansion: a billion-laughs file stops here


def _check_bounds(root: yaml.Node, file: Path) -> None:
    """Walk the node graph as its data would be walked, aliases expanded, within the bounds."""
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    seen = 0
    while stack:
        node, depth = stack.pop()
        seen += 1
        if seen > MAX_NODES:
            raise SpecError(f"{file}: expands to over {MAX_NODES} YAML nodes (an alias bomb?)")
        if depth > MAX_DEPTH:
            raise SpecError(f"{file}: nested deeper than {MAX_DEPTH} levels (or a recursive alias)")
        if isinstance(node, yaml.SequenceNode):
            stack += [(child, depth + 1) for child in node.value]
        elif isinstance(node, yaml.MappingNode):
            stack += [(part, depth + 1) for pair in node.value for part in pair]


def read_yaml(file: Path) -> Any:
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise SpecError(f"{file}: cannot read: {exc.strerror}") from None
    if len(raw) > MAX_BYTES:
        raise SpecError(f"{file}: {len(raw)} bytes, over the {MAX_BYTES}-byte limit of a spec file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SpecError(f"{file}: not UTF-8 text (a spec file must be UTF-8)") from None
    if "\0" in text:
        raise SpecError(f"{file}: contains NUL bytes: not a YAML text file")
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_bounds(node, file)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise SpecError(f"{file}: invalid YAML: {str(exc).splitlines()[0]}") from None
    except RecursionError:
        raise SpecError(f"{file}: nested deeper than {MAX_DEPTH} levels") from None
    finally:
        loader.dispose()
