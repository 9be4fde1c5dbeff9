# attack: write into the project tree, the submissions folder and the machine's /tmp
# base: solution
import os

for path in (
    "PROJECT_DIR/tools/hostile_was_here.py",
    "PROJECT_DIR/hostile_was_here",
    "SUBMISSIONS_DIR/hostile_new_submission.ipynb",
    "HOST_MARKER/escaped",
    "/work/hostile",
    "/usr/lib/hostile",
    "/etc/hostile",
):
    try:
        with open(path, "a") as f:
            f.write("HOSTILE")
    except OSError:
        pass
for top in ("/", "/work", "/root", "/home"):
    for folder, subfolders, _ in os.walk(top):
        subfolders[:] = [s for s in subfolders if s not in ("usr", "proc", "sys", "dev")]
        if os.access(folder, os.W_OK) and not folder.startswith(("/tmp", "/proc", "/dev")):
            try:
                with open(os.path.join(folder, "hostile_was_here"), "w") as f:
                    f.write("HOSTILE")
            except OSError:
                pass
