"""Finite-difference derivatives: the formulas, and operators that return functions."""

import numpy as np

from ._validation import (
    as_points,
    check_choice,
    check_formula_input,
    check_function,
    check_step,
    check_steps,
    evaluate,
    evaluate_complex,
)

EPS = np.finfo(float).eps

#: The default step of each method for |x| <= 1, chosen where the error model puts the
#: smallest total error for a function whose values and derivatives are of order one.
#: ``default_step`` multiplies it by max(1, |x|).
STEP_SCALES = {
    "forward": EPS ** (1 / 2),
    "backward": EPS ** (1 / 2),
    "central": EPS ** (1 / 3),
    "central4": EPS ** (1 / 5),
    "complex": 1e-20,
    "second": EPS ** (1 / 4),
}


def _as_result(values):
    """A float for a single point, an array for an array of points."""
    return values if values.ndim else float(values)


def default_step(x, method="forward"):
    """Return the step that ``derivative(f, method=method)`` uses at the points ``x``.

    Parameters
    ----------
    x : float or array_like
        The points.
    method : str, optional
        One of the keys of ``STEP_SCALES``: ``"forward"``, ``"backward"``,
        ``"central"``, ``"central4"``, ``"complex"``, or ``"second"`` (for
        :func:`second_derivative`).

    Returns
    -------
    h : float or ndarray
        ``STEP_SCALES[method] * max(1, |x|)`` at each point.

    Notes
    -----
    A step of ``sqrt(eps)`` balances truncation and round-off for the forward
    difference when ``|f|`` and ``|f''|`` are about one, ``eps**(1/3)`` does the same
    for the central difference, and ``eps**(1/5)`` for the five-point formula. Far
    from zero a step must grow with ``|x|``: the gap between neighbouring floats near
    ``x`` is ``eps * |x|``, and a fixed step would shrink to a few of those gaps.

    Examples
    --------
    >>> from diffops import default_step
    >>> print(f"{default_step(0.5, 'forward'):.3e}, {default_step(1000.0, 'central'):.3e}")
    1.490e-08, 6.055e-03
    """
    check_choice("method", method, tuple(STEP_SCALES))
    return _as_result(STEP_SCALES[method] * np.maximum(1.0, np.abs(as_points(x))))


def forward_difference(f, x, h):
    """Return ``(f(x + h) - f(x)) / h``, the forward-difference estimate of ``f'(x)``.

    Parameters
    ----------
    f : callable
        A function of one real variable that acts elementwise on NumPy arrays.
    x : float or array_like
        The points.
    h : float or array_like
        The step, > 0: one number, or an array that broadcasts against ``x`` (one
        step per point, or many steps at one point).

    Returns
    -------
    df : float or ndarray
        A float for scalar ``x`` and ``h``, an array of their broadcast shape
        otherwise.

    Raises
    ------
    TypeError
        If ``f`` is not callable.
    ValueError
        If ``x`` is not real, ``h`` is not finite and > 0 or is too small to change
        ``x``, or ``f`` returns the wrong shape or a non-finite value (the message
        names the point).

    Notes
    -----
    The error is ``h f''(xi) / 2`` (first order) plus round-off of about
    ``2 eps |f(x)| / h``. The quotient divides by the step really taken,
    ``(x + h) - x``, which differs from ``h`` when ``x + h`` is rounded.

    Examples
    --------
    >>> import numpy as np
    >>> from diffops import forward_difference
    >>> print(f"{forward_difference(np.exp, 0.0, 1e-3):.7f}")  # exact: 1
    1.0005002
    """
    x, h = check_formula_input(f, x, h)
    x_ahead = x + h
    return _as_result((evaluate(f, x, h) - evaluate(f, x)) / (x_ahead - x))


def backward_difference(f, x, h):
    """Return ``(f(x) - f(x - h)) / h``, the backward-difference estimate of ``f'(x)``.

    Parameters, return value and errors are those of :func:`forward_difference`.
    The error is ``-h f''(xi) / 2``: first order, with the opposite sign.

    Examples
    --------
    >>> import numpy as np
    >>> from diffops import backward_difference
    >>> print(f"{backward_difference(np.exp, 0.0, 1e-3):.7f}")  # exact: 1
    0.9995002
    """
    x, h = check_formula_input(f, x, h)
    x_behind = x - h
    return _as_result((evaluate(f, x) - evaluate(f, x, -h)) / (x - x_behind))


def central_difference(f, x, h):
    """Return ``(f(x + h) - f(x - h)) / (2h)``, the central-difference estimate of ``f'(x)``.

    Parameters, return value and errors are those of :func:`forward_difference`.
    The error is ``h**2 f'''(xi) / 6`` (second order) plus round-off of about
    ``eps |f(x)| / h``. The quotient divides by ``(x + h) - (x - h)``, the distance
    between the two points really used.

    Examples
    --------
    >>> import numpy as np
    >>> from diffops import central_difference
    >>> print(f"{central_difference(np.exp, 0.0, 1e-3):.9f}")  # exact: 1
    1.000000167
    """
    x, h = check_formula_input(f, x, h)
    width = (x + h) - (x - h)
    return _as_result((evaluate(f, x, h) - evaluate(f, x, -h)) / width)


def five_point_difference(f, x, h):
    """Return the fourth-order central estimate of ``f'(x)`` from the points ``x ± h, x ± 2h``.

    The formula is ``(f(x - 2h) - 8 f(x - h) + 8 f(x + h) - f(x + 2h)) / (12 h)``.
    Parameters, return value and errors are those of :func:`forward_difference`.

    Notes
    -----
    The error is ``-h**4 f'''''(xi) / 30`` plus round-off of about
    ``1.5 eps |f(x)| / h``. The step is first rounded to ``(x + h) - x`` so that the
    points sit at exact multiples of the step used in the quotient.

    Examples
    --------
    >>> import numpy as np
    >>> from diffops import five_point_difference
    >>> print(f"{five_point_difference(np.exp, 0.0, 1e-2):.12f}")  # exact: 1
    0.999999999667
    """
    x, h = check_formula_input(f, x, h)
    h = (x + h) - x
    near = evaluate(f, x, h) - evaluate(f, x, -h)
    far = evaluate(f, x, 2 * h) - evaluate(f, x, -2 * h)
    return _as_result((8 * near - far) / (12 * h))


def complex_step(f, x, h):
    """Return ``Im f(x + ih) / h``, the complex-step estimate of ``f'(x)``.

    Parameters
    ----------
    f : callable
        A function that accepts complex arrays and is analytic (built from ``+``,
        ``*``, ``/``, powers, ``np.exp``, ``np.sin`` and the like), acting
        elementwise.
    x, h
        As for :func:`forward_difference`; ``h`` may be tiny, e.g. ``1e-20``.

    Returns
    -------
    df : float or ndarray
        A float for a scalar ``x``, an array shaped like ``x`` otherwise.

    Raises
    ------
    TypeError
        If ``f`` is not callable.
    ValueError
        As for :func:`forward_difference`, and also if ``f`` cannot take complex
        input or drops the imaginary part of it (``abs``, ``float()``, ``.real``).

    Notes
    -----
    The Taylor series ``f(x + ih) = f(x) + ih f'(x) - h**2 f''(x) / 2 - ...`` has
    ``h f'(x)`` as the leading imaginary part, so the error is ``-h**2 f'''(x) / 6``.
    No two nearby values of ``f`` are subtracted, so the step causes no cancellation,
    and with ``h = 1e-20`` the truncation error is far below rounding: the result is
    usually within a few ulps of ``f'(x)``. Two exceptions. Where ``f'`` is itself a
    small difference of large terms, the rounding errors of those terms remain: for
    ``x**2 - 2*x`` the imaginary part is ``2xh - 2h``, which cancels near ``x = 1``
    (see the example). And for code that is not analytic as written (``np.conj``,
    ``abs``, a cast to real) the result is wrong; only the casts and ``abs``, which
    drop the imaginary part, are detected.

    Examples
    --------
    >>> import numpy as np
    >>> from diffops import complex_step
    >>> complex_step(np.exp, 0.0, 1e-20)
    1.0
    >>> x = 1 + 1e-10  # f'(x) = 2x - 2, from 2xh - 2h: a relative error of 8e-8
    >>> relative_error = complex_step(lambda t: t**2 - 2 * t, x, 1e-20) / (2 * (x - 1)) - 1
    >>> print(f"{abs(relative_error):.0e}")
    8e-08
    >>> complex_step(np.abs, 1.0, 1e-20)
    Traceback (most recent call last):
        ...
    ValueError: `f` returned real values of type float64 for complex input, so the ...
    """
    x, h = check_formula_input(f, x, h, must_move=False)
    return _as_result(evaluate_complex(f, x, h).imag / h)


#: The formula behind each ``method`` of :func:`derivative`.
FORMULAS = {
    "forward": forward_difference,
    "backward": backward_difference,
    "central": central_difference,
    "central4": five_point_difference,
    "complex": complex_step,
}


def derivative(f, h=None, method="forward"):
    """Return a function that approximates the derivative of ``f`` by finite differences.

    Parameters
    ----------
    f : callable
        A function of one real variable that acts elementwise on NumPy arrays,
        such as ``np.sin`` or ``lambda x: x**3``.
    h : float or None, optional
        The step, a real, finite number > 0. The default, None, takes at each point
        ``x`` the step ``default_step(x, method)``, which the error model picks for
        the method and scales by ``max(1, |x|)``.
    method : {"forward", "backward", "central", "central4", "complex"}, optional
        The formula: :func:`forward_difference` (the default),
        :func:`backward_difference`, :func:`central_difference`,
        :func:`five_point_difference` or :func:`complex_step`.

    Returns
    -------
    df : callable
        ``df(x)`` evaluates the formula elementwise: a float for a scalar ``x``, an
        array of the same shape for an array ``x``.

    Raises
    ------
    TypeError
        If ``f`` is not callable.
    ValueError
        If ``h`` is not None or a real, finite number > 0, or ``method`` is unknown
        (at once), or, when ``df`` is called, for the reasons listed under
        :func:`forward_difference` and :func:`complex_step`.

    Examples
    --------
    >>> import numpy as np
    >>> from diffops import derivative
    >>> df = derivative(lambda x: x**3, h=1e-4)
    >>> round(df(2.0), 6)  # the exact value is 12; the error is about 3 * x * h
    12.0006
    >>> for method in ["forward", "central", "central4", "complex"]:
    ...     error = abs(derivative(np.sin, method=method)(1.0) - np.cos(1.0))
    ...     print(f"{method:8} {error:.0e}")
    forward  7e-09
    central  3e-12
    central4 2e-14
    complex  0e+00
    >>> derivative(np.log, h=1e-4)(-1.0)
    Traceback (most recent call last):
        ...
    ValueError: `f` is not finite at x = -1.0: f(x + 0.0001) = nan (1 non-finite value(s) in all).
    """
    check_function(f)
    check_choice("method", method, tuple(FORMULAS))
    if h is not None:
        h = check_step(h)
    formula = FORMULAS[method]

    def df(x):
        step = default_step(x, method) if h is None else h
        return formula(f, x, step)

    return df


def second_derivative(f, h=None):
    """Return a function that approximates ``f''`` by the three-point central formula.

    Parameters
    ----------
    f : callable
        A function of one real variable that acts elementwise on NumPy arrays.
    h : float or None, optional
        The step, a real, finite number > 0. The default, None, uses
        ``default_step(x, "second")``, ``eps**(1/4) * max(1, |x|)``.

    Returns
    -------
    d2f : callable
        ``d2f(x)`` is ``(f(x + h) - 2 f(x) + f(x - h)) / h**2`` elementwise.

    Raises
    ------
    TypeError, ValueError
        As for :func:`derivative`.

    Notes
    -----
    The error is ``h**2 f''''(xi) / 12`` plus round-off of about ``4 eps |f| / h**2``;
    the two balance near ``h = eps**(1/4)``, leaving about eight correct digits.

    Examples
    --------
    >>> import numpy as np
    >>> from diffops import second_derivative
    >>> print(f"{second_derivative(np.sin)(np.pi / 2):.6f}")  # exact: -1
    -1.000000
    """
    check_function(f)
    if h is not None:
        h = check_step(h)

    def d2f(x):
        x = as_points(x)
        x, step = check_steps(default_step(x, "second") if h is None else h, x)
        step = (x + step) - x
        values = evaluate(f, x, step) - 2 * evaluate(f, x) + evaluate(f, x, -step)
        return _as_result(values / step**2)

    return d2f
