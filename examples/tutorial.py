"""The softmax / sigmoid / cross-entropy tutorial, one function per notebook cell, on minigrad.

Run from the repository root:

    python examples/tutorial.py

Each `*_cell` function computes what one cell of the tutorial computes and returns the
numbers (NumPy arrays and Python floats), so the tests can check them; `main()` prints them.
"""

import numpy as np

import minigrad
import minigrad.nn as nn

LOGITS = [2.0, 1.0, 0.1]

BCE_LOGITS = [2.0, -1.0, 0.5]
BCE_LABELS = [1.0, 0.0, 1.0]

CE_LOGITS = [
    [2.0, 1.0, 0.1, 0.5],
    [0.3, 2.2, 0.5, 1.1],
    [1.2, 0.7, 1.5, 0.3],
]
CE_TARGETS = [0, 1, 2]

# Classes 0, 1, 2 = apple, banana, cherry; the three images show a cherry, an apple, a banana.
FRUIT_TARGETS = [2, 0, 1]
FRUIT_GOOD = [[0.1, 1.0, 2.1], [2.0, 1.0, 0.1], [0.1, 3.0, 0.1]]  # every argmax right
FRUIT_BAD = [[2.1, 1.0, 0.1], [0.1, 1.0, 2.1], [0.1, 3.0, 0.1]]  # only the banana right

# The worked example: a one-hot label for class 0, and two predictions for it.
ONE_HOT = [1.0, 0.0, 0.0, 0.0]
UNSURE = [0.4, 0.1, 0.3, 0.2]
CONFIDENT = [0.9, 0.05, 0.03, 0.02]


def softmax_numpy(x: np.ndarray) -> np.ndarray:
    """softmax(x) = exp(x) / sum(exp(x)); shifting by max(x) first changes nothing but overflow."""
    e = np.exp(x - np.max(x))
    return e / e.sum()


def sigmoid_numpy(x: np.ndarray) -> np.ndarray:
    """sigmoid(x) = 1 / (1 + exp(-x))."""
    return 1.0 / (1.0 + np.exp(-x))


def softmax_cell() -> tuple[np.ndarray, np.ndarray]:
    """Softmax of LOGITS, by hand in NumPy (float64) and with minigrad (float32).

    Returns:
        (numpy_probabilities, minigrad_probabilities)
    """
    by_hand = softmax_numpy(np.array(LOGITS))
    probs = minigrad.softmax(minigrad.tensor(LOGITS), dim=0)
    return by_hand, probs.numpy()


def sigmoid_cell() -> tuple[np.ndarray, np.ndarray]:
    """Sigmoid of LOGITS, element by element, by hand in NumPy and with minigrad.

    Returns:
        (numpy_values, minigrad_values)
    """
    by_hand = sigmoid_numpy(np.array(LOGITS))
    values = minigrad.sigmoid(minigrad.tensor(LOGITS))
    return by_hand, values.numpy()


def bce_cell() -> tuple[np.ndarray, float]:
    """Binary cross-entropy of three sigmoid outputs against 0/1 labels.

    Returns:
        (sigmoid_probabilities, mean_bce_loss)
    """
    probs = minigrad.sigmoid(minigrad.tensor(BCE_LOGITS))
    loss = nn.BCELoss()(probs, minigrad.tensor(BCE_LABELS))
    return probs.numpy(), loss.item()


def cross_entropy_cell() -> tuple[np.ndarray, float]:
    """Cross-entropy of a 3 x 4 batch of raw logits against class indices.

    `CrossEntropyLoss` takes the logits themselves; the softmax rows are computed only to
    look at them.

    Returns:
        (softmax_rows, mean_cross_entropy)
    """
    logits = minigrad.tensor(CE_LOGITS)
    rows = minigrad.softmax(logits, dim=1)
    loss = nn.CrossEntropyLoss()(logits, minigrad.tensor(CE_TARGETS))
    return rows.numpy(), loss.item()


def fruit_cell() -> dict[str, float | list[int]]:
    """The fruit classifier: the same targets scored against good and bad logits.

    Returns:
        a dict with `loss_good`, `loss_bad` (floats) and `pred_good`, `pred_bad` (the argmax
        class of each row, from `minigrad.max(x, 1)`).
    """
    criterion = nn.CrossEntropyLoss()
    targets = minigrad.tensor(FRUIT_TARGETS)
    good, bad = minigrad.tensor(FRUIT_GOOD), minigrad.tensor(FRUIT_BAD)
    _, pred_good = minigrad.max(good, 1)
    _, pred_bad = minigrad.max(bad, 1)
    return {
        "loss_good": criterion(good, targets).item(),
        "loss_bad": criterion(bad, targets).item(),
        "pred_good": pred_good.tolist(),
        "pred_bad": pred_bad.tolist(),
    }


def worked_example_cell() -> tuple[float, float]:
    """-sum(y * log(y_hat)) for a one-hot y: only the true class's probability counts.

    Returns:
        (loss_for_UNSURE, loss_for_CONFIDENT), i.e. -log(0.4) and -log(0.9)
    """
    y = minigrad.tensor(ONE_HOT)

    def cross_entropy(y_hat: list[float]) -> float:
        return -(y * minigrad.log(minigrad.tensor(y_hat))).sum().item()

    return cross_entropy(UNSURE), cross_entropy(CONFIDENT)


def _numbers(values) -> str:
    return "[" + " ".join(f"{v:.8f}" for v in np.ravel(values)) + "]"


def main() -> None:
    by_hand, ours = softmax_cell()
    print(f"Softmax of {LOGITS}")
    print("softmax numpy:", _numbers(by_hand))
    print("softmax minigrad:", _numbers(ours))

    by_hand, ours = sigmoid_cell()
    print(f"\nSigmoid of {LOGITS}")
    print("sigmoid numpy:", _numbers(by_hand))
    print("sigmoid minigrad:", _numbers(ours))

    probs, loss = bce_cell()
    print(f"\nBinary cross-entropy: logits {BCE_LOGITS}, labels {BCE_LABELS}")
    print("BCE sigmoid outputs:", _numbers(probs))
    print(f"BCE loss: {loss:.8f}")

    rows, loss = cross_entropy_cell()
    print(f"\nCross-entropy: 3 x 4 logits, targets {CE_TARGETS}")
    for i, row in enumerate(rows):
        print(f"CE softmax row {i}:", _numbers(row))
    print(f"CE loss: {loss:.8f}")

    fruit = fruit_cell()
    print(f"\nFruit classifier (0 apple, 1 banana, 2 cherry), targets {FRUIT_TARGETS}")
    print(f"fruit loss good: {fruit['loss_good']:.8f}")
    print(f"fruit loss bad: {fruit['loss_bad']:.8f}")
    print(f"fruit predicted good: {fruit['pred_good']}")
    print(f"fruit predicted bad: {fruit['pred_bad']}")

    unsure, confident = worked_example_cell()
    print(f"\nWorked example: one-hot target {ONE_HOT}")
    print(f"cross-entropy for {UNSURE}: {unsure:.8f}")
    print(f"cross-entropy for {CONFIDENT}: {confident:.8f}")


if __name__ == "__main__":
    main()
