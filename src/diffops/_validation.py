"""Input checks shared by the difference operators.

Every check raises at once with a message that names the argument and the bad value, so
that a mistake in a student's code surfaces as a clear error instead of a wrong number.
"""

import numbers

import numpy as np


def check_function(f):
    """Raise TypeError unless ``f`` is callable."""
    if not callable(f):
        raise TypeError(f"`f` must be callable, got {f!r} of type {type(f).__name__}.")


def check_step(h):
    """Return ``h`` as a float, or raise ValueError unless it is a real, finite number > 0."""
    is_real = isinstance(h, numbers.Real) and not isinstance(h, (bool, np.bool_))
    if not (is_real and np.isfinite(h) and h > 0):
        raise ValueError(f"`h` must be a real, finite number > 0, got {h!r}.")
    return float(h)


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


def as_vector(x):
    """Return ``x`` as a non-empty, finite, 1-D float array, or raise ValueError naming it."""
    points = as_points(x)
    if points.ndim != 1 or points.size == 0:
        raise ValueError(f"`x` must be a non-empty 1-D array, got shape {points.shape}: {x!r}.")
    if not np.all(np.isfinite(points)):
        raise ValueError(f"`x` must be finite, got {x!r}.")
    return points


def evaluate(f, x, h=0.0):
    """Return ``f(x + h)`` as a float array shaped like ``x``.

    Raises ValueError if ``f`` does not act elementwise (the result's shape differs from
    the shape of ``x``), returns something that is not real, or returns NaN or infinity.
    """
    label = f"f(x + {h!r})" if h else "f(x)"
    with np.errstate(all="ignore"):  # NaN and inf are reported below, with the point
        value = np.asarray(f(x + h))
    if value.shape != x.shape:
        raise ValueError(
            f"`f` must act elementwise: for x of shape {x.shape}, {label} "
            f"returned shape {value.shape}."
        )
    if not np.issubdtype(value.dtype, np.number) or np.iscomplexobj(value):
        raise ValueError(f"`f` must return real numbers, {label} returned {value!r}.")
    bad = ~np.isfinite(value)
    if np.any(bad):
        first = tuple(np.argwhere(bad)[0])
        raise ValueError(
            f"`f` is not finite at x = {x[first].item()!r}: {label} = "
            f"{value[first].item()!r} ({np.count_nonzero(bad)} non-finite value(s) in all)."
        )
    return value.astype(float)


def scalar_value(f, x):
    """Return ``f(x)`` as a float, or raise ValueError unless it is a real, finite scalar."""
    with np.errstate(all="ignore"):  # NaN and inf are reported below, with the point
        value = np.asarray(f(x.copy()))
    is_real = np.issubdtype(value.dtype, np.number) and not np.iscomplexobj(value)
    if value.shape != () or not is_real:
        raise ValueError(
            f"`f` must return a real scalar for `gradient`, got {value!r} "
            f"(shape {value.shape}) at x = {x!r}."
        )
    if not np.isfinite(value):
        raise ValueError(f"`f` is not finite at x = {x!r}: f(x) = {value.item()!r}.")
    return float(value)
