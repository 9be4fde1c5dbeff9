"""Sparse Jacobians and Hessians: Curtis-Powell-Reid column coloring, colored differences.

A Jacobian whose columns ``j`` and ``k`` never have a nonzero in the same row can get both
columns from one difference: step ``x_j`` and ``x_k`` at once, and read each row's change
back into the column that owns that row. :func:`color_columns` groups the columns so;
``jacobian(f, sparsity=pattern)`` and :func:`sparse_hessian` spend one difference per group.
"""

import numpy as np
import scipy.sparse

from ._validation import check_choice, check_function, gradient_value_at

EPS = np.finfo(float).eps

#: A change in a row that the pattern says cannot change, larger than this many times
#: ``eps`` times the row's values, is not round-off: ``f`` breaks its pattern.
ROUNDOFF_FACTOR = 2.0**10


def as_pattern(sparsity):
    """Return ``sparsity`` as a boolean CSC array without stored False entries, checked.

    Raises TypeError unless it is boolean (a dense array_like or a ``scipy.sparse`` matrix
    or array), and ValueError unless it is 2-D, non-empty and has at least one True entry.
    """
    if not scipy.sparse.issparse(sparsity):
        sparsity = np.asarray(sparsity)
    shape = sparsity.shape
    if sparsity.dtype.kind != "b":
        raise TypeError(
            f"`sparsity` must be a boolean pattern (True where the Jacobian may be nonzero), "
            f"got dtype {sparsity.dtype}; for a matrix of numbers A pass `A != 0`."
        )
    if len(shape) != 2:
        raise ValueError(f"`sparsity` must be 2-D, shape (len(f(x)), len(x)), got {shape}.")
    pattern = scipy.sparse.csc_array(sparsity, dtype=bool)
    pattern.eliminate_zeros()
    if pattern.nnz == 0:
        raise ValueError(
            f"`sparsity` must be non-empty with at least one True entry, got shape {shape} "
            "with none."
        )
    return pattern


def _members(compressed, k):
    """Row ``k`` of a CSR array's indices (or column ``k`` of a CSC array's)."""
    return compressed.indices[compressed.indptr[k] : compressed.indptr[k + 1]]


def color_columns(sparsity):
    """Return colors for the columns of a sparsity pattern, no two of one color in a row.

    Parameters
    ----------
    sparsity : array_like of bool or scipy.sparse matrix or array of bool
        The pattern, of shape (m, n): True where entry (i, j) of the Jacobian may be
        nonzero.

    Returns
    -------
    colors : ndarray of int, shape (n,)
        ``colors[j]`` is the color of column j, from 0 to k - 1, where k is the number
        of colors. Two columns of one color have no True entry in a common row.

    Raises
    ------
    TypeError
        If ``sparsity`` is not boolean (a matrix of numbers ``A`` gives ``A != 0``).
    ValueError
        If ``sparsity`` is not 2-D, or has no True entry (or no entries at all).

    Notes
    -----
    The greedy rule of Curtis, Powell and Reid [1]_: take the columns in their natural
    order and give each the smallest color that no column sharing a row with it has
    yet. Every column of a row needs its own color, so k is at least the largest number
    of True entries in a row; for banded patterns greedy reaches this bound (k = 3 for a
    tridiagonal pattern, 2b + 1 for half-bandwidth b), but in general it does not, and
    the result depends on the order of the columns. Finding the fewest colors is a
    graph-coloring problem, NP-hard in general [2]_.

    References
    ----------
    .. [1] A. R. Curtis, M. J. D. Powell and J. K. Reid, "On the estimation of sparse
       Jacobian matrices", IMA J. Appl. Math. 13 (1974), 117-119.
    .. [2] J. Nocedal and S. J. Wright, *Numerical Optimization*, 2nd ed., Springer
       (2006), section 8.1.

    Examples
    --------
    >>> import numpy as np
    >>> from diffops import color_columns
    >>> i, j = np.indices((6, 6))
    >>> tridiagonal = abs(i - j) <= 1
    >>> color_columns(tridiagonal).tolist()
    [0, 1, 2, 0, 1, 2]
    >>> color_columns(np.eye(3))
    Traceback (most recent call last):
        ...
    TypeError: `sparsity` must be a boolean pattern (True where ... got dtype float64; ...
    """
    pattern = as_pattern(sparsity)
    by_column, by_row = pattern.tocsc(), pattern.tocsr()
    colors = np.full(pattern.shape[1], -1)
    for j in range(pattern.shape[1]):
        # The colors of the columns that share a row with column j (-1: not colored yet).
        used = {colors[k] for i in _members(by_column, j) for k in _members(by_row, i)}
        colors[j] = min(set(range(len(used) + 1)) - used)
    return colors


def _check_rows(pattern, values, n):
    """Raise ValueError unless ``f`` returns one value per row of the pattern."""
    if pattern.shape != (values.size, n):
        raise ValueError(
            f"`sparsity` must have shape (len(f(x)), len(x)) = {(values.size, n)}, "
            f"got {pattern.shape}."
        )


def color_differences(value, x, steps, pattern, colors, method):
    """Step all columns of each color at once; return the differences and their scale.

    Column c of ``differences`` (m by k) is ``value(x + d_c) - value(x)`` (forward),
    ``value(x + d_c) - value(x - d_c)`` (central) or ``Im value(x + i d_c)`` (complex),
    where ``d_c`` holds ``steps[j]`` for the columns j of color c and zeros elsewhere.
    ``scale`` (m by k) is the size of the values each difference came from, for the
    round-off check: k + 1 calls of ``value`` (forward), 2k (central) or k (complex).
    """
    k = colors.max() + 1
    differences, scale = np.empty((pattern.shape[0], k)), np.empty((pattern.shape[0], k))
    if method == "forward":
        base = value(x)
        _check_rows(pattern, base, x.size)
    for c in range(k):
        d = np.where(colors == c, steps, 0.0)  # the steps of the columns of color c
        if method == "forward":
            ahead = value(x + d)
            differences[:, c] = ahead - base
            scale[:, c] = np.maximum(np.abs(ahead), np.abs(base))
        elif method == "central":
            ahead = value(x + d)
            _check_rows(pattern, ahead, x.size)
            behind = value(x - d)
            differences[:, c] = ahead - behind
            scale[:, c] = np.maximum(np.abs(ahead), np.abs(behind))
        else:
            shifted = value(x + 1j * d)
            _check_rows(pattern, shifted, x.size)
            differences[:, c] = shifted.imag
            scale[:, c] = np.abs(shifted.real) * np.max(d)
    return differences, scale


def _check_pattern_kept(differences, scale, pattern, colors):
    """Raise ValueError if a row outside the pattern changed by more than round-off.

    A row that no column of color c touches must not change when the columns of color
    c are stepped; if it does, ``f`` depends on a variable the pattern leaves out, and
    entries of the same row in other colors may be wrong as well. Code that computes
    row i from the variables of row i alone (elementwise or stencil code, a sparse or
    dense matrix product, whose zero coefficients add exact zeros) leaves such a row
    bit for bit unchanged. Code that reads other variables and cancels them (such as
    ``x_i * x_j / x_j``) changes it by rounding, a few ``eps`` times the size of the
    numbers it is computed from: below the threshold unless row i is more than 2**10
    times smaller than those numbers. Noise far above rounding that couples all rows
    (an adaptive solver run on all variables at once) is seen as a break: one
    evaluation cannot tell it from a dependence.
    """
    k = differences.shape[1]
    membership = scipy.sparse.csr_array(
        (np.ones(colors.size), (np.arange(colors.size), colors)), shape=(colors.size, k)
    )
    touched = (pattern.astype(float) @ membership).toarray() > 0  # m by k
    broken = ~touched & (np.abs(differences) > ROUNDOFF_FACTOR * EPS * scale)
    if np.any(broken):
        row, color = np.argwhere(broken)[0]
        columns = np.flatnonzero(colors == color)
        shown = columns[:8].tolist() + (["..."] if columns.size > 8 else [])
        raise ValueError(
            f"`f` breaks its `sparsity` pattern: row {row} of f changed by "
            f"{differences[row, color]:.3e} when columns {shown} (color {color}) were "
            f"stepped, but the pattern has no entry in row {row} for any of them "
            f"({np.count_nonzero(broken)} such change(s) in all). Add the missing "
            "entries to `sparsity` (or, if f carries noise far above rounding, pass "
            "sparsity=None)."
        )


def colored_jacobian(value, x, steps, pattern, colors, method):
    """The Jacobian from one difference per color, as a CSR array shaped like the pattern.

    Entry (i, j) of the pattern is read from row i of the difference of j's color,
    divided by the step of column j asked for (twice it for central differences), as
    the dense Jacobian divides; the result stores every entry of the pattern.
    """
    if pattern.shape[1] != x.size:
        raise ValueError(
            f"`sparsity` must have one column per variable, shape (len(f(x)), {x.size}), "
            f"got {pattern.shape}."
        )
    differences, scale = color_differences(value, x, steps, pattern, colors, method)
    _check_pattern_kept(differences, scale, pattern, colors)
    rows, columns = pattern.nonzero()
    divisor = 2 * steps if method == "central" else steps
    entries = differences[rows, colors[columns]] / divisor[columns]
    return scipy.sparse.csr_array((entries, (rows, columns)), shape=pattern.shape)


def sparse_hessian(grad, sparsity, h=None, method="forward"):
    """Return a function that approximates a sparse Hessian from colored gradient differences.

    Parameters
    ----------
    grad : callable
        The gradient of a function from R^n to R: it takes and returns 1-D arrays of n
        numbers (an analytic or automatic-differentiation gradient, for instance).
    sparsity : array_like of bool or scipy.sparse matrix or array of bool
        The pattern of the Hessian, square (n by n) and symmetric.
    h : float or None, optional
        The step, as for ``jacobian``: the default takes ``default_step(x_i, method)``
        rounded to a power of two.
    method : {"forward", "central"}, optional
        Forward differences of the gradient (k + 1 evaluations of ``grad`` for k colors,
        the default) or central ones (2k).

    Returns
    -------
    hess : callable
        ``hess(x)`` returns the n-by-n Hessian as a symmetric ``scipy.sparse.csr_array``
        with the pattern's entries.

    Raises
    ------
    TypeError
        If ``grad`` is not callable, or ``sparsity`` is not boolean.
    ValueError
        If ``sparsity`` is empty, not square or not symmetric, ``h`` or ``method`` is bad
        (at once), or, when ``hess`` is called, if ``grad`` returns an array of another
        shape than x, non-finite values, or changes outside the pattern.

    Notes
    -----
    The Hessian is the Jacobian of the gradient, so this is ``jacobian(grad, h, method,
    sparsity)`` with the columns of :func:`color_columns`. Each off-diagonal entry is
    then estimated twice, ``H_ij`` from the difference of column j's color and ``H_ji``
    from that of column i, and the two differ by truncation and rounding. The result is
    their average: the exact Hessian is symmetric, and ``(A + A.T) / 2`` is the
    symmetric matrix nearest to the estimate ``A`` in the Frobenius norm, so its error
    is never larger than that of ``A``, entry by entry no larger than the worse of the
    two [2]_ (but it can be larger than the better one, when one of them comes from a
    gradient entry that is a long sum, with a large rounding error). A diagonal
    Hessian (a separable function) has one color: 2 gradient evaluations, whatever n.

    Column coloring uses the sparsity of the Hessian but not its symmetry. Methods that
    use symmetry (Powell and Toint; in graph terms a star coloring for direct recovery,
    an acyclic coloring for recovery by substitution [1]_) can need far fewer colors:
    an arrowhead pattern (a full first row and column and the diagonal) takes n colors
    here, and 2 with symmetry.

    References
    ----------
    .. [1] A. H. Gebremedhin, F. Manne and A. Pothen, "What color is your Jacobian?
       Graph coloring for computing derivatives", SIAM Review 47 (2005), 629-705.
    .. [2] J. Nocedal and S. J. Wright, *Numerical Optimization*, 2nd ed., Springer
       (2006), section 8.1.

    Examples
    --------
    >>> import numpy as np
    >>> from diffops import sparse_hessian
    >>> def grad(x):  # gradient of sum(x**2 + sin(x)): a diagonal Hessian, 2 - sin(x)
    ...     return 2 * x + np.cos(x)
    >>> x = np.array([0.0, 1.0, 2.0])
    >>> hess = sparse_hessian(grad, np.eye(3, dtype=bool), method="central")(x)
    >>> hess.toarray().round(8)
    array([[2.        , 0.        , 0.        ],
           [0.        , 1.15852902, 0.        ],
           [0.        , 0.        , 1.09070257]])
    """
    from .multivariate import jacobian  # (multivariate imports this module)

    check_function(grad, "grad")
    pattern = as_pattern(sparsity)
    if pattern.shape[0] != pattern.shape[1]:
        raise ValueError(f"`sparsity` of a Hessian must be square, got shape {pattern.shape}.")
    if (pattern != pattern.T).nnz:
        raise ValueError("`sparsity` of a Hessian must be symmetric: it is not.")
    check_choice("method", method, ("forward", "central"))
    jac = jacobian(lambda x: gradient_value_at(grad, x), h, method, pattern)
    rows, columns = pattern.nonzero()

    def hess(x):
        estimate = jac(x)
        entries = np.ravel(estimate[rows, columns])  # (ravel: older SciPy gives 1 by nnz)
        mirrored = np.ravel(estimate[columns, rows])
        average = (entries + mirrored) / 2
        return scipy.sparse.csr_array((average, (rows, columns)), shape=pattern.shape)

    return hess
