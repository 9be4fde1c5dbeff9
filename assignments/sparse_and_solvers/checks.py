"""How `make grade` checks sparse_and_solvers: one check per otter test case, in order.

The format is explained in assignments/central_difference/checks.py. Several checks count:
the colors of a coloring, the evaluations of a function (the probe passes a lambda that
records its calls), and the factorizations, solves and right-hand-side calls that the
handout's `factor`, `solve` and `rhs` record in `counts`. This file is read by the grader
only; keep it as private as the instructor notebook.
"""

import numpy as np

RANDOM_PATTERN = "(np.random.default_rng(3).random((30, 40)) < 0.08) | np.eye(30, 40, dtype=bool)"
ARROWHEADS = (
    "(lambda a: (a, a[1:]))(np.eye(8, dtype=bool) | (np.arange(8) == 0)[:, None] "
    "| (np.arange(8) == 0)[None, :])"
)


def random_pattern():
    """q1's pattern, made here with the grader's NumPy (the same generator as the sandbox's)."""
    return (np.random.default_rng(3).random((30, 40)) < 0.08) | np.eye(30, 40, dtype=bool)


def valid_coloring(got, expected):
    """q1: one integer color >= 0 a column, and no two columns of a color share a row."""
    colors = np.asarray(got)
    pattern = random_pattern()
    if colors.shape != (pattern.shape[1],) or colors.dtype.kind not in "iu" or colors.min() < 0:
        return False
    return all(len(set(colors[row].tolist())) == np.count_nonzero(row) for row in pattern)


def counted(call, f):
    """A probe: `call` (with F for `f` counted), then the result and the number of calls."""
    wrapped = f"lambda u: (calls.append(1), {f}(u))[1]"
    return (
        f"(lambda calls: (lambda result: (result, len(calls)))({call.replace('F', wrapped)}))([])"
    )


def log_axes_with_both_counts(got, expected):
    """q7: log-log axes, both labelled, a line of each count given, at the sizes given."""
    lines = [(np.asarray(x, dtype=float), np.asarray(y, dtype=float)) for x, y in got["lines"]]
    return (
        got["xscale"] == got["yscale"] == "log"
        and bool(got["xlabel"])
        and bool(got["ylabel"])
        and all(
            any(np.array_equal(x, [5, 10, 20]) and np.array_equal(y, given) for x, y in lines)
            for given in ([6, 11, 21], [4, 4, 4])
        )
    )


CHECKS = {
    "q1": [
        {
            "probe": "np.asarray(greedy_colors(banded(8, 1)))",
            "expected": np.array([0, 1, 2, 0, 1, 2, 0, 1]),
            "compare": "equal",
        },
        {"probe": f"np.asarray(greedy_colors({RANDOM_PATTERN}))", "compare": valid_coloring},
        {
            "probe": f"int(np.max(greedy_colors({RANDOM_PATTERN}))) + 1",
            "expected": 10,
            "compare": "equal",
        },
        {
            "probe": f"[int(np.max(greedy_colors(p))) + 1 for p in {ARROWHEADS}]",
            "expected": [8, 2],
            "compare": "equal",
        },
    ],
    "q2": [
        {
            "probe": "colored_jacobian(bratu_residual, test_point(5), banded(5, 1), "
            "np.arange(5) % 3)",
            "expected": np.zeros((5, 5)),
            "compare": "shape",
            "type": "ndarray",
        },
        {
            "probe": "np.asarray(colored_jacobian(bratu_residual, test_point(40), banded(40, 1), "
            "np.arange(40) % 3))",
            "rtol": 1e-6,
            "atol": 1e-3,
        },
        {
            "probe": counted(
                "colored_jacobian(F, test_point(40), banded(40, 1), np.arange(40) % 3)",
                "bratu_residual",
            )
            + "[1]",
            "expected": 4,
            "compare": "equal",
        },
        {
            "probe": counted(
                "np.asarray(colored_jacobian(F, test_point(40), banded(40, 2), "
                "np.arange(40) % 5))",
                "wide_residual",
            ),
            "rtol": 1e-6,
            "atol": 1e-3,
        },
    ],
    "q3": [
        {"probe": "sigma_k(np.zeros(9), 3)", "expected": 0.0, "atol": 0.0},
        {
            "probe": "[sigma_k(np.round(np.exp(1.0 + 1e-4 * np.arange(-4, 5)), 9), k) "
            "for k in (1, 2, 3, 4)]",
            "rtol": 1e-9,
            "atol": 0.0,
        },
        {"probe": "sigma_k(3.0 * np.arange(9.0), 2)", "expected": 0.0, "atol": 0.0},
    ],
    "q4": [
        {"probe": "forward_step(1e-16, 1.0, 4.0)", "expected": 1e-8, "rtol": 1e-12},
        # 2e-3: the closed form's f(r0) in place of simulate(r0) (4.3e-4 apart) passes too;
        # forgetting to divide by |f| (9 %) or the factor 2 (100 %) does not.
        {"probe": "eps_f", "rtol": 2e-3, "atol": 0.0},
        {"probe": "h_forward", "rtol": 2e-3, "atol": 0.0},
    ],
    "q5": [
        {
            "probe": "gradient_adjoint(theta0)",
            "expected": np.zeros(30),
            "compare": "shape",
            "type": "ndarray",
        },
        {
            "probe": "np.asarray(gradient_adjoint(theta0 + 5 * np.cos(np.arange(30.0))))",
            "rtol": 1e-10,
            "atol": 0.0,
        },
        {
            "probe": "(counts.update(factorizations=0, solves=0), gradient_adjoint(theta0), "
            "(counts['factorizations'], counts['solves']))[2]",
            "expected": (1, 2),
            "compare": "equal",
        },
        {"probe": "np.asarray(gradient_differences(theta0))", "rtol": 1e-4, "atol": 0.0},
        {
            "probe": "(counts.update(factorizations=0, solves=0), gradient_differences(theta0), "
            "(counts['factorizations'], counts['solves']))[2]",
            "expected": (31, 31),
            "compare": "equal",
        },
    ],
    "q6": [
        {
            "probe": "euler_gradient_by_hand(theta_ode)",
            "expected": np.zeros(3),
            "compare": "shape",
            "type": "ndarray",
        },
        {"probe": "np.asarray(euler_gradient_by_hand(theta_ode))", "rtol": 1e-10},
        {
            "probe": "(counts.update(rhs=0), euler_gradient_by_hand(theta_ode), counts['rhs'])[2]",
            "expected": 50,
            "compare": "equal",
        },
        {
            "probe": "np.asarray(euler_gradient_by_hand(np.array([0.3, -0.7, 5.0])))",
            "rtol": 1e-10,
        },
    ],
    "q7": [
        {
            "probe": "plot_evaluation_counts([5, 10], [6, 11], [4, 4]).get_xscale()",
            "expected": "log",
            "compare": "equal",
        },
        {
            "probe": "axes_data(plot_evaluation_counts([5, 10, 20], [6, 11, 21], [4, 4, 4]))",
            "compare": log_axes_with_both_counts,
        },
    ],
}
