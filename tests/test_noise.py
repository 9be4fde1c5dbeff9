"""Unit tests for estimate_noise: known noise, counts, the cannot-tell cases, bad input."""

import math

import numpy as np
import pytest

from diffops import estimate_noise
from diffops.noise import noise_levels

SIGMAS = [1e-12, 1e-10, 1e-8, 1e-6, 1e-4]
SMOOTH = {
    "exp": np.exp,
    "sin": np.sin,
    "cubic": lambda x: 1 + x - 2 * x**2 + 0.5 * x**3,
}


def with_noise(f, sigma, salt=0):
    """``f`` plus Gaussian noise of standard deviation ``sigma`` that is fixed for each x.

    The noise at x comes from a generator seeded by the bits of x, so the noisy function is
    a function: the same x gives the same value, as a deterministic simulation does.
    """

    def noisy(x):
        bits = int(np.float64(x).view(np.uint64))
        return f(x) + sigma * np.random.default_rng([salt, bits]).standard_normal()

    return noisy


class Counted:
    """Wraps ``f`` and records each point at which it is called."""

    def __init__(self, f):
        self.f, self.points = f, []

    def __call__(self, x):
        self.points.append(x)
        return self.f(x)


@pytest.mark.parametrize("sigma", SIGMAS)
@pytest.mark.parametrize("name", SMOOTH)
def test_known_noise_is_estimated_within_a_factor_of_three(name, sigma):
    noisy = with_noise(SMOOTH[name], sigma)
    for x in np.linspace(0.25, 1.75, 5):
        ratio = estimate_noise(noisy, x) / sigma
        assert 1 / 3 < ratio < 3, f"{name} + noise {sigma:g} at x = {x}: ratio {ratio:.2f}"


@pytest.mark.parametrize("sigma", SIGMAS)
@pytest.mark.parametrize("name", SMOOTH)
def test_estimates_are_unbiased_over_many_points(name, sigma):
    noisy = with_noise(SMOOTH[name], sigma, salt=1)
    grid = np.linspace(-2, 2, 41) + 0.05  # (none at the zero of sin: see below)
    ratios = np.array([estimate_noise(noisy, x) / sigma for x in grid])
    assert 0.8 < np.median(ratios) < 1.25, np.median(ratios)
    assert np.mean((ratios > 1 / 3) & (ratios < 3)) >= 0.9


def test_rounding_is_the_noise_of_a_library_function():
    sigma = estimate_noise(np.exp, 1.0)
    assert 1e-17 < sigma < 1e-15  # a few units of eps * e / 4


def test_rounding_to_nine_decimals_is_noise_of_one_over_sqrt_twelve():
    sigma = estimate_noise(lambda x: np.round(np.exp(x), 9), 1.0, h=1e-4)
    assert abs(sigma / (1e-9 / math.sqrt(12)) - 1) < 0.5


@pytest.mark.parametrize("points", [4, 5, 8, 11])
def test_f_is_evaluated_once_at_each_of_points_plus_one_points(points):
    f = Counted(with_noise(np.sin, 1e-8))
    estimate_noise(f, 1.0, h=1e-5, points=points)
    assert len(f.points) == points + 1
    assert all(type(x) is float for x in f.points)
    offsets = np.round((np.array(f.points) - 1.0) / 1e-5).astype(int)
    assert offsets.tolist() == list(range(-(points // 2), points - points // 2 + 1))


@pytest.mark.parametrize("x", [0.0, 0.5, -3.0, 250.0])
def test_default_step_is_one_millionth_of_max_one_and_abs_x(x):
    f = Counted(with_noise(np.cos, 1e-9))
    estimate_noise(f, x)
    assert np.isclose(f.points[1] - f.points[0], 1e-6 * max(1.0, abs(x)), rtol=1e-6)
    assert f.points[4] == x


def test_noise_levels_scale_differences_of_pure_noise_to_sigma():
    # gamma_k * (Delta^k e)^2 has mean sigma^2 for every k: check over 200 samples of noise.
    squares = []
    for seed in range(200):
        levels, mixed_signs = noise_levels(1e-3 * np.random.default_rng(seed).standard_normal(31))
        squares.append(levels**2)
        assert np.all(mixed_signs[:8])
    assert np.all(np.abs(np.sqrt(np.mean(squares, axis=0))[:8] / 1e-3 - 1) < 0.05)
    gammas = [math.factorial(k) ** 2 / math.factorial(2 * k) for k in (1, 2, 3)]
    assert np.allclose(gammas, [1 / 2, 1 / 6, 1 / 20])


def test_noise_levels_of_a_polynomial_vanish_beyond_its_degree():
    levels, mixed_signs = noise_levels(np.arange(9.0) ** 2)
    assert levels[0] > 0 and levels[1] > 0
    assert np.all(levels[2:] == 0)
    assert not np.any(mixed_signs)


# --- it says when it cannot tell -------------------------------------------------------------


def test_a_step_too_small_for_quantized_values_is_reported():
    tabulated = lambda x: np.round(np.exp(x), 6)  # noqa: E731
    with pytest.raises(ValueError, match=r"h = 1e-09 .* h is too small .* try h = 1\.0e-07"):
        estimate_noise(tabulated, 1.0, h=1e-9)
    assert estimate_noise(tabulated, 1.0, h=1e-4) > 0  # a larger step sees the rounding


@pytest.mark.parametrize(("repeats", "refused"), [(4, False), (5, True)])
def test_values_are_refused_as_quantized_when_half_of_the_nine_repeat(repeats, refused):
    # As in ECnoise: at least (points + 1) / 2 = 4.5 of the 8 first differences must be zero.
    steps = np.where(np.arange(8) < repeats, 0.0, 1e-9 * np.array([1, -1, 2, -1, 1, -2, 1, -1]))
    values = 1 + np.concatenate([[0.0], np.cumsum(steps)])
    table = lambda x: values[round((x - 1.0) / 1e-6) + 4]  # noqa: E731
    if refused:
        with pytest.raises(ValueError, match=r"at least half of the 9 values of f repeat"):
            estimate_noise(table, 1.0)
    else:
        assert estimate_noise(table, 1.0) > 0


@pytest.mark.parametrize("h", [1e-8, 1e-6, 1e-4])
@pytest.mark.parametrize("where", [-1.5, -0.5, 0.5, 1.5])
def test_a_jump_inside_the_table_passes_for_noise_of_a_fifth_of_the_jump(h, where):
    # A smooth f with a jump J between two of the nine points: J / sqrt(21) from the
    # second differences when both of their entries next to the jump are in the table.
    jump, x = 1e-7, 0.5
    f = lambda t: np.sin(t) + jump * (t > x + where * h)  # noqa: E731
    ratio = estimate_noise(f, x, h=h) / jump
    assert abs(ratio - 1 / math.sqrt(21)) < 0.03, ratio


def test_a_constant_function_is_reported_as_a_step_too_small():
    with pytest.raises(ValueError, match=r"too small to see the noise \(or f is constant"):
        estimate_noise(lambda x: 2.0, 1.0)


@pytest.mark.parametrize(("name", "percent"), [("exp", 55), ("sin", 43)])
def test_values_that_vary_by_more_than_ten_percent_mean_a_step_too_large(name, percent):
    # Over x +- 0.4, (max f - min f) / max |f| is above ECnoise's 0.1, and no order of
    # differences is noise: the message gives the variation as a sign of a step too large.
    noisy = with_noise(SMOOTH[name], 1e-10)
    with pytest.raises(
        ValueError,
        match=rf"h = 0\.1 the values of f vary by {percent}% .* no order .* too large.* 1\.0e-03",
    ):
        estimate_noise(noisy, 1.0, h=0.1)
    assert 1 / 3 < estimate_noise(noisy, 1.0, h=1e-3) / 1e-10 < 3  # h / 100 works


def test_a_smooth_trend_that_hides_the_noise_is_reported_as_a_step_too_large():
    # 10 + e^x varies by 8.6 % over x +- 0.2, within 10 %, but at h = 0.05 its trend is
    # still in every order of differences.
    noisy = with_noise(lambda x: 10 + np.exp(x), 1e-12)
    with pytest.raises(ValueError, match=r"h = 0\.05 no order .* too large; try h = 5\.0e-04"):
        estimate_noise(noisy, 1.0, h=0.05)
    assert 1 / 3 < estimate_noise(noisy, 1.0, h=5e-4) / 1e-12 < 3


@pytest.mark.parametrize("offset", [0, 100])
def test_a_cubic_hides_no_noise_from_its_fourth_differences_even_with_a_large_step(offset):
    # The cubic varies by 115 % over x +- 0.4 (100 + the cubic by 1.1 %), but its fourth
    # differences are noise alone, 1e-10, a ten-billionth of that variation: a trend.
    noisy = with_noise(lambda x: offset + SMOOTH["cubic"](x), 1e-10)
    assert 1 / 3 < estimate_noise(noisy, 1.0, h=0.1) / 1e-10 < 3


def test_an_oscillation_on_the_scale_of_h_is_not_taken_for_noise():
    # sin(1e6 x) at the default h = 1e-6 used to give 0.505: its values vary by 198 %,
    # and that "noise" is a quarter of their variation.
    with pytest.raises(
        ValueError,
        match=r"vary by 198% .* more than 10%, and the noise found, 5\.1e-01, is not small "
        r"beside that variation \(2\.0e\+00\).* oscillates on the scale of h .*try h = 1\.0e-08",
    ):
        estimate_noise(lambda x: np.sin(1e6 * x), 1.0)
    # A small enough step sees its noise: the rounding of 1e6 * x, whose last bit is
    # worth 1.2e-10, times |cos(1e6)| = 0.94.
    sigma = estimate_noise(lambda x: np.sin(1e6 * x), 1.0, h=1e-12)
    assert 1e-11 < sigma < 1.1e-10
    # Turning the check off gives the oscillation back as noise, as asked.
    assert estimate_noise(lambda x: np.sin(1e6 * x), 1.0, check_variation=False) > 0.5


@pytest.mark.parametrize(
    ("f", "zero"),
    [(lambda x: x - 1, 1.0), (np.sin, np.pi), (np.sin, 0.0), (lambda x: np.exp(x) - np.e, 1.0)],
)
def test_noise_at_a_zero_of_f_is_found_at_the_default_step(f, zero):
    # The values straddle 0, so they vary by about 200 % of their size, but that
    # variation is f's trend, 8e-6 |f'| over the points, far above the noise.
    noisy = with_noise(f, 1e-10)
    assert 1 / 3 < estimate_noise(noisy, zero) / 1e-10 < 3


def test_at_a_zero_of_f_a_trend_lost_in_the_noise_asks_for_a_larger_step():
    # sin + noise 1e-8 at 0: the message asks for a change of f over the points above a
    # thousand times the noise found (6.4e-9 here). At h = 1e-9 the trend, 8e-9, is lost
    # in the noise; from h = 1e-5 (a change of 8e-5) it stands out.
    noisy = with_noise(np.sin, 1e-8)
    with pytest.raises(
        ValueError,
        match=r"x is near a zero of f and f's trend is lost in the noise \(take h large enough "
        r"for f to change by more than 6\.4e-06 over the points\)",
    ):
        estimate_noise(noisy, 0.0, h=1e-9)
    for h in [1e-5, 1e-4]:
        assert 1 / 3 < estimate_noise(noisy, 0.0, h=h) / 1e-8 < 3
    # x**2 at 0 has no first-order trend: at the default step its values, below 1.6e-11,
    # are lost in noise of 1e-10; at h = 1e-4 they rise to 1.6e-7, above the 6.7e-8 asked.
    square = with_noise(lambda x: x**2, 1e-10)
    with pytest.raises(ValueError, match=r"to change by more than 6\.7e-08 over the points"):
        estimate_noise(square, 0.0)
    assert 1 / 3 < estimate_noise(square, 0.0, h=1e-4) / 1e-10 < 3


def test_large_relative_noise_is_named_in_the_message_and_the_switch_returns_it():
    # 1 + noise of 0.05: the values vary by about 15 %, all of it noise; no step helps.
    noisy = with_noise(lambda x: 1.0, 0.05)
    with pytest.raises(
        ValueError, match=r"or the noise is really that large.*\(check_variation=False returns it"
    ):
        estimate_noise(noisy, 1.0)
    for h in [1e-6, 1e-3]:
        assert 1 / 3 < estimate_noise(noisy, 1.0, h=h, check_variation=False) / 0.05 < 3


@pytest.mark.parametrize("h", [1e-6, 1e-8])
def test_rounding_of_sin_is_found_at_small_steps_with_nine_points(h):
    sigma = estimate_noise(np.sin, 1.0, h=h)
    assert 0.1 < sigma / (np.finfo(float).eps * np.sin(1.0)) < 0.5  # about a quarter ulp


@pytest.mark.parametrize("points", [4, 8])
def test_differences_that_vanish_exactly_are_reported_with_their_order(points):
    # At h = 1e-10 the values of sin near 1 lie on a line to the last bit.
    with pytest.raises(
        ValueError,
        match=r"h = 1e-10 the differences of order 2 and higher are exact zeros: on these "
        r"points f is a polynomial of degree below 2.*try h = 1\.0e-08",
    ):
        estimate_noise(np.sin, 1.0, h=1e-10, points=points)


def test_a_cubic_computed_exactly_is_reported_as_a_polynomial_not_a_step_too_large():
    # x**3 at 1 + k / 1024 is exact: the fourth differences are zeros, not a trend.
    cube = lambda x: x**3  # noqa: E731
    with pytest.raises(ValueError, match=r"order 4 and higher are exact zeros.* degree below 4"):
        estimate_noise(cube, 1.0, h=2.0**-10)
    assert 0 < estimate_noise(cube, 1.0, h=1e-6) < 1e-15  # a step that is not 2**-k


def test_with_five_points_each_message_leads_to_an_answer():
    # points=4 on sin at x = 1: too large at 1e-6 (the trend is in the second differences),
    # too few points at 1e-8, exact zeros at 1e-10; each message names what works.
    with pytest.raises(ValueError, match=r"h = 1e-06 no order .* too large; try h = 1\.0e-08"):
        estimate_noise(np.sin, 1.0, h=1e-6, points=4)
    with pytest.raises(
        ValueError,
        match=r"orders 2 to 4 agree, as noise's do, but the 3 differences of order 2 all have "
        r"one sign.*try points=8",
    ):
        estimate_noise(np.sin, 1.0, h=1e-8, points=4)
    with pytest.raises(ValueError, match=r"exact zeros.*try h = 1\.0e-08"):
        estimate_noise(np.sin, 1.0, h=1e-10, points=4)
    assert 0.1 < estimate_noise(np.sin, 1.0, h=1e-8, points=8) / np.spacing(np.sin(1.0)) < 0.5
    assert 0.1 < estimate_noise(np.sin, 1.0, h=1e-9, points=4) / np.spacing(np.sin(1.0)) < 0.5


def test_a_single_high_difference_that_vanishes_by_chance_is_not_called_a_polynomial():
    # points=4 on sin at x = 1, h = 1e-4: the one fourth difference is 0 by chance, but
    # the trend fills the first and second differences, so h is too large, not too small.
    with pytest.raises(ValueError, match=r"h = 0\.0001 no order .* too large; try h = 1\.0e-06"):
        estimate_noise(np.sin, 1.0, h=1e-4, points=4)
    values = np.sin(1.0 + 1e-4 * (np.arange(5) - 2))
    levels, _ = noise_levels(values)
    assert levels[3] == 0 and levels[1] > 0  # the chance zero, at the highest order only


# --- bad input -------------------------------------------------------------------------------


def test_f_must_be_callable():
    with pytest.raises(TypeError, match=r"`f` must be callable, got 3"):
        estimate_noise(3, 1.0)


@pytest.mark.parametrize("x", [np.array([1.0, 2.0]), 1 + 2j, np.nan, np.inf, "1.0", True])
def test_x_must_be_one_finite_real_number(x):
    with pytest.raises(ValueError, match=r"`x` must be"):
        estimate_noise(np.exp, x)


@pytest.mark.parametrize("h", [0.0, -1e-3, np.nan, np.inf, "0.1", True, [1e-3]])
def test_h_must_be_a_finite_positive_number(h):
    with pytest.raises(ValueError, match=r"`h` must be a real, finite number > 0"):
        estimate_noise(np.exp, 1.0, h=h)


def test_h_must_separate_the_points():
    with pytest.raises(ValueError, match=r"`h` = 1e-10 is too small to separate the points"):
        estimate_noise(np.exp, 1e10, h=1e-10)


@pytest.mark.parametrize("points", [3, 0, -8, 31, 8.0, 2.5, True, "8", None])
def test_points_must_be_an_integer_from_4_to_30(points):
    with pytest.raises(ValueError, match=r"`points` must be an integer from 4 to 30"):
        estimate_noise(np.exp, 1.0, points=points)


@pytest.mark.parametrize("flag", [1, 0, None, "yes"])
def test_check_variation_must_be_true_or_false(flag):
    with pytest.raises(ValueError, match=r"`check_variation` must be True or False"):
        estimate_noise(np.exp, 1.0, check_variation=flag)


@pytest.mark.parametrize(
    ("f", "message"),
    [
        (lambda x: np.array([x, x]), r"`f` must return one real number .* at x = 0\.999996"),
        (lambda x: complex(x), r"`f` must return one real number"),
        (lambda x: "1", r"`f` must return one real number"),
        (lambda x: np.nan if x > 1 else x, r"`f` is not finite at x = 1\.000001: f\(x\) = nan"),
    ],
)
def test_f_must_return_one_finite_real_number(f, message):
    with pytest.raises(ValueError, match=message):
        estimate_noise(f, 1.0)
