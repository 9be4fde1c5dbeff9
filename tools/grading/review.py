"""Static review: what in a submission's code an instructor may want to look at.

The findings are hints for a person, not verdicts: no score depends on them, and honest
code may use some of these modules. Each finding is a fixed phrase of ours, naming at most
a module or a module attribute, never any other text of the submission.
"""

import ast
import re

SUSPICIOUS_MODULES = {
    "otter": "otter",
    "doctest": "doctest",
    "builtins": "builtins",
    "pickle": "pickle",
    "cPickle": "pickle",
    "_pickle": "pickle",
    "cloudpickle": "pickle",
    "dill": "pickle",
    "marshal": "pickle",
    "shelve": "pickle",
    "joblib": "pickle",
    "ctypes": "ctypes",
    "cffi": "ctypes",
    "subprocess": "subprocess",
    "pty": "subprocess",
    "multiprocessing": "multiprocessing",
    "signal": "signal",
    "gc": "gc",
    "inspect": "inspect",
    "importlib": "importlib",
    "socket": "network",
    "urllib": "network",
    "http": "network",
    "requests": "network",
    "resource": "resource",
    "mmap": "mmap",
    "threading": "threading",
    "_thread": "threading",
    "atexit": "atexit",
    # Libraries that differentiate for you: an assignment that asks for a derivative by
    # hand passes its checks with them (autograd's grad of `loss` scores q1 of
    # network_gradient), and the course's own package has central_difference itself.
    "diffops": "diffops",
    "autograd": "autograd",
    "jax": "jax",
    "torch": "torch",
    "tensorflow": "tensorflow",
    "sympy": "sympy",
    "numdifftools": "numdifftools",
    "findiff": "findiff",
    "sys": None,  # only some uses of sys count, below
    "os": None,
}
SUSPICIOUS_CALLS = {
    "exec",
    "eval",
    "compile",
    "__import__",
    "setattr",
    "delattr",
    "globals",
    "vars",
    "breakpoint",
}
SUSPICIOUS_ATTRIBUTES = {
    "os": {
        "system",
        "popen",
        "kill",
        "killpg",
        "fork",
        "forkpty",
        "setsid",
        "setpgrp",
        "_exit",
        "execv",
        "execve",
        "execl",
        "execlp",
        "execvp",
        "spawnv",
        "spawnl",
        "posix_spawn",
        "remove",
        "unlink",
        "rename",
        "replace",
        "chmod",
        "environ",
        "getppid",
        "dup2",
    },
    "sys": {"modules", "_getframe", "settrace", "setprofile", "meta_path", "path_hooks", "exit"},
}
# Attributes that reach into the interpreter: the runner's frame and its job (the probes),
# any module's namespace, or a type's methods, without a name the lists above would catch.
INTROSPECTION = {
    "f_back",
    "f_locals",
    "f_globals",
    "f_builtins",
    "gi_frame",
    "tb_frame",
    "__globals__",
    "__code__",
    "__closure__",
    "__dict__",
    "__subclasses__",
    "__setattr__",
    "__delattr__",
    "__getattribute__",
    "__builtins__",
    "__loader__",
    "__spec__",
}
SUSPICIOUS_PATHS = re.compile(r"/proc|/sys/|/dev/|/work|/root|/home|/etc/|autograder|\.\./")
# A function a question asks for by hand is named so: `layer_vjp_by_hand`. Inside it, any
# library that differentiates is named in the review, even where the handout imports JAX or
# SymPy for other questions (in its first cell, which is not reviewed: hence the names such
# an import usually binds).
BY_HAND = "_by_hand"
DIFFERENTIATING = {
    "autograd",
    "jax",
    "torch",
    "tensorflow",
    "sympy",
    "diffops",
    "numdifftools",
    "findiff",
}
USUAL_NAMES = {"jax": "jax", "jnp": "jax.numpy", "sympy": "sympy", "anp": "autograd.numpy"}


def module_aliases(nodes):
    """{local name: imported module name} for every import among the `nodes` of a cell."""
    aliases = {}
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
                else:
                    aliases[alias.name.split(".")[0]] = alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                # `from numpy import testing` may bind a module; count it as one.
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return aliases


def root_name(node):
    """The name at the root of `a.b.c` or `a[0].b`, and the dotted attributes after it."""
    parts = []
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
        node = node.value
    return (node.id if isinstance(node, ast.Name) else None), list(reversed(parts))


def short(text):
    return text if re.fullmatch(r"[\w.]{1,60}", text) else "…"


def chain_links(nodes):
    """The ids of nodes that are the `.value` of an attribute or subscript: links of a chain.

    Only the outermost node of a chain such as `a.b.b.b` is read whole (`root_name`): read
    from each of its links, a chain of n links cost n**2 / 2 steps (2 MB of them took the
    grader 189 s).
    """
    return {
        id(node.value)
        for node in nodes
        if isinstance(node, (ast.Attribute, ast.Subscript))
        and isinstance(node.value, (ast.Attribute, ast.Subscript))
    }


def by_hand_findings(nodes, aliases):
    """'uses jax in a function asked by hand', for each library a by-hand function uses.

    Each node of a by-hand function is read once: a by-hand function nested in another is
    read on its own, not again as part of the outer one.
    """
    known = {**USUAL_NAMES, **aliases}
    found = set()
    for node in nodes:
        if not (
            isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and BY_HAND in node.name
        ):
            continue
        inside = [*node.body, *node.decorator_list]
        while inside:
            part = inside.pop()
            if isinstance(part, (ast.FunctionDef, ast.AsyncFunctionDef)) and BY_HAND in part.name:
                continue
            modules = []
            if isinstance(part, ast.Name):
                modules = [known.get(part.id, "")]
            elif isinstance(part, ast.Import):
                modules = [alias.name for alias in part.names]
            elif isinstance(part, ast.ImportFrom) and part.module and not part.level:
                modules = [part.module]
            for module in modules:
                if module.split(".")[0] in DIFFERENTIATING:
                    found.add(f"uses {module.split('.')[0]} in a function asked by hand")
            inside.extend(ast.iter_child_nodes(part))
    return found


def scan_tree(tree, findings):
    """Add the findings of one parsed cell to `findings`, in steps linear in its size."""
    nodes = list(ast.walk(tree))  # walked once: 2 MB of code is a million nodes
    aliases = module_aliases(nodes)
    findings.update(by_hand_findings(nodes, aliases))
    links = chain_links(nodes)
    for node in nodes:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names.append(node.module)
            for name in names:
                label = SUSPICIOUS_MODULES.get(name.split(".")[0])
                if label:
                    findings.add(f"imports {label}")
            if isinstance(node, ast.ImportFrom) and node.module in SUSPICIOUS_ATTRIBUTES:
                for alias in node.names:
                    if alias.name in SUSPICIOUS_ATTRIBUTES[node.module]:
                        findings.add(f"uses {node.module}.{alias.name}")
        elif isinstance(node, ast.Call):
            function = node.func
            if isinstance(function, ast.Name) and function.id in SUSPICIOUS_CALLS:
                findings.add(f"calls {function.id}()")
                if function.id in ("setattr", "delattr") and node.args:
                    base, _ = root_name(node.args[0])
                    if base in aliases:
                        findings.add(f"sets attributes of {short(aliases[base])}")
        elif isinstance(node, (ast.Attribute, ast.Subscript)):
            if isinstance(node, ast.Attribute) and node.attr in INTROSPECTION:
                findings.add(f"uses .{node.attr}")
            if id(node) not in links:
                base, parts = root_name(node)
                module = aliases.get(base, "").split(".")[0]
                if parts and parts[0] in SUSPICIOUS_ATTRIBUTES.get(module, ()):
                    findings.add(f"uses {module}.{parts[0]}")
        elif isinstance(node, ast.Name) and node.id in ("__builtins__", "__loader__", "__spec__"):
            findings.add(f"uses {node.id}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found = SUSPICIOUS_PATHS.search(node.value)
            if found:
                findings.add(f"names a path outside its folder ({found.group(0)})")
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = list(node.targets) if hasattr(node, "targets") else [node.target]
            while targets:
                target = targets.pop()
                if isinstance(target, (ast.Tuple, ast.List, ast.Starred)):
                    targets += target.elts if hasattr(target, "elts") else [target.value]
                elif isinstance(target, (ast.Attribute, ast.Subscript)):
                    base, parts = root_name(target)
                    if base in aliases:
                        findings.add(f"changes {short('.'.join([aliases[base], *parts]))}")
                    elif base == "__builtins__":
                        findings.add("changes __builtins__")


def review_cell(number, code):
    """The sorted findings of one cell's code."""
    findings = set()
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []  # reported as the cell's error when it runs
    except (RecursionError, ValueError):
        return [f"cell {number} too deeply nested to review"]
    try:
        scan_tree(tree, findings)
    except RecursionError:
        findings.add(f"cell {number} too deeply nested to review")
    return sorted(findings)


def review_code(cells, magic_lines=0):
    """Sorted findings for a list of (cell number, code)."""
    findings = set()
    if magic_lines:
        findings.add(f"{magic_lines} IPython magic or shell line(s) not run")
    for number, code in cells:
        findings.update(review_cell(number, code))
    return sorted(findings)
