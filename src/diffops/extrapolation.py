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
    """The number of evaluations of ``f``: two per row."""
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
        The first (largest) step, a real, finite number > 0. The default, None, is
        ``0.25 * max(1, |x|)``. Within ``[x - h, x + h]`` the function should be
        smooth and well described by its Taylor series.
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

    Examples
    --------
    >>> import numpy as np
    >>> from diffops import richardson
    >>> result = richardson(np.exp, 1.0)
    >>> print(f"{abs(result.df - np.e) / np.e:.0e}, {result.nfev} evaluations")
    6e-15, 10 evaluations
    """
    check_function(f)
    x = as_scalar(x)
    h = 0.25 * max(1.0, abs(x)) if h is None else check_step(h)
    is_int = isinstance(levels, (int, np.integer)) and not isinstance(levels, bool)
    if not (is_int and levels >= 2):
        raise ValueError(f"`levels` must be an integer >= 2, got {levels!r}.")
    is_real = isinstance(ratio, (int, float, np.integer, np.floating)) and ratio is not True
    if not (is_real and np.isfinite(ratio) and ratio > 1):
        raise ValueError(f"`ratio` must be a real, finite number > 1, got {ratio!r}.")

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
