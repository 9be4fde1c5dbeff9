"""Plotly for the pages that have an explorable figure, and for no others.

An explorable figure (``src/explorable``, drawn by a chapter's code) is a
``<div class="explorable">`` in the page, with its figure's JSON and a
small script that needs Plotly. This extension:

- copies ``plotly.min.js`` (4.8 MB) from the installed plotly wheel, the
  version that requirements.txt pins, into the site's ``_static`` at the
  start of every HTML build. It is not kept in git: the wheel holds the
  same bytes, and a new version is one changed pin, not 4.8 MB more in
  the history;
- adds ``_static/plotly.min.js`` and ``_static/explorable.css`` to the
  pages whose body holds an explorable figure, and to no other page;
- silences MyST-NB's warning about the figure's other MIME type,
  Plotly's own, which JupyterLab draws (Binder, `make lab`): the page
  uses the figure's HTML. Every other unknown MIME type still warns.

Both files are in ``_static`` before any page is written, so every page
that loads them gets the same link, whatever the output folder held.
"""

import logging
import shutil
from importlib.resources import files
from pathlib import Path

from sphinx.util.logging import NAMESPACE, WarningStreamHandler

MARKER = '<div class="explorable"'
SCRIPT = "plotly.min.js"
STYLE = "explorable.css"
LAB_MIME = "application/vnd.plotly.v1+json"

# The slider and its value above the plot, which is white like the static
# figures, in dark mode too. In print (the PDF) the static figure above
# stands alone: the whole cell (folded code, explorable figure) is left out.
CSS = """\
.explorable { margin: 1rem 0 1.5rem; }
.explorable-caption { margin-bottom: 0.5rem; }
.explorable-controls {
  display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 1rem;
  margin-bottom: 0.5rem;
}
.explorable-controls label { font-weight: 600; }
.explorable-controls input[type="range"] {
  flex: 1 1 12rem; max-width: 24rem;
}
.explorable-controls input[type="range"]:focus-visible {
  outline: 3px solid var(--pst-color-accent, #c3318b); outline-offset: 3px;
}
.explorable-controls output { font-variant-numeric: tabular-nums; }
.explorable-plot { width: 100%; background: white; }
@media print {
  .cell:has(.explorable), .explorable { display: none !important; }
}
"""


def copy_assets(app):
    if app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    wheel = files("plotly") / "package_data" / SCRIPT
    shutil.copyfile(wheel, static / SCRIPT)
    (static / STYLE).write_text(CSS)


class LabCopyFilter(logging.Filter):
    """Drops "skipping unknown output mime type" for Plotly's own type."""

    def filter(self, record):
        return not (
            "unknown output mime type" in str(record.msg)
            and LAB_MIME in str(record.msg)
        )


def silence_lab_copy(app):
    # First among the warning handler's filters: before Sphinx counts it.
    for handler in logging.getLogger(NAMESPACE).handlers:
        if isinstance(handler, WarningStreamHandler):
            handler.filters.insert(0, LabCopyFilter())


def add_to_figure_pages(app, pagename, templatename, context, doctree):
    if MARKER in context.get("body", ""):
        # This page's lists: Sphinx restores them before the next page.
        app.builder.add_js_file(SCRIPT)
        app.builder.add_css_file(STYLE)


def setup(app):
    app.connect("builder-inited", copy_assets)
    app.connect("builder-inited", silence_lab_copy)
    app.connect("html-page-context", add_to_figure_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
