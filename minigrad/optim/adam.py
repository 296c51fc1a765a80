"""Adam, with optional AMSGrad, L2 weight decay and maximize."""

from collections.abc import Iterable

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer


class Adam(Optimizer):
    """PyTorch's `torch.optim.Adam`; each step is the same arithmetic on NumPy arrays.

    For each parameter theta with gradient g, at step t (counted per parameter):

        g <- -g                                   if maximize
        g <- g + weight_decay * theta             if weight_decay != 0
        m <- beta1 * m + (1 - beta1) * g
        v <- beta2 * v + (1 - beta2) * g * g
        v_max <- max(v_max, v), and v_max replaces v below       if amsgrad
        theta <- theta - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            betas=tuple(betas),
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def check_options(self, options: dict) -> None:
        if not 0.0 <= options["lr"]:
            raise ValueError(f"Invalid learning rate: {options['lr']}")
        if not 0.0 <= options["eps"]:
            raise ValueError(f"Invalid epsilon value: {options['eps']}")
        betas = options["betas"]
        if len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
        if not 0.0 <= options["weight_decay"]:
            raise ValueError(f"Invalid weight_decay value: {options['weight_decay']}")

    def update(self, group: dict, params: list[Tensor]) -> None:
        # Python floats keep float32 arrays float32 (a NumPy float64 scalar would not).
        lr, eps = float(group["lr"]), float(group["eps"])
        weight_decay = float(group["weight_decay"])
        beta1, beta2 = (float(beta) for beta in group["betas"])
        for p in params:
            theta = p.data
            g = -p.grad.data if group["maximize"] else p.grad.data  # p.grad itself never changes
            if weight_decay != 0:
                g = g + weight_decay * theta
            state = self.state[p]
            if not state:
                state["step"] = 0
                state["exp_avg"] = np.zeros_like(theta)
                state["exp_avg_sq"] = np.zeros_like(theta)
                if group["amsgrad"]:
                    state["max_exp_avg_sq"] = np.zeros_like(theta)
            state["step"] += 1
            t, m, v = state["step"], state["exp_avg"], state["exp_avg_sq"]

            m *= beta1
            m += (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * g * g
            if group["amsgrad"]:
                v = np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])

            step_size = lr / (1 - beta1**t)
            denom = np.sqrt(v)
            denom /= (1 - beta2**t) ** 0.5
            denom += eps
            update = step_size * m  # (step_size * m) / denom: PyTorch's order of rounding
            update /= denom
            theta -= update
