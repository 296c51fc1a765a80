"""Optimizers with PyTorch's API: `SGD`, `Adam` and their base class `Optimizer`."""

from .adam import Adam
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["SGD", "Adam", "Optimizer"]
