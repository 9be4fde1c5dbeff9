"""Turn the sandbox's JSON back into values, defensively, and compare them (trusted side).

Everything the sandbox returns is treated as hostile data: `decode` accepts only the tagged
forms that tools/grading/runner.py writes, with limits on depth and size, and builds plain
Python and NumPy values from them (never by unpickling, never by evaluating). The
comparisons run here, with this process's NumPy, so nothing the student's code did to NumPy,
doctest, otter or builtins inside the sandbox can change them.
"""

import builtins
import collections
import math

import numpy as np

MAX_DEPTH = 16
MAX_ITEMS = 4_000_000
MAX_STRING = 10_000
MAX_INT = 2**63  # the runner sends a larger int as a float
# Items of one set, or keys of one dict, that may share a hash. Python builds a set of n
# items with equal hashes in n**2 steps, and equal hashes are easy to make (the complex
# numbers 7 - 1000003 k + k j all hash to 7): 40,000 such items in a results document held
# the grader for 15 s, outside any time limit, and the 32 MB it may read for hours.
MAX_SAME_HASH = 8
# Exception names a status may show: Python's own, and NumPy's linear-algebra error. Any
# other name (a student can name a class anything, even after text it read) is not shown.
KNOWN_ERRORS = {
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
} | {"LinAlgError", "TooLarge"}
KINDS = {"b": bool, "i": np.int64, "u": np.uint64, "f": np.float64, "c": np.complex128, "U": str}


class Invalid(Exception):
    """The sandbox's data did not have the form the runner writes."""


class Opaque:
    """A value the runner could not send as data (an arbitrary object)."""

    def __repr__(self):
        return "<object>"


class ArrayLike:
    """A value that was not an array but converts to one (a pandas Series, a JAX array).

    Compared as its array; a check that wants an `ndarray` type does not take it, as
    otter's `isinstance(x, np.ndarray)` does not.
    """

    def __init__(self, array):
        self.array = array

    def __array__(self, dtype=None, copy=None):
        return self.array if dtype is None else self.array.astype(dtype)

    @property
    def shape(self):
        return self.array.shape

    def __repr__(self):
        return f"<array-like {self.array.shape}>"


class ProbeError:
    """The probe raised; `name` is the exception's type name (known names only)."""

    def __init__(self, name):
        self.name = error_name(name)

    def __repr__(self):
        return f"<{self.name}>"


def error_name(name):
    return name if isinstance(name, str) and name in KNOWN_ERRORS else "another exception"


def decode(node, depth=0, budget=None):
    """The value that a runner-encoded `node` stands for; raises Invalid for anything else."""
    budget = budget if budget is not None else [MAX_ITEMS]
    budget[0] -= 1
    if depth > MAX_DEPTH or budget[0] < 0:
        raise Invalid("too deep or too large")
    if not isinstance(node, list) or not node or not isinstance(node[0], str):
        raise Invalid("not a tagged value")
    tag, rest = node[0], node[1:]
    if tag == "none" and not rest:
        return None
    if tag == "bool" and len(rest) == 1 and isinstance(rest[0], bool):
        return rest[0]
    if tag == "int" and len(rest) == 1 and type(rest[0]) is int and abs(rest[0]) < MAX_INT:
        return rest[0]
    if tag == "float" and len(rest) == 1 and all(map(number, rest)):
        return float(rest[0])
    if tag == "complex" and len(rest) == 2 and all(map(number, rest)):
        return complex(*rest)
    if tag == "str" and len(rest) == 1 and isinstance(rest[0], str):
        return rest[0][:MAX_STRING]
    if tag == "ndarray" and len(rest) == 3:
        return decode_array(*rest, budget)
    if tag in ("list", "tuple", "set") and len(rest) == 1 and isinstance(rest[0], list):
        items = [decode(item, depth + 1, budget) for item in rest[0]]
        if tag == "set":
            return set(few_equal_hashes(items))
        return items if tag == "list" else tuple(items)
    if tag == "dict" and len(rest) == 1 and isinstance(rest[0], list):
        if not all(isinstance(pair, list) and len(pair) == 2 for pair in rest[0]):
            raise Invalid("not a key-value pair")
        keys = few_equal_hashes([decode(pair[0], depth + 1, budget) for pair in rest[0]])
        return dict(
            zip(keys, [decode(pair[1], depth + 1, budget) for pair in rest[0]], strict=True)
        )
    if tag == "arraylike" and len(rest) == 1 and isinstance(rest[0], list):
        inner = rest[0]
        if len(inner) != 4 or inner[0] != "ndarray":
            raise Invalid("not an array")
        return ArrayLike(decode_array(*inner[1:], budget))
    if tag == "numbers" and len(rest) == 2 and rest[0] in ("list", "tuple"):
        return decode_numbers(rest[0], rest[1], budget)
    if tag == "object" and not rest:
        return Opaque()
    if tag == "error" and len(rest) == 1:
        return ProbeError(rest[0])
    raise Invalid("unknown tag")


def number(x):
    """A JSON number the runner can have written: a float, or an int a float can hold."""
    return type(x) is float or type(x) is int and abs(x) < MAX_INT


def few_equal_hashes(items):
    """`items`, if they can go in a set or be dict keys in linear time; else Invalid."""
    try:
        counts = collections.Counter(hash(item) for item in items)
    except TypeError:
        raise Invalid("unhashable set item or key") from None
    if counts and max(counts.values()) > MAX_SAME_HASH:
        raise Invalid("set items or keys made to share a hash")
    return items


def decode_numbers(tag, flat, budget):
    """A list or tuple of all-int or all-float numbers, sent flat."""
    if not isinstance(flat, list) or len(flat) > budget[0]:
        raise Invalid("bad numbers")
    budget[0] -= len(flat)
    kinds = {type(x) for x in flat}
    if not (kinds <= {float} or kinds == {int}) or not all(map(number, flat)):
        raise Invalid("bad numbers")
    return flat if tag == "list" else tuple(flat)


def decode_array(kind, shape, flat, budget):
    if kind not in KINDS or not isinstance(shape, list) or not isinstance(flat, list):
        raise Invalid("bad array")
    if len(shape) > 32 or not all(type(n) is int and 0 <= n <= MAX_ITEMS for n in shape):
        raise Invalid("bad shape")
    if math.prod(shape) != len(flat) or len(flat) > budget[0]:
        raise Invalid("bad size")
    budget[0] -= len(flat)
    dtype = KINDS[kind]
    scalar = {"b": (bool,), "U": (str,)}.get(kind, (int, float))
    if kind == "c":
        if not all(isinstance(z, list) and len(z) == 2 for z in flat):
            raise Invalid("bad complex")
        flat = [complex(*z) for z in flat if all(map(number, z))]
        scalar = (complex,)
    if not all(type(x) in scalar for x in flat) or math.prod(shape) != len(flat):
        raise Invalid("bad items")
    if kind == "U" and any(len(s) > MAX_STRING for s in flat):
        raise Invalid("string too long")
    try:
        return np.array(flat, dtype=dtype).reshape(shape)
    except (ValueError, OverflowError, TypeError):
        raise Invalid("bad array") from None


# --- comparisons: each returns True or False for any decoded value, and never raises -------


def numeric(value):
    """`value` as a numeric array, or None."""
    if isinstance(value, (Opaque, ProbeError, str, dict, set)) or value is None:
        return None
    if isinstance(value, ArrayLike):
        return value.array if value.array.dtype.kind in "biufc" else None
    try:
        array = np.asarray(value)
    except (ValueError, TypeError, OverflowError):
        return None
    return array if array.dtype.kind in "biufc" else None


def close(got, expected, rtol=1e-5, atol=1e-8):
    """np.allclose of same-shaped numbers; item by item in dicts and in mixed tuples or lists."""
    if isinstance(expected, dict):
        return (
            isinstance(got, dict)
            and got.keys() == expected.keys()
            and all(close(got[k], expected[k], rtol, atol) for k in expected)
        )
    if isinstance(expected, (str, set)) or expected is None:
        return equal(got, expected)
    if isinstance(expected, (tuple, list)) and numeric(expected) is None:
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            return False
        return all(close(g, e, rtol, atol) for g, e in zip(got, expected, strict=True))
    a, b = numeric(got), numeric(expected)
    if (
        a is None
        or b is None
        or a.shape != b.shape
        or (a.dtype.kind == "b") != (b.dtype.kind == "b")
    ):
        return False  # True is not 1.0 here: a boolean passes only where a boolean is expected
    try:
        return bool(np.allclose(a, b, rtol=rtol, atol=atol))
    except (TypeError, ValueError, OverflowError):
        return False


def equal(got, expected):
    """Exact equality of decoded values (arrays: same shape and items)."""
    got, expected = (v.array if isinstance(v, ArrayLike) else v for v in (got, expected))
    if isinstance(expected, np.ndarray) or isinstance(got, np.ndarray):
        a, b = np.asarray(got, dtype=object), np.asarray(expected, dtype=object)
        return a.shape == b.shape and bool(np.all(a == b))
    if type(got) is not type(expected) and not (
        isinstance(got, (int, float)) and isinstance(expected, (int, float))
    ):
        return False
    if isinstance(expected, (tuple, list)):
        return len(got) == len(expected) and all(
            equal(g, e) for g, e in zip(got, expected, strict=True)
        )
    if isinstance(expected, dict):
        return got.keys() == expected.keys() and all(equal(got[k], expected[k]) for k in got)
    try:
        return bool(got == expected)
    except (TypeError, ValueError):
        return False


def same_shape(got, expected):
    a, b = numeric(got), numeric(expected)
    return a is not None and b is not None and a.shape == b.shape


COMPARISONS = {"close": close, "equal": equal, "shape": same_shape}
TYPES = {
    "ndarray": np.ndarray,
    "list": list,
    "tuple": tuple,
    "set": set,
    "dict": dict,
    "str": str,
    "float": (float, int),
    "int": int,
    "bool": bool,
}
