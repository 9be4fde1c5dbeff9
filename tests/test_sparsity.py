"""Unit tests for color_columns, jacobian(..., sparsity=...) and sparse_hessian."""

import numpy as np
import pytest
import scipy.sparse
from test_diffops import counted

from diffops import color_columns, jacobian, sparse_hessian
from diffops.multivariate import forward_partials

RNG = np.random.default_rng(12)


def banded(n, b):
    """The pattern of half-bandwidth b: True where |i - j| <= b."""
    i, j = np.indices((n, n))
    return abs(i - j) <= b


def block_diagonal(blocks, size):
    return scipy.sparse.block_diag([np.ones((size, size), dtype=bool)] * blocks, format="csr")


def chain(x):
    """f_i = x_i**3 + sin(x_i) + x_{i-1}**2 - 2 x_{i+1}: a tridiagonal Jacobian."""
    y = x**3 + np.sin(x)
    y[1:] += x[:-1] ** 2
    y[:-1] -= 2 * x[1:]
    return y


def chain_jacobian(x):
    exact = np.diag(3 * x**2 + np.cos(x))
    exact += np.diag(2 * x[:-1], -1) + np.diag(np.full(x.size - 1, -2.0), 1)
    return exact


def band_sum(x, b):
    """f_i = sum over |i - j| <= b of sin(x_i x_j): a banded Jacobian of half-bandwidth b."""
    y = np.zeros_like(x)
    for offset in range(-b, b + 1):
        shifted = np.roll(x, -offset)
        keep = (np.arange(x.size) + offset >= 0) & (np.arange(x.size) + offset < x.size)
        y += np.where(keep, np.sin(x * shifted), 0.0)
    return y


def band_sum_jacobian(x, b):
    n = x.size
    exact = np.zeros((n, n))
    for i in range(n):
        for j in range(max(0, i - b), min(n, i + b + 1)):
            if i == j:
                exact[i, i] += 2 * x[i] * np.cos(x[i] ** 2)
            else:
                exact[i, i] += x[j] * np.cos(x[i] * x[j])
                exact[i, j] += x[i] * np.cos(x[i] * x[j])
    return exact


# --- color_columns ----------------------------------------------------------------------


def greedy_reference(pattern):
    """Curtis-Powell-Reid greedy, written out on a dense pattern."""
    colors = []
    for j in range(pattern.shape[1]):
        taken = {colors[k] for k in range(j) if np.any(pattern[:, j] & pattern[:, k])}
        colors.append(next(c for c in range(j + 1) if c not in taken))
    return colors


@pytest.mark.parametrize("seed", range(20))
def test_colors_are_valid_greedy_and_numbered_from_zero_for_random_patterns(seed):
    rng = np.random.default_rng(seed)
    m, n = rng.integers(1, 40, size=2)
    pattern = rng.random((m, n)) < rng.uniform(0.02, 0.4)
    pattern[rng.integers(m), rng.integers(n)] = True  # at least one entry
    colors = color_columns(pattern)
    assert colors.shape == (n,) and colors.dtype.kind == "i"
    k = colors.max() + 1
    assert set(colors.tolist()) == set(range(k))
    for c in range(k):
        assert np.all(pattern[:, colors == c].sum(axis=1) <= 1), "two columns share a row"
    assert k >= pattern.sum(axis=1).max()  # every column of a row needs its own color
    assert colors.tolist() == greedy_reference(pattern)


@pytest.mark.parametrize("kind", ["dense", "list", "csr_matrix", "coo_array", "csc_array"])
def test_colors_accept_dense_and_sparse_patterns_alike(kind):
    pattern = banded(7, 1)
    given = {
        "dense": pattern,
        "list": pattern.tolist(),
        "csr_matrix": scipy.sparse.csr_matrix(pattern),
        "coo_array": scipy.sparse.coo_array(pattern),
        "csc_array": scipy.sparse.csc_array(pattern),
    }[kind]
    assert color_columns(given).tolist() == [0, 1, 2, 0, 1, 2, 0]


def test_stored_false_entries_of_a_sparse_pattern_are_not_structure():
    rows, columns = [0, 1, 2, 3, 0], [0, 1, 2, 3, 3]
    values = np.array([True, True, True, True, False])  # (0, 3) stored, but False
    pattern = scipy.sparse.csr_array((values, (rows, columns)), shape=(4, 4))
    assert pattern.nnz == 5
    assert color_columns(pattern).tolist() == [0, 0, 0, 0]


@pytest.mark.parametrize("b", [0, 1, 2, 3, 5])
def test_banded_pattern_of_half_bandwidth_b_takes_2b_plus_1_colors(b):
    colors = color_columns(banded(40, b))
    assert colors.tolist() == [j % (2 * b + 1) for j in range(40)]


def test_block_diagonal_pattern_takes_one_color_per_column_of_a_block():
    colors = color_columns(block_diagonal(blocks=6, size=4))
    assert colors.tolist() == list(range(4)) * 6


def test_a_dense_row_forces_one_color_per_column():
    arrowhead = np.eye(6, dtype=bool)
    arrowhead[0, :] = arrowhead[:, 0] = True
    assert color_columns(arrowhead).tolist() == list(range(6))


def test_greedy_depends_on_the_order_of_the_columns():
    # A crown graph as the column-intersection graph: rows are the pairs (a_i, b_j), i != j.
    k = 4
    rows = []
    for i in range(k):
        for j in range(k):
            if i != j:
                row = np.zeros(2 * k, dtype=bool)
                row[[2 * i, 2 * j + 1]] = True  # column 2i is a_i, column 2j + 1 is b_j
                rows.append(row)
    crown = np.array(rows)
    assert color_columns(crown).max() + 1 == k  # interleaved order: k colors
    reordered = np.concatenate([np.arange(0, 2 * k, 2), np.arange(1, 2 * k, 2)])
    assert color_columns(crown[:, reordered]).max() + 1 == 2  # a's first: 2 colors


@pytest.mark.parametrize(
    "bad",
    [np.eye(3), np.eye(3, dtype=int), scipy.sparse.eye_array(3), [[1, 0], [0, 1]]],
    ids=["float", "int", "sparse-float", "int-list"],
)
def test_colors_refuse_a_pattern_that_is_not_boolean(bad):
    with pytest.raises(TypeError, match=r"`sparsity` must be a boolean pattern.*dtype"):
        color_columns(bad)


@pytest.mark.parametrize(
    "bad", [np.ones(3, dtype=bool), np.ones((2, 2, 2), dtype=bool), np.True_], ids=str
)
def test_colors_refuse_a_pattern_that_is_not_2d(bad):
    with pytest.raises(ValueError, match=r"`sparsity` must be 2-D"):
        color_columns(bad)


@pytest.mark.parametrize(
    "bad",
    [
        np.zeros((3, 3), dtype=bool),
        np.zeros((0, 3), dtype=bool),
        np.zeros((0, 0), dtype=bool),
        scipy.sparse.csr_array((4, 4), dtype=bool),
        scipy.sparse.csr_array((np.array([False]), ([0], [0])), shape=(2, 2)),
    ],
    ids=["all-false", "no-rows", "zero-size", "sparse-empty", "sparse-stored-false"],
)
def test_colors_refuse_an_empty_pattern(bad):
    with pytest.raises(ValueError, match=r"`sparsity` must be non-empty"):
        color_columns(bad)


# --- jacobian with a pattern: counts, accuracy, structure ---------------------------------


@pytest.mark.parametrize("n", [5, 50, 1000])
@pytest.mark.parametrize(
    ("method", "count", "tolerance"),
    [("forward", 4, 1e-6), ("central", 6, 1e-9), ("complex", 3, 1e-14)],
)
def test_tridiagonal_jacobian_of_any_n_costs_4_6_or_3_evaluations(n, method, count, tolerance):
    x = np.linspace(-1, 1, n)
    f, calls = counted(chain)
    jac = jacobian(f, method=method, sparsity=banded(n, 1))(x)
    assert len(calls) == count
    exact = chain_jacobian(x)
    assert np.max(np.abs(jac.toarray() - exact)) < tolerance * np.max(np.abs(exact))


@pytest.mark.parametrize("b", [1, 2, 4])
def test_banded_jacobian_costs_2b_plus_2_forward_evaluations(b):
    x = RNG.uniform(-1, 1, size=30)
    f, calls = counted(lambda p: band_sum(p, b))
    jac = jacobian(f, sparsity=banded(30, b))(x)
    assert len(calls) == 2 * b + 2
    assert np.max(np.abs(jac.toarray() - band_sum_jacobian(x, b))) < 1e-6


def test_block_diagonal_jacobian_costs_block_size_plus_one_evaluations():
    size, blocks = 3, 20
    matrices = RNG.normal(size=(blocks, size, size))

    def f(x):
        return np.tanh(np.einsum("bij,bj->bi", matrices, x.reshape(blocks, size)).ravel())

    x = RNG.uniform(-1, 1, size=size * blocks)
    counted_f, calls = counted(f)
    jac = jacobian(counted_f, method="central", sparsity=block_diagonal(blocks, size))(x)
    assert len(calls) == 2 * size
    dense = jacobian(f, method="central")(x)
    assert np.max(np.abs(jac.toarray() - dense)) < 1e-9


def test_sparse_result_is_a_csr_array_that_stores_every_entry_of_the_pattern():
    pattern = banded(8, 1)
    jac = jacobian(lambda x: 2 * x, sparsity=pattern)(np.ones(8))  # off-diagonal entries 0
    assert isinstance(jac, scipy.sparse.csr_array) and jac.format == "csr"
    assert jac.shape == (8, 8) and jac.nnz == pattern.sum()
    rows, columns = np.repeat(np.arange(8), np.diff(jac.indptr)), jac.indices
    structure = np.zeros((8, 8), dtype=bool)
    structure[rows, columns] = True
    assert np.array_equal(structure, pattern)


def test_rectangular_pattern_gives_a_rectangular_jacobian():
    def f(x):  # 3 outputs, 6 inputs: output i uses x_{2i} and x_{2i+1}
        return x[0::2] * x[1::2]

    pattern = np.kron(np.eye(3, dtype=bool), np.ones((1, 2), dtype=bool))
    x = np.arange(1.0, 7.0)
    f_counted, calls = counted(f)
    jac = jacobian(f_counted, method="central", sparsity=pattern)(x)
    assert len(calls) == 4 and jac.shape == (3, 6)
    assert np.allclose(jac.toarray(), jacobian(f, method="central")(x), atol=1e-10)


def test_colored_jacobian_equals_the_dense_one_on_the_pattern():
    # f_i does not read the other stepped variables, so the quotients are the same numbers.
    x = RNG.uniform(-2, 2, size=12)
    for method in ["forward", "central", "complex"]:
        for h in [None, 1e-3]:
            if method == "complex" and h is not None:
                continue
            dense = jacobian(chain, h=h, method=method)(x)
            colored = jacobian(chain, h=h, method=method, sparsity=banded(12, 1))(x)
            assert np.array_equal(colored.toarray(), dense), (method, h)


def test_colored_steps_are_the_dense_steps_of_the_columns_of_one_color():
    x = np.array([0.5, -3.0, 200.0, 1.0, 7.0])
    f, calls = counted(chain)
    jacobian(f, sparsity=banded(5, 1))(x)
    g, dense_calls = counted(chain)
    jacobian(g)(x)
    dense_steps = np.array([dense_calls[j + 1][j] - x[j] for j in range(5)])
    colors = np.arange(5) % 3
    for c in range(3):
        taken = calls[c + 1] - x
        assert np.array_equal(taken, np.where(colors == c, dense_steps, 0.0))
    assert np.array_equal(np.log2(dense_steps), np.round(np.log2(dense_steps)))


def test_without_a_pattern_the_jacobian_is_unchanged():
    x = RNG.uniform(-1, 1, size=7)
    f, calls = counted(chain)
    result = jacobian(f)(x)
    assert isinstance(result, np.ndarray) and result.shape == (7, 7)
    assert len(calls) == 8
    steps = 2.0 ** np.round(np.log2(np.sqrt(np.finfo(float).eps) * np.maximum(1, abs(x))))
    assert np.array_equal(result, forward_partials(chain, x, steps).T)
    assert np.array_equal(result, jacobian(chain, sparsity=None)(x))


def test_a_column_with_no_entry_is_allowed():
    pattern = np.eye(4, dtype=bool)
    pattern[:, 2] = False  # f does not depend on x_2

    def f(x):
        return np.array([x[0] ** 2, x[1] ** 2, 1.0, x[3] ** 2])

    jac = jacobian(f, method="central", sparsity=pattern)(np.ones(4))
    assert jac.nnz == 3 and np.allclose(jac.diagonal(), [2, 2, 0, 2])


# --- jacobian with a pattern: errors --------------------------------------------------------


@pytest.mark.parametrize("method", ["forward", "central", "complex"])
def test_pattern_with_the_wrong_number_of_rows_names_both_shapes(method):
    with pytest.raises(
        ValueError, match=r"shape \(len\(f\(x\)\), len\(x\)\) = \(6, 6\), got \(5, 6\)"
    ):
        jacobian(chain, method=method, sparsity=np.ones((5, 6), dtype=bool))(np.ones(6))


def test_pattern_with_the_wrong_number_of_columns_names_both_shapes_before_any_evaluation():
    f, calls = counted(chain)
    with pytest.raises(ValueError, match=r"shape \(len\(f\(x\)\), 6\), got \(6, 5\)"):
        jacobian(f, sparsity=np.ones((6, 5), dtype=bool))(np.ones(6))
    assert calls == []


@pytest.mark.parametrize(
    ("bad", "error", "match"),
    [
        (np.eye(4), TypeError, "boolean"),
        (np.zeros((4, 4), dtype=bool), ValueError, "non-empty"),
        (np.ones(4, dtype=bool), ValueError, "2-D"),
    ],
)
def test_bad_pattern_is_refused_when_the_operator_is_made(bad, error, match):
    with pytest.raises(error, match=match):
        jacobian(chain, sparsity=bad)


def test_bad_step_and_method_are_still_refused_at_once_with_a_pattern():
    with pytest.raises(ValueError, match=r"`method` must be one of"):
        jacobian(chain, method="backward", sparsity=banded(4, 1))
    with pytest.raises(ValueError, match=r"`h` must be"):
        jacobian(chain, h=-1.0, sparsity=banded(4, 1))


@pytest.mark.parametrize("method", ["forward", "central", "complex"])
def test_a_function_that_visibly_breaks_its_pattern_is_named(method):
    def periodic(x):  # f_0 depends on x_8: the tridiagonal pattern leaves that out
        return x**3 + np.roll(x, 1) + np.roll(x, -1)

    with pytest.raises(
        ValueError, match=r"`f` breaks its `sparsity` pattern: row 0 .* \[2, 5, 8\]"
    ):
        jacobian(periodic, method=method, sparsity=banded(9, 1))(np.linspace(0, 1, 9))


def test_a_change_by_rounding_alone_is_not_a_break():
    def f(x):  # f_0 = x_0 + x_1, computed through x_2, which rounding lets show through
        y = x**2
        y[0] = x[0] * x[2] / x[2] + x[1]
        return y

    x = np.array([0.1, 0.0, 0.7, 0.5, 0.5])
    pattern = banded(5, 1)  # colors 0, 1, 2, 0, 1: row 0 has no column of color 2
    step = np.zeros(5)
    step[2] = 2.0**-26  # the default step at x_2, which is the only column of color 2
    assert f(x + step)[0] != f(x)[0]  # the row does change, by rounding
    jac = jacobian(f, sparsity=pattern)(x)
    assert jac[0, 0] == pytest.approx(1.0) and jac[0, 1] == pytest.approx(1.0)


def test_a_dependence_above_rounding_but_tiny_is_a_break():
    def f(x):  # f_0 depends on x_2 with a coefficient of 1e-4 against entries near 1
        y = x**2
        y[0] += 1e-4 * x[2]
        return y

    with pytest.raises(ValueError, match=r"breaks its `sparsity` pattern: row 0"):
        jacobian(f, sparsity=banded(5, 1))(np.linspace(0.5, 1, 5))


def test_noise_that_couples_all_rows_cannot_be_told_from_a_dependence():
    # Documented limit: noise of size 1e-8 in every row, driven by all the variables.
    def noisy(x):
        return x**3 + 1e-8 * np.sin(1e6 * np.sum(x))

    with pytest.raises(ValueError, match=r"or carries noise.*pass check_pattern=False"):
        jacobian(noisy, sparsity=banded(6, 1))(np.linspace(0, 1, 6))
    # The ways out: no check, or no pattern.
    assert jacobian(noisy, sparsity=banded(6, 1), check_pattern=False)(np.ones(6)).nnz == 16
    assert jacobian(noisy)(np.linspace(0, 1, 6)).shape == (6, 6)


def test_the_check_does_not_see_a_dependence_in_a_row_the_color_touches():
    # Documented limit: with n = 10, x_9 has color 0, which row 0 has (column 0).
    def periodic(x):
        return x**3 + np.roll(x, 1) + np.roll(x, -1)

    jac = jacobian(periodic, sparsity=banded(10, 1))(np.zeros(10))
    assert jac[0, 0] == pytest.approx(1.0, abs=1e-6)  # 0 + the hidden d f_0 / d x_9


# --- sparse_hessian ---------------------------------------------------------------------------


def wavy_sum_gradient(x):
    return 2 * x + np.cos(x)


@pytest.mark.parametrize("n", [5, 100])
def test_diagonal_hessian_costs_two_gradient_evaluations(n):
    x = RNG.uniform(-1, 1, size=n)
    grad, calls = counted(wavy_sum_gradient)
    hess = sparse_hessian(grad, np.eye(n, dtype=bool))(x)
    assert len(calls) == 2
    assert isinstance(hess, scipy.sparse.csr_array) and hess.nnz == n
    assert np.max(np.abs(hess.toarray() - np.diag(2 - np.sin(x)))) < 1e-7


def chain_energy_gradient(x):
    """Gradient of sum(x**4) / 4 + sum((x_i x_{i+1})**2) / 2: a tridiagonal Hessian."""
    g = x**3
    g[:-1] += x[:-1] * x[1:] ** 2
    g[1:] += x[:-1] ** 2 * x[1:]
    return g


def chain_energy_hessian(x):
    neighbours = np.zeros_like(x)
    neighbours[:-1] += x[1:] ** 2
    neighbours[1:] += x[:-1] ** 2
    coupling = 2 * x[:-1] * x[1:]
    return np.diag(3 * x**2 + neighbours) + np.diag(coupling, 1) + np.diag(coupling, -1)


@pytest.mark.parametrize(("method", "count"), [("forward", 4), ("central", 6)])
def test_tridiagonal_hessian_costs_3_colors_and_averages_the_two_estimates(method, count):
    x = np.linspace(-1, 1.5, 30)
    grad, calls = counted(chain_energy_gradient)
    hess = sparse_hessian(grad, banded(30, 1), method=method)(x)
    assert len(calls) == count
    exact = chain_energy_hessian(x)
    assert np.max(np.abs(hess.toarray() - exact)) < (1e-6 if method == "forward" else 1e-9)
    assert hess.nnz == banded(30, 1).sum()
    # H_ij and H_ji come from different differences; the result is their average.
    one_sided = jacobian(chain_energy_gradient, method=method, sparsity=banded(30, 1))(x)
    one_sided = one_sided.toarray()
    if method == "forward":
        assert not np.array_equal(one_sided, one_sided.T)
    assert np.array_equal(hess.toarray(), (one_sided + one_sided.T) / 2)
    assert (hess != hess.T).nnz == 0


def test_arrowhead_hessian_takes_one_color_per_column_since_symmetry_is_not_used():
    # Documented limit: a full row 0 forces n colors, though symmetry would need 2.
    n = 7
    pattern = np.eye(n, dtype=bool)
    pattern[0, :] = pattern[:, 0] = True

    def grad(x):  # gradient of sum over j >= 1 of (x_0 - x_j**2)**2
        r = x[0] - x[1:] ** 2
        return np.concatenate([[2 * np.sum(r)], -4 * x[1:] * r])

    x = RNG.uniform(-1, 1, size=n)
    counted_grad, calls = counted(grad)
    hess = sparse_hessian(counted_grad, pattern)(x).toarray()
    assert len(calls) == n + 1
    exact = np.diag(np.concatenate([[2.0 * (n - 1)], 12 * x[1:] ** 2 - 4 * x[0]]))
    exact[0, 1:] = exact[1:, 0] = -4 * x[1:]
    assert np.max(np.abs(hess - exact)) < 1e-6


def test_hessian_refuses_bad_arguments():
    with pytest.raises(TypeError, match=r"`grad` must be callable"):
        sparse_hessian(None, np.eye(3, dtype=bool))
    with pytest.raises(ValueError, match=r"must be square, got shape \(3, 4\)"):
        sparse_hessian(wavy_sum_gradient, np.ones((3, 4), dtype=bool))
    with pytest.raises(ValueError, match=r"must be symmetric"):
        sparse_hessian(wavy_sum_gradient, np.eye(3, dtype=bool) | np.eye(3, k=1, dtype=bool))
    with pytest.raises(ValueError, match=r"`method` must be one of"):
        sparse_hessian(wavy_sum_gradient, np.eye(3, dtype=bool), method="complex")
    with pytest.raises(TypeError, match=r"boolean"):
        sparse_hessian(wavy_sum_gradient, np.eye(3))
    with pytest.raises(ValueError, match=r"`grad` must return an array shaped like x \(3,\)"):
        sparse_hessian(lambda x: x[:2], np.eye(3, dtype=bool))(np.ones(3))
    with pytest.raises(ValueError, match=r"shape \(len\(f\(x\)\), 4\), got \(3, 3\)"):
        sparse_hessian(wavy_sum_gradient, np.eye(3, dtype=bool))(np.ones(4))


# --- the pattern check is scale-aware, and can be turned off ---------------------------------


def periodic_fft_map(n):
    """u -> irfft(rfft(u) * K) + u**3, K the symbol of the periodic second difference.

    The linear part is u_{i-1} - 2 u_i + u_{i+1} (indices mod n), computed through the
    FFT: every row is computed from every u_j, and rounding couples all rows.
    """
    symbol = 2 * np.cos(2 * np.pi * np.arange(n // 2 + 1) / n) - 2

    def f(u):
        return np.fft.irfft(np.fft.rfft(u) * symbol, n) + u**3

    i, j = np.indices((n, n))
    pattern = (abs(i - j) <= 1) | (abs(i - j) == n - 1)
    exact = lambda u: pattern * np.where(i == j, 3 * u**2 - 2, 1.0)  # noqa: E731
    return f, pattern, exact


@pytest.mark.parametrize(("method", "tolerance"), [("forward", 1e-6), ("central", 1e-9)])
@pytest.mark.parametrize("point", ["sin", "linear"])
def test_a_correct_pattern_of_an_fft_map_is_accepted(method, tolerance, point):
    # Row 0 of f is about 1e-17 at u = sin(2 pi i / n): the rounding that the FFT spreads
    # over all rows (5.7e-17) is larger than the row, but not than the numbers f is made of.
    n = 1000
    f, pattern, exact = periodic_fft_map(n)
    u = np.sin(2 * np.pi * np.arange(n) / n) if point == "sin" else np.linspace(0, 1, n)
    jac = jacobian(f, method=method, sparsity=pattern)(u)
    assert np.max(np.abs(jac.toarray() - exact(u))) < tolerance * np.max(np.abs(exact(u)))


def test_a_left_out_entry_of_an_fft_map_is_still_caught():
    f, _, _ = periodic_fft_map(9)
    with pytest.raises(ValueError, match=r"breaks its `sparsity` pattern: row 0 .* \[2, 5, 8\]"):
        jacobian(f, sparsity=banded(9, 1))(np.linspace(0, 1, 9))  # the corners left out
    with pytest.raises(ValueError, match=r"pass check_pattern=False"):
        jacobian(f, method="central", sparsity=banded(9, 1))(np.linspace(0, 1, 9))


def test_a_right_pattern_of_a_map_made_of_large_numbers_is_refused_with_both_causes():
    # irfft(rfft(u + 1e6) * K) - 1e6 + u**3 with K the symbol of u_{i-1} - u_i + u_{i+1}:
    # every value passes through numbers near 1e6, whose rounding, 1.2e-10, changes
    # every row when any u_j is stepped. The pattern is right, but that change is far
    # above the rounding of numbers the size of f (2.5e-12): the message must not only
    # advise adding entries, and check_pattern=False gives the Jacobian.
    n = 64
    kernel = np.zeros(n)
    kernel[[0, 1, -1]] = [-1.0, 1.0, 1.0]
    symbol = np.fft.rfft(kernel)

    def f(u):
        return np.fft.irfft(np.fft.rfft(u + 1e6) * symbol, n) - 1e6 + u**3

    i, j = np.indices((n, n))
    pattern = (abs(i - j) <= 1) | (abs(i - j) == n - 1)
    u = np.random.default_rng(0).uniform(0.5, 1.5, n)
    for method in ["forward", "central"]:
        with pytest.raises(
            ValueError,
            match=r"`f` breaks its `sparsity` pattern: row 0 of f changed by -1\.164e-10 .*"
            r"Either the pattern misses entries \(compare it with the dense jacobian\(f\)\(x\) "
            r"and add them\), or f is computed from numbers far larger than its values .*"
            r"the pattern may be right: pass check_pattern=False",
        ):
            jacobian(f, method=method, sparsity=pattern)(u)
    exact = pattern * np.where(i == j, 3 * u**2 - 1, 1.0)
    jac = jacobian(f, method="central", sparsity=pattern, check_pattern=False)(u)
    assert np.max(np.abs(jac.toarray() - exact)) < 1e-2  # the rounding 1.2e-10 / 2h


def test_check_pattern_false_skips_the_check_and_gives_the_wrong_jacobian_it_hides():
    f, _, exact = periodic_fft_map(10)
    u = np.linspace(0, 1, 10)
    jac = jacobian(f, method="central", sparsity=banded(10, 1), check_pattern=False)(u)
    # Column 9 has color 0, as column 0: row 0 adds the left-out J_09 = 1 into J_00.
    assert jac[0, 0] == pytest.approx(exact(u)[0, 0] + 1.0, abs=1e-9)


@pytest.mark.parametrize("bad", [None, 1, "yes", np.array([True])])
def test_check_pattern_must_be_true_or_false(bad):
    with pytest.raises(ValueError, match=r"`check_pattern` must be True or False"):
        jacobian(chain, sparsity=banded(4, 1), check_pattern=bad)
    with pytest.raises(ValueError, match=r"`check_pattern` must be True or False"):
        sparse_hessian(wavy_sum_gradient, np.eye(3, dtype=bool), check_pattern=bad)


# --- sparse_hessian refuses a pattern whose two estimates of H_ij disagree -------------------


def rosenbrock_pattern_without(n, k):
    """The tridiagonal pattern of the chained Rosenbrock Hessian, without H_k,k+1 = H_k+1,k."""
    pattern = banded(n, 1)
    pattern[k, k + 1] = pattern[k + 1, k] = False
    return pattern


@pytest.mark.parametrize("method", ["forward", "central"])
def test_a_hessian_pattern_that_misses_an_entry_is_refused(method):
    from scipy.optimize import rosen_der, rosen_hess

    x = np.random.default_rng(3).uniform(-1, 1, size=1000)
    exact = rosen_hess(x)
    right = sparse_hessian(rosen_der, banded(1000, 1), method=method)(x)
    assert np.max(np.abs(right.toarray() - exact)) < 1e-4  # no complaint, accurate
    wrong = rosenbrock_pattern_without(1000, 10)
    with pytest.raises(ValueError, match=r"the two estimates of H\[.*\] disagree.*misses entries"):
        sparse_hessian(rosen_der, wrong, method=method)(x)
    # Without the check the average hides it: an error of half the left-out entry.
    silent = sparse_hessian(rosen_der, wrong, method=method, check_pattern=False)(x)
    error = np.max(np.abs(silent.toarray() - exact * wrong))
    assert error == pytest.approx(abs(exact[10, 11]) / 2, rel=1e-3)


@pytest.mark.parametrize("method", ["forward", "central"])
def test_a_hessian_row_that_changes_outside_the_pattern_names_grad_and_the_hessian(method):
    # x_0 x_5 left out of a tridiagonal pattern: column 5 has color 2, which touches no
    # entry of row 0, so row 0 of H (entry 0 of grad) changes outside the pattern. The
    # message used to say "`f` breaks ... row 0 of f" though the user passed grad.
    from scipy.optimize import rosen_der

    def grad(x):
        g = rosen_der(x)
        g[0] += x[5]
        g[5] += x[0]
        return g

    x = np.random.default_rng(3).uniform(-1, 1, size=30)
    with pytest.raises(
        ValueError,
        match=r"^`grad` breaks its `sparsity` pattern: entry 0 of grad \(row 0 of H\) changed "
        r".*numbers the size of grad and H x .*compare it with the dense H, "
        r"jacobian\(grad\)\(x\), and add them\), or grad is computed",
    ) as error:
        sparse_hessian(grad, banded(30, 1), method=method)(x)
    assert "`f`" not in str(error.value) and "of f " not in str(error.value)


@pytest.mark.parametrize("method", ["forward", "central"])
def test_a_missing_entry_whose_columns_share_a_color_lands_on_the_diagonal_unseen(method):
    # Documented limitation: without H_01, columns 0 and 1 share no row and get one
    # color, so H_01 is added to H_00 and H_10 to H_11, which have no second estimate.
    from scipy.optimize import rosen_der, rosen_hess

    x = np.random.default_rng(3).uniform(-1, 1, size=50)
    exact = rosen_hess(x)
    wrong = rosenbrock_pattern_without(50, 0)
    assert color_columns(wrong)[0] == color_columns(wrong)[1]
    hess = sparse_hessian(rosen_der, wrong, method=method)(x).toarray()  # no complaint
    rel = 1e-7 if method == "forward" else 1e-9  # the error of the differences
    assert hess[0, 0] == pytest.approx(exact[0, 0] + exact[0, 1], rel=rel)  # off by 331
    assert hess[1, 1] == pytest.approx(exact[1, 1] + exact[1, 0], rel=rel)


@pytest.mark.parametrize("method", ["forward", "central"])
@pytest.mark.parametrize("seed", range(5))
def test_a_fast_changing_hessian_with_the_right_pattern_is_not_refused(method, seed):
    # sum of sin(100 x_i x_{i+1}) at |x| up to 3: H changes on a scale of 1/300, about
    # 900 times shorter than max(1, |x|), and the two estimates of H_ij differ by up to
    # 3e-5 of max|H| with central differences.
    a = 100.0

    def grad(x):
        c = a * np.cos(a * x[:-1] * x[1:])
        g = np.zeros_like(x)
        g[:-1] += c * x[1:]
        g[1:] += c * x[:-1]
        return g

    x = np.random.default_rng(seed).uniform(-3, 3, size=30)
    hess = sparse_hessian(grad, banded(30, 1), method=method)(x).toarray()
    dense = jacobian(grad, method="central")(x)
    assert np.max(np.abs(hess - dense)) < 1e-3 * np.max(np.abs(dense))


# --- color_columns: orders and dense rows ----------------------------------------------------


ORDERS = ["natural", "largest-first", "smallest-last"]


def is_valid_coloring(pattern, colors):
    k = colors.max() + 1
    return set(colors.tolist()) == set(range(k)) and all(
        np.all(pattern[:, colors == c].sum(axis=1) <= 1) for c in range(k)
    )


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("seed", range(30))
def test_every_order_gives_a_valid_coloring(order, seed):
    rng = np.random.default_rng(seed)
    m, n = rng.integers(1, 60, size=2)
    pattern = rng.random((m, n)) < rng.uniform(0.02, 0.5)
    pattern[rng.integers(m), rng.integers(n)] = True
    if seed % 3 == 0:
        pattern[rng.integers(m), :] = True  # a dense row
    colors = color_columns(pattern, order=order)
    assert colors.shape == (n,) and is_valid_coloring(pattern, colors)
    assert colors.max() + 1 >= pattern.sum(axis=1).max()


def test_largest_first_saves_three_colors_on_a_random_pattern():
    pattern = np.random.default_rng(52).random((60, 60)) < 0.05
    counts = {order: color_columns(pattern, order=order).max() + 1 for order in ORDERS}
    assert counts == {"natural": 9, "largest-first": 6, "smallest-last": 6}
    assert pattern.sum(axis=1).max() == 6  # the lower bound: largest-first is optimal here


def test_largest_first_takes_the_columns_by_decreasing_degree_ties_in_natural_order():
    # Tridiagonal, n = 6: degrees 2, 3, 4, 4, 3, 2, so the order is 2, 3, 1, 4, 0, 5.
    assert color_columns(banded(6, 1), order="largest-first").tolist() == [1, 2, 0, 1, 2, 0]


@pytest.mark.parametrize("seed", range(10))
def test_smallest_last_colors_every_tree_with_two_colors(seed):
    # A pattern with two True entries per row is a graph; smallest-last colors a graph
    # whose every subgraph has a vertex of degree <= d with d + 1 colors, a tree with 2.
    rng = np.random.default_rng(seed)
    n = 40
    vertex = rng.permutation(n)
    tree = np.zeros((n - 1, n), dtype=bool)
    for k in range(1, n):
        tree[k - 1, [vertex[k], vertex[rng.integers(k)]]] = True
    assert color_columns(tree, order="smallest-last").max() + 1 == 2


def test_smallest_last_needs_two_colors_on_the_crown_where_natural_needs_four():
    k = 4
    crown = np.zeros((k * (k - 1), 2 * k), dtype=bool)
    pairs = [(i, j) for i in range(k) for j in range(k) if i != j]
    for row, (i, j) in enumerate(pairs):
        crown[row, [2 * i, 2 * j + 1]] = True
    assert color_columns(crown).max() + 1 == k
    assert color_columns(crown, order="smallest-last").max() + 1 == 2


@pytest.mark.parametrize("order", ORDERS)
def test_a_large_arrowhead_takes_one_color_per_column_in_every_order(order):
    # A dense row: every two columns share row 0. Coloring it used to take n**2 steps.
    n = 3000
    arrowhead = scipy.sparse.lil_array((n, n), dtype=bool)
    arrowhead.setdiag(True)
    arrowhead[0, :] = True
    arrowhead[:, 0] = True
    colors = color_columns(arrowhead.tocsr(), order=order)
    assert sorted(colors.tolist()) == list(range(n))


@pytest.mark.parametrize("bad", ["random", "Natural", "largest_first", None, 0])
def test_an_unknown_order_is_refused_by_name(bad):
    with pytest.raises(ValueError, match=r"`order` must be one of 'natural', 'largest-first', "):
        color_columns(banded(4, 1), order=bad)
