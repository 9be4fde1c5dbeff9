"""Derivatives of functions of several variables: gradients, Jacobians, Hessians."""

import numpy as np

from ._steps import coordinate_steps
from ._validation import (
    as_vector,
    check_choice,
    check_flag,
    check_function,
    check_step,
    check_steps,
    gradient_value_at,
    value_at,
)
from .finite_differences import FORMULAS, STEP_SCALES, default_step
from .sparsity import as_pattern, color_columns, colored_jacobian

#: The methods of :func:`gradient` and :func:`jacobian`.
METHODS = ("forward", "central", "complex")


def forward_partials(value, x, steps):
    """Forward differences of ``value`` along each coordinate: n + 1 calls.

    Row ``i`` of the result is ``(value(x + h_i e_i) - value(x)) / h_i``: it divides by
    the step asked for, as on paper (the Notes of :func:`gradient` say why).
    """
    base = value(x)
    rows = []
    for i in range(x.size):
        x_step = x.copy()
        x_step[i] += steps[i]
        rows.append((value(x_step) - base) / steps[i])
    return np.array(rows)


def central_partials(value, x, steps):
    """Central differences of ``value`` along each coordinate: 2n calls."""
    rows = []
    for i in range(x.size):
        x_plus, x_minus = x.copy(), x.copy()
        x_plus[i] += steps[i]
        x_minus[i] -= steps[i]
        rows.append((value(x_plus) - value(x_minus)) / (2 * steps[i]))
    return np.array(rows)


def complex_partials(value, x, steps):
    """Complex-step derivatives of ``value`` along each coordinate: n calls."""
    rows = []
    for i in range(x.size):
        z = x.astype(complex)
        z[i] += 1j * steps[i]
        rows.append(value(z).imag / steps[i])
    return np.array(rows)


PARTIALS = {
    "forward": forward_partials,
    "central": central_partials,
    "complex": complex_partials,
}


def _checked_operator(f, h, method):
    check_function(f)
    check_choice("method", method, METHODS)
    return None if h is None else check_step(h)


def gradient(f, h=None, method="forward"):
    """Return a function that approximates the gradient of ``f`` by finite differences.

    Parameters
    ----------
    f : callable
        A function from R^n to R: it takes a 1-D array of n numbers and returns one
        real number.
    h : float or None, optional
        The step along every coordinate, a real, finite number > 0. The default, None,
        takes ``default_step(x_i, method)`` for coordinate i (the step the error model
        picks for one variable, scaled by ``max(1, |x_i|)``), rounded to the nearest
        power of two so that ``x_i + h`` is exact.
    method : {"forward", "central", "complex"}, optional
        Forward differences (n + 1 evaluations of ``f``, the default), central
        differences (2n) or the complex step (n; ``f`` must accept complex input).

    Returns
    -------
    grad : callable
        ``grad(x)`` takes a 1-D array ``x`` of n numbers and returns the 1-D array of
        the n partial derivatives.

    Raises
    ------
    TypeError
        If ``f`` is not callable.
    ValueError
        If ``h`` or ``method`` is bad (at once), or, when ``grad`` is called, if ``x`` is
        not a non-empty, finite 1-D array, or ``f`` returns anything but a real, finite
        scalar (the message names the shape and the point).

    Notes
    -----
    Each quotient divides by ``h``, the step asked for, as on paper; an explicit ``h``
    that ``x_i + h`` cannot represent exactly adds a rounding error of about
    ``eps |x_i| / h`` (the chapter on round-off shows it). Each entry has the error of
    the one-variable formula along its coordinate. The
    round-off part grows with ``|f(x)|``, which for a sum over n terms grows with n: for
    large n pass a step scaled to the function, ``h = 2 * sqrt(eps * |f(x)| / M)`` with
    ``M`` a bound on the second derivatives.

    Examples
    --------
    >>> import numpy as np
    >>> from diffops import gradient
    >>> def f(x):
    ...     x1, x2, x3 = x
    ...     return x1**3 + x2**2 + x3**4
    >>> gradient(f, h=1e-4)(np.ones(3)).round(8).tolist()  # exact: [3, 2, 4]
    [3.00030001, 2.0001, 4.00060004]
    >>> gradient(f, method="complex")(np.ones(3)).tolist()
    [3.0, 2.0, 4.0]
    >>> gradient(np.sin)(np.array([0.0, 1.0]))
    Traceback (most recent call last):
        ...
    ValueError: `f` must return a real scalar for `gradient`, got array(...) (shape (2,)) ...
    """
    h = _checked_operator(f, h, method)
    partials = PARTIALS[method]

    def grad(x):
        x = as_vector(x)
        steps = coordinate_steps(x, h, method)
        return partials(lambda point: value_at(f, point), x, steps)

    return grad


def jacobian(f, h=None, method="forward", sparsity=None, check_pattern=True):
    """Return a function that approximates the Jacobian matrix of ``f``, column by column.

    Parameters
    ----------
    f : callable
        A function from R^n to R^m: it takes a 1-D array of n numbers and returns a
        1-D array of m numbers (the same m at every point).
    h, method
        As for :func:`gradient`; the evaluation counts are the same (n + 1, 2n, n), and
        the quotients divide by the step asked for, as there.
    sparsity : array_like of bool or scipy.sparse matrix or array of bool, optional
        The pattern of the Jacobian, shape (m, n): True where entry (i, j) may be
        nonzero. With it, the columns of one color of :func:`color_columns` share
        one difference, and the counts become k + 1, 2k and k for k colors. The
        default, None, computes every column on its own.
    check_pattern : bool, optional
        With ``sparsity``: if True (the default), raise ValueError when ``f`` visibly
        breaks the pattern (see the Notes); False skips the check.

    Returns
    -------
    jac : callable
        ``jac(x)`` returns the m-by-n matrix whose column j is the derivative of ``f``
        along coordinate j: a NumPy array, or with ``sparsity`` a
        ``scipy.sparse.csr_array`` that stores every entry of the pattern.

    Raises
    ------
    TypeError
        If ``f`` is not callable, or ``sparsity`` is not boolean.
    ValueError
        As for :func:`gradient`, and if ``f`` returns anything but a 1-D real, finite
        array, or arrays of different lengths at different points. With ``sparsity``:
        at once if it is not 2-D or has no True entry; when ``jac`` is called, if its
        shape is not (len(f(x)), len(x)), or if ``f`` visibly breaks it (unless
        ``check_pattern=False``).

    Notes
    -----
    With ``sparsity``, a row that no column of a color touches must not change when
    that color's columns are stepped: a wrong pattern would otherwise give a wrong
    Jacobian without a sign. Code that computes every row from every variable (an FFT,
    a dense product with zero coefficients) changes such a row by rounding, a few
    ``eps`` times the size of the numbers involved, however small the row itself is.
    So a change counts as a break, and raises ValueError naming the row and the
    columns, when it exceeds ``2**10 * eps`` times the size of the numbers f is made
    of, taken over the whole of f: the larger of the largest ``|f_i|`` and the
    largest row sum of ``|J_ij| |x_j|``. The check is normwise: at the default
    forward step it sees a left-out dependence larger than about ``2**10 * sqrt(eps)``
    (``1.5e-5``) times that size, and misses a smaller one, whose effect is as small;
    a left-out dependence in a row far smaller than the rest of f can pass. It costs
    no evaluation, but it sees only rows that a color does not touch; a dependence
    hidden in a row that the color does touch goes unseen. It cannot tell noise far
    above rounding that couples all rows (an adaptive solver run on all the variables
    at once) from a dependence, nor the rounding of numbers far larger than ``f`` and
    ``J x`` inside ``f`` (``u + 1e6`` in an FFT whose result has the 1e6 taken away
    again: a change of one unit in the last place of 1e6, 1.2e-10, in every row), which
    no value of ``f`` shows: the message names both causes, and for such an ``f`` a
    right pattern needs ``check_pattern=False``.

    Examples
    --------
    >>> import numpy as np
    >>> from diffops import jacobian
    >>> def polar_to_cartesian(p):
    ...     r, theta = p
    ...     return np.array([r * np.cos(theta), r * np.sin(theta)])
    >>> jacobian(polar_to_cartesian, method="central")(np.array([2.0, 0.0])).round(9)
    array([[1., 0.],
           [0., 2.]])

    A tridiagonal Jacobian takes 3 colors, so 4 evaluations of ``f`` for any n:

    >>> def f(x):
    ...     return x**3 + np.append(x[1:], 0.0) - np.append(0.0, x[:-1])
    >>> i, j = np.indices((5, 5))
    >>> pattern = abs(i - j) <= 1  # True on the three diagonals
    >>> jac = jacobian(f, sparsity=pattern)(np.ones(5))
    >>> jac.nnz, jac.shape
    (13, (5, 5))
    >>> jac.toarray().round(6)
    array([[ 3.,  1.,  0.,  0.,  0.],
           [-1.,  3.,  1.,  0.,  0.],
           [ 0., -1.,  3.,  1.,  0.],
           [ 0.,  0., -1.,  3.,  1.],
           [ 0.,  0.,  0., -1.,  3.]])
    """
    h = _checked_operator(f, h, method)
    check_flag("check_pattern", check_pattern)
    partials = PARTIALS[method]
    if sparsity is not None:
        pattern = as_pattern(sparsity)
        colors = color_columns(pattern)

    def jac(x):
        x = as_vector(x)
        steps = coordinate_steps(x, h, method)
        shapes = set()

        def value(point):
            result = value_at(f, point, ndim=1, caller="jacobian")
            shapes.add(result.shape)
            if len(shapes) > 1:
                raise ValueError(
                    f"`f` must return arrays of one length, got shapes {sorted(shapes)}."
                )
            return result

        if sparsity is None:
            return partials(value, x, steps).T
        return colored_jacobian(value, x, steps, pattern, colors, method, check_pattern)

    return jac


def hessian(f, h=None):
    """Return a function that approximates the Hessian matrix of ``f`` by central differences.

    Parameters
    ----------
    f : callable
        A function from R^n to R, as for :func:`gradient`.
    h : float or None, optional
        The step, > 0. The default, None, uses ``eps**(1/4) * max(1, |x_i|)`` along
        coordinate i, the step that balances error terms for second differences.

    Returns
    -------
    hess : callable
        ``hess(x)`` returns the symmetric n-by-n matrix of second partial derivatives.
        It evaluates ``f`` at ``2 n**2 + 1`` points.

    Raises
    ------
    TypeError, ValueError
        As for :func:`gradient`.

    Notes
    -----
    Diagonal entries use ``(f(x + h e_i) - 2 f(x) + f(x - h e_i)) / h**2``; off-diagonal
    ones the four-point formula ``(f(x + h e_i + h e_j) - f(x + h e_i - h e_j) -
    f(x - h e_i + h e_j) + f(x - h e_i - h e_j)) / (4 h**2)``. Both are second order and
    exact, up to rounding, for quadratic functions. Unlike :func:`gradient` and
    :func:`jacobian`, and like the one-variable functions, it divides by the steps really
    taken, ``(x_i + h) - x_i``: a second difference divides by ``h**2``, which would
    double the relative error of a step that ``x_i + h`` cannot represent.

    Examples
    --------
    >>> import numpy as np
    >>> from diffops import hessian
    >>> def f(x):
    ...     return x[0] ** 2 + 3 * x[0] * x[1] + 2 * x[1] ** 2
    >>> hessian(f)(np.array([0.5, -1.0])).round(6)
    array([[2., 3.],
           [3., 4.]])
    """
    check_function(f)
    h = None if h is None else check_step(h)

    def hess(x):
        x = as_vector(x)
        steps = check_steps(default_step(x, "second") if h is None else h, x)[1]
        unit = np.diag((x + steps) - x)  # row i: the step really taken along e_i

        def at(point):
            return value_at(f, point, caller="hessian")

        centre = at(x)
        result = np.empty((x.size, x.size))
        for i in range(x.size):
            along_i = at(x + unit[i]) - 2 * centre + at(x - unit[i])
            result[i, i] = along_i / unit[i, i] ** 2
            for j in range(i + 1, x.size):
                corners = (
                    at(x + unit[i] + unit[j])
                    - at(x + unit[i] - unit[j])
                    - at(x - unit[i] + unit[j])
                    + at(x - unit[i] - unit[j])
                )
                result[i, j] = result[j, i] = corners / (4 * unit[i, i] * unit[j, j])
        return result

    return hess


def _direction(v, x):
    v = as_vector(v)
    if v.shape != x.shape:
        raise ValueError(f"`v` must have the shape of x {x.shape}, got shape {v.shape}.")
    norm = np.linalg.norm(v)
    if norm == 0:
        raise ValueError("`v` must not be the zero vector.")
    return v, norm


def directional_derivative(f, x, v, h=None, method="central"):
    """Return the derivative of ``f`` at ``x`` along ``v``: d/dt f(x + t v) at t = 0.

    Parameters
    ----------
    f : callable
        A function from R^n to R.
    x, v : array_like
        The point and the direction, 1-D arrays of the same length; ``v`` is not
        normalised, so the result is ``grad f(x) @ v``.
    h : float or None, optional
        The step in t, > 0. The default, None, is the one-variable default step of the
        method, times ``max(1, |x|) / |v|`` (Euclidean norms).
    method : {"forward", "backward", "central", "central4", "complex"}, optional
        The one-variable formula applied to ``g(t) = f(x + t v)``. Default "central".

    Returns
    -------
    float
        The estimate, from 2 evaluations of ``f`` for "forward", "backward" and
        "central", 4 for "central4" and 1 for "complex", whatever n is.

    Raises
    ------
    TypeError
        If ``f`` is not callable.
    ValueError
        If ``x`` or ``v`` is not a finite 1-D array, their shapes differ, ``v`` is zero,
        ``h`` or ``method`` is bad, or ``f`` does not return a real, finite scalar.

    Examples
    --------
    >>> import numpy as np
    >>> from diffops import directional_derivative
    >>> x = np.array([1.0, 2.0])
    >>> round(directional_derivative(lambda p: p @ p, x, np.array([1.0, 1.0])), 8)
    6.0
    """
    check_function(f)
    check_choice("method", method, tuple(FORMULAS))
    x = as_vector(x)
    v, norm = _direction(v, x)
    if h is None:
        h = STEP_SCALES[method] * max(1.0, np.linalg.norm(x)) / norm
    h = check_step(h)

    def along(t):
        return value_at(f, x + t * v, caller="directional_derivative")

    return FORMULAS[method](along, 0.0, h)


def hessian_vector_product(grad, x, v, h=None):
    """Return ``H(x) @ v`` from two gradients: ``(grad(x + h v) - grad(x - h v)) / (2h)``.

    Parameters
    ----------
    grad : callable
        The gradient of a function from R^n to R: takes and returns 1-D arrays of n
        numbers (for example an analytic or automatic-differentiation gradient).
    x, v : array_like
        The point and the vector, 1-D arrays of the same length.
    h : float or None, optional
        The step, > 0. The default, None, is ``eps**(1/3) * max(1, |x|) / |v|``.

    Returns
    -------
    ndarray
        The product, a 1-D array of n numbers, from 2 gradient evaluations; the Hessian
        itself (n**2 numbers) is never formed.

    Raises
    ------
    TypeError
        If ``grad`` is not callable.
    ValueError
        If the shapes of ``x``, ``v`` and what ``grad`` returns do not all agree, ``v``
        is zero, or ``grad`` returns non-finite values.

    Examples
    --------
    >>> import numpy as np
    >>> from diffops import hessian_vector_product
    >>> def grad(x):  # gradient of x1**2 + 3 x1 x2 + 2 x2**2
    ...     return np.array([2 * x[0] + 3 * x[1], 3 * x[0] + 4 * x[1]])
    >>> hessian_vector_product(grad, np.zeros(2), np.array([1.0, 0.0])).round(9)
    array([2., 3.])
    """
    check_function(grad, "grad")
    x = as_vector(x)
    v, norm = _direction(v, x)
    h = check_step(STEP_SCALES["central"] * max(1.0, np.linalg.norm(x)) / norm if h is None else h)
    return (gradient_value_at(grad, x + h * v) - gradient_value_at(grad, x - h * v)) / (2 * h)
