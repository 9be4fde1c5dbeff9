"""Richardson extrapolation of the central difference."""

from typing import NamedTuple

import numpy as np

from ._validation import as_scalar, check_function, check_step
from .finite_differences import central_difference


class RichardsonResult(NamedTuple):
    """What :func:`richardson` returns."""

    df: float
    """The best estimate of ``f'(x)`` in the table."""
    error: float
    """An estimate of its error, from its distance to its neighbours in the table."""
    nfev: int
    """The number of evaluations of ``f``: two per row of every table built."""
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
        range, or ``f`` returns a non-finite value.

    Notes
    -----
    The central difference ``D(h)`` has an error series in even powers of the step,
    ``D(h) = f'(x) + c1 h**2 + c2 h**4 + ...``. Combining two estimates,
    ``(r**(2k) D(h/r) - D(h)) / (r**(2k) - 1)``, cancels the ``h**(2k)`` term; doing it
    column after column gives estimates of order 2, 4, 6, ... (Richardson 1911). The
    estimate returned is the one whose distance to the two entries it was built from
    is smallest, the rule of Ridders (1982); that distance is the error estimate.

    The series only helps if its first terms dominate, that is, if the first step is
    small against the scale over which ``f`` changes; no rule based on ``x`` alone can
    know that scale. With ``h=None`` the first step is ``0.25 * max(1, |x|)``, and if
    the error estimate is then above ``sqrt(eps) |df|`` (the table has not converged)
    the whole table is built again from a first step ``ratio**levels`` times smaller,
    just below the smallest step used so far, at most three more times. The result
    with the smallest error estimate is returned, and ``nfev`` counts every
    evaluation: ``2 * levels`` when the first table converges, at most four times
    that. The error estimate can be fooled, by a function whose columns agree by
    accident (``sin(64 pi x)`` at 0, where every step of the first table is a whole
    number of half-periods; ``sin(x)`` at 200, where the first four steps, 50 down to
    6.25, lie within 1 % of multiples of ``2 pi``, since the first step grows with
    ``|x|`` and the period does not), so this is a safeguard, not a guarantee. At a
    stationary point, where ``f'(x) = 0``, the relative test is rarely met: often all
    four tables are built, and the one returned, from small steps where rounding
    dominates, can be less accurate than the first, with too small an error estimate
    (``sin(t) - t cos(0.5)`` at 0.5: 7e-12 estimated as 0, where the first table alone
    gives 3e-15). Pass ``h`` there.

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
        return _richardson_table(f, x, check_step(h), levels, ratio)

    h, best, nfev = 0.25 * max(1.0, abs(x)), None, 0
    for _ in range(4):  # the default first step, then up to three smaller ones
        result = _richardson_table(f, x, h, levels, ratio)
        nfev += result.nfev
        if best is None or result.error <= best.error:
            best = result
        if result.error <= np.sqrt(np.finfo(float).eps) * abs(result.df):
            break  # converged
        h /= ratio**levels  # start again below the smallest step tried
    return best._replace(nfev=nfev)


def _richardson_table(f, x, h, levels, ratio):
    """Build the table of :func:`richardson` from the first step ``h``, unchecked."""
    table = np.full((levels, levels), np.nan)
    best, best_error = None, np.inf
    for i in range(levels):
        table[i, 0] = central_difference(f, x, h / ratio**i)
        for k in range(1, i + 1):
            factor = ratio ** (2 * k)
            gain = (table[i, k - 1] - table[i - 1, k - 1]) / (factor - 1)
            table[i, k] = table[i, k - 1] + gain
            error = max(abs(table[i, k] - table[i, k - 1]), abs(table[i, k] - table[i - 1, k - 1]))
            if error <= best_error:
                best, best_error = table[i, k], error
    return RichardsonResult(float(best), float(best_error), 2 * levels, table)
