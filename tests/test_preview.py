"""`make preview CHAPTER=NN`: one chapter run again, the rest of the site from the last build.

A copy of the book with two chapters is built as `make book` builds, then previewed as
`make preview` runs (tools/build_book.py --preview): exactly one notebook runs, the
chapter's page is written again with its new output, and the other chapter's page is
left as the last build wrote it. (Its speed is measured by `make bench`.)
"""

import json
import re
import shutil
import subprocess
import sys

import yaml
from test_book import ROOT, build, build_failure, build_flags

CHAPTERS = ["book/01_forward_differences", "book/02_taylor_formulas"]


def two_chapter_copy(tmp_path):
    copy = tmp_path / "book-copy"
    copy.mkdir()
    shutil.copy(ROOT / "_config.yml", copy)
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    part = next(p for p in toc["parts"] if {"file": CHAPTERS[0]} in p["chapters"])
    toc["parts"] = [
        {**part, "chapters": [{"file": chapter} for chapter in CHAPTERS]},
        {"caption": "Sources", "chapters": [{"file": "book/references"}]},  # cited
    ]
    (copy / "_toc.yml").write_text(yaml.safe_dump(toc))
    for name in ("book", "src"):
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def preview(copy, chapter):
    return subprocess.run(
        [sys.executable, ROOT / "tools" / "build_book.py", copy, "--preview", chapter]
        + build_flags(),
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_preview_runs_one_chapter_and_rebuilds_only_its_page(tmp_path):
    copy = two_chapter_copy(tmp_path)
    first = build(copy)
    assert first.returncode == 0, build_failure(first)
    assert "executed 2 notebooks in parallel" in first.stdout
    html = copy / "_build" / "html" / "book"
    pages = {
        name: (html / f"{name}.html") for name in ("01_forward_differences", "02_taylor_formulas")
    }
    before = {name: page.stat().st_mtime_ns for name, page in pages.items()}
    other = pages["02_taylor_formulas"].read_bytes()

    # The author changes what chapter 1 prints: the preview must show it.
    notebook = copy / "book" / "01_forward_differences.ipynb"
    content = json.loads(notebook.read_text())
    content["cells"].append(
        {"cell_type": "code", "execution_count": None, "id": "preview-probe", "metadata": {},
         "outputs": [], "source": "print('preview ' + str(6 * 7))"}
    )  # fmt: skip
    notebook.write_text(json.dumps(content))

    result = preview(copy, "01")
    assert result.returncode == 0, build_failure(result)
    assert re.search(r"^executed 1 notebooks in ", result.stdout, re.MULTILINE), result.stdout
    assert "Executing notebook" not in result.stdout + result.stderr, "the build ran notebooks"
    assert "preview 42" in pages["01_forward_differences"].read_text()
    assert pages["01_forward_differences"].stat().st_mtime_ns > before["01_forward_differences"]
    assert pages["02_taylor_formulas"].read_bytes() == other

    # Without a last build to update, it says so instead of running every notebook.
    shutil.rmtree(copy / "_build")
    refused = preview(copy, "01")
    assert refused.returncode == 2 and "run make book first" in refused.stdout


def test_make_preview_passes_the_chapter_and_drops_all():
    dry = subprocess.run(
        ["make", "-n", "--no-print-directory", "preview", "CHAPTER=03"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    command = next(line for line in dry.splitlines() if "build_book.py" in line)
    assert "--preview 03" in command and "--all" not in command
