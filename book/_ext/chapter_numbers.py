"""A chapter's number is the number its file name starts with.

The parts of _toc.yml marked `numbered` number their chapters, and Sphinx
counts them in the order of the table of contents. The prose cites chapters
by number ("chapter 3", "ch. 13"), and those numbers are the files' own:
book/03_roundoff_truncation.ipynb is chapter 3. Counting would shift every
later number when a chapter is missing from the table of contents (one being
written, or one a course leaves out). So after Sphinx has counted, each
numbered page takes the number of its file name: in the sidebar, in its
title, in the links to the previous and next pages, and in the numbers of
its equations and exercises ("(13.2)", "Exercise 13.1").

A numbered page whose file name does not start with a number, or two pages
with the same number, are reported as warnings (errors in the -W build).
"""

import copy
import re

from docutils import nodes
from sphinx.util import logging

logger = logging.getLogger(__name__)
FILE_NUMBER = re.compile(r"(?:^|/)0*(\d+)_[^/]+$")


def chapter_of(env, docname):
    """The numbered page at the top of `docname` (itself, or its parent)."""
    parents = {
        child: parent
        for parent, children in env.toctree_includes.items()
        for child in children
        if parent in env.toc_secnumbers
    }
    while docname in parents:
        docname = parents[docname]
    return docname


def with_first(number, value):
    """`value` (a tuple or list) with its first number replaced."""
    return type(value)([number, *value[1:]])


def renumber(env):
    """Give each numbered page its file's number wherever Sphinx counted."""
    owners = {}
    for docname in sorted(env.toc_secnumbers):
        numbers = env.toc_secnumbers[docname]
        counted = numbers.get("")  # the number of the page's title
        if not counted:
            continue
        chapter = chapter_of(env, docname)
        match = FILE_NUMBER.search(chapter)
        if not match:
            logger.warning(
                "%s is numbered, but its file name starts with no number",
                chapter,
                location=docname,
            )
            continue
        number = int(match[1])
        if chapter == docname:
            if number in owners:
                logger.warning(
                    "%s and %s both have the chapter number %d",
                    owners[number],
                    docname,
                    number,
                    location=docname,
                )
            owners[number] = docname
        if counted[0] == number:
            continue
        env.toc_secnumbers[docname] = {
            anchor: with_first(number, value) if value else value
            for anchor, value in numbers.items()
        }
        for reference in env.tocs[docname].findall(nodes.reference):
            if reference.get("secnumber"):
                reference["secnumber"] = with_first(
                    number, reference["secnumber"]
                )
        title = env.titles.get(docname)
        if title is not None and title.get("secnumber"):
            title["secnumber"] = with_first(number, title["secnumber"])
        # Equations, exercises and figures are numbered (chapter, n).
        for numbered in env.toc_fignumbers.get(docname, {}).values():
            for node_id, value in numbered.items():
                if len(value) > 1 and value[0] == counted[0]:
                    numbered[node_id] = with_first(number, value)


def remember_numbers(app, env, docnames):
    """Keep the last build's numbers: the pages whose numbers change are
    written again."""
    app.chapter_numbers_before = copy.deepcopy(
        (env.toc_secnumbers, env.toc_fignumbers)
    )


def number_by_file_names(app, env):
    renumber(env)
    secnumbers, fignumbers = app.chapter_numbers_before
    return [
        docname
        for docname in env.found_docs
        if env.toc_secnumbers.get(docname) != secnumbers.get(docname)
        or env.toc_fignumbers.get(docname) != fignumbers.get(docname)
    ]


def setup(app):
    app.connect("env-before-read-docs", remember_numbers)
    # After Sphinx's toctree collector (priority 500) has counted.
    app.connect("env-get-updated", number_by_file_names, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
