"""`Module`: the base class of layers and models, as PyTorch's `torch.nn.Module`.

Setting a `Parameter` or a `Module` as an attribute registers it, in order, in
`_parameters` or `_modules`; `register_buffer` registers a Tensor that is state but not a
parameter (a loss's class `weight`) in `_buffers`. Everything else (`parameters()`,
`state_dict()`, `train()`, the repr) walks those dicts. Each member is also kept as a plain
instance attribute, so that `self.weight` in `forward` is an ordinary lookup (PyTorch finds
it through `__getattr__`, a slower path taken on every access); `__setattr__`,
`__delattr__`, `register_parameter`, `register_buffer` and `add_module` keep the two in step.
"""

from collections import namedtuple
from collections.abc import Iterator, Mapping

import numpy as np

from ..grad_mode import no_grad
from ..tensor import Tensor
from .parameter import Parameter


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What `load_state_dict` returns: the keys it did not find and did not expect."""

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()


def _add_indent(text: str, spaces: int) -> str:
    """Indent every line but the first (PyTorch's `_addindent`)."""
    first, *rest = text.split("\n")
    return "\n".join([first] + [" " * spaces + line for line in rest])


class Module:
    """Base class of every layer and model: set Parameters and Modules as attributes in
    `__init__` (after `super().__init__()`), and compute the output in `forward`.

    Example:
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.linear = nn.Linear(4, 2)

            def forward(self, x):
                return self.linear(x).relu()
    """

    training: bool

    def __init__(self) -> None:
        # object.__setattr__: our own __setattr__ reads these dicts, so they come first.
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_non_persistent_buffers_set", set())

    def forward(self, *args, **kwargs):
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # ----- registration ----------------------------------------------------------------------
    def __setattr__(self, name: str, value) -> None:
        # PyTorch's order of tests: a Module cannot replace a parameter, a Parameter can
        # replace a module or a buffer; a name registered before keeps its place.
        params = self.__dict__.get("_parameters")
        modules = self.__dict__.get("_modules")
        buffers = self.__dict__.get("_buffers")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            modules.pop(name, None)
            self._forget_buffer(name)
            params[name] = value
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                    "(nn.Parameter or None expected)"
                )
            params[name] = None
        elif isinstance(value, Module):
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget_buffer(name)
            modules[name] = value
        elif modules is not None and name in modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as child module '{name}' "
                    "(nn.Module or None expected)"
                )
            modules[name] = None
        elif buffers is not None and name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as buffer '{name}' "
                    "(Tensor or None expected)"
                )
            buffers[name] = value
        object.__setattr__(self, name, value)  # the copy that plain lookup finds

    def __getattr__(self, name: str):
        # Called only when normal lookup fails, so only for a member written straight into
        # `_parameters`, `_modules` or `_buffers` (as some PyTorch code does) or a missing name.
        for registry in ("_parameters", "_modules", "_buffers"):
            members = self.__dict__.get(registry, {})
            if name in members:
                return members[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for registry in ("_parameters", "_modules", "_buffers"):
            members = self.__dict__.get(registry, {})
            if name in members:
                del members[name]
                self.__dict__.pop(name, None)
                self._non_persistent_buffers_set.discard(name)
                return
        object.__delattr__(self, name)

    def _forget_buffer(self, name: str) -> None:
        """Unregister buffer `name`, if there is one (a Parameter or Module takes its name)."""
        self._buffers.pop(name, None)
        self._non_persistent_buffers_set.discard(name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register `param` (or None: a declared but absent parameter, like a missing bias)."""
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                "(nn.Parameter or None required)"
            )
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        self._modules.pop(name, None)
        self._forget_buffer(name)
        self._parameters[name] = param
        self.__dict__[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Register `tensor` as state that is not a parameter (or None: declared but absent).

        A persistent buffer that is not None is in `state_dict()` under its name, as PyTorch's.
        """
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        if not isinstance(name, str) or not name or "." in name:
            raise KeyError(f'buffer name must be a non-empty string without ".", got {name!r}')
        if hasattr(self, name) and name not in self._buffers:
            raise KeyError(f"attribute '{name}' already exists")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' "
                "(Tensor or None required)"
            )
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)
        self.__dict__[name] = tensor

    def add_module(self, name: str, module: "Module | None") -> None:
        """Register `module` as a child called `name` (`self.<name> = module` does the same)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        if not isinstance(name, str) or not name or "." in name:
            raise KeyError(f'module name must be a non-empty string without ".", got {name!r}')
        if "_modules" not in self.__dict__:
            raise AttributeError("cannot assign module before Module.__init__() call")
        self._parameters.pop(name, None)
        self._modules[name] = module
        self.__dict__[name] = module

    # ----- walking the tree ------------------------------------------------------------------
    def named_modules(self, memo=None, prefix: str = "", remove_duplicate: bool = True):
        """(name, module) for this module and every descendant, each module once."""
        memo = set() if memo is None else memo
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                child = f"{prefix}.{name}" if prefix else name
                yield from module.named_modules(memo, child, remove_duplicate)

    def modules(self) -> Iterator["Module"]:
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, "Module"]]:
        seen = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator["Module"]:
        for _, module in self.named_children():
            yield module

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """(name, parameter) pairs, named as in `state_dict()`; a shared parameter once."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        """(name, buffer) pairs, persistent or not, named as in `state_dict()`."""
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    def _named_members(self, registry: str, prefix: str, recurse: bool, remove_duplicate: bool):
        """(name, member) of `registry` here (and below, with `recurse`), None skipped."""
        seen = set()  # ids: Tensors compare elementwise, so identity decides
        owners = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        for owner, module in owners:
            for name, member in getattr(module, registry).items():
                if member is None or (remove_duplicate and id(member) in seen):
                    continue
                seen.add(id(member))
                yield (f"{owner}.{name}" if owner else name), member

    # ----- training ----------------------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear the gradients of every parameter: drop them (None) or fill them with 0."""
        for param in self.parameters():
            if param.grad is not None:
                if set_to_none:
                    param.grad = None
                else:
                    param.grad.zero_()

    def train(self, mode: bool = True) -> "Module":
        """Set training mode (Dropout active) on this module and every descendant."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self) -> "Module":
        """Set evaluation mode: `train(False)`."""
        return self.train(False)

    # ----- state dicts -------------------------------------------------------------------------
    def state_dict(self, *, prefix: str = "", keep_vars: bool = False) -> dict:
        """Parameters and persistent buffers as NumPy copies, under PyTorch's keys (`fc.weight`).

        A parameter shared by two modules appears under both keys, as in PyTorch.
        `keep_vars=True` gives the Tensors themselves instead of copies.
        """
        out = {}
        skip = self._non_persistent_buffers_set
        persistent = [(name, buf) for name, buf in self._buffers.items() if name not in skip]
        for name, tensor in [*self._parameters.items(), *persistent]:
            if tensor is not None:
                out[prefix + name] = tensor if keep_vars else tensor.numpy().copy()
        for name, module in self._modules.items():
            if module is not None:
                out.update(module.state_dict(prefix=f"{prefix}{name}.", keep_vars=keep_vars))
        return out

    def load_state_dict(self, state_dict: Mapping, strict: bool = True) -> _IncompatibleKeys:
        """Copy arrays into the parameters and buffers, cast to each one's dtype.

        Values are NumPy arrays, Tensors, or anything else NumPy can read as an array
        without guessing (it has `__array__`, as a torch.Tensor does); not lists.

        All or nothing: if any key is missing or unexpected (with `strict`) or any value
        does not fit, raise a RuntimeError naming every problem and change nothing.

        Returns:
            `(missing_keys, unexpected_keys)`, as PyTorch's.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        own = self.state_dict(keep_vars=True)
        missing = [key for key in own if key not in state_dict]
        unexpected = [key for key in state_dict if key not in own]
        errors = []
        if strict and missing:
            errors.append("Missing key(s) in state_dict: " + ", ".join(map(_quote, missing)) + ".")
        if strict and unexpected:
            errors.append(
                "Unexpected key(s) in state_dict: " + ", ".join(map(_quote, unexpected)) + "."
            )
        values = {}
        for key, param in own.items():
            if key in state_dict:
                value, error = _checked_value(key, state_dict[key], param)
                if error:
                    errors.append(error)
                else:
                    values[key] = value
        if errors:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                + "\n\t".join(errors)
            )
        with no_grad():
            for key, value in values.items():
                own[key].copy_(value)  # casts to the tensor's dtype, and bumps its version
        return _IncompatibleKeys(missing, unexpected)

    # ----- printing ------------------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's repr (e.g. `in_features=4`)."""
        return ""

    def __repr__(self) -> str:
        extra_repr = self.extra_repr()
        extra = extra_repr.split("\n") if extra_repr else []
        children = [
            f"({name}): " + _add_indent(repr(module), 2) for name, module in self._modules.items()
        ]
        lines = extra + children
        body = ""
        if len(extra) == 1 and not children:
            body = extra[0]
        elif lines:
            body = "\n  " + "\n  ".join(lines) + "\n"
        return f"{type(self).__name__}({body})"


def _quote(key: str) -> str:
    return f'"{key}"'


def _checked_value(key: str, value, param: Tensor):
    """(array, None) when `value` can be copied into `param`, else (None, the error)."""
    if hasattr(value, "__array__"):  # a Tensor, NumPy array or scalar, or e.g. a torch.Tensor
        value = np.asarray(value)
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "biuf":
        what = f"an array of dtype {value.dtype}" if isinstance(value, np.ndarray) else type(value)
        return None, (
            f'While copying the parameter named "{key}", expected a NumPy array or Tensor of '
            f"numbers from the state dict but received {what}"
        )
    if value.shape != param.shape:
        return None, (
            f"size mismatch for {key}: copying a param with shape {value.shape} from "
            f"checkpoint, the shape in current model is {param.shape}."
        )
    return value, None
