"""Two fixes for what Jupyter Book 1's theme stack writes into every page.

Each removes an error that a reader's browser console would show (the
browser tests in tests/test_book.py fail on any console error):

- sphinx-thebe adds its inline setup script twice; the second copy
  declares `const THEBE_JS_URL` again, a JavaScript error. Repeated
  scripts are dropped.
- sphinx-book-theme leaves pydata-sphinx-theme's `default_mode` empty,
  which logs "Got invalid theme mode" on a first visit. The default
  becomes "light".
"""


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


def setup(app):
    # After the themes and extensions that add scripts to the page.
    app.connect("html-page-context", fix_page, priority=999)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
