"""The global random generator behind every random factory, initializer, dropout and shuffle."""

import numpy as np

_generator = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Reseed the global generator so every later random draw is reproducible."""
    global _generator
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"manual_seed() takes an int, got {type(seed).__name__}")
    if not -(2**63) <= seed < 2**64:
        raise ValueError(f"manual_seed(): seed {seed} is outside [-2**63, 2**64 - 1]")
    _generator = np.random.default_rng(int(seed) % 2**64)  # PyTorch's: -5 is 2**64 - 5


def generator() -> np.random.Generator:
    """The current global generator (replaced by each `manual_seed`)."""
    return _generator
