"""Classify scikit-learn's 8x8 handwritten digits with a small MLP trained by minigrad.

Run from the repository root:

    python examples/digits.py                     # about 98% test accuracy in a few seconds
    python examples/digits.py --plot out/         # also write curves, predictions, confusion

The 1,797 digits ship inside scikit-learn (`sklearn.datasets.load_digits`), so nothing is
downloaded. A fixed 80/20 split (the same for every `--seed`) keeps test accuracies
comparable; `--seed` sets the weights' initialisation and the order of the mini-batches.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from tqdm import tqdm

import minigrad
import minigrad.nn as nn
from minigrad.data import DataLoader, TensorDataset
from minigrad.optim import Adam

SPLIT_SEED = 0  # the train/test split never changes with --seed
TEST_FRACTION = 0.2


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30, help="passes over the training set")
    parser.add_argument("--seed", type=int, default=0, help="seed for weights and shuffling")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--lr", type=float, default=2e-3, help="Adam's learning rate")
    parser.add_argument("--hidden", type=int, default=256, help="width of the hidden layer")
    parser.add_argument(
        "--limit", type=int, default=None, help="use only the first N samples (for quick tests)"
    )
    parser.add_argument("--plot", type=Path, default=None, help="write PNG figures to this dir")
    args = parser.parse_args(argv)
    if args.epochs < 1:
        parser.error("--epochs must be at least 1")
    if args.limit is not None and args.limit < 10:
        parser.error("--limit must be at least 10 (a test set needs a few samples)")
    return args


def load(limit: int | None):
    """(x_train, y_train, x_test, y_test): pixels in [0, 1] as float32, labels as int64."""
    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int64)
    if limit is not None:
        x, y = x[:limit], y[:limit]
    order = np.random.default_rng(SPLIT_SEED).permutation(len(x))
    n_test = max(1, round(TEST_FRACTION * len(x)))
    test, train = order[:n_test], order[n_test:]
    return x[train], y[train], x[test], y[test]


def build_model(hidden: int) -> nn.Module:
    return nn.Sequential(nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 10))


def evaluate(model: nn.Module, criterion, x, y) -> tuple[float, float, np.ndarray]:
    """Mean loss, accuracy and predicted classes on the whole of (x, y), without a graph."""
    model.eval()
    with minigrad.no_grad():
        logits = model(x)
        loss = criterion(logits, y).item()
    model.train()
    pred = logits.argmax(dim=1).numpy()
    return loss, float(np.mean(pred == y.numpy())), pred


def standardize(x_train: np.ndarray, x_test: np.ndarray):
    """Give each pixel mean 0 and std about 1 on the training set (it trains faster).

    The std is floored at 0.1 because a few border pixels are 0 in almost every image:
    dividing by their tiny std would blow the rare non-zero values up.
    """
    mean = x_train.mean(axis=0)
    scale = x_train.std(axis=0) + np.float32(0.1)
    return (x_train - mean) / scale, (x_test - mean) / scale


def train(args) -> dict:
    """Train and evaluate; return the per-epoch history and the final predictions."""
    x_train, y_train, x_test, y_test = load(args.limit)
    images = x_test.reshape(-1, 8, 8)
    x_train, x_test = (minigrad.tensor(a) for a in standardize(x_train, x_test))
    y_train, y_test = minigrad.tensor(y_train), minigrad.tensor(y_test)
    minigrad.manual_seed(args.seed)
    model = build_model(args.hidden)
    criterion = nn.CrossEntropyLoss()
    optimizer = Adam(model.parameters(), lr=args.lr)
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=args.batch_size, shuffle=True)
    history = {"train_loss": [], "test_loss": [], "train_acc": [], "test_acc": []}
    for epoch in range(1, args.epochs + 1):
        bar = tqdm(loader, desc=f"epoch {epoch}/{args.epochs}", leave=False, file=sys.stderr)
        for xb, yb in bar:
            loss = criterion(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            bar.set_postfix(loss=f"{loss.item():.4f}", refresh=False)  # drawn at tqdm's pace
        train_loss, train_acc, _ = evaluate(model, criterion, x_train, y_train)
        test_loss, test_acc, pred = evaluate(model, criterion, x_test, y_test)
        for key, value in zip(history, (train_loss, test_loss, train_acc, test_acc)):
            history[key].append(value)
        tqdm.write(
            f"epoch {epoch:3d}  train loss {train_loss:.4f}  acc {100 * train_acc:6.2f}%  "
            f"test loss {test_loss:.4f}  acc {100 * test_acc:6.2f}%"
        )
    return {
        "history": history,
        "pred": pred,
        "true": y_test.numpy(),
        "images": images,
    }


def plot(result: dict, out_dir: Path) -> list[Path]:
    """Write curves.png, predictions.png and confusion.png into `out_dir`; return the paths."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no display needed
    import matplotlib.pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    history, pred, true = result["history"], result["pred"], result["true"]
    epochs = np.arange(1, len(history["train_loss"]) + 1)
    paths = []

    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    ax_loss.plot(epochs, history["train_loss"], label="train")
    ax_loss.plot(epochs, history["test_loss"], label="test")
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy loss", title="Loss")
    ax_acc.plot(epochs, 100 * np.array(history["train_acc"]), label="train")
    ax_acc.plot(epochs, 100 * np.array(history["test_acc"]), label="test")
    ax_acc.set(xlabel="epoch", ylabel="accuracy (%)", title="Accuracy")
    for ax in (ax_loss, ax_acc):
        ax.legend()
        ax.grid(alpha=0.3)
    paths.append(_save(fig, out_dir / "curves.png"))

    # Mistakes first, so that the grid shows them even when they are rare.
    order = np.concatenate([np.flatnonzero(pred != true), np.flatnonzero(pred == true)])[:40]
    rows = max(1, int(np.ceil(len(order) / 8)))
    fig, axes = plt.subplots(rows, 8, figsize=(8 * 1.2, rows * 1.6), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, i in zip(axes.flat, order):
        wrong = pred[i] != true[i]
        ax.imshow(result["images"][i], cmap="gray_r", interpolation="nearest")
        ax.set_title(f"pred {pred[i]}\ntrue {true[i]}", fontsize=8, color="red" if wrong else "k")
        if wrong:
            ax.axis("on")
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_color("red")
                spine.set_linewidth(2)
    fig.suptitle("Test digits (mistakes first, in red)")
    paths.append(_save(fig, out_dir / "predictions.png"))

    matrix = np.zeros((10, 10), dtype=np.int64)
    np.add.at(matrix, (true, pred), 1)
    fig, ax = plt.subplots(figsize=(5.5, 5))
    image = ax.imshow(matrix, cmap="Blues")
    for t in range(10):
        for p in range(10):
            if matrix[t, p]:
                light = matrix[t, p] > matrix.max() / 2
                ax.text(p, t, matrix[t, p], ha="center", va="center", fontsize=8,
                        color="white" if light else "black")  # fmt: skip
    ax.set(xticks=range(10), yticks=range(10), xlabel="predicted", ylabel="true")
    ax.set_title("Confusion matrix (test set)")
    fig.colorbar(image, ax=ax, fraction=0.046)
    paths.append(_save(fig, out_dir / "confusion.png"))
    return paths


def _save(fig, path: Path) -> Path:
    import matplotlib.pyplot as plt

    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def main(argv=None) -> float:
    start = time.perf_counter()
    args = parse_args(argv)
    result = train(args)
    correct = int(np.sum(result["pred"] == result["true"]))
    total = len(result["true"])
    print(f"test accuracy: {100 * correct / total:.2f}% ({correct}/{total})")
    if args.plot is not None:
        for path in plot(result, args.plot):
            print(f"wrote {path}")
    print(f"wall time: {time.perf_counter() - start:.1f} s")
    return correct / total


if __name__ == "__main__":
    main()
