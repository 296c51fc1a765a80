"""minigrad.viz: the printed tree and the DOT text, checked by parsing them back."""

import re

import numpy as np
import pytest

import minigrad
import minigrad.nn as nn
from minigrad import viz

# A tree line: optional branch drawing, then "#k label" (first visit) or "[see #k] label".
LINE = re.compile(r"^(?P<prefix>(?:[│ ]  )*(?:[├└]─ )?)(?:#(?P<num>\d+) |\[see #(?P<ref>\d+)\] )")
DOT_NODE = re.compile(r'^  (n\d+) \[label="((?:[^"\\]|\\.)*)", shape=(box|ellipse)(.*)\];$')
DOT_EDGE = re.compile(r"^  (n\d+) -> (n\d+);$")


def parse_tree(text: str) -> list[dict]:
    """Each line as {depth, num, ref, label, parent}; `parent` is the line index or None."""
    rows, open_at = [], {}  # open_at[depth] = index of the last row seen at that depth
    for line in text.splitlines():
        m = LINE.match(line)
        assert m, f"unparseable line: {line!r}"
        prefix = m["prefix"]
        depth = len(prefix) // 3
        if not prefix:  # the main root, or a continued sub-tree restarting at the margin
            parent = None
        else:
            parent = open_at[depth - 1]
        row = dict(
            depth=depth,
            num=int(m["num"]) if m["num"] else None,
            ref=int(m["ref"]) if m["ref"] else None,
            label=line[m.end() :],
            parent=parent,
        )
        open_at[depth] = len(rows)
        rows.append(row)
    return rows


def defined(rows) -> dict:
    """{number: row} for every "#k" line that defines (not continues) an entry."""
    out = {}
    for row in rows:
        if row["num"] is not None and not row["label"].endswith("(continued)"):
            assert row["num"] not in out, f"#{row['num']} defined twice"
            out[row["num"]] = row
    return out


def path_to(rows, index) -> list[str]:
    labels = []
    while index is not None:
        labels.append(rows[index]["label"])
        index = rows[index]["parent"]
    return labels[::-1]


def parse_dot(dot: str) -> tuple[dict, list]:
    """({id: (label, shape, attrs)}, [(src, dst)]), asserting the file's structure."""
    assert dot.count("{") == dot.count("}") == 1
    lines = dot.splitlines()
    assert lines[0] == "digraph minigrad {" and lines[-1] == "}"
    nodes, edges = {}, []
    for line in lines[1:-1]:
        if (m := DOT_NODE.match(line)) is not None:
            assert m[1] not in nodes, f"node {m[1]} declared twice"
            nodes[m[1]] = (m[2].replace("\\n", "\n"), m[3], m[4])
        elif (m := DOT_EDGE.match(line)) is not None:
            edges.append((m[1], m[2]))
        else:
            assert re.match(r"^  (rankdir=|node \[)", line), f"unexpected DOT line {line!r}"
    for src, dst in edges:
        assert src in nodes and dst in nodes, f"edge {src} -> {dst} names an undeclared node"
    return nodes, edges


@pytest.fixture
def mlp():
    minigrad.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 3))
    x = minigrad.randn(4, 5)
    y = minigrad.tensor([0, 2, 1, 0])
    loss = nn.CrossEntropyLoss()(model(x), y)
    return model, loss


def test_mlp_tree_shows_ops_shapes_and_named_parameters(mlp):
    model, loss = mlp
    rows = parse_tree(viz.to_text(loss, model.named_parameters()))
    assert rows[0] == dict(
        depth=0, num=1, ref=None, label=f"{loss.grad_fn.name()}  () float32", parent=None
    )
    entries = defined(rows)
    assert sorted(entries) == list(range(1, len(entries) + 1))
    by_label = {row["label"]: i for i, row in enumerate(rows)}
    for name, p in model.named_parameters():
        shape = "(" + ", ".join(map(str, p.shape)) + ("," if p.ndim == 1 else "") + ")"
        assert f"leaf {name}  {shape} float32  requires_grad" in by_label
    assert "grad_norm" not in viz.to_text(loss, model.named_parameters())

    # Output to input: ... -> Linear(8, 3) -> ReLU -> Linear(5, 8) -> 0.weight, 0.bias.
    path = path_to(rows, by_label["leaf 0.weight  (8, 5) float32  requires_grad"])
    assert path[-4:] == [
        "LinearBackward0  (4, 3) float32",
        "ReLUBackward0  (4, 8) float32",
        "LinearBackward0  (4, 8) float32",
        "leaf 0.weight  (8, 5) float32  requires_grad",
    ]
    assert path[0] == rows[0]["label"]
    first_linear = rows[by_label["leaf 0.weight  (8, 5) float32  requires_grad"]]["parent"]
    assert rows[by_label["leaf 0.bias  (8,) float32  requires_grad"]]["parent"] == first_linear
    last_linear = rows[by_label["leaf 2.weight  (3, 8) float32  requires_grad"]]["parent"]
    assert rows[last_linear]["label"] == "LinearBackward0  (4, 3) float32"
    assert rows[by_label["leaf 2.bias  (3,) float32  requires_grad"]]["parent"] == last_linear
    # The input batch and the targets need no gradient, so the graph does not hold them.
    assert sum(row["label"].startswith("leaf") for row in rows) == 4


def test_mlp_tree_after_backward_shows_gradient_norms(mlp):
    model, loss = mlp
    loss.backward()
    text = viz.to_text(loss, dict(model.named_parameters()))
    norms = dict(re.findall(r"leaf (\S+)  .* grad_norm=(\S+)$", text, re.MULTILINE))
    params = dict(model.named_parameters())
    assert set(norms) == set(params)
    for name, p in params.items():
        np.testing.assert_allclose(float(norms[name]), np.linalg.norm(p.grad.numpy()), rtol=1e-5)


def test_mlp_dot_declares_ops_and_named_leaves(mlp):
    model, loss = mlp
    nodes, edges = parse_dot(viz.to_dot(loss, model.named_parameters()))
    leaves = {label.split("\n")[0]: (nid, attrs) for nid, (label, kind, attrs) in nodes.items()
              if kind == "ellipse"}  # fmt: skip
    assert set(leaves) == {name for name, _ in model.named_parameters()}
    assert nodes[leaves["0.weight"][0]][0] == "0.weight\n(8, 5) float32"
    assert nodes[leaves["2.bias"][0]][0] == "2.bias\n(3,) float32"
    assert all('fillcolor="lightblue"' in attrs for _, attrs in leaves.values())
    ops = [label.split("\n")[0] for label, kind, _ in nodes.values() if kind == "box"]
    assert sorted(op for op in ops if op in ("LinearBackward0", "ReLUBackward0")) == [
        "LinearBackward0",
        "LinearBackward0",
        "ReLUBackward0",
    ]
    # Edges run input -> op: every leaf feeds a Linear, and everything reaches the loss.
    for nid, _ in leaves.values():
        (dst,) = [d for s, d in edges if s == nid]
        assert nodes[dst][0].startswith("LinearBackward0\n")
    root = [nid for nid, (label, _, _) in nodes.items() if "penwidth=2" in nodes[nid][2]]
    assert len(root) == 1 and nodes[root[0]][0] == f"{loss.grad_fn.name()}\n() float32"
    assert not [s for s, _ in edges if s == root[0]]
    reaches = {root[0]}
    for _ in nodes:
        reaches |= {s for s, d in edges if d in reaches}
    assert reaches == set(nodes)


def test_shared_subgraph_is_printed_once_and_referenced():
    x = minigrad.tensor([0.5, -1.0, 2.0], requires_grad=True)
    h = (x * 2.0).exp()  # used three times below
    y = (h * h + h).sum()
    rows = parse_tree(viz.to_text(y, [("x", x)]))
    labels = [row["label"] for row in rows]
    assert labels.count("ExpBackward0  (3,) float32") == 1
    assert labels.count("MulBackward0  (3,) float32") == 2  # h * h and, once, x * 2
    assert labels.count("leaf x  (3,) float32  requires_grad") == 1
    (exp_row,) = [row for row in rows if row["label"] == "ExpBackward0  (3,) float32"]
    refs = [row for row in rows if row["ref"] is not None]
    assert [(r["ref"], r["label"]) for r in refs] == [(exp_row["num"], "ExpBackward0")] * 2
    assert len(rows) == 8  # Sum, Add, Mul, Exp, Mul (x * 2), x, and two references to Exp
    nodes, edges = parse_dot(viz.to_dot(y))
    (exp_id,) = [n for n, (label, _, _) in nodes.items() if label.startswith("ExpBackward0")]
    consumers = sorted(nodes[d][0].split("\n")[0] for s, d in edges if s == exp_id)
    assert consumers == ["AddBackward0", "MulBackward0", "MulBackward0"]


def test_leaf_used_twice_is_printed_once():
    w = minigrad.tensor([[1.0, 2.0]], requires_grad=True)
    text = viz.to_text((w * w).sum(), {"w": w})
    assert text.splitlines()[1:] == [
        "└─ #2 MulBackward0  (1, 2) float32",
        "   ├─ #3 leaf w  (1, 2) float32  requires_grad",
        "   └─ [see #3] leaf w",
    ]


def test_tensor_without_graph_is_one_leaf():
    t = minigrad.tensor([1.0, 2.0])
    assert viz.to_text(t) == "#1 leaf  (2,) float32"
    w = minigrad.tensor([[3.0, 4.0]], dtype=minigrad.float64, requires_grad=True)
    assert viz.to_text(w, {"w": w}) == "#1 leaf w  (1, 2) float64  requires_grad"
    (w * 1.0).sum().backward()
    assert viz.to_text(w, {"w": w}) == "#1 leaf w  (1, 2) float64  requires_grad  grad_norm=1.41421"
    nodes, edges = parse_dot(viz.to_dot(w, {"w": w}))
    assert list(nodes.values()) == [
        ("w\n(1, 2) float64", "ellipse", ', style=filled, fillcolor="lightblue"')
    ]
    assert edges == []
    nodes, _ = parse_dot(viz.to_dot(minigrad.tensor(7)))
    assert list(nodes.values()) == [("leaf\n() int64", "ellipse", "")]


def test_long_chain_prints_every_op_once_without_recursion():
    n = 10_000
    x = minigrad.ones(3, requires_grad=True)
    out = x
    for _ in range(n):
        out = out * 1.0
    text = viz.to_text(out, {"x": x})
    rows = parse_tree(text)
    entries = defined(rows)
    assert sorted(entries) == list(range(1, n + 2))
    assert entries[n + 1]["label"] == "leaf x  (3,) float32  requires_grad"
    # Deep sub-trees restart at the margin, so lines stay short.
    assert max(len(line) for line in text.splitlines()) <= 3 * viz.MAX_DEPTH + 60
    assert text.count("[continued below]") == text.count("(continued)") > 0
    # A chain: each entry hangs under the one numbered just before it, or starts a
    # continuation of an entry that the tree above ended with "[continued below]".
    cut = {row["num"] for row in rows if row["label"].endswith("[continued below]")}
    for row in rows[1:]:
        if row["parent"] is None:
            assert row["label"].endswith("(continued)") and row["num"] in cut
        else:
            assert rows[row["parent"]]["num"] == row["num"] - 1
    nodes, edges = parse_dot(viz.to_dot(out))
    assert len(nodes) == n + 1 and len(edges) == n


def test_show_prints_to_text(mlp, capsys):
    model, loss = mlp
    viz.show(loss, model.named_parameters())
    assert capsys.readouterr().out == viz.to_text(loss, model.named_parameters()) + "\n"


def test_bad_arguments_raise_type_error():
    with pytest.raises(TypeError, match="Tensor"):
        viz.to_text(np.ones(3))
    with pytest.raises(TypeError, match="'w'"):
        viz.to_dot(minigrad.ones(2), [("w", np.ones(2))])


def test_dot_escapes_quotes_in_names():
    w = minigrad.ones(2, requires_grad=True)
    nodes, _ = parse_dot(viz.to_dot(w * 2.0, {'say "hi"': w}))
    assert ('say \\"hi\\"\n(2,) float32', "ellipse") in [(a, b) for a, b, _ in nodes.values()]
