"""The backward sweep: a dependency-counting (Kahn) walk over recorded graph nodes.

The engine knows no individual op. A node is a `Function` instance recorded by
`Function.apply`; its `edges` hold, per positional input, either None (no
gradient needed) or `(target, shape, dtype)`, where target is the input's own
node or, for a leaf, the leaf Tensor itself. Every node runs `backward` once.
"""

import sys

import numpy as np

from . import anomaly


def sum_to(grad, shape):
    """Undo broadcasting: sum `grad` over the axes that broadcasting added or stretched.

    This is the only place in minigrad that reduces a gradient to an input's shape.
    """
    if grad.ndim == 2 and len(shape) == 1 and shape[0] == grad.shape[1] and grad.dtype in _BLAS:
        return _ones(len(grad), grad.dtype) @ grad  # a bias's gradient: see _ones
    lead = grad.ndim - len(shape)
    if lead < 0 or any(n != 1 and n != g for n, g in zip(shape, grad.shape[lead:])):
        return None
    if lead:
        grad = grad.sum(axis=tuple(range(lead)))  # a fresh array, not a view of one
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return grad.sum(axis=stretched, keepdims=True) if stretched else grad


_BLAS = (np.dtype(np.float32), np.dtype(np.float64))
_ones_cache = {}


def _ones(n, dtype):
    """A read-only vector of n ones. `ones @ grad` sums grad's rows with one BLAS call,
    3-5x faster than NumPy's reduction over the first axis of a (batch, features) array."""
    ones = _ones_cache.get((n, dtype))
    if ones is None:
        if len(_ones_cache) > 64:  # many batch sizes: start over rather than grow
            _ones_cache.clear()
        ones = _ones_cache[n, dtype] = np.ones(n, dtype)
        ones.flags.writeable = False
    return ones


def _fit(node, i, grad, shape, dtype):
    """Bring one returned gradient to its input's shape and dtype."""
    if type(grad) is not np.ndarray:
        grad = np.asarray(grad)
    if grad.shape != shape:
        reduced = sum_to(grad, shape)
        if reduced is None:
            raise RuntimeError(
                f"{node.name()} returned a gradient of shape {grad.shape} for input {i}, "
                f"which cannot be summed to that input's shape {shape}"
            )
        grad = np.asarray(reduced)  # a full sum gives a NumPy scalar, not a 0-d array
    if grad.dtype != dtype:
        with np.errstate(over="ignore"):  # narrowing overflows to inf silently, as PyTorch
            grad = grad.astype(dtype)
    return grad


def _dependencies(root):
    """Count, for every node reachable from root, how many edges point at it."""
    counts = {root: 0}
    stack = [root]
    while stack:
        for edge in stack.pop().edges:
            if edge is not None and not edge[0].is_leaf_edge:
                target = edge[0]
                if target in counts:
                    counts[target] += 1
                else:
                    counts[target] = 1
                    stack.append(target)
    return counts


def run_backward(root, grad, retain_graph):
    """Propagate `grad` (dL/d root's output) to every leaf reachable from node `root`."""
    counts = _dependencies(root)
    check_anomaly = anomaly.state.enabled
    pending = {root: grad}
    ready = [root]
    while ready:
        node = ready.pop()
        grad = pending.pop(node)
        if node.retained is not None:
            tensor = node.retained()
            if tensor is not None:
                tensor._accumulate_grad(grad, owned=False)
        if node.saved is None:
            raise node.freed_error()
        for stamp in node.versions:  # (counter, its value when saved, ...)
            if stamp[0][0] != stamp[1]:
                raise node.version_error(stamp)
        grads = node.backward(node, grad)
        if not retain_graph and node.saved:
            node.saved = None  # free the saved arrays as soon as they are used
        if type(grads) is not tuple:
            grads = (grads,)
        edges = node.edges
        if len(grads) != len(edges):
            raise node.arity_error(grads)
        for i, edge in enumerate(edges):
            g = grads[i]
            if edge is None or g is None:
                continue
            target, shape, dtype = edge
            if type(g) is not np.ndarray or g.shape != shape or g.dtype != dtype:
                g = _fit(node, i, g, shape, dtype)
            if check_anomaly:
                anomaly.check_gradient(node, i, g)
            if target.is_leaf_edge:
                # A leaf keeps its gradient and later adds into it in place, so it may
                # keep `g` itself only if nothing else holds it: references from `grads`,
                # `g` and getrefcount's argument make 3 (PyTorch checks the same count).
                owned = g.base is None and sys.getrefcount(g) <= 3
                target._accumulate_grad(g, owned)
                continue
            pending[target] = pending[target] + g if target in pending else g
            left = counts[target] - 1
            counts[target] = left
            if not left:
                ready.append(target)
