"""minigrad.data: batching, shuffling from the global generator, collating, errors."""

from collections import namedtuple

import numpy as np
import pytest
import torch
import torch.utils.data

import minigrad
from minigrad.data import DataLoader, TensorDataset, default_collate


def make_dataset(n=10):
    x = minigrad.tensor(np.arange(n * 2, dtype=np.float32).reshape(n, 2))
    y = minigrad.tensor(np.arange(n, dtype=np.int64))
    return TensorDataset(x, y)


def test_tensor_dataset_items_and_len():
    ds = make_dataset()
    assert len(ds) == 10
    x, y = ds[3]
    np.testing.assert_array_equal(x.data, [6.0, 7.0])
    assert y.item() == 3 and y.dtype == np.int64


def test_tensor_dataset_needs_matching_first_dims():
    with pytest.raises(ValueError, match=r"Size mismatch.*\(3, 2\).*\(4,\)"):
        TensorDataset(minigrad.zeros(3, 2), minigrad.zeros(4))
    with pytest.raises(ValueError, match="at least one tensor"):
        TensorDataset()
    with pytest.raises(ValueError, match="0-d"):
        TensorDataset(minigrad.tensor(1.0))
    with pytest.raises(TypeError, match="takes Tensors"):
        TensorDataset(np.zeros(3))


@pytest.mark.parametrize(
    "n, batch_size, drop_last, sizes",
    [
        (10, 3, False, [3, 3, 3, 1]),
        (10, 3, True, [3, 3, 3]),
        (9, 3, False, [3, 3, 3]),
        (9, 3, True, [3, 3, 3]),
        (2, 5, False, [2]),
        (2, 5, True, []),
        (0, 4, False, []),
    ],
)
def test_batches_in_order(n, batch_size, drop_last, sizes):
    loader = DataLoader(make_dataset(n), batch_size=batch_size, drop_last=drop_last)
    batches = list(loader)
    assert len(loader) == len(batches) == len(sizes)
    assert [len(y) for _, y in batches] == sizes
    seen = [int(v) for _, y in batches for v in y.data]
    assert seen == list(range(sum(sizes)))
    for x, y in batches:
        assert isinstance(x, minigrad.Tensor) and x.dtype == np.float32
        np.testing.assert_array_equal(x.data, np.stack([[2 * v, 2 * v + 1] for v in y.data]))


def test_tensor_dataset_batches_match_torch():
    x = np.random.default_rng(0).standard_normal((7, 3)).astype(np.float32)
    y = np.arange(7)
    ours = list(DataLoader(TensorDataset(minigrad.tensor(x), minigrad.tensor(y)), batch_size=3))
    theirs = list(
        torch.utils.data.DataLoader(
            torch.utils.data.TensorDataset(torch.tensor(x), torch.tensor(y)), batch_size=3
        )
    )
    assert len(ours) == len(theirs)
    for batch, tbatch in zip(ours, theirs):
        assert type(batch) is type(tbatch) is list
        for t, tt in zip(batch, tbatch):
            np.testing.assert_array_equal(t.data, tt.numpy())
            assert t.dtype == tt.numpy().dtype


def test_tensor_dataset_batches_come_from_one_index_per_tensor(monkeypatch):
    def per_sample(self, index):
        raise AssertionError("the loader must not fetch a TensorDataset sample by sample")

    monkeypatch.setattr(TensorDataset, "__getitem__", per_sample)
    (x, y), *_ = DataLoader(make_dataset(), batch_size=4, shuffle=True)
    np.testing.assert_array_equal(x.data[:, 0], 2 * y.data)


def test_a_tensor_dataset_subclass_keeps_its_own_getitem():
    class Doubled(TensorDataset):
        def __getitem__(self, index):
            x, y = super().__getitem__(index)
            return x * 2, y

    (x, y), *_ = DataLoader(Doubled(*make_dataset().tensors), batch_size=2)
    np.testing.assert_array_equal(x.data, [[0.0, 2.0], [4.0, 6.0]])
    np.testing.assert_array_equal(y.data, [0, 1])


def epochs(loader, count):
    return [np.concatenate([y.data for _, y in loader]) for _ in range(count)]


def test_shuffle_is_reproducible_with_manual_seed_and_differs_per_epoch():
    loader = DataLoader(make_dataset(50), batch_size=8, shuffle=True)
    minigrad.manual_seed(0)
    first = epochs(loader, 3)
    minigrad.manual_seed(0)
    again = epochs(loader, 3)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    for order in first:
        assert sorted(order.tolist()) == list(range(50))
    assert not np.array_equal(first[0], first[1]) and not np.array_equal(first[1], first[2])
    minigrad.manual_seed(1)
    assert not np.array_equal(epochs(loader, 1)[0], first[0])


def test_shuffle_order_is_drawn_when_iteration_starts():
    loader = DataLoader(make_dataset(30), batch_size=4, shuffle=True)
    minigrad.manual_seed(5)
    expected = epochs(loader, 1)[0]
    minigrad.manual_seed(5)
    iterator = iter(loader)
    minigrad.rand(100)  # draws made after iter() must not change this epoch's order
    got = np.concatenate([y.data for _, y in iterator])
    np.testing.assert_array_equal(got, expected)


def test_shuffled_batches_pair_rows_correctly():
    minigrad.manual_seed(0)
    for x, y in DataLoader(make_dataset(20), batch_size=6, shuffle=True):
        np.testing.assert_array_equal(x.data[:, 1], 2 * y.data + 1)


class Samples:
    """A generic dataset: anything with __getitem__ and __len__."""

    def __init__(self, make, n=5):
        self.make, self.n = make, n

    def __getitem__(self, i):
        return self.make(i)

    def __len__(self):
        return self.n


Point = namedtuple("Point", ["x", "y"])

GENERIC = [
    lambda i: (np.full(3, i, np.float32), i),
    lambda i: {"image": np.full((2, 2), i, np.float64), "label": i, "name": f"s{i}"},
    lambda i: [float(i), i % 2 == 0, np.int32(i)],
    lambda i: (minigrad.tensor([i, i + 1.0]), {"nested": (i, [i * 0.5])}),
    lambda i: Point(x=np.float32(i), y=np.arange(i, i + 2)),
]


def as_numpy(value):
    """A torch or minigrad batch with its tensors turned into arrays, for comparison."""
    if isinstance(value, minigrad.Tensor):
        return value.data
    if isinstance(value, torch.Tensor):
        return value.numpy()
    if isinstance(value, dict):
        return {k: as_numpy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return (
            type(value)(*map(as_numpy, value))
            if hasattr(value, "_fields")
            else [as_numpy(v) for v in value]
        )
    return value


def assert_same_batch(ours, theirs):
    assert type(ours) is type(theirs)
    if isinstance(ours, np.ndarray):
        assert ours.dtype == theirs.dtype
        np.testing.assert_array_equal(ours, theirs)
    elif isinstance(ours, dict):
        assert list(ours) == list(theirs)
        for k in ours:
            assert_same_batch(ours[k], theirs[k])
    elif isinstance(ours, (list, tuple)):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            assert_same_batch(a, b)
    else:
        assert ours == theirs


def for_torch(make):
    """`make` with its minigrad tensors as torch's, for torch's DataLoader."""

    def torch_sample(i):
        sample = make(i)
        if isinstance(sample, tuple) and isinstance(sample[0], minigrad.Tensor):
            return (torch.tensor(sample[0].data), sample[1])
        return sample

    return torch_sample


@pytest.mark.parametrize("make", GENERIC)
def test_generic_dataset_collates_like_torch(make):
    ours = [as_numpy(b) for b in DataLoader(Samples(make), batch_size=2)]
    theirs = [as_numpy(b) for b in torch.utils.data.DataLoader(Samples(for_torch(make)), 2)]
    assert len(ours) == len(theirs) == 3
    for a, b in zip(ours, theirs):
        assert_same_batch(a, b)


@pytest.mark.parametrize("make", GENERIC)
def test_batch_size_none_yields_each_sample_converted_like_torch(make):
    """Found in audit: batch_size=None, torch's way to turn batching off, was refused."""
    ours = DataLoader(Samples(make), batch_size=None)
    theirs = torch.utils.data.DataLoader(Samples(for_torch(make)), batch_size=None)
    assert len(ours) == len(theirs) == 5
    samples = list(ours)
    for a, b in zip(samples, theirs, strict=True):
        assert_same_batch(as_numpy(a), as_numpy(b))
    assert isinstance(samples[0], list if type(make(0)) is tuple else type(make(0)))


def test_batch_size_none_on_a_tensor_dataset_gives_rows_without_a_batch_dimension():
    x, y = np.arange(8.0, dtype=np.float32).reshape(4, 2), np.arange(4)
    ours = DataLoader(TensorDataset(minigrad.tensor(x), minigrad.tensor(y)), batch_size=None)
    theirs = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.tensor(x), torch.tensor(y)), batch_size=None
    )
    assert len(ours) == len(theirs) == 4
    for a, b in zip(ours, theirs, strict=True):
        assert_same_batch(as_numpy(a), as_numpy(b))
        assert a[0].shape == (2,) and a[1].shape == ()
    minigrad.manual_seed(5)
    first = [int(label) for _, label in DataLoader(ours.dataset, batch_size=None, shuffle=True)]
    minigrad.manual_seed(5)
    again = [int(label) for _, label in DataLoader(ours.dataset, batch_size=None, shuffle=True)]
    assert sorted(first) == [0, 1, 2, 3] and first == again
    for lib in (minigrad.data, torch.utils.data):
        with pytest.raises(ValueError, match="mutually exclusive with drop_last"):
            lib.DataLoader(ours.dataset, batch_size=None, drop_last=True)


def test_collate_keeps_the_graph_of_tensors_that_require_grad():
    w = minigrad.tensor([1.0, 2.0], requires_grad=True)
    batch = default_collate([w * 2, w * 3])
    batch.sum().backward()
    np.testing.assert_array_equal(w.grad.data, [5.0, 5.0])


def test_collate_errors():
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="found object"):
        default_collate([object(), object()])
    with pytest.raises(TypeError, match="found ndarray"):
        default_collate([np.array(["a"], dtype=object)] * 2)


@pytest.mark.parametrize("batch_size", [0, -1, 1.5, True, "2"])
def test_bad_batch_size(batch_size):
    with pytest.raises(ValueError, match="batch_size should be a positive integer"):
        DataLoader(make_dataset(), batch_size=batch_size)


def test_bad_loader_arguments():
    with pytest.raises(ValueError, match="drop_last should be a boolean"):
        DataLoader(make_dataset(), drop_last="yes")
    with pytest.raises(TypeError, match="shuffle should be a bool"):
        DataLoader(make_dataset(), shuffle=1)
    with pytest.raises(TypeError, match="__getitem__ and __len__"):
        DataLoader(iter(range(3)))


def test_generic_dataset_gets_python_int_indices_and_shuffles():
    asked = []

    def sample(i):
        asked.append(i)
        return np.array([i], np.int64)

    minigrad.manual_seed(3)
    batches = list(DataLoader(Samples(sample, n=7), batch_size=3, shuffle=True, drop_last=True))
    assert all(type(i) is int for i in asked)
    assert [b.shape for b in batches] == [(3, 1), (3, 1)]
    assert np.concatenate([b.data[:, 0] for b in batches]).tolist() == asked
    assert len(set(asked)) == 6 and asked != sorted(asked)
