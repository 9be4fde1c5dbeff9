"""Unit tests for stencil_weights: the hand-derived formulas, exactness, and bad input."""

import math

import numpy as np
import pytest

from diffops import stencil_weights


@pytest.mark.parametrize(
    ("offsets", "order", "expected"),
    [
        ([0, 1], 1, [-1, 1]),  # forward
        ([-1, 0], 1, [-1, 1]),  # backward
        ([-1, 1], 1, [-1 / 2, 1 / 2]),  # central
        ([-2, -1, 1, 2], 1, [1 / 12, -8 / 12, 8 / 12, -1 / 12]),  # five-point, centre weight 0
        ([-1, 0, 1], 2, [1, -2, 1]),  # second derivative
        ([0, 1, 2], 1, [-3 / 2, 2, -1 / 2]),  # one-sided, second order
        ([-1, 0, 1], 0, [0, 1, 0]),  # order 0 is interpolation at 0
    ],
)
def test_weights_match_the_hand_derived_formulas(offsets, order, expected):
    assert np.allclose(stencil_weights(offsets, order), expected, rtol=0, atol=1e-13)


@pytest.mark.parametrize("order", [1, 2, 3])
def test_weights_differentiate_polynomials_of_the_stencil_degree_exactly(order):
    offsets = np.array([-2.0, -0.5, 0.0, 1.0, 3.0])
    weights = stencil_weights(offsets, order)
    for degree in range(offsets.size):
        # d^order/dx^order of x^degree at x = 0 is order! if degree == order, else 0.
        expected = math.factorial(order) if degree == order else 0.0
        assert weights @ offsets**degree == pytest.approx(expected, abs=1e-11)


@pytest.mark.parametrize(
    ("offsets", "order", "message"),
    [
        ([0, 0, 1], 1, "`offsets` must be finite and distinct"),
        ([0, np.nan], 1, "`offsets` must be finite and distinct"),
        ([[0, 1]], 1, "`offsets` must be a 1-D array of real numbers"),
        (["a", "b"], 1, "`offsets` must be a 1-D array of real numbers"),
        ([0, 1], 2, r"`order` must be an integer from 0 to len\(offsets\) - 1 = 1, got 2"),
        ([0, 1], -1, "`order` must be an integer"),
        ([0, 1], 1.0, "`order` must be an integer"),
        ([0, 1], True, "`order` must be an integer"),
    ],
)
def test_bad_stencils_are_rejected_with_the_argument_named(offsets, order, message):
    with pytest.raises(ValueError, match=message):
        stencil_weights(offsets, order)
