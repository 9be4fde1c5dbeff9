"""Finite-difference weights for any stencil and any derivative order."""

import math

import numpy as np


def stencil_weights(offsets, order=1):
    """Return the weights of the finite-difference formula on the given stencil.

    Parameters
    ----------
    offsets : array_like
        The distinct positions ``s_j`` of the points, in units of the step: the
        formula uses ``f(x + s_j h)``. For example ``[-1, 0, 1]``.
    order : int, optional
        Which derivative to approximate, ``0 <= order < len(offsets)``. Default 1.

    Returns
    -------
    weights : ndarray
        The ``w_j`` with ``f^(order)(x) ≈ sum_j w_j f(x + s_j h) / h**order``.

    Raises
    ------
    ValueError
        If ``offsets`` is not a 1-D array of distinct, finite real numbers, or
        ``order`` is not an integer with ``0 <= order < len(offsets)``.

    Notes
    -----
    Expanding each ``f(x + s_j h)`` in a Taylor series and asking the weighted sum to
    reproduce ``h**order f^(order)(x)`` and nothing else up to the term in
    ``h**(len(offsets) - 1)`` gives the linear system ``sum_j w_j s_j**k / k! =
    [k == order]`` for ``k = 0, ..., len(offsets) - 1``: a small Vandermonde system.
    It is ill-conditioned for wide stencils (a dozen points or more); Fornberg's
    algorithm (1988) computes the same weights stably.

    Examples
    --------
    >>> from diffops import stencil_weights
    >>> stencil_weights([-1, 1]).round(12).tolist()
    [-0.5, 0.5]
    >>> (12 * stencil_weights([-2, -1, 0, 1, 2])).round(12).tolist()
    [1.0, -8.0, 0.0, 8.0, -1.0]
    >>> stencil_weights([-1, 0, 1], order=2).round(12).tolist()
    [1.0, -2.0, 1.0]
    """
    points = np.asarray(offsets)
    if points.dtype.kind not in "iuf" or points.ndim != 1:
        raise ValueError(f"`offsets` must be a 1-D array of real numbers, got {offsets!r}.")
    points = points.astype(float)
    if not np.all(np.isfinite(points)) or np.unique(points).size != points.size:
        raise ValueError(f"`offsets` must be finite and distinct, got {offsets!r}.")
    is_int = isinstance(order, (int, np.integer)) and not isinstance(order, bool)
    if not (is_int and 0 <= order < points.size):
        raise ValueError(
            f"`order` must be an integer from 0 to len(offsets) - 1 = {points.size - 1}, "
            f"got {order!r}."
        )
    powers = np.arange(points.size)
    taylor = points[np.newaxis, :] ** powers[:, np.newaxis]
    taylor /= np.array([math.factorial(k) for k in powers])[:, np.newaxis]
    target = (powers == order).astype(float)
    return np.linalg.solve(taylor, target)
