"""The workloads: data, sizes, initial weights and targets, the same for every implementation.

Weights are drawn once here with NumPy in PyTorch's layout (weight `(out, in)`, bias `(out,)`)
and copied into each implementation, so the three start from the same point and must end at the
same loss.
"""

# ruff: noqa: N806 - X for a data matrix, as scikit-learn and PyTorch code write it

import importlib.util
import itertools
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass
class Train:
    """A training run: an MLP with ReLU between its Linear layers, a loss head and SGD.

    `head` is "bce" (sigmoid output and binary cross-entropy, targets `(N, 1)` float32) or "ce"
    (raw logits and cross-entropy, int64 class targets). `tutorial` models are written as the
    seed tutorial writes them (`linear1`, `relu`, `linear2` attributes and a criterion module);
    the others are an `nn.Sequential` trained with `F.cross_entropy`.
    """

    name: str
    title: str
    X: np.ndarray
    y: np.ndarray
    sizes: list[int]
    head: str
    lr: float
    epochs: int
    batch_size: int
    momentum: float = 0.0
    tutorial: bool = False
    target: float = 2.0  # minigrad / numpy per-step time must stay at or below this
    beat_torch: bool = False  # minigrad must also be faster than torch
    weights: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)

    @property
    def steps(self) -> int:
        return self.epochs * -(-len(self.X) // self.batch_size)


@dataclass
class Chain:
    """M0: `h = h * c` n times on a leaf `h0`, then `h.sum().backward()`."""

    name: str
    title: str
    h0: np.ndarray
    c: np.ndarray
    n: int
    target: float = 2.5  # minigrad / numpy-floor per-op time
    max_us: float = 4.0  # minigrad's absolute per-op budget

    @property
    def steps(self) -> int:
        return self.n


def init_weights(sizes: list[int], rng: np.random.Generator, gain: float = 1.0) -> list:
    """PyTorch's Linear default U(-1/sqrt(in), 1/sqrt(in)), times `gain`, as float32."""
    weights = []
    for fan_in, fan_out in itertools.pairwise(sizes):
        bound = gain / np.sqrt(fan_in)
        w = rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32)
        b = rng.uniform(-bound, bound, fan_out).astype(np.float32)
        weights.append((w, b))
    return weights


def seed_data(network: str) -> tuple:
    """The seed tutorial's training split for `network`, from examples/seed_networks.py."""
    path = Path(__file__).resolve().parents[1] / "examples" / "seed_networks.py"
    spec = importlib.util.spec_from_file_location("seed_networks", path)
    seed_networks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(seed_networks)  # examples/ is a folder of scripts, not a package
    data = seed_networks.make_data(network)
    return data.x_train, data.y_train


def synthetic(n: int, features: int, classes: int, rng: np.random.Generator) -> tuple:
    """Gaussian inputs labelled by a random linear teacher, so the loss can fall."""
    X = rng.standard_normal((n, features), dtype=np.float32)
    teacher = rng.standard_normal((features, classes), dtype=np.float32)
    return X, np.argmax(X @ teacher, axis=1).astype(np.int64)


def w1(quick: bool) -> Train:
    X, y = seed_data("NeuralNet1")
    epochs = 5 if quick else 100
    return Train("W1", "seed binary 4-5-1, BCE", X, y, [4, 5, 1], "bce", 0.1, epochs, len(X),
                 tutorial=True, target=2.0, beat_torch=True)  # fmt: skip


def w2(quick: bool) -> Train:
    X, y = seed_data("NeuralNet2")
    epochs = 5 if quick else 100
    return Train("W2", "seed 3-class 4-5-3, CE", X, y, [4, 5, 3], "ce", 0.1,
                 epochs, len(X), tutorial=True, target=1.6, beat_torch=True)  # fmt: skip


def w3(quick: bool) -> Train:
    rng = np.random.default_rng(3)
    n, hidden = (512, 64) if quick else (8192, 256)
    X, y = synthetic(n, 784, 10, rng)
    return Train("W3", f"MLP 784-{hidden}-{hidden}-10, batch 128", X, y, [784, hidden, hidden, 10],
                 "ce", 0.05, 1, 128, momentum=0.9, target=1.10)  # fmt: skip


def w4(quick: bool) -> Train:
    rng = np.random.default_rng(4)
    depth, steps = (8, 3) if quick else (64, 20)
    X, y = synthetic(32, 32, 32, rng)
    # sqrt(6) x PyTorch's bound is Kaiming's uniform for ReLU: the signal survives 64 layers, so
    # the final loss depends on every layer's gradient, not only the last few.
    weights = init_weights([32] * (depth + 1), rng, gain=np.sqrt(6.0))
    return Train("W4", f"deep chain {depth} x Linear(32, 32), batch 32", X, y, [32] * (depth + 1),
                 "ce", 0.01, steps, 32, target=2.0, beat_torch=True, weights=weights)  # fmt: skip


def m0(quick: bool) -> Chain:
    rng = np.random.default_rng(0)
    h0 = rng.standard_normal((32, 32), dtype=np.float32)
    c = rng.uniform(0.99, 1.01, (32, 32)).astype(np.float32)  # keeps c**100 near 1
    return Chain("M0", "per-op cost: 100 x (h = h * c), 32x32", h0, c, 10 if quick else 100)


BUILDERS = {"W1": w1, "W2": w2, "W3": w3, "W4": w4, "M0": m0}


def build(name: str, quick: bool):
    """The workload called `name`, with its initial weights drawn (seeded) if it trains."""
    work = BUILDERS[name](quick)
    if isinstance(work, Train) and not work.weights:
        work.weights = init_weights(work.sizes, np.random.default_rng(int(name[1:])))
    return work
