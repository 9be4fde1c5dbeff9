"""The noise in a computed function, estimated from a table of differences."""

import numbers

import numpy as np

from ._validation import as_scalar, check_flag, check_function, check_step

#: The default relative step of :func:`estimate_noise`: ``h = NOISE_STEP * max(1, |x|)``.
NOISE_STEP = 1e-6

#: Neighbouring noise levels must agree within this factor (Moré and Wild's choice).
AGREEMENT = 4.0

#: The values of f may vary by at most this fraction of their size over the points
#: (Moré and Wild's choice), unless the variation is a trend: see ``TREND``.
VARIATION = 0.1

#: Values that vary by more than ``VARIATION`` pass if the noise found is below this
#: fraction of their variation: the variation is then a trend that the differences removed.
TREND = 1e-3


def _check_points(points):
    """Return ``points`` as an int, or raise ValueError unless it is an integer in 4..30.

    Beyond 30 the high differences of noise (binomial coefficients of ``2k`` over ``k``)
    grow past any use, and far beyond they overflow.
    """
    is_int = isinstance(points, numbers.Integral) and not isinstance(points, (bool, np.bool_))
    if not (is_int and 4 <= points <= 30):
        raise ValueError(f"`points` must be an integer from 4 to 30, got {points!r}.")
    return int(points)


def _value(f, point):
    """Return ``f(point)`` as a float, or raise ValueError unless it is one finite real."""
    value = np.asarray(f(point))
    if value.ndim != 0 or value.dtype.kind not in "iuf":
        raise ValueError(
            f"`f` must return one real number for `estimate_noise`, got {value!r} "
            f"at x = {point!r}."
        )
    if not np.isfinite(value):
        raise ValueError(f"`f` is not finite at x = {point!r}: f(x) = {value.item()!r}.")
    return float(value)


def noise_levels(values):
    """Return the noise level estimated from each order of differences of ``values``.

    Entry ``k - 1`` is ``sqrt(gamma_k * mean((Delta^k f)**2))`` with
    ``gamma_k = (k!)**2 / (2k)!``, for ``k = 1, ..., len(values) - 1``. The second
    array says whether the ``k``-th differences take both signs.
    """
    levels, mixed_signs = [], []
    differences, gamma = np.asarray(values, dtype=float), 1.0
    for k in range(1, differences.size):
        differences = np.diff(differences)
        gamma *= k / (2 * (2 * k - 1))  # (k!)^2 / (2k)! from its value at k - 1
        levels.append(np.sqrt(gamma * np.mean(differences**2)))
        mixed_signs.append(differences.min() < 0 < differences.max())
    return np.array(levels), np.array(mixed_signs)


def estimate_noise(f, x, h=None, points=8, check_variation=True):
    """Estimate the standard deviation of the noise in ``f`` near ``x``.

    Parameters
    ----------
    f : callable
        A function of one real variable, called once per point with a Python float
        and returning one real number (it need not act elementwise: a simulation
        rarely does).
    x : float
        The point.
    h : float or None, optional
        The spacing of the points, a real, finite number > 0. The default, None,
        takes ``1e-6 * max(1, |x|)`` (``NOISE_STEP``).
    points : int, optional
        The number of steps in the table, an integer from 4 to 30: ``f`` is evaluated at the
        ``points + 1`` points ``x + i h`` for ``i = -(points // 2), ...,
        points - points // 2`` (``x - 4h, ..., x + 4h`` for the default 8).
    check_variation : bool, optional
        If True (the default), refuse values that vary by more than 10 % of their size
        unless the noise found is below a thousandth of their variation (see Notes).

    Returns
    -------
    sigma : float
        The estimated standard deviation of the noise, in the units of ``f``. Divide
        by ``|f(x)|`` for the relative noise, the ``eps_f`` of the error models.

    Raises
    ------
    TypeError
        If ``f`` is not callable.
    ValueError
        If ``x`` is not one finite real number, ``h`` is not None or a real,
        finite number > 0, or is too small to separate the points, ``points`` is
        not an integer from 4 to 30, or ``f`` returns something other than one finite real
        number. Also when the table cannot tell the noise, with a message that says
        why and what to try: at least half of the ``points + 1`` values repeat their
        neighbour (``h`` too small: the values are quantized at this scale); the
        differences vanish exactly from some order on (``f`` is a polynomial on these
        points, with no noise to see); the orders whose estimates agree have
        differences of one sign (too few points to tell noise from a trend); no order
        of differences is dominated by noise (``h`` too large: ``f``'s own smooth
        variation hides the noise); or, with ``check_variation``, the values vary by
        more than 10 % of their size and the noise found is not small beside that
        variation (an oscillation on the scale of ``h``, a zero of ``f`` whose trend
        is lost in the noise at this ``h``, or relative noise above a few percent).

    Notes
    -----
    If ``f = s + e``, with ``s`` smooth and ``e`` independent noise of standard
    deviation ``sigma``, the ``k``-th differences of the values are ``h**k s^(k)``
    plus differences of the noise, whose variance is ``binom(2k, k) sigma**2``. So
    ``gamma_k * mean((Delta^k f)**2)``, with ``gamma_k = (k!)**2 / (2k)!``,
    estimates ``sigma**2`` as soon as ``h**k s^(k)`` is negligible (Hamming's
    difference table). The function accepts the first order ``k`` at which the
    estimates for ``k``, ``k + 1`` and ``k + 2`` agree within a factor of 4 and the
    ``k``-th differences take both signs, as Moré and Wild's ECnoise does: a smooth
    trend gives differences of one sign that shrink from one order to the next.
    Only orders ``k <= points - 2`` can be accepted: with ``points=4`` (five values)
    the second differences must already be noise, which needs a small ``h``, and
    three of them often share a sign by chance; ECnoise advises at least seven values.

    An oscillation of ``f`` on the scale of ``h`` (``sin(1e6 x)`` at ``h = 1e-6``)
    can give differences of both signs and of levels that agree, as noise does.
    ECnoise guards against it by refusing values that vary by more than 10 % of
    their size over the points, which also refuses every ``h`` at a zero of ``f``.
    Here such values are refused only if the noise found is above a thousandth of
    their variation (max minus min): a variation a thousand times the noise is a
    trend, which the differences removed. Near a zero of ``f``, ``h`` must make the
    trend over the points, about ``points * h * |f'|``, that large. Noise alone
    varies by about three times its level over nine points, so relative noise above
    about 3 % is still refused, with a message that names it as a
    possible cause (``check_variation=False`` returns the estimate). An oscillation
    around a constant more than about ten times its amplitude can pass for noise:
    keep ``h`` well below the scale on which ``f`` oscillates.

    The default ``h`` is far below the scale on which a function of order one
    changes, so the trend is gone by the third or fourth differences, and far above
    the spacing of floats, so noise as small as rounding still shows. A jump of
    ``f`` between two of the points, such as an adaptive solver makes where one of
    its discrete decisions changes, passes for noise too: a jump ``J`` inside the
    table gives second and higher differences of both signs and of nearly equal
    levels, and the estimate is about ``J / 5`` whatever ``h`` (``J / sqrt(21)``
    from the second differences of the default nine values). The estimate
    describes ``f`` at the scale ``h``.

    References
    ----------
    R. W. Hamming, *Numerical Methods for Scientists and Engineers*, 2nd ed.,
    McGraw-Hill, 1973. J. J. Moré and S. M. Wild, "Estimating computational noise",
    SIAM J. Sci. Comput. 33(3), 1292-1314, 2011.

    Examples
    --------
    >>> import numpy as np
    >>> from diffops import estimate_noise
    >>> def tabulated(x):  # e^x rounded to nine decimals: noise of 1e-9 / sqrt(12)
    ...     return np.round(np.exp(x), 9)
    >>> print(f"{estimate_noise(tabulated, 1.0, h=1e-4):.1e}")
    3.0e-10
    >>> estimate_noise(np.exp, 1.0, h=0.1)
    Traceback (most recent call last):
        ...
    ValueError: cannot tell the noise: with h = 0.1 the values of f vary by 55% of ...
    """
    check_function(f)
    x = as_scalar(x)
    points = _check_points(points)
    check_flag("check_variation", check_variation)
    h = NOISE_STEP * max(1.0, abs(x)) if h is None else check_step(h)
    grid = x + h * (np.arange(points + 1) - points // 2)
    if np.any(np.diff(grid) <= 0):
        raise ValueError(
            f"`h` = {h!r} is too small to separate the points near x = {x!r}: "
            "x + h rounds back to x. Use a larger step (or h=None)."
        )
    values = np.array([_value(f, float(point)) for point in grid])
    if np.count_nonzero(np.diff(values) == 0) >= (points + 1) / 2:  # as ECnoise
        raise ValueError(
            f"cannot tell the noise: with h = {h!r} at least half of the {points + 1} "
            "values of f repeat their neighbour, so h is too small to see the noise "
            f"(or f is constant here); try h = {100 * h:.1e}."
        )
    levels, mixed_signs = noise_levels(values)
    for k in range(points - 2):
        window = levels[k : k + 3]
        if mixed_signs[k] and window.max() <= AGREEMENT * window.min():
            if check_variation:
                _check_variation(levels[k], values, h)
            return float(levels[k])
    raise ValueError(_why_no_order(levels, values, h, points))


def _variation(values):
    """How much the values vary over the points, max minus min, as a fraction of their size."""
    return (values.max() - values.min()) / np.max(np.abs(values))


def _check_variation(sigma, values, h):
    """Raise ValueError if the values vary by more than 10 % of their size and the noise
    ``sigma`` is above a thousandth of that variation (so it is no trend's).

    f's own variation over the points, an oscillation on the scale of h, may then be
    what the differences took for noise.
    """
    spread = values.max() - values.min()
    if _variation(values) > VARIATION and sigma > TREND * spread:
        raise ValueError(
            f"cannot tell the noise: with h = {h!r} the values of f vary by "
            f"{_variation(values):.0%} of their size over the {values.size} points, more "
            f"than {VARIATION:.0%}, and the noise found, {sigma:.1e}, is not small beside "
            f"that variation ({spread:.1e}), so it may be f's own variation. Either f "
            f"oscillates on the scale of h and h is too large (try h = {h / 100:.1e}), or "
            "x is near a zero of f and f's trend is lost in the noise (take h large "
            f"enough for f to change by more than {sigma / TREND:.1e} over the points), "
            "or the noise is really that large, a few percent of f or more "
            "(check_variation=False returns it)."
        )


def _why_no_order(levels, values, h, points):
    """The message for a table in which no order of differences passes as noise.

    Exact zeros tell only at orders with three or more differences (``k <= points - 2``):
    one or two higher differences can vanish by chance.
    """
    vanished = levels[: points - 2] == 0
    if np.any(vanished):
        k = int(np.argmax(vanished)) + 1
        return (
            f"cannot tell the noise: with h = {h!r} the differences of order {k} and "
            f"higher are exact zeros: on these points f is a polynomial of degree below "
            f"{k}, with no visible noise. Either h is too small for f's rounding to "
            f"change from point to point (try h = {100 * h:.1e}), or f is computed "
            "exactly at these points, as a low-degree polynomial is at short binary "
            "fractions (its noise there is zero; a step that is not a power of two "
            "shows its rounding nearby)."
        )
    agree = [
        k + 1
        for k in range(points - 2)
        if levels[k : k + 3].max() <= AGREEMENT * levels[k : k + 3].min()
    ]
    if agree:
        k = agree[0]
        return (
            f"cannot tell the noise: with h = {h!r} the estimates from orders {k} to "
            f"{k + 2} agree, as noise's do, but the {points + 1 - k} differences of order "
            f"{k} all have one sign, as a smooth trend's do; more points can tell them "
            f"apart (try points={min(2 * points, 30)}), or else h is too large (try h = "
            f"{h / 100:.1e})."
        )
    varies = (
        f" the values of f vary by {_variation(values):.0%} of their size over the "
        f"{values.size} points, more than {VARIATION:.0%}, and"
        if _variation(values) > VARIATION
        else ""
    )
    return (
        f"cannot tell the noise: with h = {h!r}{varies} no order of differences of f is "
        "dominated by noise, so f's smooth variation hides it and h is too large; "
        f"try h = {h / 100:.1e}."
    )
