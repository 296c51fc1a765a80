"""Datasets and mini-batches: `TensorDataset`, `DataLoader`, `default_collate` and
`default_convert`."""

import collections.abc
import math

import numpy as np

from .functions import stack
from .random import generator
from .tensor import Tensor


class TensorDataset:
    """Samples that are rows of tensors sharing their first dimension, as `torch`'s.

    `dataset[i]` is the tuple `(t[i] for each tensor t)`.
    """

    def __init__(self, *tensors: Tensor) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        for i, t in enumerate(tensors):
            if not isinstance(t, Tensor):
                raise TypeError(f"TensorDataset takes Tensors, got {type(t).__name__} at {i}")
            if t.ndim == 0:
                raise ValueError(f"TensorDataset: tensor {i} is 0-d; it has no samples to index")
        sizes = [t.shape[0] for t in tensors]
        if len(set(sizes)) != 1:
            raise ValueError(
                "Size mismatch between tensors: every tensor needs the same first dimension, "
                f"got shapes {[t.shape for t in tensors]}"
            )
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


class DataLoader:
    """Iterate over a dataset in mini-batches, as `torch.utils.data.DataLoader` (one process).

    Args:
        dataset: a `TensorDataset`, or any object with `__getitem__(int)` and `__len__`.
        batch_size: samples per batch; None for no batching: each sample as the dataset
            gives it, without a batch dimension (NumPy arrays become Tensors, tuples lists,
            as `default_convert` makes them).
        shuffle: visit the samples in a new random order each epoch; the order is drawn
            from the global generator when iteration starts, so `manual_seed` before the
            loop makes every epoch reproducible.
        drop_last: leave out the last batch when it is smaller than `batch_size`.

    A batch of a `TensorDataset` is a list with one tensor per dataset tensor, each made by
    a single indexing; any other dataset's samples are combined by `default_collate`.
    """

    def __init__(
        self, dataset, batch_size: int | None = 1, shuffle: bool = False, drop_last: bool = False
    ) -> None:
        if not (hasattr(dataset, "__getitem__") and hasattr(dataset, "__len__")):
            raise TypeError(
                f"DataLoader needs a dataset with __getitem__ and __len__, got "
                f"{type(dataset).__name__}"
            )
        if batch_size is not None and (
            isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0
        ):
            raise ValueError(
                f"batch_size should be a positive integer value, but got batch_size={batch_size}"
            )
        if not isinstance(shuffle, bool):
            raise TypeError(f"shuffle should be a bool, but got shuffle={shuffle!r}")
        if not isinstance(drop_last, bool):
            raise ValueError(
                f"drop_last should be a boolean value, but got drop_last={drop_last!r}"
            )
        if batch_size is None and drop_last:
            raise ValueError(
                "batch_size=None option disables auto-batching and is mutually exclusive with "
                "drop_last"
            )
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last

    def __len__(self) -> int:
        n = len(self.dataset)
        if self.batch_size is None:
            return n
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self):
        # Drawn here, not lazily at the first batch, so the epoch's order is fixed by the
        # generator's state at the moment iteration starts.
        n = len(self.dataset)
        order = generator().permutation(n) if self.shuffle else np.arange(n)
        if self.batch_size is None:
            return (default_convert(self.dataset[i]) for i in order.tolist())
        return self._batches(order)

    def _batches(self, order: np.ndarray):
        end = len(self) * self.batch_size
        for start in range(0, min(end, len(order)), self.batch_size):
            yield self._fetch(order[start : start + self.batch_size])

    def _fetch(self, indices: np.ndarray):
        if type(self.dataset) is TensorDataset:
            # One fancy index per tensor instead of a Python loop over samples.
            return [t[indices] for t in self.dataset.tensors]
        return default_collate([self.dataset[i] for i in indices.tolist()])


def default_convert(sample):
    """One sample as `torch`'s `default_convert` leaves it: NumPy arrays and scalars of
    numbers become Tensors, a tuple becomes a list, dicts, lists and namedtuples are
    converted field by field; everything else (Tensors too) is returned as it is."""
    if isinstance(sample, (np.ndarray, np.generic)) and sample.dtype.kind in "biuf":
        return Tensor(sample)
    if isinstance(sample, collections.abc.Mapping):
        return {key: default_convert(value) for key, value in sample.items()}
    if isinstance(sample, tuple) and hasattr(sample, "_fields"):  # a namedtuple keeps its type
        return type(sample)(*map(default_convert, sample))
    if isinstance(sample, (tuple, list)):
        return [default_convert(value) for value in sample]
    return sample


def default_collate(batch: list):
    """Combine a list of samples into a batch, as `torch`'s `default_collate` does.

    Tensors and arrays are stacked along a new first dimension; Python floats become a
    float64 tensor, ints an int64 tensor, bools a bool tensor; strings stay a list; dicts,
    tuples and lists are collated field by field (a tuple becomes a list, as in PyTorch).
    """
    elem = batch[0]
    if isinstance(elem, Tensor):
        return stack(batch)
    if isinstance(elem, (np.ndarray, np.generic)) and elem.dtype.kind in "biuf":
        return Tensor(np.stack(batch))
    if isinstance(elem, float):
        return Tensor(np.array(batch, dtype=np.float64))
    if isinstance(elem, (bool, int)):
        return Tensor(np.array(batch))
    if isinstance(elem, str):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        return {key: default_collate([sample[key] for sample in batch]) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # a namedtuple keeps its type
        return type(elem)(*(default_collate(list(field)) for field in zip(*batch)))
    if isinstance(elem, (tuple, list)):
        if any(len(sample) != len(elem) for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        return [default_collate(list(field)) for field in zip(*batch)]
    raise TypeError(
        "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
        f"found {type(elem).__name__}"
    )
