# attack: use the real otter to write full-marks results files where otter would read them
# base: handout
import json
import os
import pickle

full = {"tests": [{"name": f"q{i}", "score": 10, "possible": 10} for i in range(1, 5)]}
for folder in (".", "/tmp", "/autograder", "/autograder/results", os.path.expanduser("~")):
    for name in ("results.json", "results.pkl", "grading_results.json"):
        try:
            with open(os.path.join(folder, name), "w" if name.endswith("json") else "wb") as f:
                f.write(json.dumps(full) if name.endswith("json") else pickle.dumps(full))
        except Exception:
            pass
import otter  # noqa: E402

otter.Notebook.check = lambda *a, **k: "All test cases passed!"
