"""Unit tests for diffops: values, evaluation counts, shapes, and every bad input."""

import math
import re

import numpy as np
import pytest

from diffops import derivative, gradient, second_derivative


def cube(x):
    return x**3


def seed_function(x):
    """The chapter's test function x1^3 + x2^2 + x3^4."""
    x1, x2, x3 = x
    return x1**3 + x2**2 + x3**4


def counted(f):
    """Return f wrapped to record its calls, and the list of recorded points."""
    points = []

    def wrapper(x):
        points.append(np.array(x, copy=True))
        return f(x)

    return wrapper, points


# --- derivative: values -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("f", "exact", "x"),
    [
        (np.sin, np.cos, 0.3),
        (np.exp, np.exp, -1.2),
        (cube, lambda x: 3 * x**2, 2.0),
        (np.log, lambda x: 1 / x, 5.0),
    ],
)
def test_derivative_matches_analytical_derivative(f, exact, x):
    # Truncation error is h |f''| / 2, about 1e-4 here; 1e-3 leaves room and still
    # fails for a wrong formula (a sign error or a missing division by h).
    assert derivative(f, 1e-4)(x) == pytest.approx(exact(x), abs=1e-3)


def test_derivative_of_cube_is_the_expanded_quotient():
    # ((x + h)^3 - x^3) / h = 3x^2 + 3xh + h^2 exactly in real arithmetic.
    h = 1e-4
    x = np.linspace(-5, 5, 100)
    assert np.allclose(derivative(cube, h)(x), 3 * x**2 + 3 * x * h + h**2, rtol=0, atol=1e-9)


def test_derivative_error_is_first_order_in_h():
    errors = [abs(derivative(np.exp, h)(1.0) - math.e) for h in (1e-2, 1e-3)]
    # A tenth of the step gives a tenth of the error (h e / 2 for f = exp at x = 1).
    assert errors[0] / errors[1] == pytest.approx(10, rel=0.02)
    assert errors[0] == pytest.approx(1e-2 * math.e / 2, rel=0.01)


@pytest.mark.parametrize("x", [0.25, -3.0, 1000.0])
def test_derivative_default_step_is_sqrt_eps_scaled_by_x(x):
    step = np.sqrt(np.finfo(float).eps) * max(1.0, abs(x))
    assert derivative(cube)(x) == derivative(cube, step)(x)
    assert derivative(cube)(x) != derivative(cube, 1e-4)(x)


def test_derivative_accepts_integer_step_and_points():
    assert derivative(cube, h=1)(2) == pytest.approx(19.0)  # (3^3 - 2^3) / 1


# --- derivative: shapes -------------------------------------------------------------------


def test_derivative_of_scalar_is_python_float():
    value = derivative(np.sin)(0.0)
    assert type(value) is float


@pytest.mark.parametrize("shape", [(1,), (7,), (3, 4), (2, 3, 5)])
def test_derivative_is_elementwise_for_any_shape(shape):
    x = np.linspace(-1, 1, math.prod(shape)).reshape(shape)
    result = derivative(np.sin)(x)
    assert result.shape == shape
    assert np.allclose(result, np.cos(x), atol=1e-4)


def test_derivative_accepts_lists():
    assert np.allclose(derivative(cube)([1.0, 2.0]), [3.0, 12.0], atol=1e-3)


def test_derivative_returns_a_new_function_each_call():
    df = derivative(cube)
    assert callable(df)
    assert df is not derivative(cube)


# --- gradient: values and counts ----------------------------------------------------------


def test_gradient_of_seed_function_matches_seed_values():
    g = gradient(seed_function, h=1e-4)(np.array([1.0, 1.0, 1.0]))
    # The lecture's printed values, and the exact quotients 3 + 3h + h^2, 2 + h,
    # 4 + 6h + 4h^2 + h^3 at h = 1e-4.
    assert np.allclose(g, [3.00030001, 2.0001, 4.00060004], rtol=0, atol=1e-8)
    h = 1e-4
    assert np.allclose(g, [3 + 3 * h + h**2, 2 + h, 4 + 6 * h + 4 * h**2 + h**3], atol=1e-10)


def test_gradient_approaches_exact_gradient():
    x = np.array([0.5, -1.0, 2.0])
    exact = np.array([3 * 0.5**2, 2 * -1.0, 4 * 2.0**3])
    assert np.allclose(gradient(seed_function, 1e-7)(x), exact, atol=1e-5)


@pytest.mark.parametrize("n", [1, 3, 50])
def test_gradient_uses_exactly_n_plus_one_evaluations(n):
    f, points = counted(lambda x: float(np.sum(x**2)))
    x = np.arange(n, dtype=float)
    gradient(f, h=0.5)(x)
    assert len(points) == n + 1
    # The first call is at x itself, then one call per coordinate along e_i.
    assert np.array_equal(points[0], x)
    for i, point in enumerate(points[1:]):
        assert np.array_equal(point - x, 0.5 * np.eye(n)[i])


def test_gradient_returns_1d_array_of_length_n():
    g = gradient(lambda x: float(np.sum(x)))(np.zeros(4))
    assert g.shape == (4,)
    assert np.allclose(g, 1.0)


def test_gradient_does_not_modify_its_input():
    x = np.array([1.0, 2.0, 3.0])
    gradient(lambda v: float(v @ v))(x)
    assert np.array_equal(x, [1.0, 2.0, 3.0])


def test_gradient_is_not_fooled_by_f_that_modifies_its_argument():
    def rude(x):
        value = float(x @ x)
        x[:] = 99.0
        return value

    assert np.allclose(gradient(rude, 1e-6)(np.array([1.0, 2.0])), [2.0, 4.0], atol=1e-4)


def test_gradient_accepts_numpy_scalar_and_size_one_results():
    # A 0-d array or NumPy scalar is a real scalar; integer results are fine too.
    assert np.allclose(gradient(lambda x: np.sum(x**2))(np.ones(2)), 2.0, atol=1e-3)
    assert np.allclose(gradient(lambda x: np.array(x[0]))(np.ones(2)), [1.0, 0.0], atol=1e-6)


# --- bad input: f -------------------------------------------------------------------------


@pytest.mark.parametrize("operator", [derivative, second_derivative, gradient])
@pytest.mark.parametrize("not_callable", [3, "sin", None, [np.sin]])
def test_non_callable_f_raises_type_error_naming_f_and_value(operator, not_callable):
    with pytest.raises(TypeError, match=r"`f` must be callable") as error:
        operator(not_callable)
    assert repr(not_callable) in str(error.value)


# --- bad input: h -------------------------------------------------------------------------


@pytest.mark.parametrize("operator", [derivative, second_derivative, gradient])
@pytest.mark.parametrize(
    "bad_h", [0, 0.0, -1e-4, np.nan, np.inf, -np.inf, "0.1", 1e-4 + 0j, True, [1e-4]]
)
def test_bad_step_raises_value_error_naming_h_and_value(operator, bad_h):
    with pytest.raises(ValueError, match=r"`h` must be a real, finite number > 0") as error:
        operator(np.sin, bad_h)
    assert repr(bad_h) in str(error.value)


@pytest.mark.parametrize("good_h", [1, 1e-8, np.float32(0.5), np.float64(1e-3)])
def test_good_steps_are_accepted(good_h):
    assert callable(derivative(np.sin, good_h))
    assert callable(gradient(np.sum, good_h))


# --- bad input: x -------------------------------------------------------------------------


@pytest.mark.parametrize("bad_x", [1.0, np.ones((2, 2)), np.array([]), [], [[1.0, 2.0]]], ids=repr)
def test_gradient_rejects_x_that_is_not_a_non_empty_vector(bad_x):
    with pytest.raises(ValueError, match=r"`x` must be a non-empty 1-D array, got shape"):
        gradient(np.sum)(bad_x)


@pytest.mark.parametrize("bad_x", [[1.0, np.nan], [np.inf, 0.0]], ids=repr)
def test_gradient_rejects_non_finite_x(bad_x):
    with pytest.raises(ValueError, match=r"`x` must be finite"):
        gradient(np.sum)(bad_x)


@pytest.mark.parametrize("operator", [derivative, gradient])
@pytest.mark.parametrize(
    "bad_x",
    [["a", "b"], ["1.0", "2.0"], np.array([1j, 2.0]), [1 + 0j, 2.0], [True, False], [1.0, None]],
    ids=repr,
)
def test_x_that_is_not_real_raises_value_error_naming_x(operator, bad_x):
    with pytest.raises(ValueError, match=r"`x` must be a real number or an array of them") as e:
        operator(np.sum)(bad_x)
    assert repr(bad_x) in str(e.value)


def test_integer_points_are_accepted():
    assert derivative(cube, h=1)(np.array([2])).tolist() == [19.0]
    assert gradient(lambda x: float(np.sum(x)), h=1)(np.array([1, 2])).tolist() == [1.0, 1.0]


# --- bad input: what f returns ------------------------------------------------------------


@pytest.mark.parametrize(
    "bad_f",
    [lambda x: x, lambda x: np.array([1.0, 2.0]), lambda x: np.sum(x) * 1j, lambda x: "1.0"],
    ids=["vector", "fixed vector", "complex", "string"],
)
def test_gradient_rejects_f_that_does_not_return_a_real_scalar(bad_f):
    with pytest.raises(ValueError, match=r"`f` must return a real scalar for `gradient`"):
        gradient(bad_f)(np.array([1.0, 2.0]))


def test_gradient_names_the_point_where_f_is_not_finite():
    def f(x):
        return np.inf if x[1] > 2.0 else float(np.sum(x))

    # f(x) is finite; the step along e_2 lands on x = [1, 2.5] where f is inf.
    with pytest.raises(
        ValueError, match=r"`f` is not finite at x = array\(\[1. , 2.5\]\): f\(x\) = inf"
    ):
        gradient(f, h=0.5)(np.array([1.0, 2.0]))


def test_gradient_rejects_nan_at_the_base_point():
    with pytest.raises(ValueError, match=r"not finite at x = array\(\[-1.\]\): f\(x\) = nan"):
        gradient(lambda x: float(np.sqrt(x[0])))(np.array([-1.0]))


def test_derivative_names_the_point_where_f_is_not_finite():
    with pytest.raises(ValueError, match=r"not finite at x = 0.0: f\(x\) = -inf"):
        derivative(np.log)(np.array([1.0, 0.0, 2.0]))


def test_derivative_names_the_first_bad_point_and_counts_them():
    with pytest.raises(
        ValueError, match=r"at x = -2.0: .* = nan \(2 non-finite value\(s\) in all\)"
    ):
        derivative(np.sqrt)(np.array([4.0, -2.0, -3.0]))


@pytest.mark.parametrize(
    "bad_f",
    [lambda x: 1.0, lambda x: np.ones(3), lambda x: np.stack([x, x])],
    ids=["constant scalar", "fixed array", "stacked"],
)
def test_derivative_rejects_f_that_is_not_elementwise(bad_f):
    with pytest.raises(ValueError, match=r"`f` must act elementwise: for x of shape \(2,\)"):
        derivative(bad_f)(np.array([1.0, 2.0]))


@pytest.mark.parametrize(
    "bad_f", [lambda x: x * 1j, lambda x: np.full(x.shape, "a")], ids=["complex", "string"]
)
def test_derivative_rejects_f_with_non_real_values(bad_f):
    with pytest.raises(ValueError, match=r"`f` must return real numbers"):
        derivative(bad_f)(np.array([1.0, 2.0]))


# --- a step given as a 0-d array, in every function that takes a step ---------------------


def _calls_with_step():
    """For each public function that takes ``h``: a call with that step, returning numbers."""
    import diffops

    vector = np.array([0.3, -0.7, 1.1])
    grad = lambda x: 2 * x + np.cos(x)  # noqa: E731

    def dense(result):
        return result.toarray() if hasattr(result, "toarray") else result

    return {
        "forward_difference": lambda h: diffops.forward_difference(np.sin, 1.0, h),
        "backward_difference": lambda h: diffops.backward_difference(np.sin, 1.0, h),
        "central_difference": lambda h: diffops.central_difference(np.sin, 1.0, h),
        "five_point_difference": lambda h: diffops.five_point_difference(np.sin, 1.0, h),
        "complex_step": lambda h: diffops.complex_step(np.sin, 1.0, h),
        "derivative": lambda h: diffops.derivative(np.sin, h)(1.0),
        "second_derivative": lambda h: diffops.second_derivative(np.sin, h)(1.0),
        "gradient": lambda h: diffops.gradient(seed_function, h)(vector),
        "jacobian": lambda h: diffops.jacobian(np.sin, h)(vector),
        "jacobian (sparse)": lambda h: dense(
            diffops.jacobian(np.sin, h, sparsity=np.eye(3, dtype=bool))(vector)
        ),
        "hessian": lambda h: diffops.hessian(seed_function, h)(vector),
        "directional_derivative": lambda h: diffops.directional_derivative(
            seed_function, vector, np.ones(3), h
        ),
        "hessian_vector_product": lambda h: diffops.hessian_vector_product(
            grad, vector, np.ones(3), h
        ),
        "sparse_hessian": lambda h: dense(
            diffops.sparse_hessian(grad, np.eye(3, dtype=bool), h)(vector)
        ),
        "check_gradient": lambda h: (
            diffops.check_gradient(
                seed_function,
                lambda x: np.array([3 * x[0] ** 2, 2 * x[1], 4 * x[2] ** 3]),
                vector,
                h,
            ).relative_error
        ),
        "richardson": lambda h: diffops.richardson(np.sin, 1.0, h).df,
        "estimate_noise": lambda h: diffops.estimate_noise(lambda t: np.exp(t) + 0.0, 1.0, h),
    }


CALLS_WITH_STEP = _calls_with_step()


@pytest.mark.parametrize("name", CALLS_WITH_STEP)
@pytest.mark.parametrize("step", [1e-3, np.float32(2.0**-10), 3e-4])
def test_a_step_as_a_0d_array_is_the_same_step_as_the_number(name, step):
    call = CALLS_WITH_STEP[name]
    h = 1e-6 if name == "estimate_noise" else step
    if name == "complex_step":
        h = step * 1e-10
    assert np.array_equal(call(np.array(h)), call(h))


@pytest.mark.parametrize("name", CALLS_WITH_STEP)
@pytest.mark.parametrize(
    "bad",
    [
        np.array(0.0),
        np.array(-1e-3),
        np.array(np.nan),
        np.array(np.inf),
        np.array(True),
        np.array(1e-3 + 0j),
        np.array("0.1"),
        np.array(None),
    ],
    ids=repr,
)
def test_a_bad_step_gets_one_message_as_a_number_or_as_a_0d_array(name, bad):
    call = CALLS_WITH_STEP[name]
    with pytest.raises(ValueError, match=r"`h` must be a real, finite number > 0") as as_array:
        call(bad)
    assert repr(bad) in str(as_array.value)
    if bad.item() is not None:  # (None itself is the default step of the operators)
        with pytest.raises(ValueError, match=r"`h` must be a real, finite number > 0"):
            call(bad.item())


ARRAY_STEPS = {"forward_difference", "backward_difference", "central_difference"}
ARRAY_STEPS |= {"five_point_difference", "complex_step"}  # one step per point allowed


@pytest.mark.parametrize("name", sorted(set(CALLS_WITH_STEP) - ARRAY_STEPS))
@pytest.mark.parametrize("steps", [np.array([1e-4]), [1e-4], np.array([1e-4, 2e-4])], ids=repr)
def test_an_array_of_steps_where_one_step_is_taken_says_a_single_number_is_needed(name, steps):
    # A 1-element array used to get only "must be a real, finite number > 0, got
    # array([0.0001])", which reads as if 1e-4 were not such a number.
    shape = re.escape(str(np.shape(steps)))
    with pytest.raises(
        ValueError,
        match=r"`h` must be a real, finite number > 0, got .*: here `h` must be a single "
        rf"number \(a scalar or a 0-d array\), not an array of shape {shape}\.",
    ):
        CALLS_WITH_STEP[name](steps)


# --- the modules of diffops import each other without a circle ------------------------------


def import_graph(folder):
    """Which modules of the package in ``folder`` each module imports, at any depth of its
    code (an import inside a function counts): {"sparsity": {"_validation", ...}, ...}.
    ``from . import name`` counts as importing the module ``name`` if there is one, else the
    package itself (``__init__``)."""
    import ast
    from pathlib import Path

    folder = Path(folder)
    package = folder.name
    modules = {path.stem for path in folder.glob("*.py")}
    graph = {}
    for module in modules:
        imported = set()
        tree = ast.parse((folder / f"{module}.py").read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                if node.level == 0 and not (node.module or "").startswith(package):
                    continue
                parts = (node.module or "").split(".")
                inner = parts[1:] if node.level == 0 else [p for p in parts if p]
                if inner:
                    imported.add(inner[0] if inner[0] in modules else "__init__")
                else:
                    imported |= {a.name if a.name in modules else "__init__" for a in node.names}
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    parts = alias.name.split(".")
                    if parts[0] == package:
                        imported.add(parts[1] if len(parts) > 1 else "__init__")
        graph[module] = imported - {module}
    return graph


def import_circles(graph):
    """Every module that can reach itself through the imports, with one such path."""
    circles = {}
    for start in graph:
        paths, seen = [[start]], set()
        while paths:
            path = paths.pop()
            for nxt in sorted(graph.get(path[-1], ())):
                if nxt == start:
                    circles[start] = [*path, start]
                    break
                if nxt not in seen:
                    seen.add(nxt)
                    paths.append([*path, nxt])
            if start in circles:
                break
    return circles


def test_no_module_of_diffops_imports_a_module_that_imports_it_back():
    from pathlib import Path

    import diffops

    graph = import_graph(Path(diffops.__file__).parent)
    assert "sparsity" in graph["multivariate"]  # the parse sees the imports
    assert import_circles(graph) == {}


def test_the_circle_check_finds_a_planted_circle_hidden_in_a_function(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("from .a import f\n")
    (package / "a.py").write_text("from .b import g\n\ndef f():\n    return g()\n")
    (package / "b.py").write_text("def g():\n    from .a import f  # lazily\n    return f\n")
    (package / "c.py").write_text("from pkg import a\n")
    circles = import_circles(import_graph(package))
    assert circles["a"] == ["a", "b", "a"] and circles["b"] == ["b", "a", "b"]
    assert "c" not in circles and "__init__" not in circles
