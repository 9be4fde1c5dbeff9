"""Sparse Jacobians and Hessians: Curtis-Powell-Reid column coloring, colored differences.

A Jacobian whose columns ``j`` and ``k`` never have a nonzero in the same row can get both
columns from one difference: step ``x_j`` and ``x_k`` at once, and read each row's change
back into the column that owns that row. :func:`color_columns` groups the columns so;
``jacobian(f, sparsity=pattern)`` and :func:`sparse_hessian` spend one difference per group.
"""

import numpy as np
import scipy.sparse

from ._steps import coordinate_steps
from ._validation import (
    as_vector,
    check_choice,
    check_flag,
    check_function,
    check_step,
    gradient_value_at,
)

EPS = np.finfo(float).eps

#: How many times larger than the error model predicts a change in a row outside the
#: pattern, or the gap between the two estimates of a Hessian entry, may be before it
#: counts as a broken pattern rather than rounding (and truncation).
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


#: The column orders of :func:`color_columns`.
ORDERS = ("natural", "largest-first", "smallest-last")


def color_columns(sparsity, order="natural"):
    """Return colors for the columns of a sparsity pattern, no two of one color in a row.

    Parameters
    ----------
    sparsity : array_like of bool or scipy.sparse matrix or array of bool
        The pattern, of shape (m, n): True where entry (i, j) of the Jacobian may be
        nonzero.
    order : {"natural", "largest-first", "smallest-last"}, optional
        The order in which greedy takes the columns. "natural" (the default) is
        0, 1, ..., n - 1. "largest-first" takes first the columns that share a row with
        the most other columns (ties in natural order). "smallest-last" repeatedly
        sets aside a column that shares a row with the fewest columns not yet set
        aside (ties: the lowest index), and colors in the reverse order.

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
        If ``sparsity`` is not 2-D, or has no True entry (or no entries at all), or
        ``order`` is not one of the three.

    Notes
    -----
    The greedy rule of Curtis, Powell and Reid [1]_: take the columns in turn and give
    each the smallest color that no column sharing a row with it has yet. Every column
    of a row needs its own color, so k is at least the largest number of True entries
    in a row; for banded patterns greedy in natural order reaches this bound (k = 3 for
    a tridiagonal pattern, 2b + 1 for half-bandwidth b), but in general it does not,
    and the result depends on the order of the columns. Finding the fewest colors is a
    graph-coloring problem, NP-hard in general [2]_; the two other orders are the
    classical heuristics for it, applied to the graph whose vertices are the columns,
    joined when they share a row [3]_. Neither is better on every pattern.

    The colors already used in each row are kept as the bits of an integer, so a
    column costs one operation per True entry in it, however full its rows are: a
    dense row does not make the coloring quadratic. The two other orders need, for
    each column, the columns it shares a row with (:class:`ColumnGraph`): short rows
    give pairs, a long row the bits of an integer (n**2 / 64 word operations, not n**2
    pairs). "smallest-last" then finds each next column in about sqrt(n) comparisons,
    but a dense row still costs it about n**2 / 2 updates of degrees, one per pair.

    References
    ----------
    .. [1] A. R. Curtis, M. J. D. Powell and J. K. Reid, "On the estimation of sparse
       Jacobian matrices", IMA J. Appl. Math. 13 (1974), 117-119.
    .. [2] J. Nocedal and S. J. Wright, *Numerical Optimization*, 2nd ed., Springer
       (2006), section 8.1.
    .. [3] A. H. Gebremedhin, F. Manne and A. Pothen, "What color is your Jacobian?
       Graph coloring for computing derivatives", SIAM Review 47 (2005), 629-705.

    Examples
    --------
    >>> import numpy as np
    >>> from diffops import color_columns
    >>> i, j = np.indices((6, 6))
    >>> tridiagonal = abs(i - j) <= 1
    >>> color_columns(tridiagonal).tolist()
    [0, 1, 2, 0, 1, 2]
    >>> color_columns(tridiagonal, order="largest-first").tolist()
    [1, 2, 0, 1, 2, 0]
    >>> color_columns(np.eye(3))
    Traceback (most recent call last):
        ...
    TypeError: `sparsity` must be a boolean pattern (True where ... got dtype float64; ...
    """
    pattern = as_pattern(sparsity)
    check_choice("order", order, ORDERS)
    by_column = pattern.tocsc()
    colors = np.full(pattern.shape[1], -1)
    taken = [0] * pattern.shape[0]  # bit c of taken[i] is set: row i has color c
    for j in column_order(pattern, order):
        rows = _members(by_column, j).tolist()
        used = 0
        for i in rows:
            used |= taken[i]  # the colors of the columns that share a row with column j
        color = lowest_free(used)
        colors[j] = color
        for i in rows:
            taken[i] |= 1 << color
    return colors


def lowest_free(used):
    """The smallest color whose bit is not set in the integer ``used``.

    ``used + 1`` turns the lowest 0 bit of ``used`` into a 1 and the 1 bits below it
    into 0s, so ``used ^ (used + 1)`` has exactly the bits up to that one set.
    """
    return (used ^ (used + 1)).bit_length() - 1


def column_order(pattern, order):
    """The columns of ``pattern`` in the order ``order`` of :func:`color_columns`."""
    if order == "natural":
        return range(pattern.shape[1])
    graph = ColumnGraph(pattern)
    if order == "largest-first":
        return np.argsort(-graph.degrees(), kind="stable").tolist()
    return smallest_last(graph)


class ColumnGraph:
    """The column-intersection graph of a pattern: columns are joined when they share a row.

    Rows with few entries are multiplied out into a sparse matrix of the pairs of columns
    they join. A row with more than ``max(16, sqrt(n))`` entries is kept instead as a
    Python integer whose bits are its columns, so that a dense row costs n bits, not n**2
    pairs.
    """

    def __init__(self, pattern):
        by_row = pattern.tocsr()
        self.n = pattern.shape[1]
        is_long = np.diff(by_row.indptr) > max(16, np.sqrt(self.n))
        short = by_row[np.flatnonzero(~is_long)]
        self.pairs = (short.T @ short).tocsr()  # boolean: row j holds j's partners
        dense = by_row[np.flatnonzero(is_long)]
        self.dense_rows = dense.T.tocsr()  # row j: the long rows that column j is in
        self.bits = [_as_bits(_members(dense, i), self.n) for i in range(dense.shape[0])]

    def _union(self, j):
        """The columns of column j's long rows and its partners in short rows, as bits."""
        union = 0
        for i in _members(self.dense_rows, j).tolist():
            union |= self.bits[i]
        for k in _members(self.pairs, j).tolist():
            union |= 1 << k
        return union

    def degrees(self):
        """The number of columns that share a row with each column."""
        degrees = np.maximum(np.diff(self.pairs.indptr) - 1, 0)
        for j in np.flatnonzero(np.diff(self.dense_rows.indptr)):
            degrees[j] = self._union(j).bit_count() - 1
        return degrees

    def neighbours(self, j):
        """The columns that share a row with column j, j left out, as an array."""
        if self.dense_rows.indptr[j] == self.dense_rows.indptr[j + 1]:
            columns = _members(self.pairs, j)
        else:
            size = (self.n + 7) // 8
            flags = np.frombuffer(self._union(j).to_bytes(size, "little"), dtype=np.uint8)
            columns = np.flatnonzero(np.unpackbits(flags, bitorder="little")[: self.n])
        return columns[columns != j]


def _as_bits(columns, n):
    """The Python integer whose bit k is set for each k in ``columns``."""
    flags = np.zeros(n, dtype=bool)
    flags[columns] = True
    return int.from_bytes(np.packbits(flags, bitorder="little").tobytes(), "little")


def smallest_last(graph):
    """Matula and Beck's order: set aside, n times, a column of least degree among the
    columns left (ties: the lowest index), and return the columns in reverse order.

    The degrees are kept in blocks of about ``sqrt(n)`` with the least of each block, so
    that finding the least costs about ``sqrt(n)`` comparisons, not n.
    """
    n = graph.n
    size = max(1, int(np.sqrt(n)))
    blocks = np.full((-(-n // size), size), np.inf)
    degrees = blocks.reshape(-1)  # a view: column j is entry j, set aside is inf
    degrees[:n] = graph.degrees()
    least = blocks.min(axis=1)
    set_aside = []
    for _ in range(n):
        block = int(least.argmin())
        j = block * size + int(blocks[block].argmin())
        set_aside.append(j)
        degrees[j] = np.inf
        around = graph.neighbours(j)
        around = around[degrees[around] < np.inf]  # the neighbours still left
        degrees[around] -= 1
        np.minimum.at(least, around // size, degrees[around])
        least[block] = blocks[block].min()
    return set_aside[::-1]


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


def _check_pattern_kept(value, differences, scale, jac, x, steps, colors, method):
    """Raise ValueError if a row outside the pattern changed by more than round-off.

    A row that no column of color c touches must not change when the columns of color
    c are stepped; if it does, ``f`` depends on a variable the pattern leaves out, and
    entries of the same row in other colors may be wrong as well. Code that computes
    row i from the variables of row i alone (elementwise or stencil code, a sparse
    matrix product) leaves such a row bit for bit unchanged. Code that computes all
    rows from all variables (an FFT, a dense matrix product with zero coefficients, a
    cancellation such as ``x_i * x_j / x_j``) changes it by rounding: a few ``eps``
    times the size of the numbers f is computed from, which may be far larger than
    ``f_i`` itself. That size is estimated over the whole of f, as the larger of the
    largest value of f and the largest row sum of ``|J_ij| |x_j|`` (the terms of the
    linear part), and a change more than ``2**10 * eps`` times it is a break. An ``f``
    computed from numbers far larger still (a large constant added and taken away
    again, a sum ``S - (S - x_i)``) rounds on their scale and can trip the check with
    a right pattern: the message names both causes. ``value`` is the function
    differenced; its ``name`` attribute, if any (``"grad"``), names it in the message.
    """
    k = differences.shape[1]
    membership = scipy.sparse.csr_array(
        (np.ones(colors.size), (np.arange(colors.size), colors)), shape=(colors.size, k)
    )
    pattern = scipy.sparse.csr_array((np.ones(jac.nnz), jac.indices, jac.indptr), jac.shape)
    touched = (pattern @ membership).toarray() > 0  # m by k
    reach = steps if method == "complex" else np.abs(x) + steps  # in units of the rows
    size = max(np.max(scale), np.max(abs(jac) @ reach))
    broken = ~touched & (np.abs(differences) > ROUNDOFF_FACTOR * EPS * size)
    if np.any(broken):
        row, color = np.argwhere(broken)[0]
        columns = np.flatnonzero(colors == color)
        shown = columns[:8].tolist() + (["..."] if columns.size > 8 else [])
        name = getattr(value, "name", "f")
        where = f"row {row} of f" if name == "f" else f"entry {row} of grad (row {row} of H)"
        dense, product = (
            ("jacobian(f)(x)", "J x") if name == "f" else ("H, jacobian(grad)(x),", "H x")
        )
        raise ValueError(
            f"`{name}` breaks its `sparsity` pattern: {where} "
            f"changed by {differences[row, color]:.3e} when columns {shown} (color "
            f"{color}) were stepped, but the pattern has no entry in row {row} for any of "
            f"them ({np.count_nonzero(broken)} such change(s) in all), more than the "
            f"rounding of numbers the size of {name} and {product} explains "
            f"({ROUNDOFF_FACTOR * EPS * size:.1e}). Either the pattern misses entries "
            f"(compare it with the dense {dense} and add them), or {name} is computed "
            "from numbers far larger than its values (a large constant added and taken "
            "away, a sum S - (S - x_i)) or carries noise, whose changes couple the rows: "
            "then the pattern may be right: pass check_pattern=False to skip this check "
            "(or sparsity=None, at one evaluation per column)."
        )


def colored_jacobian(value, x, steps, pattern, colors, method, check_pattern=True):
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
    rows, columns = pattern.nonzero()
    divisor = 2 * steps if method == "central" else steps
    entries = differences[rows, colors[columns]] / divisor[columns]
    jac = scipy.sparse.csr_array((entries, (rows, columns)), shape=pattern.shape)
    if check_pattern:
        _check_pattern_kept(value, differences, scale, jac, x, steps, colors, method)
    return jac


def sparse_hessian(grad, sparsity, h=None, method="forward", check_pattern=True):
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
    check_pattern : bool, optional
        If True (the default), raise ValueError when ``grad`` visibly breaks the
        pattern: a row outside the pattern changes (as in ``jacobian``), or the two
        estimates of an entry ``H_ij`` and ``H_ji`` disagree by far more than the
        errors of differences explain. False skips both checks.

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
        shape than x or non-finite values, or (with ``check_pattern``) breaks the
        pattern.

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

    A pattern that misses an entry ``H_ik`` adds it to the entry of row i whose column
    has the color of column k, and averaging would hide that. So the two estimates are
    compared first, each allowed the error of a difference with step ``h_j`` on a
    Hessian that changes on a scale ``2**10`` times shorter than ``s_j = max(1, |x_j|)``:
    truncation ``(2**10 h_j / s_j)**p * max|H|`` (p = 1 forward, 2 central), plus
    rounding ``2**10 * eps * G / h_j``, G the larger of the largest gradient entry met
    and the largest row sum of ``|H_ij| |x_j|``; a larger gap raises ValueError. At the
    default steps that catches a missing entry above about ``3e-5 * max|H|`` (forward)
    or ``1.2e-4 * max|H|`` (central) that lands off the diagonal. If columns i and k
    have one color, it lands on ``H_ii`` and ``H_kk``, which have no second estimate,
    and goes unseen. A Hessian that changes faster, or a noisy gradient (from an
    adaptive solver, say), can trip the check as well.

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
    check_function(grad, "grad")
    pattern = as_pattern(sparsity)
    if pattern.shape[0] != pattern.shape[1]:
        raise ValueError(f"`sparsity` of a Hessian must be square, got shape {pattern.shape}.")
    if (pattern != pattern.T).nnz:
        raise ValueError("`sparsity` of a Hessian must be symmetric: it is not.")
    check_choice("method", method, ("forward", "central"))
    h = None if h is None else check_step(h)
    check_flag("check_pattern", check_pattern)
    colors = color_columns(pattern)
    rows, columns = pattern.nonzero()

    def hess(x):
        x = as_vector(x)
        steps = coordinate_steps(x, h, method)
        value = _MeasuredGradient(grad)
        estimate = colored_jacobian(value, x, steps, pattern, colors, method, check_pattern)
        if check_pattern:
            _check_symmetric(estimate, x, steps, method, value.largest)
        entries = np.ravel(estimate[rows, columns])  # (ravel: older SciPy gives 1 by nnz)
        mirrored = np.ravel(estimate[columns, rows])
        average = (entries + mirrored) / 2
        return scipy.sparse.csr_array((average, (rows, columns)), shape=pattern.shape)

    return hess


class _MeasuredGradient:
    """``grad``, checked, remembering the largest entry it returned (``largest``)."""

    name = "grad"  # for the messages of the checks

    def __init__(self, grad):
        self.grad, self.largest = grad, 0.0

    def __call__(self, point):
        value = gradient_value_at(self.grad, point)
        self.largest = max(self.largest, np.max(np.abs(value)))
        return value


def _check_symmetric(estimate, x, steps, method, largest):
    """Raise ValueError if ``H_ij`` and ``H_ji`` disagree by far more than differences err.

    Each estimate from column j is allowed the error model of the Notes of
    :func:`sparse_hessian`: ``(2**10 * h_j / s_j)**p * max|H| + 2**10 * eps * G / h_j``,
    with ``largest`` the largest gradient entry met.
    """
    rows, columns = estimate.nonzero()
    entries = np.ravel(estimate[rows, columns])
    mirrored = np.ravel(estimate[columns, rows])
    power, divisor = (2, 2 * steps) if method == "central" else (1, steps)
    size = max(largest, np.max(abs(estimate) @ np.abs(x)))
    relative_step = ROUNDOFF_FACTOR * steps / np.maximum(1.0, np.abs(x))
    allowance = relative_step**power * np.max(np.abs(entries), initial=0.0)
    allowance += ROUNDOFF_FACTOR * EPS * size / divisor
    gap = np.abs(entries - mirrored)
    allowed = allowance[columns] + allowance[rows]
    if np.any(gap > allowed):
        worst = np.argmax(gap - allowed)
        i, j = rows[worst], columns[worst]
        raise ValueError(
            f"`grad` breaks its `sparsity` pattern: the two estimates of H[{i}, {j}] "
            f"disagree, {entries[worst]:.6e} from column {j} against "
            f"{mirrored[worst]:.6e} from column {i}, a gap of {gap[worst]:.1e} where "
            f"differences explain at most {allowed[worst]:.1e} "
            f"({np.count_nonzero(gap > allowed) // 2} such pair(s) in all). The pattern "
            "most likely misses entries: an entry left out is added to the entry of its "
            "row whose column has the same color. Compare the pattern with a dense "
            "Jacobian of `grad`. If it is right, H changes too fast for this step (try a "
            "smaller h) or grad carries noise; check_pattern=False skips this check."
        )
