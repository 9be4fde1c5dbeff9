"""Input checks shared by the difference operators.

Every check raises at once with a message that names the argument and the bad value, so
that a mistake in a student's code surfaces as a clear error instead of a wrong number.
"""

import numbers
import warnings

import numpy as np


def check_function(f, name="f"):
    """Raise TypeError unless ``f`` is callable; ``name`` is the argument's name."""
    if not callable(f):
        raise TypeError(f"`{name}` must be callable, got {f!r} of type {type(f).__name__}.")


#: The start of every message about a bad step, whatever form the step was given in.
STEP_RULE = "`h` must be a real, finite number > 0"


def check_step(h):
    """Return ``h`` as a float, or raise ValueError unless it is a real, finite number > 0.

    A number is a Python or NumPy integer or float, or a 0-d array of one (as ``x`` may
    be); booleans, complex numbers and strings are refused, in any of these forms, and
    the message for an array of one or more dimensions says that a single number is needed.
    """
    value = h.item() if isinstance(h, np.ndarray) and h.ndim == 0 else h
    is_real = isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
    if not (is_real and np.isfinite(value) and value > 0):
        if isinstance(h, (list, tuple, np.ndarray)) and np.ndim(h) > 0:
            raise ValueError(
                f"{STEP_RULE}, got {h!r}: here `h` must be a single number (a scalar or a "
                f"0-d array), not an array of shape {np.shape(h)}."
            )
        raise ValueError(f"{STEP_RULE}, got {h!r}.")
    return float(value)


def check_steps(h, x, must_move=True):
    """Return ``x`` and ``h`` broadcast to one shape, as floats, each step finite and > 0.

    ``h`` is one step for every point (a number) or an array of steps that broadcasts
    against ``x`` (one step per point, or many steps at one point). With ``must_move``,
    also raise ValueError when ``x + h`` rounds back to ``x``, since no step would then
    be taken at all.
    """
    if np.ndim(h) == 0:
        steps = np.asarray(check_step(h))
    else:
        steps = np.asarray(h)
        if steps.dtype.kind not in "iuf" or not np.all(np.isfinite(steps) & (steps > 0)):
            raise ValueError(f"{STEP_RULE}, or an array of such numbers, got {h!r}.")
        steps = steps.astype(float)
    try:
        x, steps = (np.array(a) for a in np.broadcast_arrays(x, steps))
    except ValueError:
        raise ValueError(
            f"`h` of shape {steps.shape} does not broadcast against x of shape {x.shape}."
        ) from None
    stuck = (x + steps) == x
    if must_move and np.any(stuck):
        first = tuple(np.argwhere(stuck)[0])
        raise ValueError(
            f"`h` = {steps[first].item()!r} is too small to change x = {x[first].item()!r}: "
            "x + h rounds back to x. Use a larger step (or h=None)."
        )
    return x, steps


def check_formula_input(f, x, h, must_move=True):
    """Check the arguments of a difference formula; return ``x`` and ``h`` as float arrays.

    ``f`` must be callable, ``x`` real, and ``h`` as :func:`check_steps` requires; the
    two arrays returned have one shape, that of ``x`` and ``h`` broadcast together.
    """
    check_function(f)
    return check_steps(h, as_points(x), must_move)


def check_choice(name, value, choices):
    """Raise ValueError unless ``value`` is one of ``choices``."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(
            f"`{name}` must be one of {', '.join(map(repr, choices))}; got {value!r}."
        )


def check_flag(name, value):
    """Raise ValueError unless ``value`` is True or False (a Python or NumPy bool)."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"`{name}` must be True or False, got {value!r}.")


def as_points(x):
    """Return ``x`` as a float array of any shape, or raise ValueError naming it.

    Only integers and floats are accepted: complex numbers would lose their imaginary part,
    and strings or booleans would be converted silently, giving an answer to a question
    nobody asked.
    """
    points = np.asarray(x)
    if points.dtype.kind not in "iuf":
        raise ValueError(f"`x` must be a real number or an array of them, got {x!r}.")
    return points.astype(float)


def as_scalar(x):
    """Return ``x`` as a finite float, or raise ValueError naming it."""
    point = as_points(x)
    if point.ndim != 0 or not np.isfinite(point):
        raise ValueError(f"`x` must be one finite real number, got {x!r}.")
    return float(point)


def as_vector(x):
    """Return ``x`` as a non-empty, finite, 1-D float array, or raise ValueError naming it."""
    points = as_points(x)
    if points.ndim != 1 or points.size == 0:
        raise ValueError(f"`x` must be a non-empty 1-D array, got shape {points.shape}: {x!r}.")
    if not np.all(np.isfinite(points)):
        raise ValueError(f"`x` must be finite, got {x!r}.")
    return points


def _step_label(h):
    """Name the evaluation for messages: ``f(x)``, ``f(x + 0.001)`` or ``f(x + h)``."""
    steps = np.unique(np.asarray(h))
    if steps.size != 1:
        return "f(x + h)"
    step = steps[0].item()
    if step == 0:
        return "f(x)"
    return f"f(x + {step!r})" if step > 0 else f"f(x - {-step!r})"


def _check_values(value, x, label):
    """Raise ValueError unless ``value`` has the shape of ``x`` and is finite everywhere."""
    if value.shape != x.shape:
        raise ValueError(
            f"`f` must act elementwise: for x of shape {x.shape}, {label} "
            f"returned shape {value.shape}."
        )
    bad = ~np.isfinite(value)
    if np.any(bad):
        first = tuple(np.argwhere(bad)[0])
        raise ValueError(
            f"`f` is not finite at x = {x[first].item()!r}: {label} = "
            f"{value[first].item()!r} ({np.count_nonzero(bad)} non-finite value(s) in all)."
        )


def evaluate(f, x, h=0.0):
    """Return ``f(x + h)`` as a float array shaped like ``x``.

    Raises ValueError if ``f`` does not act elementwise (the result's shape differs from
    the shape of ``x``), returns something that is not real, or returns NaN or infinity.
    """
    label = _step_label(h)
    value = _call(f, x + h)  # NaN and inf are reported below, with the point
    if not np.issubdtype(value.dtype, np.number) or np.iscomplexobj(value):
        raise ValueError(f"`f` must return real numbers, {label} returned {value!r}.")
    _check_values(value, x, label)
    return value.astype(float)


COMPLEX_HINT = "method='complex' needs an f built from complex-safe (analytic) operations"


def _call(f, x):
    """Return ``f(x)`` as an array, NaN and inf left for the caller to report.

    For complex ``x`` (the complex step), an ``f`` that refuses complex input or casts it
    to real raises ValueError saying so, instead of a TypeError or a ComplexWarning.
    """
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("error", np.exceptions.ComplexWarning)
            return np.asarray(f(x))
    except (TypeError, np.exceptions.ComplexWarning) as error:
        if not np.iscomplexobj(x):
            raise
        raise ValueError(f"`f` cannot take complex input ({error}); {COMPLEX_HINT}.") from error


def _require_complex(value):
    """Raise ValueError if ``f`` returned real values for complex input."""
    if not np.iscomplexobj(value):
        raise ValueError(
            f"`f` returned real values of type {value.dtype} for complex input, so the "
            f"imaginary part was lost (abs, float, comparisons?); {COMPLEX_HINT}."
        )


def evaluate_complex(f, x, h):
    """Return ``f(x + ih)`` as a complex array shaped like ``x``.

    The complex step only works if ``f`` accepts complex input and carries the imaginary
    part through its arithmetic. Raises ValueError, saying so, if ``f`` refuses complex
    input, drops the imaginary part (``abs``, ``float``, ``.real``), or returns NaN,
    infinity or the wrong shape.
    """
    value = _call(f, x + 1j * h)
    _require_complex(value)
    _check_values(value, x, "f(x + ih)")
    return value


def value_at(f, x, ndim=0, caller="gradient"):
    """Return ``f(x)`` for a vector ``x``, checked: a scalar (``ndim=0``) or a 1-D array.

    For real ``x`` the value must be real; for complex ``x`` (the complex step) it must
    be complex, or the imaginary part was lost. Raises ValueError naming the shape, the
    point and the function that needed the value (``caller``) otherwise, or if a value
    is NaN or infinite. ``f`` gets a copy of ``x``, so it cannot change the caller's
    array.
    """
    stepping = np.iscomplexobj(x)
    value = _call(f, x.copy())
    kind = "a real scalar" if ndim == 0 else "a 1-D real array"
    if value.ndim != ndim or not np.issubdtype(value.dtype, np.number):
        raise ValueError(
            f"`f` must return {kind} for `{caller}`, got {value!r} "
            f"(shape {value.shape}) at x = {x!r}."
        )
    if np.iscomplexobj(value) and not stepping:
        raise ValueError(
            f"`f` must return {kind} for `{caller}`, got complex values {value!r} at x = {x!r}."
        )
    if stepping:
        _require_complex(value)
    if not np.all(np.isfinite(value)):
        shown = value.item() if value.ndim == 0 else value
        raise ValueError(f"`f` is not finite at x = {x!r}: f(x) = {shown!r}.")
    return value if stepping else value.astype(float)


def gradient_value_at(grad, point):
    """Return ``grad(point)`` as floats, or raise ValueError unless it is finite and shaped
    like ``point`` (the message names both shapes)."""
    value = np.asarray(grad(point.copy()))
    if value.shape != point.shape:
        raise ValueError(
            f"`grad` must return an array shaped like x {point.shape}, got shape {value.shape}."
        )
    if not np.all(np.isfinite(value)):
        raise ValueError(f"`grad` is not finite at x = {point!r}: {value!r}.")
    return value.astype(float)
