"""Unit tests for gradient, jacobian, hessian, hessian_vector_product, directional_derivative."""

import numpy as np
import pytest
from test_diffops import counted

from diffops import (
    directional_derivative,
    gradient,
    hessian,
    hessian_vector_product,
    jacobian,
)

EPS = np.finfo(float).eps
RNG = np.random.default_rng(3)
X = RNG.uniform(-2, 2, size=6)


def wavy(x):
    """A smooth function of n variables with a known gradient and Hessian."""
    return np.sum(x**2) + np.sum(np.sin(x)) + x[0] * x[-1]


def wavy_gradient(x):
    g = 2 * x + np.cos(x)
    g[0] += x[-1]
    g[-1] += x[0]
    return g


def wavy_hessian(x):
    h = np.diag(2 - np.sin(x))
    h[0, -1] += 1
    h[-1, 0] += 1
    return h


# --- gradient -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "tolerance"), [("forward", 1e-6), ("central", 1e-9), ("complex", 1e-14)]
)
def test_gradient_methods_reach_their_accuracy(method, tolerance):
    approx = gradient(wavy, method=method)(X)
    exact = wavy_gradient(X)
    assert np.linalg.norm(approx - exact) / np.linalg.norm(exact) < tolerance


@pytest.mark.parametrize(("method", "count"), [("forward", 8), ("central", 14), ("complex", 7)])
def test_gradient_evaluation_counts_are_n_plus_one_2n_and_n(method, count):
    f, calls = counted(wavy)
    gradient(f, method=method)(np.linspace(-1, 1, 7))
    assert len(calls) == count


def test_gradient_default_step_is_sqrt_eps_times_max_1_abs_x_as_a_power_of_two():
    x = np.array([0.5, -3.0, 200.0])
    f, calls = counted(wavy)
    gradient(f)(x)
    steps = np.array([calls[i + 1][i] - x[i] for i in range(3)])  # the steps taken
    assert np.array_equal(np.log2(steps), np.round(np.log2(steps)))  # powers of two
    ratio = steps / (np.sqrt(EPS) * np.array([1.0, 3.0, 200.0]))
    assert np.all((ratio > 2**-0.5) & (ratio < 2**0.5))


def test_gradient_with_a_fixed_step_uses_it_on_every_coordinate():
    f, calls = counted(wavy)
    gradient(f, h=1e-3, method="central")(X)
    for i in range(X.size):
        assert calls[2 * i][i] - X[i] == pytest.approx(1e-3, rel=1e-9)
        assert calls[2 * i + 1][i] - X[i] == pytest.approx(-1e-3, rel=1e-9)


def test_complex_gradient_refuses_a_function_that_drops_the_imaginary_part():
    with pytest.raises(ValueError, match=r"imaginary part was lost"):
        gradient(lambda x: np.sum(np.abs(x)), method="complex")(X)
    with pytest.raises(ValueError, match=r"cannot take complex input"):
        gradient(lambda x: float(x[0]), method="complex")(X)


@pytest.mark.parametrize("method", ["forward", "central", "complex"])
def test_gradient_names_the_shape_when_f_returns_a_vector(method):
    with pytest.raises(
        ValueError, match=r"(?s)real scalar for `gradient`, got .*\(shape \(6,\)\)"
    ):
        gradient(np.sin, method=method)(X)


@pytest.mark.parametrize("bad_x", [np.ones((2, 3)), np.float64(1.0)], ids=["2-D", "0-D"])
def test_gradient_names_the_shape_of_an_x_that_is_not_1d(bad_x):
    with pytest.raises(ValueError, match=r"`x` must be a non-empty 1-D array, got shape"):
        gradient(wavy)(bad_x)


@pytest.mark.parametrize("bad_method", ["central4", "backward", "Forward"])
def test_gradient_rejects_methods_it_does_not_have(bad_method):
    with pytest.raises(
        ValueError, match=r"`method` must be one of 'forward', 'central', 'complex'"
    ):
        gradient(wavy, method=bad_method)


# --- jacobian -----------------------------------------------------------------------------


def spiral(p):
    """R^3 -> R^2."""
    r, theta, z = p
    return np.array([r * np.cos(theta) + z**2, r * np.sin(theta) * z])


def spiral_jacobian(p):
    r, theta, z = p
    return np.array(
        [
            [np.cos(theta), -r * np.sin(theta), 2 * z],
            [np.sin(theta) * z, r * np.cos(theta) * z, r * np.sin(theta)],
        ]
    )


@pytest.mark.parametrize(
    ("method", "tolerance", "count"),
    [("forward", 1e-6, 4), ("central", 1e-9, 6), ("complex", 1e-14, 3)],
)
def test_jacobian_matches_the_analytic_matrix_with_the_right_count(method, tolerance, count):
    p = np.array([1.5, 0.7, -0.4])
    f, calls = counted(spiral)
    approx = jacobian(f, method=method)(p)
    assert approx.shape == (2, 3)
    assert np.max(np.abs(approx - spiral_jacobian(p))) < tolerance
    assert len(calls) == count


def test_jacobian_of_a_linear_map_is_its_matrix():
    a = RNG.normal(size=(4, 3))
    assert np.allclose(jacobian(lambda x: a @ x, h=0.5)(np.ones(3)), a, rtol=0, atol=1e-14)


def test_jacobian_rejects_scalar_output_and_changing_lengths():
    with pytest.raises(ValueError, match=r"1-D real array for `jacobian`, got .*shape \(\)"):
        jacobian(wavy)(X)
    with pytest.raises(ValueError, match=r"arrays of one length, got shapes \[\(1,\), \(2,\)\]"):
        jacobian(lambda x: np.ones(1 + (x[0] > 0.5)))(np.array([0.5, 1.0]))


# --- hessian ------------------------------------------------------------------------------


def test_central_hessian_is_exact_on_quadratics():
    a = RNG.normal(size=(5, 5))
    a = a + a.T
    b = RNG.normal(size=5)
    x = RNG.normal(size=5)
    hess = hessian(lambda v: 0.5 * v @ a @ v + b @ v, h=0.5)(x)
    assert np.allclose(hess, a, rtol=0, atol=1e-12)
    assert np.allclose(hessian(lambda v: 0.5 * v @ a @ v + b @ v)(x), a, rtol=0, atol=1e-6)


def test_hessian_is_symmetric_accurate_and_uses_2n_squared_plus_1_points():
    f, calls = counted(wavy)
    hess = hessian(f)(X)
    assert np.array_equal(hess, hess.T)
    assert np.max(np.abs(hess - wavy_hessian(X))) < 1e-6
    assert len(calls) == 2 * X.size**2 + 1


def test_hessian_checks_its_arguments():
    with pytest.raises(ValueError, match=r"`h` must be a real, finite number > 0, got -1"):
        hessian(wavy, h=-1)
    with pytest.raises(ValueError, match=r"real scalar for `hessian`"):
        hessian(np.sin)(X)


# --- Hessian-vector products and directional derivatives ----------------------------------


def test_hessian_vector_product_is_exact_for_quadratics_and_close_otherwise():
    a = RNG.normal(size=(4, 4))
    a = a + a.T
    v = RNG.normal(size=4)
    x = RNG.normal(size=4)
    assert np.allclose(hessian_vector_product(lambda y: a @ y, x, v), a @ v, atol=1e-9)
    approx = hessian_vector_product(wavy_gradient, X, X[::-1])
    assert np.allclose(approx, wavy_hessian(X) @ X[::-1], atol=1e-8)


def test_hessian_vector_product_names_mismatched_shapes():
    with pytest.raises(ValueError, match=r"`grad` must return an array shaped like x \(6,\), got"):
        hessian_vector_product(lambda y: y[:3], X, X)
    with pytest.raises(ValueError, match=r"`v` must have the shape of x \(6,\), got shape \(2,\)"):
        hessian_vector_product(wavy_gradient, X, np.ones(2))
    with pytest.raises(ValueError, match=r"`v` must not be the zero vector"):
        hessian_vector_product(wavy_gradient, X, np.zeros(6))
    with pytest.raises(TypeError, match=r"`grad` must be callable"):
        hessian_vector_product(None, X, X)


@pytest.mark.parametrize(
    ("method", "count", "tolerance"),
    [("forward", 2, 1e-6), ("central", 2, 1e-9), ("central4", 4, 1e-11), ("complex", 1, 1e-14)],
)
def test_directional_derivative_costs_a_fixed_count_whatever_n(method, count, tolerance):
    x = RNG.uniform(-1, 1, size=1000)
    v = RNG.normal(size=1000)
    f, calls = counted(wavy)
    value = directional_derivative(f, x, v, method=method)
    exact = wavy_gradient(x) @ v
    assert abs(value - exact) / abs(exact) < tolerance
    assert len(calls) == count


def test_directional_derivative_names_mismatched_shapes():
    with pytest.raises(ValueError, match=r"`v` must have the shape of x \(6,\), got shape \(5,\)"):
        directional_derivative(wavy, X, np.ones(5))
    with pytest.raises(ValueError, match=r"real scalar for `directional_derivative`"):
        directional_derivative(np.sin, X, X)


def test_gradient_and_jacobian_divide_by_the_step_asked_for_hessian_by_the_step_taken():
    # At 0.1 the step 1e-3 is not representable: the step taken differs from h.
    x, h = np.array([0.1, 0.3]), 1e-3
    taken = (x + h) - x
    assert np.all(taken != h)
    # f(v) = v_0: the forward quotient is exactly (step taken) / (divisor).
    assert gradient(lambda v: v[0], h=h)(x)[0] == taken[0] / h
    assert np.array_equal(np.diag(jacobian(lambda v: v, h=h)(x)), taken / h)

    def half_square(v):
        return v[0] ** 2 / 2

    step = np.array([taken[0], 0.0])
    difference = half_square(x + step) - 2 * half_square(x) + half_square(x - step)
    assert hessian(half_square, h=h)(x)[0, 0] == difference / taken[0] ** 2
    assert difference / taken[0] ** 2 != difference / h**2
