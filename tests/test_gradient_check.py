"""Unit tests for check_gradient: right and wrong gradients, and bad input."""

import numpy as np
import pytest

from diffops import check_gradient

X = np.random.default_rng(11).uniform(-1, 1, size=8)


def loss(w):
    return np.sum(np.tanh(w) ** 2) + 0.5 * w @ w


def loss_gradient(w):
    return 2 * np.tanh(w) * (1 - np.tanh(w) ** 2) + w


def test_a_right_gradient_passes_with_a_tiny_relative_error():
    result = check_gradient(loss, loss_gradient, X)
    assert result.relative_error < 1e-9
    assert np.array_equal(result.analytic, loss_gradient(X))
    assert result.numerical.shape == X.shape


@pytest.mark.parametrize("coordinate", [0, 5, 7])
def test_a_wrong_coordinate_is_caught_and_named(coordinate):
    def buggy(w):
        g = loss_gradient(w)
        g[coordinate] *= 1.1
        return g

    result = check_gradient(loss, buggy, X)
    assert result.relative_error > 1e-4
    assert result.worst == coordinate


def test_bad_gradients_are_rejected_with_shapes_named():
    with pytest.raises(ValueError, match=r"`grad` must return an array shaped like x \(8,\)"):
        check_gradient(loss, lambda w: loss_gradient(w)[:-1], X)
    with pytest.raises(ValueError, match=r"`grad` is not finite"):
        check_gradient(loss, lambda w: np.full_like(w, np.nan), X)
    with pytest.raises(TypeError, match=r"`grad` must be callable, got 3"):
        check_gradient(loss, 3, X)
    with pytest.raises(ValueError, match=r"`x` must be a non-empty 1-D array, got shape \(2, 4\)"):
        check_gradient(loss, loss_gradient, X.reshape(2, 4))
