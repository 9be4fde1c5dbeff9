"""Fixes for what Jupyter Book 1's theme stack writes into every page.

Two remove an error that a reader's browser console would show (the
browser tests in tests/test_browser.py fail on any console error):

- sphinx-thebe adds its inline setup script twice; the second copy
  declares `const THEBE_JS_URL` again, a JavaScript error. Repeated
  scripts are dropped.
- sphinx-book-theme leaves pydata-sphinx-theme's `default_mode` empty,
  which logs "Got invalid theme mode" on a first visit. The default
  becomes "light".

Five make the pages pass axe-core's WCAG 2.0 and 2.1 A and AA rules
(tests/test_browser.py runs them on every page, light and dark):

- 2.5.3 label in name: a control's accessible name must contain the
  text it shows. The search field says "Search Ctrl+K" but was named
  "Search" (templates/search-button-field.html drops its aria-label);
  the color-mode button showed its icons' titles ("Light") as text
  (templates/theme-switcher.html drops them); myst-nb names the summary
  of a hidden cell "Toggle hidden content" while it shows "Show code
  cell source" (the aria-label is dropped from the page).
- 1.4.3 contrast: links in the tinted exercise and note boxes are
  darker in light mode (static/theme_fixes.css).
- 2.1.1 keyboard: a code block too wide for the page, inside a solution
  or hidden cell, could not be scrolled from the keyboard once opened
  (static/theme_fixes.js makes it focusable when it opens).
- The references page: docutils gives each entry the deprecated role
  doc-biblioentry inside a role="list", which then has no list items;
  they become role="listitem".

One lets the single-page build of the PDF (tools/pdf_book.py) write
every node: Sphinx gives a builder the translation handlers registered
under its name, and only when there are none those of its format.
sphinx-exercise registers its nodes for "singlehtml" by name, so the
singlehtml builder lost every other extension's HTML handlers (myst-nb's
hidden cells, ...) and stopped at the first such node. The "html"
handlers are added to the "singlehtml" ones.

One makes the pages the same bytes on every build:

- Sphinx adds a checksum to the link of a CSS or JavaScript file
  (`exercise.css?v=8a1c6a45`) only if the file is already in the output
  folder when the page is written. Three extensions copy their files
  only when the build has finished: sphinx-exercise (exercise.css),
  myst-nb (mystnb.<hash>.css) and sphinx-mathjax-offline (MathJax). So a
  build into an empty folder wrote those links without checksums, and a
  build over an earlier one with them. Their files are now copied
  before the pages are written (and once more, unchanged, at the end),
  so every build links them with their checksums.
"""

import sys
from pathlib import Path

from myst_nb.sphinx_ext import add_global_html_resources
from sphinx_exercise import copy_asset_files

HERE = Path(__file__).parent
# Exact strings of the page's body, replaced (the browser tests' axe run
# fails if one comes back in another form).
BODY_FIXES = {
    '<summary aria-label="Toggle hidden content">': "<summary>",
    'role="doc-biblioentry"': 'role="listitem"',
}


def fix_page(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for script in context.get("script_files", []):
        body = getattr(script, "attributes", {}).get("body")
        key = (
            getattr(script, "filename", None) or "",
            body,
        )  # None or "" inline
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"][:] = unique  # in place: Sphinx keeps this list
    if not context.get("default_mode"):
        context["default_mode"] = "light"
    if "body" in context:
        for old, new in BODY_FIXES.items():
            context["body"] = context["body"].replace(old, new)


def add_templates(app, config):
    # Before the HTML builder loads its templates: ours come first.
    ours = str(HERE / "templates")
    config.templates_path = [ours, *config.templates_path]


def add_stylesheet(app):
    static = app.config.html_static_path
    app.config.html_static_path = [*static, str(HERE / "static")]
    app.add_css_file("theme_fixes.css")
    app.add_js_file("theme_fixes.js")


def share_html_handlers(app):
    if app.builder.name != "singlehtml":
        return
    handlers = app.registry.translation_handlers
    single = handlers.setdefault("singlehtml", {})
    for name, pair in handlers.get("html", {}).items():
        single.setdefault(name, pair)


def copy_static_files_first(app, builder):
    """Copy now what three extensions copy after the pages are written."""
    if builder.format != "html":
        return
    copy_asset_files(app, None)
    add_global_html_resources(app, None)
    mathjax = sys.modules.get("sphinx-mathjax-offline")  # its module's name
    if mathjax is not None:
        mathjax.copy_mathjax_files(app, None)


def setup(app):
    app.connect("config-inited", add_templates)
    app.connect("builder-inited", add_stylesheet)
    app.connect("builder-inited", share_html_handlers)
    # After the themes and extensions that add scripts to the page.
    app.connect("html-page-context", fix_page, priority=999)
    # Sphinx copies its own and the themes' static files between this event
    # and the writing of the pages.
    app.connect("write-started", copy_static_files_first)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
