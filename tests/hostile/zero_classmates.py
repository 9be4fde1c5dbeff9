# attack: zero the classmates: overwrite every other submission and every grades file found
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


# Only files of this test run are overwritten if reached (never the project's own files,
# in case a broken sandbox let this through): the test checks that none was.
hits = 0
for path in everything("SUBMISSIONS_DIR", "GRADES_DIR", "/"):
    if path.startswith(("SUBMISSIONS_DIR", "GRADES_DIR", "/tmp")):
        try:
            with open(path, "w") as f:
                f.write("{}")
            hits += 1
        except OSError:
            pass
try:
    os.makedirs("HOST_MARKER/zeroed", exist_ok=True)
except OSError:
    pass
