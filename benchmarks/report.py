"""Machine information and the results table, as Markdown (printed, and saved by `--write`)."""

import os
import platform
import subprocess
import sys
from pathlib import Path

from .harness import IMPLEMENTATIONS, LOSS_RTOL, PROBE_RTOL, Result
from .workloads import Chain

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
               "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")  # fmt: skip
MEM_TARGET = 1.3
MIB = 2.0**20


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def blas_lines() -> list[str]:
    """NumPy's BLAS as built and as loaded (with its thread count), and torch's threading."""
    import numpy as np
    import torch

    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    lines = [f"numpy BLAS (build): {blas.get('name')} {blas.get('version')}"]
    try:  # threadpoolctl comes with scikit-learn, which the seed workloads need anyway
        from threadpoolctl import threadpool_info

        for lib in threadpool_info():
            lines.append(
                f"loaded {lib['user_api']}: {lib['internal_api']} {lib.get('version') or ''} "
                f"threads={lib['num_threads']} arch={lib.get('architecture', '-')} "
                f"({Path(lib['filepath']).name})"
            )
    except ImportError:
        lines.append("loaded BLAS: threadpoolctl not installed (see numpy.show_runtime())")
    backend = [s for s in torch.__config__.parallel_info().splitlines() if "backend" in s]
    lines.append(
        f"torch threads: intra-op {torch.get_num_threads()}, inter-op "
        f"{torch.get_num_interop_threads()}; {backend[0].strip() if backend else ''}; "
        f"BLAS {'MKL' if torch.backends.mkl.is_available() else 'not MKL'}"
    )
    return lines


def git_commit() -> str:
    """The checkout's commit, with "+ local changes" when minigrad/ differs from it."""
    root = Path(__file__).resolve().parents[1]
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root,
                              capture_output=True, text=True)  # fmt: skip
        dirty = subprocess.run(["git", "diff", "--quiet", "HEAD", "--", "minigrad"], cwd=root,
                               capture_output=True)  # fmt: skip
    except OSError:
        return "?"
    if head.returncode:
        return "?"
    return head.stdout.strip() + (" + local changes" if dirty.returncode == 1 else "")


def machine_info() -> list[str]:
    import numpy as np
    import torch

    try:
        import minigrad

        minigrad_version = minigrad.__version__
    except ImportError:
        minigrad_version = "not importable"
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    lines = [
        f"CPU: {cpu_name()}; {os.cpu_count()} logical cores, {affinity} usable by this process",
        f"OS: {platform.platform()}; Python {sys.version.split()[0]}",
        f"load average (1, 5, 15 min) at start: {load_average()}",
        f"minigrad {minigrad_version} (git {git_commit()}), numpy {np.__version__}, "
        f"torch {torch.__version__}",
        *blas_lines(),
        "environment: " + ", ".join(f"{k}={os.environ.get(k, 'unset')}" for k in THREAD_VARS),
    ]
    return lines


def load_average() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"


def busy_warning(when: str, ours: float = 0.0) -> str:
    """A warning when other processes keep the cores busy, else "".

    `ours` is what this benchmark itself adds to the load average (about 1 once it has run).
    """
    if not hasattr(os, "getloadavg"):
        return ""
    load, cores = os.getloadavg()[0], os.cpu_count() or 1
    if load - ours < 0.5 * cores:
        return ""
    return (
        f"the 1-minute load average {when} is {load:.1f} on {cores} cores"
        + (f" (this run adds about {ours:g})" if ours else "")
        + ": other processes compete for the CPU, so times are inflated and ratios noisy; "
        "multi-threaded BLAS (W3) and torch's thread pool suffer most."
    )


def time_cell(seconds: float, unit: str) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} us/{unit}"
    return f"{seconds * 1e3:.2f} ms/{unit}"


def ratio_cell(ratio: tuple) -> str:
    median, low, high = ratio
    return f"{median:.2f}x ({low:.2f}-{high:.2f})"


def result_row(result: Result) -> list[str]:
    work = result.work
    chain = isinstance(work, Chain)
    unit = "op" if chain else "step"
    mg_np, mg_torch = result.ratio("minigrad", "numpy"), result.ratio("minigrad", "torch")
    misses = []
    if not mg_np[0] <= work.target:
        misses.append("vs numpy")
    if chain:
        target = f"<= {work.target}x numpy, <= {work.max_us:g} us/op"
        if not result.per_step("minigrad") * 1e6 <= work.max_us:
            misses.append("us/op")
    else:
        target = f"<= {work.target}x numpy" + (", < torch" if work.beat_torch else "")
        if work.beat_torch and not mg_torch[0] < 1.0:
            misses.append("vs torch")
    return [
        work.name,
        work.title,
        str(work.steps),
        time_cell(result.per_step("minigrad"), unit),
        time_cell(result.per_step("torch"), unit),
        time_cell(result.per_step("numpy"), unit) + (" [a]" if chain else ""),
        ratio_cell(mg_np),
        ratio_cell(mg_torch),
        ratio_cell(result.ratio("torch", "numpy")),
        target,
        "yes" if not misses else "NO (" + ", ".join(misses) + ")",
    ]


def memory_row(found: dict, quick: bool) -> list[str]:
    ratio = found["minigrad"]["peak"] / found["numpy"]["peak"]
    return [
        "MEM",
        "W3 peak traced memory" + (" (quick sizes)" if quick else ""),
        "1 run",
        f"{found['minigrad']['peak'] / MIB:.2f} MiB",
        "n/a [b]",
        f"{found['numpy']['peak'] / MIB:.2f} MiB",
        f"{ratio:.2f}x",
        "",
        "",
        f"<= {MEM_TARGET}x numpy",
        "yes" if ratio <= MEM_TARGET else "NO",
    ]


HEADER = ["id", "workload", "steps", "minigrad", "torch", "numpy", "minigrad/numpy",
          "minigrad/torch", "torch/numpy", "target", "met?"]  # fmt: skip

NOTES = [
    "Times are medians over repeats of the whole run divided by its steps (M0: by its ops); "
    "ratios are the median (min-max) of per-repeat ratios, the implementations interleaved "
    "within each repeat.",
    "A step is forward, loss, backward, optimizer step, zero_grad and reading the loss as a "
    "Python float.",
    "[a] M0's numpy floor per op is one forward and one backward multiply; minigrad and torch "
    "per op are the whole run (100 multiplies, sum, backward) divided by 100.",
    "torch runs with its default intra-op threads; on a machine whose other processes keep the "
    "cores busy (see the load average) its parallel regions wait for a free core and its times "
    "swing by orders of magnitude, while single-threaded NumPy work suffers far less.",
    "[b] tracemalloc sees Python and NumPy allocations but not PyTorch's C++ allocator, so torch "
    "has no traced peak. MEM counts what the training run allocates on top of the model and the "
    "data, each implementation in a fresh subprocess.",
]


def table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [HEADER, *rows]) for i in range(len(HEADER))]

    def line(cells):
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(HEADER), rule, *(line(r) for r in rows)])


def loss_line(label: str, losses: dict) -> str:
    found = [f"{name} {losses[name]:.6f}" for name in IMPLEMENTATIONS if name in losses]
    return f"{label}: " + ", ".join(found)


def markdown(info: list[str], rows: list, run: str, losses: list[str]) -> str:
    parts = [
        "# minigrad benchmarks",
        "",
        run,
        "",
        "## Machine",
        "",
        *(f"- {line}" for line in info),
        "",
        "## Results",
        "",
        table(rows),
        "",
        *(f"{note}  " for note in NOTES),
        "",
        f"Final losses (every implementation within {LOSS_RTOL:g} of numpy's in every repeat, "
        f"and the first layer's weight update within {PROBE_RTOL:g}):",
        "",
        *(f"- {line}" for line in losses),
        "",
    ]
    return "\n".join(parts)


README_START = "<!-- benchmarks: start (python -m benchmarks --write fills this in) -->"
README_END = "<!-- benchmarks: end -->"


def with_table(readme: str, run: str, rows: list) -> str:
    """README's text with the table between its markers replaced by this run's."""
    head, start, rest = readme.partition(README_START)
    _, end, tail = rest.partition(README_END)
    if not (start and end):
        raise ValueError(f"README.md lacks the markers {README_START!r} ... {README_END!r}")
    body = f"{run}, from `benchmarks/RESULTS.md` (machine details there):\n\n{table(rows)}\n"
    return f"{head}{start}\n{body}{end}{tail}"
