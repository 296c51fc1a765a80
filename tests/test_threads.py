"""Threads: grad mode is per thread, and independent models train side by side exactly.

minigrad keeps no global state that a training step writes, except the random generator
(`manual_seed`), which these tests leave alone: each model gets its weights and data
from its own NumPy generator.
"""

import sys
import threading

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn, optim

TIMEOUT = 60  # seconds: a thread that takes longer is stuck


@pytest.fixture
def switch_often():
    """Make the interpreter switch threads every microsecond, so steps really interleave."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(previous)


def run_threads(*targets):
    """Run each target in its own thread, all started together; re-raise their errors."""
    errors = []
    barrier = threading.Barrier(len(targets))

    def wrap(target):
        def run():
            try:
                barrier.wait(TIMEOUT)
                target()
            except BaseException as err:  # handed to the main thread below
                errors.append(err)

        return run

    threads = [threading.Thread(target=wrap(t)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
        assert not thread.is_alive(), "a thread hung"
    if errors:
        raise errors[0]


def test_no_grad_in_one_thread_does_not_reach_another():
    entered, checked = threading.Event(), threading.Event()
    seen = {}

    def disables():
        with mg.no_grad():
            entered.set()
            checked.wait(TIMEOUT)
            seen["inside"] = mg.is_grad_enabled()
            w = mg.ones(2, requires_grad=True)
            seen["records"] = (w * 2).requires_grad
        seen["after"] = mg.is_grad_enabled()

    thread = threading.Thread(target=disables)
    thread.start()
    try:
        assert entered.wait(TIMEOUT)
        assert mg.is_grad_enabled()  # the other thread's no_grad() is its own
        w = mg.ones(2, requires_grad=True)
        assert (w * 2).requires_grad
    finally:
        checked.set()
        thread.join(TIMEOUT)
    assert seen == {"inside": False, "records": False, "after": True}


def test_a_new_thread_starts_with_grad_enabled_even_under_no_grad():
    seen = []
    with mg.no_grad():
        thread = threading.Thread(target=lambda: seen.append(mg.is_grad_enabled()))
        thread.start()
        thread.join(TIMEOUT)
        assert not mg.is_grad_enabled()
    assert seen == [True]


def test_set_grad_enabled_decorator_is_per_thread(switch_often):
    results = {}

    @mg.no_grad()
    def evaluate(name, w):
        results[name] = [(w * 2).requires_grad for _ in range(2000)]

    def train(name, w):
        results[name] = [(w * 2).requires_grad for _ in range(2000)]

    w = mg.ones(3, requires_grad=True)
    run_threads(lambda: evaluate("eval", w), lambda: train("train", w))
    assert not any(results["eval"])
    assert all(results["train"])


def make_model(seed: int) -> tuple[nn.Module, list]:
    """A small MLP with weights and data from its own generator (not the global one)."""
    rng = np.random.default_rng(seed)
    model = nn.Sequential(
        nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 4)
    )
    model.load_state_dict(
        {
            k: rng.standard_normal(v.shape).astype(np.float32) * 0.3
            for k, v in model.state_dict().items()
        }
    )
    data = [
        (
            mg.tensor(rng.standard_normal((16, 20), dtype=np.float32)),
            mg.tensor(rng.integers(0, 4, 16)),
        )
        for _ in range(4)
    ]
    return model, data


def train(model, data, steps: int = 150) -> dict:
    """SGD with momentum and Adam on halves of the model; an evaluation under no_grad
    after every step, so that a grad mode leaking between threads would break training."""
    params = list(model.parameters())
    sgd = optim.SGD(params[:2], lr=0.05, momentum=0.9)
    adam = optim.Adam(params[2:], lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    for step in range(steps):
        x, y = data[step % len(data)]
        sgd.zero_grad()
        adam.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        sgd.step()
        adam.step()
        with mg.no_grad():
            assert not model(x).requires_grad
    return model.state_dict()


def test_two_threads_train_two_models_exactly_as_one_after_the_other(switch_often):
    expected = [train(*make_model(seed)) for seed in (1, 2)]
    models = [make_model(seed) for seed in (1, 2)]
    got = [None, None]

    def job(i):
        return lambda: got.__setitem__(i, train(*models[i]))

    run_threads(job(0), job(1))
    for mine, reference in zip(got, expected):
        assert mine.keys() == reference.keys()
        for key in reference:
            assert mine[key].dtype == reference[key].dtype
            assert mine[key].tobytes() == reference[key].tobytes(), key  # bitwise
    assert expected[0]["0.weight"].tobytes() != expected[1]["0.weight"].tobytes()
