"""Timing in one process: the implementations interleaved within every repeat, then medians.

In repeat r the implementations run in an order rotated by r, so drift in the machine's speed
(frequency, a noisy neighbour) falls on all of them alike. Each timed run is preceded by
`gc.collect()` (no garbage of another implementation is collected on its clock) and then by an
untimed warm-up run of the same implementation: a full collection walks every object in the
process and evicts the caches, which would otherwise slow the first few hundred microseconds of
the timed run, half of a short workload such as M0. A training loop runs warm; so do we.
Every timed run's final loss is checked against the others'.
"""

import gc
import statistics
import time
from dataclasses import dataclass, field

import numpy as np

from .workloads import Chain

IMPLEMENTATIONS = ("minigrad", "torch", "numpy")
LOSS_RTOL = 1e-3  # float32 runs of the same arithmetic in a different order
PROBE_RTOL = 1e-3  # the first layer's weight change (or h0's gradient), relative to its size
REFERENCE = "numpy"


class AgreementError(RuntimeError):
    """The implementations computed different things: their timings would mean nothing."""


def preparers(names=IMPLEMENTATIONS) -> dict:
    """`{name: prepare(work) -> (run, probe)}`, importing each library only when asked for."""
    from functools import partial

    from . import framework_impl, numpy_impl

    found = {}
    for name in names:
        if name == "numpy":
            found[name] = numpy_impl.prepare
        elif name == "torch":
            import torch

            found[name] = partial(framework_impl.prepare, torch)
        elif name == "minigrad":
            import minigrad

            found[name] = partial(framework_impl.prepare, minigrad)
        else:
            raise ValueError(f"unknown implementation {name!r}; choose from {IMPLEMENTATIONS}")
    return found


def check_agreement(work, losses: dict, probes: dict) -> None:
    """Raise AgreementError unless every final loss and probe matches the reference's."""
    ref = losses[REFERENCE]
    for name, loss in losses.items():
        rel = abs(loss - ref) / max(abs(ref), 1e-12)
        if not rel < LOSS_RTOL:  # `not <` so that NaN fails too
            raise AgreementError(
                f"{work.name}: {name}'s final loss {loss!r} differs from {REFERENCE}'s {ref!r} "
                f"(relative difference {rel:.2e}, allowed {LOSS_RTOL:g})"
            )
    # Training: compare how far the first weight moved, since the weights themselves barely do.
    start = 0.0 if isinstance(work, Chain) else work.weights[0][0]
    moved = {name: probe - start for name, probe in probes.items()}
    scale = max(float(np.abs(moved[REFERENCE]).max()), 1e-30)
    for name, delta in moved.items():
        err = float(np.abs(delta - moved[REFERENCE]).max()) / scale
        if not err < PROBE_RTOL:
            what = "h0's gradient" if isinstance(work, Chain) else "first layer's weight update"
            raise AgreementError(
                f"{work.name}: {name}'s {what} differs from {REFERENCE}'s (max difference "
                f"{err:.2e} of its largest entry, allowed {PROBE_RTOL:g})"
            )


@dataclass
class Result:
    """Seconds per whole workload, one entry per timed repeat, per implementation."""

    work: object
    times: dict = field(default_factory=dict)
    losses: dict = field(default_factory=dict)

    def per_step(self, name: str) -> float:
        return statistics.median(self.times[name]) / self.work.steps

    def ratio(self, a: str, b: str) -> tuple:
        """Median, min and max over repeats of time(a) / time(b) within the same repeat."""
        ratios = [ta / tb for ta, tb in zip(self.times[a], self.times[b])]
        return statistics.median(ratios), min(ratios), max(ratios)


def measure(work, prepare: dict, repeats: int) -> Result:
    names = list(prepare)
    result = Result(work, {name: [] for name in names})
    for r in range(repeats):
        order = names[r % len(names) :] + names[: r % len(names)]
        losses, probes = {}, {}
        for name in order:
            gc.collect()
            warm_up, _ = prepare[name](work)
            warm_up()
            run, probe = prepare[name](work)  # fresh weights: every timed run starts the same
            start = time.perf_counter()
            losses[name] = run()
            result.times[name].append(time.perf_counter() - start)
            probes[name] = probe()
        check_agreement(work, losses, probes)
        result.losses = losses
    return result
