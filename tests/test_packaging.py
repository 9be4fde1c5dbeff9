"""diffops as a package: what `pip install "diffops[book] @ git+URL"` (the Colab cell) gets."""

import json
import os
import shutil
import subprocess
import sys

from test_book import ROOT

CHECK = """
import importlib.metadata as metadata
import json
import diffops
print(json.dumps({
    "file": diffops.__file__,
    "version": diffops.__version__,
    "metadata_version": metadata.version("diffops"),
    "requires": metadata.requires("diffops"),
    "extras": metadata.metadata("diffops").get_all("Provides-Extra"),
}))
"""


def test_a_non_editable_install_has_one_version_numpy_and_the_book_extra(tmp_path):
    copy = tmp_path / "project"
    shutil.copytree(ROOT / "src", copy / "src", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, copy)
    target = tmp_path / "installed"
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    options = ["--no-deps", "--no-index", "--no-build-isolation", "--target", target]
    subprocess.run([*pip, *options, copy], check=True, capture_output=True, timeout=600)
    environment = {**os.environ, "PYTHONPATH": str(target)}
    found = subprocess.run(
        [sys.executable, "-c", CHECK], env=environment, capture_output=True, text=True
    )
    assert found.returncode == 0, found.stderr
    package = json.loads(found.stdout)
    assert package["file"].startswith(str(target)), "the installed copy was not imported"
    assert package["version"] == package["metadata_version"]
    assert [r for r in package["requires"] if "extra" not in r] == ["numpy>=1.26", "scipy>=1.11"]
    assert package["extras"] == ["book"]
    book = {r.split(";")[0].split(">=")[0] for r in package["requires"] if "extra" in r}
    # every package a chapter imports, besides diffops and the standard library
    assert {"matplotlib", "matplotlib-inline", "seaborn", "numdifftools"} <= book
    assert {"autograd", "myst-nb", "sympy", "jax"} <= book
