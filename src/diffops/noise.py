"""The noise in a computed function, estimated from a table of differences."""

import numbers

import numpy as np

from ._validation import as_scalar, check_function, check_step

#: The default relative step of :func:`estimate_noise`: ``h = NOISE_STEP * max(1, |x|)``.
NOISE_STEP = 1e-6

#: Neighbouring noise levels must agree within this factor (Moré and Wild's choice).
AGREEMENT = 4.0

#: The values of f may vary by at most this fraction of their size over the points
#: (Moré and Wild's choice): beyond it, h is too large for noise to show.
VARIATION = 0.1


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


def estimate_noise(f, x, h=None, points=8):
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
        why and what to try: the values vary by more than 10 % of their size (``h``
        too large, or ``x`` near a zero of ``f``); at least half of the ``points + 1``
        values repeat their neighbour (``h`` too small: the values are quantized at
        this scale); the differences vanish exactly from some order on (``f`` is a
        polynomial on these points, with no noise to see); the orders whose
        estimates agree have differences of one sign (too few points to tell noise
        from a trend); or no order of differences is dominated by noise (``h`` too
        large: ``f``'s own smooth variation hides the noise).

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
    Before that, like ECnoise, it refuses values that vary by more than 10 % of their
    size over the points, so that the noise is sought only where ``f``'s own
    variation is small; near a zero of ``f`` it refuses every ``h``. Only orders
    ``k <= points - 2`` can be accepted: with ``points=4`` (five values) the second
    differences must already be noise, which needs a small ``h``, and three of them
    often share a sign by chance; ECnoise advises at least seven values.

    The default ``h`` is far below the scale on which a function of order one
    changes, so the trend is gone by the third or fourth differences, and far above
    the spacing of floats, so noise as small as rounding still shows. A step
    comparable to the scale on which ``f`` oscillates can pass for noise unless the
    10 % check sees it (it does not when ``f`` oscillates around a large constant):
    keep ``h`` well below that scale. So can a jump of ``f`` between two of the
    points, such as an adaptive solver makes where one of its discrete decisions
    changes: a jump ``J`` inside the table gives second and higher differences of
    both signs and of nearly equal levels, and the estimate is about ``J / 5``
    whatever ``h`` (``J / sqrt(21)`` from the second differences of the default nine
    values). The
    estimate describes ``f`` at the scale ``h``.

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
    h = NOISE_STEP * max(1.0, abs(x)) if h is None else check_step(h)
    grid = x + h * (np.arange(points + 1) - points // 2)
    if np.any(np.diff(grid) <= 0):
        raise ValueError(
            f"`h` = {h!r} is too small to separate the points near x = {x!r}: "
            "x + h rounds back to x. Use a larger step (or h=None)."
        )
    values = np.array([_value(f, float(point)) for point in grid])
    _check_variation(values, h)
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
            return float(levels[k])
    raise ValueError(_why_no_order(levels, h, points))


def _check_variation(values, h):
    """Raise ValueError, as ECnoise does, if the values vary by more than 10 % of their size.

    Noise is then hidden behind f's own variation over the points, or the points
    straddle a zero of f, where no step makes the relative variation small.
    """
    low, high = values.min(), values.max()
    size = max(abs(low), abs(high))
    if high - low > VARIATION * size:
        raise ValueError(
            f"cannot tell the noise: with h = {h!r} the values of f vary by "
            f"{(high - low) / size:.0%} of their size over the {values.size} points, "
            f"more than {VARIATION:.0%}, so h is too large to see the noise beside f's "
            f"own variation; try h = {h / 100:.1e} (near a zero of f no step is small "
            "enough: estimate the noise at a point where f is not small)."
        )


def _why_no_order(levels, h, points):
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
    return (
        f"cannot tell the noise: with h = {h!r} no order of differences of f is "
        "dominated by noise, so f's smooth variation hides it and h is too large; "
        f"try h = {h / 100:.1e}."
    )
