"""Look at the graph `backward()` will walk: as an indented tree or as Graphviz DOT text.

    >>> loss = F.cross_entropy(model(x), y)
    >>> loss.backward()
    >>> minigrad.viz.show(loss, model.named_parameters())

Every graph node is the `Function` instance in `tensor.grad_fn`; this module reads
only its `name()` and its `edges` (per positional input: None, or `(target, shape,
dtype)` where target is the input's node or, for a leaf, the leaf Tensor). The shape
and dtype of a node's output are the ones its consumer's edge recorded. Both walks
use an explicit stack, so a graph of any depth prints without recursion.
"""

from collections import deque

import numpy as np

from .tensor import Tensor

__all__ = ["show", "to_dot", "to_text"]

# Past this many levels a sub-tree restarts at the left margin (see `to_text`), so that
# a 10,000-op chain prints in a few hundred kB instead of one indent per op.
MAX_DEPTH = 24


def _names(params) -> dict:
    """`{id(tensor): name}` from a dict, `(name, tensor)` pairs, or a Module."""
    if params is None:
        return {}
    if hasattr(params, "named_parameters"):
        params = params.named_parameters()
    pairs = params.items() if isinstance(params, dict) else params
    names = {}
    for name, tensor in pairs:
        if not isinstance(tensor, Tensor):
            raise TypeError(f"params: {name!r} is a {type(tensor).__name__}, not a Tensor")
        names.setdefault(id(tensor), str(name))
    return names


def _shape(shape) -> str:
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def _leaf_label(leaf: Tensor, names: dict) -> str:
    """`leaf fc1.weight  (8, 64) float32  requires_grad  grad_norm=0.1234`."""
    parts = [_short_name(leaf, names)]
    parts.append(f"{_shape(leaf.shape)} {leaf.dtype.name}")
    if leaf.requires_grad:
        parts.append("requires_grad")
    if leaf.grad is not None:
        parts.append(f"grad_norm={float(np.linalg.norm(leaf.grad.data)):.6g}")
    return "  ".join(parts)


def _short_name(target, names: dict) -> str:
    if not isinstance(target, Tensor):
        return type(target).name()
    return f"leaf {names[id(target)]}" if id(target) in names else "leaf"


def _node_label(node, shape, dtype) -> str:
    return f"{type(node).name()}  {_shape(shape)} {np.dtype(dtype).name}"


def to_text(t: Tensor, params=None) -> str:
    """The graph behind `t` as an indented tree, output at the top, inputs below.

    Each op line shows its graph node's name and the shape and dtype of its output.
    Leaves show their name from `params`, shape, dtype, `requires_grad` and, once
    `backward()` has filled `.grad`, `grad_norm` (the L2 norm of `.grad`). Inputs that
    need no gradient (data, targets, constants) are not recorded in the graph, so
    they do not appear.
    Every op and leaf gets a number `#k` the first time it is printed; when it is
    reached again (a shared sub-graph) it prints as `[see #k]`. A sub-tree more than
    `MAX_DEPTH` levels deep ends in `[continued below]` and is printed again from
    its `#k` line at the left margin after the main tree.

    Args:
        t: the tensor whose graph to print (usually the loss).
        params: names for leaves: a dict or `(name, tensor)` pairs such as
            `model.named_parameters()`; a Module is also accepted.

    Returns:
        The tree, one line per entry, without a trailing newline.
    """
    if not isinstance(t, Tensor):
        raise TypeError(f"to_text() expects a Tensor, got {type(t).__name__}")
    names = _names(params)
    if t.grad_fn is None:
        return "#1 " + _leaf_label(t, names)
    numbers = {}  # id(node or leaf) -> its number
    keep = []  # hold each numbered object so its id cannot be reused during the walk
    lines = []
    deferred = deque([(t.grad_fn, t.shape, t.dtype)])
    while deferred:
        root, shape, dtype = deferred.popleft()
        first = id(root) not in numbers
        if first:
            numbers[id(root)] = len(numbers) + 1
            keep.append(root)
        suffix = "" if first else "  (continued)"
        lines.append(f"#{numbers[id(root)]} {_node_label(root, shape, dtype)}{suffix}")
        # Each stack entry: (edge, prefix, is_last, depth).
        stack = _children(root, "", 1)
        while stack:
            (target, shape, dtype), prefix, last, depth = stack.pop()
            branch = prefix + ("└─ " if last else "├─ ")
            key = id(target)
            if key in numbers:
                label = _short_name(target, names)
                lines.append(f"{branch}[see #{numbers[key]}] {label}")
                continue
            numbers[key] = len(numbers) + 1
            keep.append(target)
            head = f"{branch}#{numbers[key]} "
            if isinstance(target, Tensor):
                lines.append(head + _leaf_label(target, names))
            elif depth >= MAX_DEPTH and any(e is not None for e in target.edges):
                lines.append(head + _node_label(target, shape, dtype) + "  [continued below]")
                deferred.append((target, shape, dtype))
            else:
                lines.append(head + _node_label(target, shape, dtype))
                stack.extend(_children(target, prefix + ("   " if last else "│  "), depth + 1))
    return "\n".join(lines)


def _children(node, prefix: str, depth: int) -> list:
    """Stack entries for `node`'s recorded inputs, reversed so that the first pops first."""
    edges = [edge for edge in node.edges if edge is not None]
    return [(edge, prefix, i == 0, depth) for i, edge in enumerate(reversed(edges))]


def show(t: Tensor, params=None) -> None:
    """Print `to_text(t, params)`."""
    print(to_text(t, params))


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(t: Tensor, params=None) -> str:
    """The graph behind `t` as Graphviz DOT text; render it with `dot -Tsvg`.

    One box per op (its node name, output shape and dtype), one ellipse per leaf (its
    name from `params`, shape and dtype), and an arrow from each input to the op that
    consumed it. Leaves that require grad are filled light blue; the output's op is
    drawn with a bold border. Nothing but this text is produced: the `graphviz`
    package is not needed.

    Args:
        t: the tensor whose graph to draw.
        params: names for leaves, as for `to_text`.

    Returns:
        The DOT source of a `digraph`.
    """
    if not isinstance(t, Tensor):
        raise TypeError(f"to_dot() expects a Tensor, got {type(t).__name__}")
    names = _names(params)
    lines = [
        "digraph minigrad {",
        "  rankdir=BT;",
        '  node [fontname="Helvetica", fontsize=10];',
    ]
    ids = {}  # id(node or leaf) -> DOT id
    keep = []

    def declare(obj, shape, dtype, root=False) -> str:
        ids[id(obj)] = f"n{len(ids)}"
        keep.append(obj)
        if isinstance(obj, Tensor):
            name = names.get(id(obj), "leaf")
            label = f"{name}\n{_shape(obj.shape)} {obj.dtype.name}"
            style = ', style=filled, fillcolor="lightblue"' if obj.requires_grad else ""
            lines.append(f"  {ids[id(obj)]} [label={_quote(label)}, shape=ellipse{style}];")
        else:
            label = f"{type(obj).name()}\n{_shape(shape)} {np.dtype(dtype).name}"
            bold = ", penwidth=2" if root else ""
            lines.append(f"  {ids[id(obj)]} [label={_quote(label)}, shape=box{bold}];")
        return ids[id(obj)]

    if t.grad_fn is None:
        declare(t, t.shape, t.dtype)
        return "\n".join([*lines, "}"])
    arrows = []
    declare(t.grad_fn, t.shape, t.dtype, root=True)
    stack = [t.grad_fn]
    while stack:
        node = stack.pop()
        for edge in node.edges:
            if edge is None:
                continue
            target, shape, dtype = edge
            if id(target) not in ids:
                declare(target, shape, dtype)
                if not isinstance(target, Tensor):
                    stack.append(target)
            arrows.append(f"  {ids[id(target)]} -> {ids[id(node)]};")
    return "\n".join([*lines, *arrows, "}"])
