"""Unit tests for richardson: accuracy against scipy, the table, and bad input."""

import numpy as np
import pytest
from scipy.differentiate import derivative as scipy_derivative
from test_finite_differences import CASES

from diffops import central_difference, richardson


@pytest.mark.parametrize(("name", "f", "exact", "x"), CASES, ids=[c[0] for c in CASES])
def test_richardson_is_no_worse_than_scipy_with_no_more_evaluations(name, f, exact, x):
    ours = richardson(f, x)
    theirs = scipy_derivative(f, x)
    our_error = abs(ours.df - exact(x)) / abs(exact(x))
    their_error = abs(theirs.df - exact(x)) / abs(exact(x))
    assert our_error <= their_error, f"{name}: {our_error:.1e} > scipy {their_error:.1e}"
    assert ours.nfev <= theirs.nfev
    assert our_error <= 1e-13


def test_error_estimate_bounds_the_true_error_on_smooth_functions():
    for f, exact, x in [
        (np.exp, np.exp, 0.3),
        (np.sin, np.cos, 2.0),
        (np.log, lambda t: 1 / t, 3.0),
    ]:
        result = richardson(f, x)
        assert abs(result.df - exact(x)) <= max(result.error, 1e-15) * 10


def test_table_first_column_is_central_differences_and_counts_evaluations():
    calls = []

    def f(t):
        calls.append(t)
        return np.sin(t)

    result = richardson(f, 0.7, h=0.4, levels=4, ratio=2.0)
    assert result.table.shape == (4, 4)
    for i in range(4):
        assert result.table[i, 0] == central_difference(np.sin, 0.7, 0.4 / 2**i)
    assert np.all(np.isnan(result.table[np.triu_indices(4, k=1)]))
    assert result.nfev == len(calls) == 8
    # Column 1 cancels the h^2 term: (4 D(h/2) - D(h)) / 3.
    t = result.table
    assert t[1, 1] == pytest.approx((4 * t[1, 0] - t[0, 0]) / 3, rel=1e-15)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"f": 3}, TypeError, "`f` must be callable"),
        ({"x": [1.0, 2.0]}, ValueError, r"`x` must be one finite real number"),
        ({"x": np.nan}, ValueError, r"`x` must be one finite real number"),
        ({"h": 0.0}, ValueError, r"`h` must be a real, finite number > 0, got 0.0"),
        ({"levels": 1}, ValueError, r"`levels` must be an integer >= 2, got 1"),
        ({"levels": 3.0}, ValueError, r"`levels` must be an integer >= 2, got 3.0"),
        ({"ratio": 1}, ValueError, r"`ratio` must be a real, finite number > 1, got 1"),
        ({"ratio": 0.5}, ValueError, r"`ratio` must be a real, finite number > 1, got 0.5"),
        ({"ratio": np.inf}, ValueError, r"`ratio` must be a real, finite number > 1, got inf"),
    ],
)
def test_bad_input_is_rejected_with_the_argument_named(kwargs, error, message):
    arguments = {"f": np.exp, "x": 1.0} | kwargs
    with pytest.raises(error, match=message):
        richardson(**arguments)
