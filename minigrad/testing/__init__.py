"""Tools for testing gradients: `gradcheck` and hypothesis strategies that draw Tensors."""

from .gradcheck import GradcheckError, gradcheck
from .strategies import broadcastable_tensors, tensors

__all__ = ["GradcheckError", "broadcastable_tensors", "gradcheck", "tensors"]
