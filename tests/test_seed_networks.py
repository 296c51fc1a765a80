"""examples/seed_networks.py against PyTorch: the tutorial's two networks, same start, same run.

Each network is built in torch (the tutorial's own code) and in minigrad, the torch weights
are copied into minigrad through `state_dict`, and both train 100 full-batch SGD epochs on
the same data: every epoch's loss must agree within 1e-5 and the test accuracies exactly.
"""

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import minigrad

ROOT = Path(__file__).parents[1]
SCRIPT = ROOT / "examples" / "seed_networks.py"
NAMES = ["NeuralNet1", "NeuralNet2"]


def load_example(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "examples" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


seed_networks = load_example("seed_networks")


# --- the tutorial's two cells, in torch ----------------------------------------------------


class TorchNet1(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.linear1 = torch.nn.Linear(4, 5)
        self.relu = torch.nn.ReLU()
        self.linear2 = torch.nn.Linear(5, 1)

    def forward(self, x):
        return torch.sigmoid(self.linear2(self.relu(self.linear1(x))))


class TorchNet2(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.linear1 = torch.nn.Linear(4, 5)
        self.relu = torch.nn.ReLU()
        self.linear2 = torch.nn.Linear(5, 3)

    def forward(self, x):
        return self.linear2(self.relu(self.linear1(x)))


def torch_data(name):
    """The tutorial's data exactly as its cell builds it: tensors first, split second."""
    n_samples, n_informative, n_classes = {"NeuralNet1": (200, 2, 2), "NeuralNet2": (300, 3, 3)}[
        name
    ]
    x_numpy, y_numpy = make_classification(
        n_samples=n_samples,
        n_features=4,
        n_informative=n_informative,
        n_redundant=0,
        n_classes=n_classes,
        random_state=42,
    )
    x_numpy = StandardScaler().fit_transform(x_numpy)
    x = torch.tensor(x_numpy, dtype=torch.float32)
    if n_classes == 2:
        y = torch.tensor(y_numpy.reshape(-1, 1), dtype=torch.float32)
    else:
        y = torch.tensor(y_numpy, dtype=torch.long)
    return train_test_split(x, y, test_size=0.2, random_state=42)


def train_torch(name, model, epochs=100, lr=0.1):
    x_train, x_test, y_train, y_test = torch_data(name)
    criterion = torch.nn.BCELoss() if name == "NeuralNet1" else torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        loss = criterion(model(x_train), y_train)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    with torch.no_grad():
        out = model(x_test)
        pred = (out > 0.5).float() if name == "NeuralNet1" else torch.argmax(out, dim=1)
        accuracy = (pred == y_test).sum() / y_test.shape[0]
    return losses, accuracy.item()


def torch_model(name, seed):
    torch.manual_seed(seed)
    return TorchNet1() if name == "NeuralNet1" else TorchNet2()


def copy_weights(source, target):
    """torch state_dict -> NumPy arrays -> minigrad load_state_dict."""
    arrays = {key: value.detach().numpy().copy() for key, value in source.state_dict().items()}
    target.load_state_dict(arrays)
    copied = target.state_dict()
    assert list(copied) == list(arrays)
    for key, value in arrays.items():
        assert copied[key].dtype == np.float32 and np.array_equal(copied[key], value), key


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """These models are tiny: torch's thread pool only costs time on a busy machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


# --- the tests -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_data_is_the_tutorials(name):
    ours = seed_networks.make_data(name)
    theirs = torch_data(name)
    for got, want in zip(ours, theirs):
        assert got.dtype == want.numpy().dtype and got.shape == tuple(want.shape)
        np.testing.assert_array_equal(got, want.numpy())


@pytest.mark.parametrize("torch_seed", [0, 1, 2])
@pytest.mark.parametrize("name", NAMES)
def test_training_matches_torch_from_the_same_weights(name, torch_seed):
    reference = torch_model(name, torch_seed)
    model = seed_networks.build_model(name)
    copy_weights(reference, model)

    ours = seed_networks.train(name, model, seed_networks.make_data(name), log=None)
    losses, accuracy = train_torch(name, reference)

    assert len(ours.losses) == len(losses) == 100
    assert all(type(loss) is float for loss in ours.losses)
    np.testing.assert_allclose(ours.losses, losses, rtol=0, atol=1e-5)
    assert ours.accuracy == accuracy
    for key, value in reference.state_dict().items():  # and the trained weights
        np.testing.assert_allclose(model.state_dict()[key], value.numpy(), atol=1e-5)


@pytest.mark.parametrize("name", NAMES)
def test_models_have_torchs_layout(name):
    ours = seed_networks.build_model(name).state_dict()
    theirs = torch_model(name, 0).state_dict()
    assert {k: v.shape for k, v in ours.items()} == {k: tuple(v.shape) for k, v in theirs.items()}


@pytest.mark.parametrize("name", NAMES)
def test_seeded_run_is_reproducible_and_learns(name):
    first = seed_networks.run(name, seed=0, log=None)
    again = seed_networks.run(name, seed=0, log=None)
    other = seed_networks.run(name, seed=1, epochs=3, log=None)
    assert first.losses == again.losses and first.accuracy == again.accuracy
    assert other.losses != first.losses[:3]
    assert first.losses[-1] < first.losses[0]
    assert 0.0 <= first.accuracy <= 1.0


EPOCH_LINE = re.compile(r"Epoch (\d{3}), Loss: \d+\.\d{4}")


def check_log(text, epochs):
    """The tutorial's log lines for both networks, in order, `epochs` epochs each."""
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines[0].startswith("Note: the tutorial's own figures") and "0.7370" in lines[0]
    logged = [epoch for epoch in range(1, epochs + 1) if (epoch - 1) % 10 == 0]
    rest = lines[1:]
    for name in NAMES:
        assert rest[0] == name
        epoch_lines = rest[1 : 1 + len(logged)]
        assert [int(EPOCH_LINE.fullmatch(line).group(1)) for line in epoch_lines] == logged
        assert re.fullmatch(rf"{name} Test Accuracy: \d+\.\d\d%", rest[1 + len(logged)])
        rest = rest[2 + len(logged) :]
    return rest


def test_default_run_prints_the_tutorials_log(capsys):
    seed_networks.main([])
    out = capsys.readouterr().out
    assert check_log(out, 100) == []
    for block in out.split("\n\n")[1:]:
        losses = [float(x) for x in re.findall(r"Loss: (\d+\.\d+)", block)]
        assert len(losses) == 10 and losses[-1] < losses[0]


def test_script_with_plot(tmp_path):
    png = tmp_path / "tmp.png"
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--epochs", "3", "--plot", str(png)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert check_log(proc.stdout, 3) == [f"Loss curves saved to {png}"]
    data = png.read_bytes()
    assert len(data) > 0
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width > 100 and height > 100


@pytest.mark.parametrize("args", [["--epochs", "0"], ["--lr", "-0.1"], ["--seed", "x"]])
def test_script_rejects_bad_options(args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        seed_networks.main(args)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "usage:" in err and args[0] in err


def test_matplotlib_only_with_plot():
    code = (
        "import runpy, sys; sys.argv = ['seed_networks.py', '--epochs', '1'];"
        f"runpy.run_path({str(SCRIPT)!r}, run_name='__main__');"
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported without --plot'"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_minigrad_is_what_trains():
    assert isinstance(seed_networks.build_model("NeuralNet1"), minigrad.nn.Module)
    assert not re.search(r"^\s*(import|from)\s+torch\b", SCRIPT.read_text(), re.MULTILINE)
