"""`python -m benchmarks`: minigrad, torch and hand-written NumPy, side by side, in one process."""

import argparse
import datetime
import importlib.util
import sys
from pathlib import Path

from . import memory, report, workloads
from .harness import LOSS_RTOL, PROBE_RTOL, AgreementError, measure, preparers

ALL = ("W1", "W2", "W3", "W4", "M0", "MEM")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--repeats", type=int, default=7, help="timed repeats (default 7)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for smoke tests")
    parser.add_argument(
        "--only",
        default=",".join(ALL),
        help=f"comma-separated subset of {','.join(ALL)} (default: all)",
    )
    parser.add_argument("--write", action="store_true", help="save to benchmarks/RESULTS.md")
    args = parser.parse_args(argv)
    args.only = [name.strip().upper() for name in args.only.split(",") if name.strip()]
    unknown = sorted(set(args.only) - set(ALL))
    if unknown:
        parser.error(f"unknown workload(s) {unknown}; choose from {', '.join(ALL)}")
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    missing = [name for name in ("torch", "sklearn") if importlib.util.find_spec(name) is None]
    if missing:
        print(
            f"python -m benchmarks compares minigrad with PyTorch on scikit-learn's data and "
            f"needs {' and '.join(missing)}: install the test extras first, "
            'pip install -e ".[test]"',
            file=sys.stderr,
        )
        return 2
    info = report.machine_info()
    print("Machine:", *(f"  {line}" for line in info), sep="\n")
    busy = [report.busy_warning("at start")]
    if busy[0]:
        print(f"\nNote: {busy[0]}")
    if args.repeats < 5:
        print(f"\nNote: {args.repeats} repeat(s): a smoke test, not a measurement (use >= 5).")
    print(flush=True)
    prepare = preparers()
    rows, losses = [], []
    try:
        for name in args.only:
            print(f"running {name} ...", file=sys.stderr, flush=True)
            if name == "MEM":
                found = memory.measure(args.quick)
                rows.append(report.memory_row(found, args.quick))
                losses.append(
                    report.loss_line("MEM (W3)", {k: v["loss"] for k, v in found.items()})
                )
                continue
            result = measure(workloads.build(name, args.quick), prepare, args.repeats)
            rows.append(report.result_row(result))
            losses.append(report.loss_line(name, result.losses))
    except AgreementError as error:
        print(f"\nAGREEMENT CHECK FAILED: {error}", file=sys.stderr)
        return 1
    info.append(f"load average (1, 5, 15 min) at end: {report.load_average()}")
    busy.append(report.busy_warning("at end", ours=1.0))
    print(
        f"Agreement check passed: in every repeat, final losses within {LOSS_RTOL:g} of numpy's "
        f"and first-layer weight updates (M0: h0's gradient) within {PROBE_RTOL:g}:",
        *(f"  {line}" for line in losses),
        sep="\n",
    )
    print()
    print(report.table(rows))
    print()
    print(*report.NOTES, sep="\n")
    print(f"\n{info[-1]}" + (f"\nNote: {busy[-1]}" if busy[-1] else ""))
    if args.write:
        command = " ".join(["python -m benchmarks", *sys.argv[1:]])
        when = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
        notes = info + [f"warning: {warning}" for warning in busy if warning]
        text = report.markdown(notes, rows, f"Run {when}: `{command}`", losses)
        path = Path(__file__).parent / "RESULTS.md"
        path.write_text(text, encoding="utf-8")
        readme = path.parent.parent / "README.md"
        run = f"Run {when} (`{command}`)"
        readme.write_text(report.with_table(readme.read_text("utf-8"), run, rows), "utf-8")
        print(f"\nwrote {path} and the table in {readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
