"""W3's peak traced memory, each implementation in a fresh subprocess.

tracemalloc sees what Python and NumPy allocate (NumPy reports its array buffers to it), not
what PyTorch's C++ allocator does, so torch is not measured. Tracing starts after the model and
the data tensors exist and covers the training run: activations, gradients, optimizer state
and the autograd graph.

Run by the suite as `python -m benchmarks.memory IMPL [--quick]`; prints one JSON line.
"""

import argparse
import gc
import json
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

from . import workloads
from .harness import LOSS_RTOL, AgreementError, preparers

MEASURED = ("minigrad", "numpy")
ROOT = Path(__file__).resolve().parents[1]


def peak_in_this_process(name: str, quick: bool) -> dict:
    work = workloads.build("W3", quick)
    run, _ = preparers([name])[name](work)
    gc.collect()
    tracemalloc.start()
    loss = run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"peak": peak, "loss": loss}


def measure(quick: bool) -> dict:
    """`{impl: {"peak": bytes, "loss": float}}` for minigrad and numpy, checked to agree."""
    paths = [str(ROOT), os.environ.get("PYTHONPATH", "")]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in paths if p))
    found = {}
    for name in MEASURED:
        cmd = [sys.executable, "-m", "benchmarks.memory", name] + ["--quick"] * quick
        done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"memory run of {name} failed:\n{done.stderr}")
        found[name] = json.loads(done.stdout.strip().splitlines()[-1])
    ref = found["numpy"]["loss"]
    for name, got in found.items():
        if not abs(got["loss"] - ref) / abs(ref) < LOSS_RTOL:
            raise AgreementError(f"W3 memory run: {name}'s loss {got['loss']} != numpy's {ref}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("impl", choices=MEASURED)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    print(json.dumps(peak_in_this_process(args.impl, args.quick)))


if __name__ == "__main__":
    main()
