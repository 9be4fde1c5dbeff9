"""How `make grade` checks four_ways: one check per otter test case, in order.

The format is explained in assignments/central_difference/checks.py. The functions of this
homework may compute with JAX and SymPy, but what a probe returns must be plain data: the
probes turn JAX arrays into NumPy ones with `np.asarray`, and a SymPy object or any other
object that is not a number, string, list, tuple, set, dict or NumPy array comes back as
an opaque value, which fails its check. The pass counts are read from the jaxpr of the
function the student returns (the first two-dimensional `iota`, the identity JAX pushes
through, as chapter 10 reads them), the cost of a Hessian-vector product from XLA's count
of operations. This file is read by the grader only; keep it as private as the instructor
notebook.
"""

import numpy as np

SYMBOL = "sympy.Symbol('x')"
LAYER_INPUT = (
    "(lambda r: {}(r.normal(size=(3, 4)), r.normal(size=3), r.normal(size=4), "
    "r.normal(size=3)))(np.random.default_rng(23))"
)
ONES = "np.ones((3, 4)), np.zeros(3), np.ones(4), np.ones(3)"
FOUR_WAYS = "four_ways_errors(np.linspace(0.2, 2.0, 5))"
GIVEN_ERRORS = {"a": [1e-3, 1e-4, 1e-5], "b": [1e-16, 2e-16, 3e-16]}


def passes_of(call, point):
    """A probe: the size of the first 2-d iota in the jaxpr of the function `call` returns.

    Read from the jaxpr's text, which shows the sub-jaxprs too: a function wrapped in
    `jax.jit` has its iota one level down.
    """
    return (
        "int(__import__('re').search(r'iota\\[[^\\]]*shape=\\((\\d+), \\d+\\)', "
        f"str(jax.make_jaxpr({call})({point}))).group(1))"
    )


def arrays_of_shapes(got, expected):
    """q3, public: NumPy arrays (as sent back, not objects) of the shapes given."""
    return (
        isinstance(got, list)
        and len(got) == len(expected)
        and all(
            isinstance(a, np.ndarray) and a.dtype.kind == "f" and a.shape == shape
            for a, shape in zip(got, expected, strict=True)
        )
    )


def chain_product():
    """q5: H v for the chain's energy, exactly: springs (2, -2 off the diagonal) and -cos q."""
    q, v = np.linspace(-2, 1, 30), np.sin(np.arange(30.0))
    springs = (
        2 * np.diag(np.r_[1, 2 * np.ones(28), 1]) - 2 * np.eye(30, k=1) - 2 * np.eye(30, k=-1)
    )
    return (springs - np.diag(np.cos(q))) @ v


def fewer_than_ten_gradients(got, expected):
    """q5: the product asks XLA for fewer than ten times the operations of one gradient."""
    return isinstance(got, float) and 0 < got < 10


def the_four_names_and_rounding_only(got, expected):
    """q6: the four names, and five errors below 1e-14 for each way but the difference."""
    names, exact_ways = got
    return names == expected[0] and all(
        isinstance(errors, np.ndarray)
        and errors.shape == (5,)
        and errors.dtype.kind == "f"
        and bool(np.all(np.abs(errors) < 1e-14))
        for errors in exact_ways
    )


def log_axes_with_each_given_line(got, expected):
    """q6: a log y axis, both axes labelled, and a line for each array given, at the points."""
    lines = [(np.asarray(x, dtype=float), np.asarray(y, dtype=float)) for x, y in got["lines"]]
    return (
        got["yscale"] == "log"
        and bool(got["xlabel"])
        and bool(got["ylabel"])
        and all(
            any(
                np.array_equal(x, [1.0, 2.0, 3.0]) and np.allclose(y, given, rtol=1e-12, atol=0)
                for x, y in lines
            )
            for given in GIVEN_ERRORS.values()
        )
    )


CHECKS = {
    "q1": [
        {"probe": "derivative_function(x**3)(2.0)", "expected": 12.0},
        {
            "probe": f"(lambda s: derivative_function(sympy.exp(sympy.sin(s)) / (1 + s**2))"
            f"(np.linspace(0.2, 2.0, 7)))({SYMBOL})",
            "rtol": 1e-13,
        },
        {
            "probe": f"(lambda s: derivative_function(sympy.log(1 + s**2) * sympy.cos(3 * s))"
            f"(np.array([-1.0, 0.5, 2.5])))({SYMBOL})",
            "rtol": 1e-13,
        },
    ],
    "q2": [
        {
            "probe": "(lambda d: (d.value, d.dot))(Dual(2.0, 1.0).log())",
            "expected": (np.log(2.0), 0.5),
        },
        {
            "probe": "(lambda d: (d.value, d.dot))(Dual(2.0, 2.5).log())",
            "expected": (np.log(2.0), 1.25),
        },
        {
            "probe": "(lambda d: (d.value, d.dot))(cos(Dual(0.7, 1.0)))",
            "expected": (np.cos(0.7), -np.sin(0.7)),
        },
        {
            "probe": "(lambda d: (d.value, d.dot))"
            "(log(1 + Dual(0.7, 1.0) ** 2) * cos(3 * Dual(0.7, 1.0)))",
            "expected": (
                np.log(1.49) * np.cos(2.1),
                1.4 / 1.49 * np.cos(2.1) - 3 * np.log(1.49) * np.sin(2.1),
            ),
        },
        {"probe": "(log(2.0), cos(0.5))", "expected": (np.log(2.0), np.cos(0.5))},
    ],
    "q3": [
        {
            "probe": f"[*layer_vjp_by_hand({ONES}), *layer_vjp_by_jax({ONES})]",
            "expected": [(3, 4), (3,), (4,)] * 2,
            "compare": arrays_of_shapes,
        },
        {"probe": LAYER_INPUT.format("layer_vjp_by_hand") + "[0]", "rtol": 1e-12},
        {"probe": LAYER_INPUT.format("layer_vjp_by_hand") + "[1]", "rtol": 1e-12},
        {"probe": LAYER_INPUT.format("layer_vjp_by_hand") + "[2]", "rtol": 1e-12},
        {"probe": LAYER_INPUT.format("layer_vjp_by_jax"), "rtol": 1e-12},
    ],
    "q4": [
        {"probe": "choose(3, 1000)", "expected": ("jacfwd", 3), "compare": "equal"},
        {
            "probe": "[choose(n, m) for n, m in [(10**6, 1), (500, 500), (64, 8), (8, 64)]]",
            "expected": [("jacrev", 1), ("jacfwd", 500), ("jacrev", 8), ("jacfwd", 8)],
            "compare": "equal",
        },
        {
            "probe": "[np.asarray(jax.jit(jacobian_function(f, n, m))(p)) for f, n, m, p in "
            "[(tall_map, 3, 20, x_tall), (wide_map, 20, 3, x_wide)]]",
            "rtol": 1e-10,
        },
        {
            "probe": passes_of("jacobian_function(tall_map, 3, 20)", "x_tall"),
            "expected": 3,
            "compare": "equal",
        },
        {
            "probe": passes_of("jacobian_function(wide_map, 20, 3)", "x_wide"),
            "expected": 3,
            "compare": "equal",
        },
    ],
    "q5": [
        {
            "probe": "np.asarray(jax.jit(lambda q, v: hvp(lambda p: jnp.sum(p**3), q, v))"
            "(jnp.ones(3), jnp.arange(3.0)))",
            "expected": [0.0, 6.0, 12.0],
        },
        {
            "probe": "np.asarray(jax.jit(lambda q, v: hvp(chain_energy, q, v))"
            "(np.linspace(-2, 1, 30), np.sin(np.arange(30.0))))",
            "expected": chain_product(),
            "rtol": 1e-12,
            "atol": 1e-12,
        },
        {
            "probe": "(lambda flops: flops(lambda q, v: hvp(chain_energy, q, v), "
            "np.linspace(-1, 1, 200), np.ones(200)) / flops(jax.grad(chain_energy), "
            "np.linspace(-1, 1, 200)))"
            "(lambda F, *a: jax.jit(F).lower(*a).cost_analysis()['flops'])",
            "compare": fewer_than_ten_gradients,
        },
    ],
    "q6": [
        {
            "probe": "plot_four_ways(np.array([1.0, 2.0]), {'a': np.ones(2)}).get_yscale()",
            "expected": "log",
            "compare": "equal",
        },
        {"probe": f"{FOUR_WAYS}['forward difference']", "rtol": 1e-3, "atol": 0.0},
        {
            "probe": "(lambda e: (sorted(e), [e[k] for k in ('dual numbers', 'jax', 'symbolic')]))"
            f"({FOUR_WAYS})",
            "expected": (["dual numbers", "forward difference", "jax", "symbolic"], None),
            "compare": the_four_names_and_rounding_only,
        },
        {
            "probe": "axes_data(plot_four_ways(np.array([1.0, 2.0, 3.0]), "
            + repr({name: f"np.array({values})" for name, values in GIVEN_ERRORS.items()})
            .replace("'np", "np")
            .replace(")'", ")")
            + "))",
            "compare": log_axes_with_each_given_line,
        },
    ],
}
