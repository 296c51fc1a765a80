"""`Optimizer`: parameter groups, per-parameter state, `zero_grad` and PyTorch-layout state dicts.

A subclass checks its options in `check_options` and writes the update of one parameter
group in `update`, on NumPy arrays, in place.
"""

import copy
from collections import defaultdict
from collections.abc import Callable, Iterable

import numpy as np

from ..grad_mode import enable_grad
from ..tensor import Tensor

_SET_MESSAGE = (
    "optimizer parameters need to be organized in ordered collections, but the ordering of "
    "tensors in sets will change between runs. Please use a list instead."
)


class Optimizer:
    """Base class of every optimizer, with PyTorch's `param_groups`, `state` and state dicts.

    Args:
        params: an iterable of Tensors, or of dicts each holding `"params"` (Tensors) and
            options that override `defaults` for that group.
        defaults: the options of every group that does not set its own.
    """

    def __init__(self, params: Iterable, defaults: dict) -> None:
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                "dicts, but got a Tensor"
            )
        if isinstance(params, set):  # PyTorch checks this only inside a group's dict
            raise TypeError(_SET_MESSAGE)
        self.check_options(defaults)
        self.defaults = defaults
        self.state: defaultdict[Tensor, dict] = defaultdict(dict)  # Tensors hash by identity
        self.param_groups: list[dict] = []
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def check_options(self, options: dict) -> None:
        """Raise ValueError for an option value the algorithm cannot use (subclasses)."""

    def add_param_group(self, param_group: dict) -> None:
        """Add a group of parameters with its own options (the rest come from `defaults`)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, set):
            raise TypeError(_SET_MESSAGE)
        params = [params] if isinstance(params, Tensor) else list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"optimizer can only optimize Tensors, but one of the params is "
                    f"{type(p).__name__}"
                )
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        # Tensors compare elementwise, so membership is tested by identity.
        ids = {id(p) for p in params}
        if len(ids) != len(params):
            raise ValueError("optimizer contains a parameter group with duplicate parameters")
        if any(id(p) in ids for group in self.param_groups for p in group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")
        group = {**self.defaults, **param_group, "params": params}
        self.check_options(group)
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear every parameter's `.grad`: to None (the default) or to zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad.data.fill(0)

    def step(self, closure: Callable | None = None):
        """Update every parameter that has a gradient; parameters whose `.grad` is None stay.

        Args:
            closure: optional function that recomputes the loss (with gradients) and returns it.

        Returns:
            The closure's loss, or None.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            self.update(group, params)
            for p in params:
                # The arrays changed in place: as in PyTorch, a backward that saved the
                # old values must now raise instead of computing a wrong gradient.
                p._version[0] += 1
        return loss

    def update(self, group: dict, params: list[Tensor]) -> None:
        """Update, in place, the `params` of `group` (those with a gradient)."""
        raise NotImplementedError("an Optimizer subclass must define update(group, params)")

    # ----- state dicts ------------------------------------------------------------------
    def state_dict(self) -> dict:
        """The optimizer's state in PyTorch's layout, with copies of the state arrays.

        `{"state": {index: {name: value}}, "param_groups": [{option: value, "params": [index,
        ...]}]}`, where parameters are numbered in group order. A parameter's state exists
        once it has been updated.
        """
        index = {}
        param_groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            param_groups.append(packed)
        state = {
            index[id(p)]: {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in s.items()}
            for p, s in self.state.items()
        }
        return {"state": state, "param_groups": param_groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Load a `state_dict()` (ours, or PyTorch's converted to arrays): all or nothing.

        The groups must hold as many parameters as ours, and each state array the shape
        of its parameter; arrays are copied and cast to the parameter's dtype, as PyTorch
        does. The options of each loaded group replace ours.
        """
        if not isinstance(state_dict, dict) or not {"state", "param_groups"} <= set(state_dict):
            raise ValueError(
                "an optimizer state dict must be a dict with the keys 'state' and "
                f"'param_groups', got {_describe_keys(state_dict)}"
            )
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"loaded state dict has {len(saved_groups)} parameter groups, but the "
                f"optimizer has {len(self.param_groups)}"
            )
        by_index = {}
        groups = []
        for i, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    f"loaded state dict has {len(saved['params'])} parameters in group {i}, but "
                    f"the optimizer's group {i} has {len(group['params'])}"
                )
            missing = [k for k in self.defaults if k not in saved]
            if missing:
                raise ValueError(
                    f"loaded parameter group {i} lacks the options {missing}; was it saved by "
                    f"a different optimizer than {type(self).__name__}?"
                )
            by_index.update(zip(saved["params"], group["params"]))
            groups.append({**copy.deepcopy(saved), "params": group["params"]})
            self.check_options(groups[-1])
        state = defaultdict(dict)
        for index, saved_state in state_dict["state"].items():
            if index not in by_index:
                raise ValueError(
                    f"loaded state dict has state for parameter {index!r}, which no loaded "
                    f"parameter group lists"
                )
            p = by_index[index]
            state[p] = {k: _loaded_value(k, v, p, index) for k, v in saved_state.items()}
        self.param_groups = groups
        self.state = state

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in group.items() if k != "params"]
        return "\n".join(lines) + "\n)"


def _loaded_value(key, value, param: Tensor, index):
    """A copy of one loaded state entry, fit to its parameter."""
    if key == "step":
        return int(value)  # a Python int here; PyTorch keeps a float32 tensor
    if isinstance(value, Tensor):
        value = value.data
    if not isinstance(value, np.ndarray):
        return copy.deepcopy(value)
    if value.shape != param.shape:
        raise ValueError(
            f"loaded state {key!r} of parameter {index} has shape {value.shape}, but the "
            f"parameter has shape {param.shape}"
        )
    return value.astype(param.dtype if param.dtype.kind == "f" else value.dtype, copy=True)


def _describe_keys(obj) -> str:
    return f"keys {sorted(map(str, obj))}" if isinstance(obj, dict) else type(obj).__name__
