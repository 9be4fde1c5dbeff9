"""The build's guards: a broken copy of the book must fail to build.

These live apart from test_book.py so that `make test` (pytest-xdist, one module per
worker) runs them beside the real build instead of after it.
"""

import json
import shutil

import yaml
from test_book import CHAPTER, ROOT, build


def broken_copy(tmp_path, *new_cells):
    """Copy the book to tmp_path with `new_cells` appended to the first chapter.

    To keep each guard quick, the copy's table of contents keeps only the root and the
    first chapter, and the chapter keeps only its opening cells (title, setup); the
    config, the package and the setup cell are the real ones.
    """
    copy = tmp_path / "book-copy"
    copy.mkdir()
    shutil.copy(ROOT / "_config.yml", copy)
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    first = CHAPTER.relative_to(ROOT).with_suffix("").as_posix()
    part = next(p for p in toc["parts"] if {"file": first} in p["chapters"])
    toc["parts"] = [{**part, "chapters": [{"file": first}]}]
    (copy / "_toc.yml").write_text(yaml.safe_dump(toc))
    for name in ("book", "src"):
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    notebook = copy / CHAPTER.relative_to(ROOT)
    content = json.loads(notebook.read_text())
    setup = next(
        i
        for i, c in enumerate(content["cells"])
        if c["cell_type"] == "code" and c["id"] != "colab-install"
    )
    content["cells"] = content["cells"][: setup + 1] + list(new_cells)
    notebook.write_text(json.dumps(content))
    return copy


def code_cell(source):
    return {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {},
        "outputs": [],
        "source": source,
    }


def test_a_cell_that_raises_stops_the_build_which_names_the_notebook_and_cell(tmp_path):
    cell = code_cell("raise RuntimeError('injected failure')")
    result = build(broken_copy(tmp_path, cell))
    output = result.stdout + result.stderr
    assert result.returncode != 0, "the broken book built without an error"
    assert f"Executing notebook failed: {tmp_path}" in output
    assert CHAPTER.name in output and cell["source"] in output and "injected failure" in output


def test_a_warning_on_stderr_and_a_missing_reference_each_fail_the_build(tmp_path):
    # The build runs with -W --keep-going: every warning is an error, and all are reported,
    # so one broken copy shows both (each alone is enough to fail the build).
    warns = code_cell("import warnings\nwarnings.warn('injected warning')")
    dangling = {"cell_type": "markdown", "metadata": {}, "source": "See {eq}`eq-no-such-label`."}
    result = build(broken_copy(tmp_path, warns, dangling))
    output = result.stdout + result.stderr
    assert result.returncode != 0, "the broken book built without an error"
    assert "stderr was found" in output and CHAPTER.name in output
    assert "eq-no-such-label" in output
