"""Checking a hand-written or automatic gradient against finite differences."""

from typing import NamedTuple

import numpy as np

from ._validation import as_vector, check_function, gradient_value_at
from .multivariate import gradient


class GradientCheck(NamedTuple):
    """What :func:`check_gradient` returns."""

    relative_error: float
    """``|g - d| / max(|g| + |d|, tiny)`` with Euclidean norms: near 1e-10 or below
    when the gradient is right, near 1 when it is wrong."""
    worst: int
    """The coordinate where ``g`` and ``d`` differ most."""
    analytic: np.ndarray
    """``g``, what the gradient under test returned."""
    numerical: np.ndarray
    """``d``, the central-difference gradient."""


def check_gradient(f, grad, x, h=None):
    """Compare ``grad(x)`` with a central-difference gradient of ``f`` at ``x``.

    Parameters
    ----------
    f : callable
        A function from R^n to R.
    grad : callable
        The gradient under test: takes a 1-D array of n numbers, returns n numbers.
    x : array_like
        The point, a finite 1-D array. Check at a random point, not at a special one
        (zeros or ones hide many mistakes).
    h : float or None, optional
        The step of the central differences; None uses the default of
        :func:`gradient`.

    Returns
    -------
    GradientCheck
        A named tuple ``(relative_error, worst, analytic, numerical)``.

    Raises
    ------
    TypeError
        If ``f`` or ``grad`` is not callable.
    ValueError
        If ``x`` is not a finite 1-D array, ``grad`` returns an array of another shape
        (the message names both shapes) or non-finite values, or ``f`` does not return
        a real, finite scalar.

    Notes
    -----
    Central differences cost 2n evaluations of ``f`` and are accurate to about
    ``eps**(2/3)``, some 1e-10 relative, for well-scaled functions. So a relative error
    below about 1e-7 says the gradient is right; one above 1e-4 says it is wrong,
    and ``worst`` says where to look.

    Examples
    --------
    >>> import numpy as np
    >>> from diffops import check_gradient
    >>> def f(x):
    ...     return np.sum(np.sin(x) * x)
    >>> def good(x):
    ...     return np.cos(x) * x + np.sin(x)
    >>> def bad(x):
    ...     return np.cos(x) * x
    >>> x = np.array([0.3, -1.2, 2.0])
    >>> check_gradient(f, good, x).relative_error < 1e-9
    True
    >>> result = check_gradient(f, bad, x)
    >>> print(f"{result.relative_error:.2f}, worst coordinate {result.worst}")
    0.54, worst coordinate 1
    """
    check_function(f)
    check_function(grad, "grad")
    x = as_vector(x)
    analytic = gradient_value_at(grad, x)
    numerical = gradient(f, h, method="central")(x)
    difference = np.linalg.norm(analytic - numerical)
    scale = max(np.linalg.norm(analytic) + np.linalg.norm(numerical), np.finfo(float).tiny)
    worst = int(np.argmax(np.abs(analytic - numerical)))
    return GradientCheck(float(difference / scale), worst, analytic, numerical)
