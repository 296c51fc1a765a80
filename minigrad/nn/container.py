"""`Sequential`: modules applied one after another, as PyTorch's."""

import operator
from collections.abc import Iterator

from ..tensor import Tensor
from .module import Module


class Sequential(Module):
    """Apply each module to the previous one's output, in order.

    Built from modules (`Sequential(nn.Linear(4, 8), nn.ReLU())`, named "0", "1", ...) or
    from one dict of name -> module. Supports `len`, iteration, indexing and slicing.
    """

    def __init__(self, *args) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], dict):
            for name, module in args[0].items():
                self.add_module(name, module)
        else:
            for index, module in enumerate(args):
                self.add_module(str(index), module)

    def forward(self, input: Tensor) -> Tensor:
        for module in self._modules.values():
            input = module(input)
        return input

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __getitem__(self, index):
        if isinstance(index, slice):
            return type(self)(dict(list(self._modules.items())[index]))
        size = len(self)
        index = operator.index(index)
        if not -size <= index < size:
            raise IndexError(f"index {index} is out of range for a Sequential of {size} modules")
        return list(self._modules.values())[index]

    def append(self, module: Module) -> "Sequential":
        """Add `module` at the end."""
        self.add_module(str(len(self)), module)
        return self
