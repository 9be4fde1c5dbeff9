"""Richardson extrapolation of the central difference."""

from typing import NamedTuple

import numpy as np

from ._validation import (
    as_scalar,
    check_function,
    check_step,
    check_steps,
    evaluate,
)

EPS = np.finfo(float).eps

#: With ``h=None``, the number of first steps, each ``ratio**levels`` times smaller than
#: the one before, at which ``f`` may be NaN or infinite before richardson gives up.
REFUSALS = 8


class RichardsonResult(NamedTuple):
    """What :func:`richardson` returns."""

    df: float
    """The best estimate of ``f'(x)`` in the table."""
    error: float
    """An estimate of its error: its distance to its neighbours in the table, but never
    less than ``eps |f| / step``, the rounding error of the smallest step it comes from."""
    nfev: int
    """The number of evaluations of ``f``: two per row of every table tried."""
    table: np.ndarray
    """The table: row i, column k holds the estimate from steps h/ratio**(i-k) ... h/ratio**i."""


def richardson(f, x, h=None, levels=5, ratio=2.0):
    """Estimate ``f'(x)`` by Richardson extrapolation of central differences.

    Parameters
    ----------
    f : callable
        A smooth function of one real variable, called with one float at a time.
    x : float
        The point.
    h : float or None, optional
        The first (largest) step, a real, finite number > 0. Within ``[x - h, x + h]``
        the function should be smooth and well described by its Taylor series: ``h``
        must be small against the distance over which ``f`` changes (a period, a pole,
        the scale ``1/a`` of ``exp(a x)``). The default, None, chooses it by trial (see
        Notes), starting from ``0.25 * max(1, |x|)``.
    levels : int, optional
        The number of steps ``h, h/ratio, ..., h/ratio**(levels - 1)``: at least 2.
        Each costs two evaluations of ``f``. Default 5.
    ratio : float, optional
        The factor by which each step is smaller than the one before, > 1. Default 2.

    Returns
    -------
    result : RichardsonResult
        A named tuple ``(df, error, nfev, table)``.

    Raises
    ------
    TypeError
        If ``f`` is not callable.
    ValueError
        If ``x`` is not one finite real number, ``h``, ``levels`` or ``ratio`` is out of
        range, or ``f`` returns a non-finite value (with ``h=None``, at every first step
        tried: see Notes).

    Notes
    -----
    The central difference ``D(h)`` has an error series in even powers of the step,
    ``D(h) = f'(x) + c1 h**2 + c2 h**4 + ...``. Combining two estimates,
    ``(r**(2k) D(h/r) - D(h)) / (r**(2k) - 1)``, cancels the ``h**(2k)`` term; doing it
    column after column gives estimates of order 2, 4, 6, ... (Richardson 1911). The
    estimate returned is the one whose distance to the two entries it was built from
    is smallest, the rule of Ridders (1982); that distance is the error estimate, but
    never less than ``eps |f| / step``, the rounding error of the central difference
    at the smallest step the entry comes from (without it, a table whose differences
    happen to agree to the last bit would claim an error of 0).

    The series only helps if its first terms dominate, that is, if the first step is
    small against the scale over which ``f`` changes; no rule based on ``x`` alone can
    know that scale. With ``h=None`` the first step is ``0.25 * max(1, |x|)``, and if
    the error estimate is then above ``sqrt(eps) |df|`` (the table has not converged)
    the whole table is built again from a first step ``ratio**levels`` times smaller,
    just below the smallest step used so far, at most three more times. It stops
    sooner if the rounding floor of the next table, larger as its steps are smaller,
    would be above the best estimate so far: this is what ends the retries at a
    stationary point, where ``f'(x) = 0`` and the relative test cannot be met. (The
    floor uses ``|f|`` near ``x``, never allowed to fall from one table to the next;
    where ``f`` is the small difference of large terms it is too low, and more
    tables are built than needed.) The result with the smallest error estimate is
    returned, and ``nfev`` counts every evaluation: ``2 * levels`` when the first
    table converges, at most four times that. A first step at which ``f`` is NaN or
    infinite (``log`` or ``sqrt`` near 0) counts as too large: the table is started
    again from a step ``ratio**levels`` times smaller, up to seven times, before
    ValueError is raised.

    The error estimate can be fooled, by a function whose columns agree by accident
    (``sin(64 pi x)`` at 0, where every step of the first table is a whole number of
    half-periods; ``sin(x)`` at 200, where the first four steps, 50 down to 6.25, lie
    within 1 % of multiples of ``2 pi``, since the first step grows with ``|x|`` and
    the period does not), so this is a safeguard, not a guarantee. At a stationary
    point the retries cost accuracy too: the table returned, from smaller steps, can
    be less accurate than the first, whose estimate lags one column behind (for
    ``sin(t) - t cos(a)`` at ``t = a``, 100 points ``a`` in [0.1, 3]: 10 or 20
    evaluations in 95 % of them, errors up to 1.4e-13 where the first table alone
    gives at most 8.8e-15). Pass ``h`` there.

    Examples
    --------
    >>> import numpy as np
    >>> from diffops import richardson
    >>> result = richardson(np.exp, 1.0)
    >>> print(f"{abs(result.df - np.e) / np.e:.0e}, {result.nfev} evaluations")
    6e-15, 10 evaluations

    At ``x = 50`` the first step would be 12.5, far too large for ``exp``; the
    estimate of the first table says so, and a second table from a step of 0.39
    converges:

    >>> result = richardson(np.exp, 50.0)
    >>> print(f"{abs(result.df - np.exp(50)) / np.exp(50):.0e}, {result.nfev} evaluations")
    3e-15, 20 evaluations
    >>> result = richardson(np.exp, 50.0, h=12.5)  # the same first step, imposed
    >>> print(f"{abs(result.df - np.exp(50)) / np.exp(50):.1e}")
    3.5e-03
    """
    check_function(f)
    x = as_scalar(x)
    is_int = isinstance(levels, (int, np.integer)) and not isinstance(levels, bool)
    if not (is_int and levels >= 2):
        raise ValueError(f"`levels` must be an integer >= 2, got {levels!r}.")
    is_real = isinstance(ratio, (int, float, np.integer, np.floating)) and ratio is not True
    if not (is_real and np.isfinite(ratio) and ratio > 1):
        raise ValueError(f"`ratio` must be a real, finite number > 1, got {ratio!r}.")
    if h is not None:
        return _richardson_table(f, x, check_step(h), levels, ratio)[0]

    nfev, finite = 0, True

    def counted(t):  # f, counting its evaluations and noting a NaN or an infinity
        nonlocal nfev, finite
        nfev += 1
        value = f(t)
        finite = _is_finite(value)
        return value

    h = first = 0.25 * max(1.0, abs(x))
    best, tables, refused, size = None, 0, 0, 0.0
    while tables < 4:  # the default first step, then up to three smaller ones
        try:
            result, size = _richardson_table(counted, x, h, levels, ratio, size)
        except ValueError as error:
            if finite or best is not None:
                raise
            refused += 1  # f is NaN or infinite at x +- step: take h as too large
            if refused == REFUSALS:
                message = f"each first step from {first!r} down to {h!r} met such a value"
                raise ValueError(f"{error} With h=None, {message}.") from None
            h /= ratio**levels
            continue
        tables += 1
        if best is None or result.error <= best.error:
            best = result
        if result.error <= np.sqrt(EPS) * abs(result.df):
            break  # converged
        h /= ratio**levels  # start again below the smallest step tried
        if best.error <= EPS * size / (h / ratio):
            break  # the next table's rounding floor is above the best estimate
    return best._replace(nfev=nfev)


def _richardson_table(f, x, h, levels, ratio, size=0.0):
    """Build the table of :func:`richardson` from the first step ``h``.

    No error estimate of row i is below ``eps * max(size, |f(x +- step_i)|) / step_i``,
    about the rounding error of its smallest step. Also return that size at the last row,
    the ``size`` of a next table: it never falls, as ``|f|`` does near a zero of ``f``.
    """
    x, steps = check_steps(h / ratio ** np.arange(levels), np.asarray(x))  # x + step != x
    table = np.full((levels, levels), np.nan)
    best, best_error = None, np.inf
    for i in range(levels):
        ahead, behind = evaluate(f, x[i], steps[i]), evaluate(f, x[i], -steps[i])
        table[i, 0] = (ahead - behind) / ((x[i] + steps[i]) - (x[i] - steps[i]))
        floor = EPS * max(size, abs(ahead), abs(behind)) / steps[i]
        for k in range(1, i + 1):
            factor = ratio ** (2 * k)
            gain = (table[i, k - 1] - table[i - 1, k - 1]) / (factor - 1)
            table[i, k] = table[i, k - 1] + gain
            error = max(abs(table[i, k] - table[i, k - 1]), abs(table[i, k] - table[i - 1, k - 1]))
            error = max(error, floor)  # never below the rounding error
            if error <= best_error:
                best, best_error = table[i, k], error
    result = RichardsonResult(float(best), float(best_error), 2 * levels, table)
    return result, float(floor * steps[-1] / EPS)


def _is_finite(value):
    """False if ``value`` holds a NaN or an infinity; other faults are reported later."""
    array = np.asarray(value)
    return array.dtype.kind not in "fc" or bool(np.all(np.isfinite(array)))
