"""A second build of the same sources gives the same site, byte for byte.

The second build is made in a copy of the book, the way `make book` builds
(tools/build_book.py: the notebooks run in parallel into a new cache), and compared page
by page and figure by figure with the real build of this test run, whose notebooks nbval
ran. It runs every chapter again except the ones in TIMED_CHAPTERS, whose executed
notebooks it takes from the real build's cache. Then the copy is built a third time, over
its existing _build, from the notebooks in its cache (Sphinx's step of `make book`, which
never empties _build/html): the same bytes again. Both comparisons include the links to
the CSS and JavaScript files with their checksums (`exercise.css?v=982b99e0`): Sphinx adds
one only when the file is already in the output folder as the page is written, so files
that an extension copies late once gave a clean build other links than a build over an
earlier one (book/_ext/theme_fixes.py copies them first).

Those chapters time code on the build machine: each build prints other times, glues
other numbers into the text and draws other timing figures. They are "Complex step and
Richardson extrapolation" (complex against real arithmetic), "Gradients, Jacobians and
Hessians" (loop against batch), "The cost wall", "Automatic differentiation with JAX"
(jacfwd against jacrev, Hessian-vector products) and "Derivatives through solvers" (cost
against the number of parameters). Their checks assert only what is deterministic (calls,
passes, solves and bytes counted); here the rest of their pages is built from the same
outputs. Every other chapter computes the same outputs on every run.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
from conftest import build_lock
from jupyter_cache import get_cache
from test_book import (
    ROOT,
    build,
    build_book,
    build_failure,
    build_flags,
    site_pages,
    toc_notebooks,
)

TIMED_CHAPTERS = [
    "book/04_complex_step_richardson.ipynb",
    "book/06_gradients_jacobians_hessians.ipynb",
    "book/07_cost_wall.ipynb",
    "book/10_automatic_differentiation_jax.ipynb",
    "book/15_derivatives_through_solvers.ipynb",
    "book/16_adjoints_at_scale.ipynb",
]


def site_files(root):
    return {
        path.relative_to(root): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.suffix in (".html", ".svg", ".css", ".js")
    }


def differing(first, second):
    assert first.keys() == second.keys(), sorted(map(str, first.keys() ^ second.keys()))
    return [str(path) for path in first if first[path] != second[path]]


def test_a_second_build_gives_byte_identical_pages_and_figures(built_site, tmp_path):
    html, _ = built_site
    assert set(TIMED_CHAPTERS) < set(toc_notebooks())
    copy = tmp_path / "book-copy"
    copy.mkdir()
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy(ROOT / name, copy)
    for name in ("book", "src"):
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    timed = tmp_path / "timed"
    timed.mkdir()
    with build_lock():  # the real build's cache, read while no build writes it
        cache = get_cache(ROOT / "_build" / ".jupyter_cache")
        for notebook in TIMED_CHAPTERS:
            record = cache.get_cached_project_nb(str(ROOT / notebook))
            assert record is not None, f"{notebook} is not in the real build's cache"
            executed = cache.get_cache_bundle(record.pk).nb
            nbformat.write(executed, timed / build_book.executed_name(notebook))

    result = build(copy, executed=timed)
    assert result.returncode == 0, build_failure(result)
    rerun = len(toc_notebooks()) - len(TIMED_CHAPTERS)
    assert f"executed {rerun} notebooks in parallel" in result.stdout, result.stdout[:2000]
    assert f"0 failed; {len(TIMED_CHAPTERS)} taken as executed" in result.stdout

    first, second = site_files(html), site_files(copy / "_build" / "html")
    assert sum(path.suffix == ".svg" for path in first) >= 10, "too few figures compared"
    differ = differing(first, second)
    assert not differ, f"files that differ between the two builds: {differ}"

    # Over the existing _build, with the notebooks of the copy's cache (none run again).
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    again = subprocess.run(
        [jupyter_book, "build", copy, *build_flags()],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert again.returncode == 0, build_failure(again)
    assert "Executing notebook" not in again.stdout, "the notebooks were not taken from the cache"
    third = site_files(copy / "_build" / "html")
    differ = differing(second, third)
    assert not differ, f"a build over an earlier one differs from a clean one: {differ}"


# The theme's templates write these three links themselves, without checksums.
UNCHECKED = re.compile(r"_static/(searchtools|language_data)\.js$|searchindex\.js$")
ASSET = re.compile(r'<(?:link|script)\b[^>]*?(?:href|src)="([^"]+\.(?:css|js)(?:\?[^"]*)?)"')


def test_every_local_css_and_javascript_link_carries_a_checksum(built_site):
    html, _ = built_site
    for page in site_pages(html):
        for url in ASSET.findall(page.read_text()):
            path, _, query = url.partition("?")
            if UNCHECKED.search(path):
                assert not query, url
                continue
            assert re.fullmatch(r"(v|digest)=[0-9a-f]{8,}", query), (
                f"{page.relative_to(html)}: {url} has no checksum"
            )
