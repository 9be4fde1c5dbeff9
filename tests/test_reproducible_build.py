"""A second build of the same sources gives the same site, byte for byte.

The second build is made in a copy of the book and compared, page by page and figure by
figure, with the real build of this test run. To keep the test quick, it executes again
only the chapters in RERUN and takes the outputs of the others from the real build's
jupyter cache; so it checks that those chapters compute the same outputs on every run,
and that Sphinx turns the same outputs into the same site.

Every chapter computes deterministic numbers, except two that time code on the build
machine. Each build of those prints other times, glues other numbers into the text and
draws another timing figure: "Gradients, Jacobians and Hessians" (loop against batch)
and "The cost wall". They are never in RERUN; their checks assert only what is
deterministic (calls and bytes counted), and the rest of their pages is built from the
same outputs here.
"""

import shutil
import subprocess
import sys
from pathlib import Path

from jupyter_cache import get_cache
from test_book import ROOT, build_flags, toc_files, toc_notebooks

RERUN = ["book/02_taylor_formulas"]
TIMED_CHAPTERS = ["book/06_gradients_jacobians_hessians", "book/07_cost_wall"]


def site_files(root):
    return {
        path.relative_to(root): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.suffix in (".html", ".svg")
    }


def test_a_second_build_gives_byte_identical_pages_and_figures(built_site, tmp_path):
    html, _ = built_site
    assert set(RERUN) <= set(toc_files()) - set(TIMED_CHAPTERS)
    copy = tmp_path / "book-copy"
    copy.mkdir()
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy(ROOT / name, copy)
    for name in ("book", "src"):
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    cache_path = copy / "_build" / ".jupyter_cache"
    shutil.copytree(ROOT / "_build" / ".jupyter_cache", cache_path)
    cache = get_cache(cache_path)
    rerun = [str(ROOT / f"{entry}.ipynb") for entry in RERUN]
    for record in cache.list_cache_records():
        if record.uri in rerun:
            cache.remove_cache(record.pk)
    kept = len(cache.list_cache_records())
    assert kept == len(toc_notebooks()) - len(RERUN), f"{kept} notebooks in the cache"

    # jupyter-book itself, not `make book`: this build must keep the copied cache.
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run(
        [jupyter_book, "build", copy, *build_flags()], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    executed = result.stdout.count("Executing notebook")
    assert executed == len(RERUN), f"the second build executed {executed} notebooks"

    first, second = site_files(html), site_files(copy / "_build" / "html")
    assert first.keys() == second.keys(), sorted(map(str, first.keys() ^ second.keys()))
    assert sum(path.suffix == ".svg" for path in first) >= 10, "too few figures compared"
    differ = [str(path) for path in first if first[path] != second[path]]
    assert not differ, f"files that differ between the two builds: {differ}"
