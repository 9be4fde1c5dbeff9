"""Unit tests for the difference formulas, the methods of `derivative`, and their steps."""

import math

import numpy as np
import pytest

from diffops import (
    STEP_SCALES,
    backward_difference,
    central_difference,
    complex_step,
    default_step,
    derivative,
    five_point_difference,
    forward_difference,
    second_derivative,
)

EPS = np.finfo(float).eps
FORMULAS = {
    "forward": forward_difference,
    "backward": backward_difference,
    "central": central_difference,
    "central4": five_point_difference,
    "complex": complex_step,
}


def cube(x):
    return x**3


# The accuracy promise of the book (issue 3): relative error at the default step.
CASES = [
    ("exp at 1", np.exp, np.exp, 1.0),
    ("sin at 1", np.sin, np.cos, 1.0),
    ("x^3 at 1", cube, lambda x: 3 * x**2, 1.0),
    ("x^3 at 1000", cube, lambda x: 3 * x**2, 1000.0),
]
BOUNDS = {
    "forward": 1e-7,
    "backward": 1e-7,
    "central": 1e-10,
    "central4": 1e-12,
    "complex": 4 * EPS,
}


@pytest.mark.parametrize("method", BOUNDS)
@pytest.mark.parametrize(("name", "f", "exact", "x"), CASES, ids=[c[0] for c in CASES])
def test_default_step_meets_the_accuracy_promise(method, name, f, exact, x):
    relative_error = abs(derivative(f, method=method)(x) - exact(x)) / abs(exact(x))
    assert relative_error <= BOUNDS[method], f"{method} on {name}: {relative_error:.1e}"


# Each formula is exact (to round-off) on polynomials up to its degree, and not beyond.
DEGREES = {"forward": 1, "backward": 1, "central": 2, "central4": 4, "complex": 2}


@pytest.mark.parametrize("method", DEGREES)
def test_formula_is_exact_on_polynomials_up_to_its_degree(method):
    rng = np.random.default_rng(7)
    x = np.linspace(-2, 2, 9)
    h = 0.25  # a large step: only exactness, not a small h, can make the error tiny
    degree = DEGREES[method]
    coefficients = rng.uniform(1, 2, size=degree + 2)  # highest power first
    exact_poly = np.poly1d(coefficients[1:])  # degree `degree`
    higher_poly = np.poly1d(coefficients)  # degree `degree + 1`
    for poly, should_be_exact in [(exact_poly, True), (higher_poly, False)]:
        error = np.max(np.abs(FORMULAS[method](poly, x, h) - poly.deriv()(x)))
        assert (error < 1e-12) == should_be_exact, f"{method}, degree {poly.order}: {error:.1e}"


def test_second_derivative_is_exact_on_cubics_and_not_on_quartics():
    x = np.linspace(-2, 2, 9)
    cubic = np.poly1d([1.5, -2.0, 0.5, 3.0])
    quartic = np.poly1d([0.7, 1.5, -2.0, 0.5, 3.0])
    assert np.allclose(second_derivative(cubic, 0.25)(x), cubic.deriv(2)(x), rtol=0, atol=1e-12)
    error = np.max(np.abs(second_derivative(quartic, 0.25)(x) - quartic.deriv(2)(x)))
    # h^2 f''''/12 = 0.0625 * 0.7 * 24 / 12, the same at every x.
    assert error == pytest.approx(0.0625 * 0.7 * 24 / 12, rel=1e-9)


@pytest.mark.parametrize(
    ("method", "order"), [("forward", 1), ("backward", 1), ("central", 2), ("central4", 4)]
)
def test_error_falls_with_the_order_of_the_formula(method, order):
    errors = [abs(FORMULAS[method](np.exp, 0.5, h) - np.exp(0.5)) for h in (0.02, 0.01)]
    assert errors[0] / errors[1] == pytest.approx(2**order, rel=0.05)


def test_second_derivative_default_step_gives_about_eight_digits():
    for f, exact, x in [(np.sin, lambda t: -np.sin(t), 1.0), (np.exp, np.exp, 2.0)]:
        assert abs(second_derivative(f)(x) - exact(x)) / abs(exact(x)) < 1e-7
    step = EPS**0.25 * 30.0
    assert second_derivative(cube)(30.0) == second_derivative(cube, step)(30.0)


# --- steps ---------------------------------------------------------------------------------


def test_default_step_scales_with_abs_x_beyond_one():
    assert default_step(0.3, "central") == EPS ** (1 / 3)
    assert default_step(-1000.0, "central") == pytest.approx(1000 * EPS ** (1 / 3), rel=1e-15)
    assert np.array_equal(default_step([0.0, 2.0]), np.sqrt(EPS) * np.array([1.0, 2.0]))
    assert set(STEP_SCALES) == {*FORMULAS, "second"}


@pytest.mark.parametrize("method", list(FORMULAS))
def test_derivative_without_h_uses_default_step(method):
    x = np.array([0.5, -7.0, 300.0])
    by_hand = FORMULAS[method](np.sin, x, default_step(x, method))
    assert np.array_equal(derivative(np.sin, method=method)(x), by_hand)


@pytest.mark.parametrize("formula", [forward_difference, backward_difference, central_difference])
@pytest.mark.parametrize("x", [0.1, 1.0 / 3.0, 7.3, 1e5])
def test_quotient_divides_by_the_step_really_taken(formula, x):
    # For f(x) = x every quotient is exactly 1 if it divides by the distance between
    # the points used, whatever rounding x + h suffered.
    h = 1e-9
    assert formula(lambda t: t, x, h) == 1.0
    assert (x + h) - x != h or (x - h) - x != -h  # rounding did happen


def test_steps_may_differ_from_point_to_point():
    x = np.array([1.0, 2.0])
    h = np.array([1e-3, 1e-1])
    assert np.allclose(forward_difference(cube, x, h), 3 * x**2 + 3 * x * h + h**2, atol=1e-9)


def test_many_steps_at_one_point_broadcast():
    h = np.array([1e-1, 1e-2])
    assert np.array_equal(
        central_difference(np.exp, 0.0, h),
        [central_difference(np.exp, 0.0, 1e-1), central_difference(np.exp, 0.0, 1e-2)],
    )


def test_step_array_of_wrong_shape_is_rejected():
    with pytest.raises(ValueError, match=r"`h` of shape \(2,\) does not broadcast against x"):
        central_difference(np.sin, np.zeros(3), np.ones(2) * 1e-3)
    # One message for every bad step, a number, a 0-d array or an array of steps.
    array_rule = r"`h` must be a real, finite number > 0, or an array of such numbers, got "
    with pytest.raises(ValueError, match=array_rule + r"\['a', 'b'\]"):
        central_difference(np.sin, np.zeros(2), ["a", "b"])
    with pytest.raises(ValueError, match=array_rule + r"array\(\[ 0.001, -0.001\]\)"):
        central_difference(np.sin, np.zeros(2), np.array([1e-3, -1e-3]))
    with pytest.raises(ValueError, match=r"`h` must be a real, finite number > 0, got array\(-1"):
        central_difference(np.sin, np.zeros(2), np.array(-1.0))


@pytest.mark.parametrize(
    "formula", [forward_difference, central_difference, five_point_difference]
)
def test_step_too_small_to_move_x_is_rejected(formula):
    with pytest.raises(ValueError, match=r"`h` = 0.0001 is too small to change x = 1e\+20"):
        formula(np.sin, 1e20, 1e-4)


@pytest.mark.parametrize("bad_method", ["Central", "five-point", None, 4])
def test_unknown_method_is_rejected_by_name(bad_method):
    with pytest.raises(ValueError, match=r"`method` must be one of 'forward', 'backward'") as e:
        derivative(np.sin, method=bad_method)
    assert repr(bad_method) in str(e.value)
    with pytest.raises(ValueError, match=r"`method` must be one of"):
        default_step(1.0, bad_method)


@pytest.mark.parametrize("formula", list(FORMULAS.values()))
def test_formulas_validate_f_x_and_h(formula):
    with pytest.raises(TypeError, match=r"`f` must be callable, got 3"):
        formula(3, 1.0, 1e-3)
    with pytest.raises(ValueError, match=r"`x` must be a real number"):
        formula(np.sin, "1.0", 1e-3)
    with pytest.raises(ValueError, match=r"`h` must be a real, finite number > 0, got -0.1"):
        formula(np.sin, 1.0, -0.1)
    with pytest.raises(ValueError, match=r"`f` is not finite at x = 0.0"):
        formula(lambda t: t * np.inf, np.array([0.0]), 1e-3)


# --- complex step -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("f", "exact", "x"),
    [
        (np.exp, np.exp, 1.0),
        (np.sin, np.cos, 1.0),
        (cube, lambda t: 3 * t**2, 1.0),
        (cube, lambda t: 3 * t**2, 1000.0),
    ],
)
def test_complex_step_is_within_one_unit_in_the_last_place(f, exact, x):
    value = complex_step(f, x, 1e-20)
    assert abs(value - exact(x)) <= np.spacing(exact(x))


@pytest.mark.parametrize(
    ("f", "reason"),
    [
        (np.abs, "imaginary part was lost"),
        (lambda t: np.sqrt(t.real**2), "imaginary part was lost"),
        (math.sin, "cannot take complex input"),
        (lambda t: np.asarray(t, dtype=float) ** 2, "cannot take complex input"),
        (lambda t: np.array([float(v) for v in np.atleast_1d(t)]), "cannot take complex input"),
    ],
    ids=["np.abs", ".real", "math.sin", "cast to float", "float()"],
)
def test_complex_step_refuses_functions_that_drop_the_imaginary_part(f, reason):
    with pytest.raises(ValueError, match=reason) as error:
        derivative(f, method="complex")(np.array([1.0]))
    assert "method='complex' needs" in str(error.value)


def test_complex_step_checks_shape_and_finiteness():
    with pytest.raises(ValueError, match=r"`f` must act elementwise"):
        complex_step(lambda t: np.ones(3, complex), np.zeros(2), 1e-20)
    with pytest.raises(ValueError, match=r"`f` is not finite at x = 0.0: f\(x \+ ih\)"):
        complex_step(lambda t: t * np.inf, np.array([0.0]), 1e-20)
