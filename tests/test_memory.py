"""Memory: training runs in constant memory, backward frees what the graph saved, no cycles.

The graph a forward pass records is held only by the result's `grad_fn` chain, and each
node drops its saved arrays as soon as its backward has run; nothing in a training step
forms a reference cycle, so memory is returned by reference counting alone, at once.
"""

import gc
import tracemalloc
import weakref

import numpy as np

import minigrad as mg
from minigrad import nn, optim

WARM_UP, STEPS = 200, 2000
GROWTH_LIMIT = 1 << 20  # bytes


def mlp(seed: int = 0) -> nn.Module:
    mg.manual_seed(seed)
    return nn.Sequential(
        nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10)
    )


def batches(count: int = 4, size: int = 128, seed: int = 0):
    """A few fixed batches of random data (generated once, cycled through)."""
    rng = np.random.default_rng(seed)
    return [
        (
            mg.tensor(rng.standard_normal((size, 784), dtype=np.float32)),
            mg.tensor(rng.integers(0, 10, size)),
        )
        for _ in range(count)
    ]


def train_step(model, optimizer, loss_fn, x, y):
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()


def test_training_memory_stays_flat():
    """2,000 steps of a 784-256-256-10 MLP: under 1 MiB of growth from step 200 to the end."""
    model, data = mlp(), batches()
    optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    tracemalloc.start()
    try:
        for step in range(STEPS):
            if step == WARM_UP:
                gc.collect()
                start, _ = tracemalloc.get_traced_memory()
                before = tracemalloc.take_snapshot()
            x, y = data[step % len(data)]
            loss = train_step(model, optimizer, loss_fn, x, y)
        gc.collect()
        end, _ = tracemalloc.get_traced_memory()
        growth = end - start
        if growth >= GROWTH_LIMIT:  # show where the memory went
            top = tracemalloc.take_snapshot().compare_to(before, "lineno")[:10]
            raise AssertionError(
                f"memory grew by {growth} bytes from step {WARM_UP} to {STEPS}:\n"
                + "\n".join(map(str, top))
            )
    finally:
        tracemalloc.stop()
    assert np.isfinite(loss)


def _saved_arrays(loss):
    """Every array that the graph behind `loss` saved for backward (walking graph nodes)."""
    arrays, seen, stack = [], set(), [loss.grad_fn]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        arrays.extend(a for a in node.saved or () if isinstance(a, np.ndarray))
        stack.extend(e[0] for e in node.edges if e is not None and not e[0].is_leaf_edge)
    return arrays


def test_backward_frees_every_array_the_graph_saved():
    model, ((x, y),) = mlp(), batches(count=1)
    loss = nn.CrossEntropyLoss()(model(x), y)
    held = [x.data] + [p.data for p in model.parameters()]  # the caller's own arrays
    saved = [a for a in _saved_arrays(loss) if not any(a is h for h in held)]
    assert len(saved) >= 4  # activations of each layer and the loss's log-probabilities
    refs = [weakref.ref(a) for a in saved]
    del saved
    gc.collect()
    assert all(r() is not None for r in refs)  # alive: the graph holds them until backward
    loss.backward()
    gc.collect()
    alive = [r() for r in refs if r() is not None]
    assert not alive, f"{len(alive)} saved arrays outlived backward: {[a.shape for a in alive]}"
    assert loss.grad_fn is not None  # the graph itself still exists; only its arrays are gone


def test_a_training_step_creates_no_reference_cycles():
    model, data = mlp(), batches(count=2)
    optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    train_step(model, optimizer, loss_fn, *data[0])  # warm up: lazy imports, optimizer state
    gc.collect()
    gc.disable()
    try:
        gc.collect()
        x, y = data[1]
        out = model(x)
        loss = loss_fn(out, y)
        graph = weakref.ref(loss.grad_fn)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        del out, loss
        assert graph() is None  # freed by reference counting alone, with gc disabled
        assert gc.collect() == 0  # and nothing was left for the cycle collector
    finally:
        gc.enable()


def test_a_dropped_graph_without_backward_is_freed_at_once():
    """Forward only (a loss computed and discarded): the graph goes with the tensor."""
    model, ((x, y),) = mlp(), batches(count=1)
    held = [x.data] + [p.data for p in model.parameters()]
    gc.collect()
    gc.disable()
    try:
        loss = nn.CrossEntropyLoss()(model(x), y)
        saved = [a for a in _saved_arrays(loss) if not any(a is h for h in held)]
        assert saved
        refs = [weakref.ref(a) for a in saved]
        del saved, loss
        assert all(r() is None for r in refs)
        assert gc.collect() == 0
    finally:
        gc.enable()
