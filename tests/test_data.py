"""The seminar's random stream and toy data come back exactly; the digits split
and its standardisation agree with scikit-learn."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler

from softmax_course.data import (
    load_digits_split,
    replay_seminar_draws,
    standardize,
    toy_data,
)
from softmax_course.models import SoftmaxClassifierModel


def test_replay_gives_the_seminars_z_and_y():
    z, y = replay_seminar_draws()
    assert z.requires_grad and z.shape == (3, 5)
    torch.testing.assert_close(
        z.detach(),
        torch.tensor(
            [
                [0.7576, 0.2793, 0.4031, 0.7347, 0.0293],
                [0.7999, 0.3971, 0.7544, 0.5695, 0.4388],
                [0.6387, 0.5247, 0.6826, 0.3051, 0.4635],
            ]
        ),
        atol=5e-5,
        rtol=0,
    )
    assert y.tolist() == [0, 2, 1] and y.dtype == torch.long


def test_replay_is_repeatable():
    first, second = replay_seminar_draws(), replay_seminar_draws()
    assert torch.equal(first.z, second.z) and torch.equal(first.y, second.y)


def test_model_after_replay_has_the_seminars_first_cost():
    x_train, y_train = toy_data()
    replay_seminar_draws()
    model = SoftmaxClassifierModel().to(torch.float64)
    cost = F.cross_entropy(model(x_train), y_train)
    assert abs(cost.item() - 1.849513) < 2e-6


def test_toy_data_shapes_and_labels():
    x_train, y_train = toy_data()
    assert x_train.shape == (8, 4) and x_train.dtype == torch.float64
    assert y_train.tolist() == [2, 2, 2, 1, 1, 1, 0, 0]
    assert toy_data(torch.float32)[0].dtype == torch.float32


# --- the digits --------------------------------------------------------------


@pytest.fixture(scope="module")
def all_digits():
    return load_digits(return_X_y=True)


@pytest.mark.parametrize(
    ("test_size", "validation_size", "n_test", "n_val"),
    [(0.2, 0.2, 360, 360), (0.25, 0.25, 450, 449), (0.1, 0.3, 180, 539)],
)
def test_split_sizes_dtypes_and_shapes(test_size, validation_size, n_test, n_val):
    split = load_digits_split(test_size=test_size, seed=0, validation_size=validation_size)
    # 1797 images; scikit-learn rounds each held-out part up: the test part is
    # ceil(1797 * test_size), the validation part a share of the remaining images
    assert n_test == math.ceil(1797 * test_size)
    assert n_val == math.ceil((1797 - n_test) * validation_size / (1 - test_size) - 1e-9)
    n_train = 1797 - n_test - n_val
    assert [len(x) for x in split[:3]] == [n_train, n_val, n_test]
    assert all(x.shape[1:] == (64,) and x.dtype == torch.float64 for x in split[:3])
    assert [y.shape for y in split[3:]] == [(n_train,), (n_val,), (n_test,)]
    assert all(y.dtype == torch.long for y in split[3:])


@pytest.mark.parametrize(("test_size", "validation_size"), [(0.2, 0.2), (0.5, 0.25), (0.1, 0.1)])
def test_split_is_stratified(all_digits, test_size, validation_size):
    """Each part holds each digit's share of it, within one image; none is lost."""
    _, labels = all_digits
    per_digit = np.bincount(labels, minlength=10)
    split = load_digits_split(test_size=test_size, seed=3, validation_size=validation_size)
    counts = [np.bincount(y.numpy(), minlength=10) for y in split[3:]]
    np.testing.assert_array_equal(sum(counts), per_digit)
    shares = [1 - test_size - validation_size, validation_size, test_size]
    for part_counts, share in zip(counts, shares, strict=True):
        assert np.all(np.abs(part_counts - per_digit * share) <= 1), (share, part_counts)


def test_split_keeps_every_sample_once(all_digits):
    images, labels = all_digits
    split = load_digits_split()
    rows = np.concatenate([x.numpy() for x in split[:3]])
    joined = np.concatenate([rows, np.concatenate(split[3:])[:, None]], axis=1)
    original = np.concatenate([images, labels[:, None]], axis=1)
    np.testing.assert_array_equal(np.unique(joined, axis=0), np.unique(original, axis=0))
    assert len(joined) == len(original)


def test_split_is_fixed_by_its_seed():
    first, again, other = (
        load_digits_split(seed=0),
        load_digits_split(seed=0),
        load_digits_split(seed=1),
    )
    assert all(torch.equal(a, b) for a, b in zip(first, again, strict=True))
    assert not torch.equal(first.y_test, other.y_test)
    assert not torch.equal(first.y_val, other.y_val)
    assert not torch.equal(first.x_train, other.x_train)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"validation_size": 0.0}, ValueError, "validation_size must be between 0 and 1, got 0.0"),
        ({"validation_size": "0.2"}, TypeError, "validation_size must be a number, got str"),
        (
            {"test_size": 0.5, "validation_size": 0.5},
            ValueError,
            r"test_size \+ validation_size must be below 1 .* got 0.5 \+ 0.5",
        ),
    ],
)
def test_split_refuses_bad_validation_sizes(kwargs, error, message):
    with pytest.raises(error, match=message):
        load_digits_split(**kwargs)


def scaler_reference(x_train, x_test):
    scaler = StandardScaler().fit(x_train.numpy())
    return tuple(torch.from_numpy(scaler.transform(x.numpy())) for x in (x_train, x_test))


def test_standardize_matches_scikit_learn_on_the_digits():
    """StandardScaler fitted on the training split only, constant border pixels included."""
    split = load_digits_split()
    assert (split.x_train.std(dim=0) == 0).any()  # blank border pixels: the constant case is real
    for got, expected in zip(
        standardize(split.x_train, split.x_test),
        scaler_reference(split.x_train, split.x_test),
        strict=True,
    ):
        torch.testing.assert_close(got, expected)


def test_standardize_matches_scikit_learn_on_scaled_features():
    generator = torch.Generator().manual_seed(0)
    x_train = (
        torch.randn(7, 3, generator=generator, dtype=torch.float64) * torch.tensor([1e-3, 1.0, 1e3])
        + 5
    )
    x_test = torch.randn(4, 3, generator=generator, dtype=torch.float64) * 50
    for got, expected in zip(
        standardize(x_train, x_test), scaler_reference(x_train, x_test), strict=True
    ):
        torch.testing.assert_close(got, expected)
    train, _ = standardize(x_train, x_test)
    torch.testing.assert_close(train.mean(dim=0), torch.zeros(3, dtype=torch.float64))
    torch.testing.assert_close(train.std(dim=0, correction=0), torch.ones(3, dtype=torch.float64))


def test_standardize_uses_no_test_statistics():
    """Changing x_test changes neither x_train's result nor any other test row's."""
    generator = torch.Generator().manual_seed(1)
    x_train = torch.randn(10, 4, generator=generator, dtype=torch.float64) * 3 + 1
    x_test = torch.randn(5, 4, generator=generator, dtype=torch.float64)
    other_test = x_test.clone()
    other_test[0] = 1000.0
    train, test = standardize(x_train, x_test)
    train_again, test_again = standardize(x_train, other_test)
    torch.testing.assert_close(train_again, train, rtol=0, atol=0)
    torch.testing.assert_close(test_again[1:], test[1:], rtol=0, atol=0)
    for row in range(len(x_test)):
        torch.testing.assert_close(
            standardize(x_train, x_test[row : row + 1])[1], test[row : row + 1]
        )


def test_standardize_keeps_a_constant_feature_at_scale_1():
    x_train = torch.tensor([[1.0, 3.0], [2.0, 3.0], [4.0, 3.0]], dtype=torch.float64)
    x_test = torch.tensor([[0.0, 5.0], [1.0, 2.5]], dtype=torch.float64)
    train, test = standardize(x_train, x_test)
    assert torch.equal(train[:, 1], torch.zeros(3, dtype=torch.float64))
    assert torch.equal(test[:, 1], x_test[:, 1] - 3.0)
    assert torch.isfinite(train).all() and torch.isfinite(test).all()


def test_standardize_needs_two_samples_and_no_more():
    """Two samples have a spread: each feature becomes -1 and 1 (a constant one, 0 and 0)."""
    x_train = torch.tensor([[0.0, 5.0], [2.0, 5.0]], dtype=torch.float64)
    train, test = standardize(x_train, torch.tensor([[1.0, 6.0]], dtype=torch.float64))
    assert train.tolist() == [[-1.0, 0.0], [1.0, 0.0]] and test.tolist() == [[0.0, 1.0]]
