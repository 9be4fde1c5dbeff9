"""Every hidden check of the book reads a value the notebook computed.

A `remove-cell` cell backs a sentence of the page with an `assert`. An assertion built from
constants alone (`assert 8 * 16 < 199`, or `side = 30` then `assert side**2 + 1 == 901`)
cannot fail whatever the notebook computes, so it backs nothing. This test reads every
notebook's code, works out which names hold computed values, and fails on any hidden
`assert` whose expression reads none of them.

A name is *computed* when one of its bindings (assignment, loop target, `with ... as`, a
function's definition) involves a call into a library or into code of the notebook, or reads
a computed name. Literals, arithmetic on them and builtins such as `round` applied to them
are constants; so is a function whose body only does arithmetic on its arguments.
"""

import ast
import builtins
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUILTINS = set(dir(builtins))


def code_of(cell):
    """A code cell's source with IPython's magics and shell lines left out."""
    lines = cell["source"]
    if isinstance(lines, list):
        lines = "".join(lines)
    return "\n".join(
        line[: len(line) - len(line.lstrip())] + "pass"
        if line.lstrip().startswith(("%", "!"))
        else line
        for line in lines.splitlines()
    )


def targets(node):
    """Names bound by an assignment target."""
    return [n.id for n in ast.walk(node) if isinstance(n, ast.Name)]


def bindings(tree):
    """(name, value) pairs for every binding in a module; value is the node it comes from."""
    found = []
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                imported.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.Assign):
            found += [(name, node.value) for t in node.targets for name in targets(t)]
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and node.value is not None:
            found += [(name, node.value) for name in targets(node.target)]
        elif isinstance(node, ast.NamedExpr):
            found.append((node.target.id, node.value))
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            found += [(name, node.iter) for name in targets(node.target)]
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if item.optional_vars is not None:
                    found += [(name, item.context_expr) for name in targets(item.optional_vars)]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            if not isinstance(node, ast.Lambda):
                found.append((node.name, node))
        elif isinstance(node, ast.ClassDef):
            found.append((node.name, node))
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            # a counter a function updates when it runs: `global traces; traces += 1`
            found += [(name, node) for name in node.names]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            # a container filled in place: `errors.append(value)`, `table.update(...)`
            base = node.func.value
            if isinstance(base, ast.Name):
                found.append((base.id, ast.Tuple(elts=[*node.args], ctx=ast.Load())))
        elif isinstance(node, ast.ExceptHandler) and node.name:
            found.append((node.name, node))
    # A module is never filled in place: `np.sum(errors)` computes nothing into `np`.
    found = [(name, value) for name, value in found if name not in imported]
    return found, imported


def call_root(func):
    """The name a called expression starts from: `np` for `np.linalg.norm(...)`."""
    while isinstance(func, (ast.Attribute, ast.Subscript, ast.Call)):
        func = func.func if isinstance(func, ast.Call) else func.value
    return func.id if isinstance(func, ast.Name) else None


def is_computed(node, computed, imported):
    """Whether an expression (or a definition's body) depends on computation."""
    if isinstance(node, (ast.ClassDef, ast.ExceptHandler, ast.Global, ast.Nonlocal)):
        return True
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load) and sub.id in computed:
            return True
        if isinstance(sub, ast.Call):
            root = call_root(sub.func)
            if root is None or root in imported or root in computed:
                return True
    return False


def reads_computed(test, computed):
    """Whether an assertion reads a computed name (a library call on constants does not)."""
    return any(
        isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load) and sub.id in computed
        for sub in ast.walk(test)
    )


def computed_names(tree):
    """The names of a notebook that hold computed values (a fixed point over its bindings)."""
    found, imported = bindings(tree)
    # diffops is the book's own code: what it returns is computed.
    computed = {"diffops"} | {
        (alias.asname or alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("diffops")
        for alias in node.names
    }
    changed = True
    while changed:
        changed = False
        for name, value in found:
            if name not in computed and is_computed(value, computed, imported):
                computed.add(name)
                changed = True
    return computed, imported


def constant_assertions(cells):
    """Hidden asserts that read no computed name: (cell index, line, source) for each.

    `cells`: the notebook's cells as nbformat dictionaries."""
    code = [(i, c) for i, c in enumerate(cells) if c["cell_type"] == "code" and code_of(c).strip()]
    whole = ast.parse("\n".join(code_of(c) for _, c in code))
    computed, imported = computed_names(whole)
    found = []
    for index, cell in code:
        if "remove-cell" not in cell.get("metadata", {}).get("tags", []):
            continue
        source = code_of(cell)
        tree = ast.parse(source)
        local = set(computed)
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                local |= {a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Assert) and not reads_computed(node.test, local):
                found.append((index, node.lineno, ast.get_source_segment(source, node)))
    return found


def notebooks():
    return sorted((ROOT / "book").glob("*.ipynb"))


@pytest.mark.parametrize("notebook", notebooks(), ids=lambda p: p.stem)
def test_hidden_checks_read_computed_values(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    found = constant_assertions(cells)
    assert not found, "hidden asserts built from constants alone:\n" + "\n".join(
        f"  cell {i}, line {line}: {text}" for i, line, text in found
    )


def cell(source, tags=()):
    return {"cell_type": "code", "source": source, "metadata": {"tags": list(tags)}}


PLANTED = [
    cell("import numpy as np\nimport diffops\nside = 30\nn = 2**10"),
    cell("h = np.logspace(-16, 0, 161)\nerror = abs(diffops.forward_difference(np.sin, 1.0, h))"),
    cell("def work(p):\n    return p + 1"),
    cell("assert 8 * 16 < 199", ["remove-cell"]),
    cell("assert side**2 + 1 == 901", ["remove-cell"]),
    cell("assert round(1 / np.sqrt(21), 2) == 0.22", ["remove-cell"]),
    cell("assert work(3) == 4", ["remove-cell"]),
    cell("for k in (1, 2):\n    assert k * n > 0", ["remove-cell"]),
    cell("assert error.min() < 1e-7\nassert h.size == 161", ["remove-cell"]),
    cell("best = h[error.argmin()]\nassert 1e-9 < best < 1e-7", ["remove-cell"]),
    cell("np.sum(error)\nassert np.pi > 3", ["remove-cell"]),
    cell("assert 8 * 16 < 199  # shown, not hidden"),
]


def test_planted_constant_assertions_are_caught():
    found = constant_assertions(PLANTED)
    assert [(i, line) for i, line, _ in found] == [(3, 1), (4, 1), (5, 1), (6, 1), (7, 2), (10, 2)]
