"""Forward-difference derivatives, written as functions that return functions."""

import numpy as np

from ._validation import as_points, as_vector, check_function, check_step, evaluate, scalar_value


def derivative(f, h=1e-4):
    """Return a function that approximates the derivative of ``f`` by a forward difference.

    Parameters
    ----------
    f : callable
        A function of one real variable that acts elementwise on NumPy arrays,
        such as ``np.sin`` or ``lambda x: x**3``.
    h : float, optional
        The step, a real, finite number > 0. The default is ``1e-4``.

    Returns
    -------
    df : callable
        ``df(x)`` is ``(f(x + h) - f(x)) / h``, evaluated elementwise: a float for a
        scalar ``x``, an array of the same shape for an array ``x``.

    Raises
    ------
    TypeError
        If ``f`` is not callable.
    ValueError
        If ``h`` is not a real, finite number > 0 (at once), or, when ``df`` is called,
        if ``x`` is not real, ``f`` does not return an array shaped like ``x``, or ``f``
        returns NaN or infinity at a point (the message names the point).

    Notes
    -----
    Taylor's theorem gives ``f(x + h) = f(x) + h f'(x) + h**2 f''(xi) / 2`` for some
    ``xi`` between ``x`` and ``x + h``, so the truncation error is ``h f''(xi) / 2``:
    first order in ``h``. Round-off error grows like ``eps |f(x)| / h``, so steps far
    below ``sqrt(eps)``, about ``1e-8``, make the result worse, not better.

    Examples
    --------
    >>> import numpy as np
    >>> from diffops import derivative
    >>> df = derivative(lambda x: x**3)
    >>> round(df(2.0), 6)  # the exact value is 12; the error is about 3 * x * h
    12.0006
    >>> np.round(df(np.array([-1.0, 0.0, 1.0])), 4)
    array([2.9997, 0.    , 3.0003])
    >>> derivative(np.log)(-1.0)
    Traceback (most recent call last):
        ...
    ValueError: `f` is not finite at x = -1.0: f(x + 0.0001) = nan (1 non-finite value(s) in all).
    """
    check_function(f)
    h = check_step(h)

    def df(x):
        x = as_points(x)
        slope = (evaluate(f, x, h) - evaluate(f, x)) / h
        return slope if slope.ndim else float(slope)

    return df


def gradient(f, h=1e-4):
    """Return a function that approximates the gradient of ``f`` by forward differences.

    Parameters
    ----------
    f : callable
        A function from R^n to R: it takes a 1-D array of n numbers and returns one
        real number.
    h : float, optional
        The step used along every coordinate, a real, finite number > 0. The default
        is ``1e-4``.

    Returns
    -------
    grad : callable
        ``grad(x)`` takes a 1-D array ``x`` of n numbers and returns a 1-D array whose
        i-th entry is ``(f(x + h e_i) - f(x)) / h``, with ``e_i`` the i-th unit vector.
        It evaluates ``f`` exactly n + 1 times.

    Raises
    ------
    TypeError
        If ``f`` is not callable.
    ValueError
        If ``h`` is not a real, finite number > 0 (at once), or, when ``grad`` is
        called, if ``x`` is not a non-empty, finite 1-D array, or ``f`` returns
        anything but a real, finite scalar (the message names the point).

    Notes
    -----
    Each entry is a forward difference along one coordinate, so each has the
    first-order error of :func:`derivative`. The cost is n + 1 evaluations of ``f``
    for every gradient, which is why this method does not scale to functions of
    many variables.

    Examples
    --------
    >>> import numpy as np
    >>> from diffops import gradient
    >>> def f(x):
    ...     x1, x2, x3 = x
    ...     return x1**3 + x2**2 + x3**4
    >>> grad_f = gradient(f)
    >>> grad_f(np.ones(3)).round(8).tolist()  # the exact gradient is [3, 2, 4]
    [3.00030001, 2.0001, 4.00060004]
    >>> gradient(np.sin)(np.array([0.0, 1.0]))
    Traceback (most recent call last):
        ...
    ValueError: `f` must return a real scalar for `gradient`, got array(...) (shape (2,)) ...
    """
    check_function(f)
    h = check_step(h)

    def grad(x):
        x = as_vector(x)
        fx = scalar_value(f, x)
        g = np.empty_like(x)
        for i in range(x.size):
            x_step = x.copy()
            x_step[i] += h
            g[i] = (scalar_value(f, x_step) - fx) / h
        return g

    return grad
