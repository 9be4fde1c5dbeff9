"""Build the book, running its notebooks in parallel first.

Run by `make book` and by the tests, as
`python tools/build_book.py [SOURCE] [--executed FOLDER] [FLAGS...]`: SOURCE is the book's
folder (default: this repository) and FLAGS are passed on to `jupyter-book build`. Two
steps:

1. Every notebook of the table of contents is executed afresh into a new, empty jupyter
   cache (`SOURCE/_build/.jupyter_cache`), as many at a time as there are cores, with
   jupyter-cache's `local-parallel` executor. So every build runs every notebook, and
   every figure comes from today's code.
2. `jupyter-book build` makes the pages with `execute_notebooks: cache`: it takes each
   notebook's outputs from the cache instead of running it again.

`--executed FOLDER` gives notebooks that were executed moments ago (the tests pass the
ones nbval has just run, with their outputs): they go into the new cache as they are, and
step 1 runs only the others. `make book` never passes it.

When a notebook fails in step 1, the build stops there with exit status 1: it prints the
notebook's path and the error of the cell that failed (the cell's source, the exception
and its traceback), and skips step 2, which would only run the failing notebook again.

`--preview CHAPTER` (`make preview CHAPTER=03`) is the author's loop: it runs only the
chapter whose file name starts with that number, into the cache of the last build (the
other notebooks' outputs stay there), and then lets `jupyter-book build` update the site
without `--all`: Sphinx reads again only that chapter (and any page changed since), and
takes every other page from the last build.
"""

import logging
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import yaml
from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn
from jupyter_cache.executors import load_executor

ROOT = Path(__file__).resolve().parents[1]


def toc_files(source):
    """Every `file:` entry of `source`'s _toc.yml, the root first, in reading order."""
    toc = yaml.safe_load((source / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries):
        for entry in entries:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections", []))

    walk(toc.get("chapters", []))
    for part in toc.get("parts", []):
        walk(part.get("chapters", []))
    return files


def toc_notebooks(source):
    """The notebooks among them, as paths."""
    paths = [source / f"{entry}.ipynb" for entry in toc_files(source)]
    return [path for path in paths if path.exists()]


def execute_into_new_cache(source, executed=None):
    """Run every notebook of `source` in parallel into an empty cache; return the failures.

    Notebooks found in the folder `executed` under the same name as a notebook of the
    book (its path with "/" replaced by "__") are cached as they are, not run again.
    """
    config = yaml.safe_load((source / "_config.yml").read_text())
    cache_path = source / "_build" / ".jupyter_cache"
    shutil.rmtree(cache_path, ignore_errors=True)
    cache = get_cache(cache_path)
    reused = 0
    for notebook in toc_notebooks(source):
        cache.add_nb_to_project(str(notebook))
        done = executed and Path(executed) / executed_name(notebook.relative_to(source))
        if done and done.exists():
            bundle = CacheBundleIn(nbformat.read(done, as_version=4), str(notebook))
            cache.cache_notebook_bundle(bundle, check_validity=False, overwrite=True)
            reused += 1
    logger = logging.getLogger("build_book")
    logger.addHandler(logging.StreamHandler(sys.stdout))
    logger.setLevel(logging.WARNING)
    executor = load_executor("local-parallel", cache, logger=logger)
    started = time.perf_counter()
    timeout = config["execute"]["timeout"]
    result = executor.run_and_cache(timeout=timeout, allow_errors=False)
    succeeded, failed = result.succeeded, result.excepted + result.errored
    if result.errored:
        # Not a cell's error: most often a kernel that died at start, when kernels
        # started at the same moment picked the same TCP port. One more try each.
        print(f"trying again, kernel or cache failures: {result.errored}", flush=True)
        again = executor.run_and_cache(filter_uris=result.errored, timeout=timeout)
        succeeded = succeeded + again.succeeded
        failed = result.excepted + again.excepted + again.errored
    print(
        f"executed {len(succeeded) + len(failed)} notebooks in parallel in "
        f"{time.perf_counter() - started:.1f} s; {len(failed)} failed"
        + (f"; {reused} taken as executed from {executed}" if executed else ""),
        flush=True,
    )
    join_streams_in_cache(cache, succeeded)
    for uri in failed:
        traceback = cache.get_project_record(uri).traceback or (
            "(no cell error recorded: the kernel died, for instance out of memory, or the"
            " cache could not be written; the messages above say which)"
        )
        print(f"\nExecuting notebook failed: {uri}\n{traceback}", flush=True)
    return failed


def join_streams(notebook):
    """Join each cell's outputs of one stream (stdout, stderr) into one, where the first was.

    A kernel sends printed text in chunks, split wherever it happened to flush, which
    depends on the machine's load. Joined, a page is the same however the text was split;
    nbval joins them the same way, so a build from nbval's outputs gives the same page.
    """
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        outputs, streams = [], {}
        for output in cell.outputs:
            if output.output_type == "stream":
                if output.name in streams:
                    streams[output.name].text += output.text
                    continue
                streams[output.name] = output
            outputs.append(output)
        cell.outputs = outputs
    return notebook


def join_streams_in_cache(cache, uris):
    """Cache the notebooks run at `uris` again with their streams joined.

    (Notebooks taken as executed from `--executed` are nbval's, joined already.)"""
    for uri in uris:
        record = cache.get_cached_project_nb(uri)
        if record is None:
            raise SystemExit(
                f"{uri} ran but its result is not in the cache: did another build of this"
                " folder start meanwhile? (one build at a time per folder)"
            )
        notebook = join_streams(cache.get_cache_bundle(record.pk).nb)
        bundle = CacheBundleIn(notebook, record.uri, data=record.data)
        cache.cache_notebook_bundle(bundle, check_validity=False, overwrite=True)


def preview(source, chapter, flags):
    """Run one chapter into the last build's cache, then update the site (no --all)."""
    cache_path = source / "_build" / ".jupyter_cache"
    if not (cache_path.exists() and (source / "_build" / "html" / "index.html").exists()):
        print("make preview updates the last build: run make book first", flush=True)
        return 2
    matches = [
        nb
        for nb in toc_notebooks(source)
        if nb.name.split("_")[0].lstrip("0") == chapter.lstrip("0")
    ]
    if len(matches) != 1:
        names = [nb.name for nb in toc_notebooks(source)]
        print(f"CHAPTER={chapter} names no single chapter of the toc: {names}", flush=True)
        return 2
    notebook = matches[0]
    cache = get_cache(cache_path)
    cache.add_nb_to_project(str(notebook))
    config = yaml.safe_load((source / "_config.yml").read_text())
    executor = load_executor("local-serial", cache, logger=logging.getLogger("build_book"))
    started = time.perf_counter()
    result = executor.run_and_cache(
        filter_uris=[str(notebook)], force=True, timeout=config["execute"]["timeout"]
    )
    failed = result.excepted + result.errored
    print(
        f"executed {len(result.succeeded) + len(failed)} notebooks in "
        f"{time.perf_counter() - started:.1f} s; {len(failed)} failed",
        flush=True,
    )
    if failed:
        record = cache.get_project_record(str(notebook))
        print(f"\nExecuting notebook failed: {notebook}\n{record.traceback}", flush=True)
        return 1
    join_streams_in_cache(cache, result.succeeded)
    # Sphinx reads a page again when its source is newer than the last build's reading.
    os.utime(notebook)
    flags = [flag for flag in flags if flag != "--all"]
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    code = subprocess.run([jupyter_book, "build", source, *flags]).returncode
    page = source / "_build" / "html" / notebook.relative_to(source).with_suffix(".html")
    if code == 0:
        print(f"The chapter is at {page}", flush=True)
    return code


def executed_name(path):
    """The file name under which an executed copy of the notebook at `path` is kept."""
    return Path(path).as_posix().replace("/", "__")


def main(argv):
    source = Path(argv[0]).resolve() if argv and not argv[0].startswith("-") else ROOT
    flags = argv[1:] if argv and not argv[0].startswith("-") else list(argv)
    if "--preview" in flags:
        at = flags.index("--preview")
        chapter = flags[at + 1]
        del flags[at : at + 2]
        return preview(source, chapter, flags)
    executed = None
    if "--executed" in flags:
        at = flags.index("--executed")
        executed = flags[at + 1]
        del flags[at : at + 2]
    if execute_into_new_cache(source, executed):
        return 1
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    return subprocess.run([jupyter_book, "build", source, *flags]).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
