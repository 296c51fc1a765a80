"""The same PyTorch-style code for torch and for minigrad: only the library passed in differs.

`prepare(lib, work)` builds the model (untimed), copies the shared initial weights in with
`load_state_dict`, and returns `(run, probe)` as `numpy_impl.prepare` does.
"""

import functools
import itertools

import numpy as np

from .workloads import Chain, Train


@functools.cache
def tutorial_net(lib):
    """The seed tutorial's NeuralNet1 / NeuralNet2, as a subclass of `lib.nn.Module`."""
    nn = lib.nn

    class NeuralNet(nn.Module):
        def __init__(self, input_size, hidden_size, num_classes, binary):
            super().__init__()
            self.linear1 = nn.Linear(input_size, hidden_size)
            self.relu = nn.ReLU()
            self.linear2 = nn.Linear(hidden_size, num_classes)
            self.binary = binary

        def forward(self, x):
            out = self.linear1(x)
            out = self.relu(out)
            out = self.linear2(out)
            return lib.sigmoid(out) if self.binary else out  # sigmoid for binary classification

    return NeuralNet


def build_model(lib, work: Train):
    nn = lib.nn
    if work.tutorial:
        input_size, hidden_size, num_classes = work.sizes
        model = tutorial_net(lib)(input_size, hidden_size, num_classes, work.head == "bce")
    else:
        layers = []
        for fan_in, fan_out in itertools.pairwise(work.sizes):
            layers += [nn.Linear(fan_in, fan_out), nn.ReLU()]
        model = nn.Sequential(*layers[:-1])  # no ReLU after the last Linear
    flat = [p for layer in work.weights for p in layer]
    keys = list(model.state_dict())  # weight, bias, weight, bias, ... in layer order
    assert len(keys) == len(flat), (keys, len(flat))
    model.load_state_dict({k: lib.tensor(v) for k, v in zip(keys, flat)})
    return model


def prepare_train(lib, work: Train):
    nn, F = lib.nn, lib.nn.functional  # noqa: N806 - PyTorch's names
    model = build_model(lib, work)
    X, y = lib.tensor(work.X), lib.tensor(work.y)  # noqa: N806
    if work.tutorial:
        criterion = nn.BCELoss() if work.head == "bce" else nn.CrossEntropyLoss()
    else:
        criterion = F.cross_entropy
    optimizer = lib.optim.SGD(model.parameters(), lr=work.lr, momentum=work.momentum)
    n, batch = len(work.X), work.batch_size

    def run() -> float:
        for _ in range(work.epochs):
            for i in range(0, n, batch):
                xb, yb = (X, y) if batch >= n else (X[i : i + batch], y[i : i + batch])
                y_pred = model(xb)
                loss = criterion(y_pred, yb)
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()
                value = loss.item()
        return value

    first = next(iter(model.parameters()))
    return run, lambda: np.array(first.detach().numpy())


def prepare_chain(lib, work: Chain):
    h0 = lib.tensor(work.h0, requires_grad=True)
    c = lib.tensor(work.c)

    def run() -> float:
        h = h0
        for _ in range(work.n):
            h = h * c
        loss = h.sum()
        loss.backward()
        return loss.item()

    return run, lambda: np.array(h0.grad.numpy())


def prepare(lib, work):
    return prepare_chain(lib, work) if isinstance(work, Chain) else prepare_train(lib, work)
