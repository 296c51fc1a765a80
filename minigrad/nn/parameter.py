"""`Parameter`: a Tensor that a `Module` registers when it is set as an attribute."""

import numpy as np

from .. import dtypes
from ..tensor import Tensor


class Parameter(Tensor):
    """A Tensor that requires grad by default and that `Module.__setattr__` registers.

    Args:
        data: a Tensor, whose memory the parameter shares as PyTorch's does (`data.detach()`:
            a change to one shows in the other); other data (lists, arrays) is copied as
            `minigrad.tensor` copies it; None gives an empty float32 tensor, as in PyTorch.
        requires_grad: whether the optimizer should get a gradient for it.
    """

    __slots__ = ()

    def __init__(self, data=None, requires_grad: bool = True) -> None:
        if data is None:
            data = np.empty(0, dtypes.default_float)
        if not isinstance(data, Tensor):
            super().__init__(data, requires_grad=requires_grad)
            return
        # A Tensor's memory is shared, as PyTorch's: its array and version counter, without
        # its graph (what `detach()` gives), set straight into the slots (no copy).
        shared = data.detach()
        self.data, self._version, self.grad, self.grad_fn = shared.data, shared._version, None, None
        self.requires_grad = requires_grad  # the setter refuses integer dtypes

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
