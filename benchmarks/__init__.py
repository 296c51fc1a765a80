"""minigrad, PyTorch and hand-written NumPy side by side: run `python -m benchmarks`."""
