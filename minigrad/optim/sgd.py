"""Stochastic gradient descent, with momentum, dampening, Nesterov and weight decay."""

from collections.abc import Iterable

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer


class SGD(Optimizer):
    """PyTorch's `torch.optim.SGD`; each step is the same arithmetic on NumPy arrays.

    For each parameter theta with gradient g (mu = momentum, tau = dampening,
    lambda = weight_decay, gamma = lr):

        g <- -g                                   if maximize
        g <- g + lambda * theta                   if lambda != 0
        b <- g  (first step),  else  b <- mu * b + (1 - tau) * g      if mu != 0
        g <- g + mu * b  if nesterov,  else  g <- b                   if mu != 0
        theta <- theta - gamma * g

    `maximize` negates the gradient before weight decay, as PyTorch's code does (its
    documentation shows the sign flip at the end instead).
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def check_options(self, options: dict) -> None:
        if options["lr"] < 0.0:
            raise ValueError(f"Invalid learning rate: {options['lr']}")
        if options["momentum"] < 0.0:
            raise ValueError(f"Invalid momentum value: {options['momentum']}")
        if options["weight_decay"] < 0.0:
            raise ValueError(f"Invalid weight_decay value: {options['weight_decay']}")
        if options["nesterov"] and (options["momentum"] <= 0 or options["dampening"] != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")

    def update(self, group: dict, params: list[Tensor]) -> None:
        # Python floats keep float32 arrays float32 (a NumPy float64 scalar would not).
        lr, weight_decay = float(group["lr"]), float(group["weight_decay"])
        momentum, dampening = float(group["momentum"]), float(group["dampening"])
        maximize, nesterov = group["maximize"], group["nesterov"]
        if not (maximize or weight_decay or momentum):  # plain SGD, the common case
            for p in params:
                theta = p.data
                theta -= lr * p.grad.data
            return
        for p in params:
            theta, g = p.data, p.grad.data  # p.grad itself never changes
            if maximize:
                g = -g
            if weight_decay != 0:
                g = g + weight_decay * theta
            if momentum != 0:
                state = self.state[p]
                b = state.get("momentum_buffer")
                if b is None:
                    # A copy, and an array even for a 0-d g (NumPy hands back scalars there).
                    b = state["momentum_buffer"] = np.array(g)  # the first step: no dampening
                else:
                    b *= momentum
                    b += (1 - dampening) * g if dampening else g  # (1 - 0) * g: a wasted copy
                g = g + momentum * b if nesterov else b
            theta -= lr * g
