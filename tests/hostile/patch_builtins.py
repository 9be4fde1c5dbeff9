# attack: patch builtins (compile, eval, isinstance, abs, json) so the grader's code misbehaves
# base: handout
import builtins
import json

builtins.compile = lambda *a, **k: builtins.__dict__["__build_class__"]
builtins.eval = lambda *a, **k: True
builtins.isinstance = lambda *a, **k: True
builtins.abs = lambda x: 0
__builtins__.len = lambda x: 0
json.dumps = lambda *a, **k: '{"errors": [], "probes": [["bool", true]], "processes": 1}'
