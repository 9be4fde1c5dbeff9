# attack: patch doctest and otter's test runner so that every test "passes"
# base: handout
import doctest
import sys

doctest.DocTestRunner.run = lambda self, *a, **k: doctest.TestResults(0, 1)
doctest.run_docstring_examples = lambda *a, **k: None
for name in list(sys.modules):
    if name.startswith("otter"):
        module = sys.modules[name]
        for attribute in ("check", "grade", "run", "OKTestFile", "TestFile"):
            try:
                setattr(module, attribute, lambda *a, **k: True)
            except Exception:
                pass
