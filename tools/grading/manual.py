"""Questions graded by a person: one page per question, a CSV to fill in, and its merge.

An instructor notebook marks a question for a person with otter's `manual: true` in its
`# BEGIN QUESTION` cell. `make assignments` writes those questions, with their points and
the id of their prompt cell, to `autograder/manual.json` (`write_questions`).

`make grade` then writes, beside the feedback, `manual/`:

`<question>.html`
    every graded notebook's answer to the question, one after the other, so that a person
    grades one question for the whole class at a time: the cells after the prompt, up to
    the end of the question (otter's `<!-- END QUESTION -->` or the next cell of the
    handout). Markdown and math (MathJax, copied from the site's offline copy of
    sphinx-mathjax-offline), code, printed output and figures are shown; everything the
    student wrote is sanitized by nh3 (the Ammonia HTML sanitizer): no script, no event
    attribute, no style, no frame, no image but the answer's own (data: URLs), no link
    but http(s), so nothing of a student's runs in the grader's browser.
`index.csv`
    who is who: each answer is shown under a key (`A3f9c21b0`, from the file's path and
    bytes), and only this file maps the keys to files and students; pages list answers by key.
`manual.csv`
    the template to fill in: submission (the key), question, points, comment.

`make grade ... MANUAL=manual.csv` reads it before grading (`read_grades`): a question that
is not manual, a key that is not one of the folder's notebooks (a file changed since gives
a new key), points that are not a number, negative or above the question's, a row twice or
without points, are errors that stop the run, each with its line, before anything is
written. Then each row of the grades CSV gets a column per manual question, the total
includes them, and the feedback gets the points and the comment (`merge`).
"""

import base64
import binascii
import csv
import hashlib
import html
import io
import json
import re
import shutil
from pathlib import Path

import yaml
from grading import answers

MANIFEST = "manual.json"
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif")
MAX_ANSWER_CELLS = 30
MAX_ERRORS_SHOWN = 10
TAGS = {
    "p", "em", "strong", "b", "i", "code", "pre", "ul", "ol", "li", "blockquote", "br", "hr",
    "sub", "sup", "h1", "h2", "h3", "h4", "h5", "h6", "span", "div", "img", "a", "table", "thead",
    "tbody", "tr", "th", "td", "del",
}  # fmt: skip
ATTRIBUTES = {"img": {"src", "alt"}, "a": {"href"}}  # classes: allowed_classes


class ManualError(Exception):
    """manual.csv cannot be merged; the message lists every problem found, with its line."""


# --- the questions, from the instructor notebook -----------------------------------------------


def questions_of(notebook):
    """{question: {"points": p, "prompt": id of the prompt cell}} of an instructor notebook."""
    found, cells = {}, notebook["cells"]
    for index, cell in enumerate(cells):
        text = answers.source_text(cell.get("source"))
        if cell.get("cell_type") != "raw" or not text.lstrip().startswith("# BEGIN QUESTION"):
            continue
        config = yaml.safe_load(text.split("\n", 1)[1]) or {}
        if not config.get("manual"):
            continue
        prompt = next((c for c in cells[index + 1 :] if c.get("cell_type") == "markdown"), None)
        if prompt is None or not isinstance(config.get("points"), (int, float)):
            raise ValueError(f"manual question {config.get('name')}: no prompt or no points")
        found[str(config["name"])] = {"points": float(config["points"]), "prompt": prompt["id"]}
    return found


def write_questions(instructor_notebook, autograder):
    """Write autograder/manual.json from the instructor notebook (by `make assignments`)."""
    notebook = json.loads(Path(instructor_notebook).read_text())
    found = questions_of(notebook)
    (Path(autograder) / MANIFEST).write_text(json.dumps(found, indent=1) + "\n")
    return found


def read_questions(assignment_folder):
    """The manual questions of a built assignment ({} when it has none)."""
    path = Path(assignment_folder) / "autograder" / MANIFEST
    return json.loads(path.read_text()) if path.exists() else {}


# --- the answers ---------------------------------------------------------------------------------


def submission_key(item):
    """An answer's key: from the file's path in the folder and its bytes (A + 8 hex digits)."""
    digest = hashlib.sha256(item.relative.encode("utf-8", "surrogateescape") + b"\0")
    try:
        with open(item.path, "rb") as file:
            while chunk := file.read(2**20):
                digest.update(chunk)
    except OSError:
        pass
    return "A" + digest.hexdigest()[:8]


def answer_cells(cells, prompt_id, prompt_text, handout_ids):
    """The cells of a submission after the question's prompt, up to the question's end."""
    start = next((i for i, c in enumerate(cells) if prompt_id and c.id == prompt_id), None)
    if start is None:  # no cell ids (nbformat 4.4): the prompt, which students cannot edit
        start = next((i for i, c in enumerate(cells) if c.source == prompt_text), None)
    if start is None:
        return None
    found = []
    for cell in cells[start + 1 :]:
        if "<!-- END QUESTION -->" in cell.source or "<!-- BEGIN QUESTION -->" in cell.source:
            break
        if cell.id and cell.id in handout_ids:
            break
        found.append(cell)
        if len(found) >= MAX_ANSWER_CELLS:
            break
    return found


def data_url(kind, data):
    """A data: URL for image data given as base64 text (or lines of it); None if invalid."""
    text = "".join(data) if isinstance(data, list) else data
    if kind not in IMAGE_TYPES or not isinstance(text, str):
        return None
    try:
        raw = base64.b64decode(text.replace("\n", ""), validate=True)
    except (binascii.Error, ValueError):
        return None
    return f"data:{kind};base64,{base64.b64encode(raw).decode()}"


def sanitize(fragment, attachments=None):
    """Student HTML made inert by nh3; `attachment:` images become their data: URLs."""
    import nh3

    def keep(tag, attribute, value):
        if tag == "img" and attribute == "src":
            if value.startswith("attachment:"):
                found = (attachments or {}).get(value.removeprefix("attachment:"), {})
                kind = next((k for k in IMAGE_TYPES if k in found), None)
                return data_url(kind, found.get(kind)) if kind else None
            return value if value.startswith(tuple(f"data:{k};" for k in IMAGE_TYPES)) else None
        if tag == "a" and attribute == "href":
            return value if value.startswith(("http://", "https://")) else None
        return value

    return nh3.clean(
        fragment,
        tags=TAGS,
        attributes=ATTRIBUTES,
        attribute_filter=keep,
        url_schemes={"http", "https", "data", "attachment"},
        allowed_classes={"span": {"math", "inline"}, "div": {"math", "block"}},
        link_rel="noopener noreferrer",
    )


def markdown_html(text):
    """Markdown to HTML with its math left for MathJax as \\( \\) and \\[ \\]."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    def math(content, options):  # the plugin puts it in <span class="math inline"> or a div
        if options.get("display_mode"):
            return f"\\[{html.escape(content)}\\]"
        return f"\\({html.escape(content)}\\)"

    parser = MarkdownIt("commonmark", {"html": True}).enable("table")
    parser.use(dollarmath_plugin, renderer=math, double_inline=True)
    return parser.render(text)


def output_html(output):
    kind = output.get("output_type")
    if kind == "stream":
        return f"<pre>{html.escape(answers.source_text(output.get('text')))}</pre>"
    if kind == "error":
        return f"<pre>{html.escape(str(output.get('ename', 'error'))[:200])}</pre>"
    data = output.get("data") if isinstance(output.get("data"), dict) else {}
    for image in IMAGE_TYPES:
        url = data_url(image, data.get(image)) if image in data else None
        if url:
            return f'<img src="{url}" alt="figure">'
    if "text/html" in data:
        return sanitize(answers.source_text(data["text/html"]))
    if "text/plain" in data:
        return f"<pre>{html.escape(answers.source_text(data['text/plain']))}</pre>"
    return ""


def cells_html(cells):
    parts = []
    for cell in cells:
        if cell.type == "markdown":
            parts.append(sanitize(markdown_html(cell.source), cell.attachments))
        elif cell.type == "code" and cell.source.strip():
            parts.append(f"<pre>{html.escape(cell.source)}</pre>")
            parts += [output_html(o) for o in cell.outputs[:20] if isinstance(o, dict)]
        elif cell.type == "raw" and cell.source.strip():
            parts.append(f"<pre>{html.escape(cell.source)}</pre>")
    return "\n".join(parts)


PAGE_STYLE = """
body { font-family: sans-serif; margin: 2em auto; max-width: 60em; line-height: 1.45; }
section { border-top: 2px solid #888; padding: 0.5em 0 1.5em; }
pre { background: #f4f4f4; padding: 0.5em; overflow-x: auto; }
img { max-width: 100%; } .missing { color: #a00; }
"""


def write_pages(folder, assignment, questions, entries, handout):
    """Write the pages, index.csv and manual.csv; `entries` is [(key, item, Cells)]."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    copy_mathjax(folder / "mathjax")
    handout_ids = {c.id for c in handout.cells if c.id and "otter_answer_cell" not in c.tags}
    prompts = {c.id: c.source for c in handout.cells}
    entries = sorted(entries, key=lambda entry: entry[0])
    for question, spec in questions.items():
        blocks = []
        for n, (key, _, cells) in enumerate(entries, 1):
            found = None
            if not cells.problem:
                prompt = prompts.get(spec["prompt"], "")
                found = answer_cells(cells.cells, spec["prompt"], prompt, handout_ids)
            if found is None:
                body = '<p class="missing">The question\'s cells were not found in this file.</p>'
            else:
                body = cells_html(found) or '<p class="missing">No answer.</p>'
            blocks.append(f'<section id="{key}"><h2>{n}. {key}</h2>\n{body}\n</section>')
        title = f"{html.escape(assignment)}, {html.escape(question)} ({spec['points']:g} points)"
        page = [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f"<title>{title}</title><style>{PAGE_STYLE}</style>",
            '<script src="mathjax/config.js"></script>',
            '<script id="MathJax-script" src="mathjax/tex-chtml.js"></script>',
            f"</head><body><h1>{title}</h1>",
            f"<p>{len(entries)} answers, each under its key; index.csv says whose is whose. "
            "Give the points and a comment in manual.csv, then run make grade again with "
            "MANUAL=that file.</p>",
            *blocks,
            "</body></html>",
        ]
        (folder / f"{question}.html").write_text("\n".join(page) + "\n", encoding="utf-8")
    with open(folder / "index.csv", "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["submission", "file", "student"])
        writer.writerows([key, item.name, item.student] for key, item, _ in entries)
    with open(folder / "manual.csv", "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["submission", "question", "points", "comment"])
        writer.writerows([key, q, "", ""] for q in questions for key, _, _ in entries)
    return folder


def copy_mathjax(target):
    """MathJax's CHTML bundle and fonts, from the site's offline copy (sphinx-mathjax-offline)."""
    import importlib.util

    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    source = Path(spec.origin).parent / "static" / "mathjax"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source / "tex-chtml.js", target / "tex-chtml.js")
    fonts = source / "output" / "chtml" / "fonts"
    shutil.copytree(fonts, target / "output" / "chtml" / "fonts", dirs_exist_ok=True)
    (target / "config.js").write_text(
        "window.MathJax = {tex: {inlineMath: [['\\\\(', '\\\\)']], "
        "displayMath: [['\\\\[', '\\\\]']]}};\n"
    )


# --- the merge --------------------------------------------------------------------------------


def read_grades(path, questions, keys):
    """{key: {question: (points, comment)}} from manual.csv; raises ManualError."""
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise ManualError(f"cannot read {path} ({type(error).__name__})") from None
    if not rows:
        raise ManualError(f"{path} is empty")
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in ("submission", "question", "points") if c not in header]
    if missing:
        raise ManualError(f"{path}: no {', '.join(missing)} column (found: {', '.join(header)})")
    problems, grades, seen = [], {}, {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = dict(zip(header, (cell.strip() for cell in row), strict=False))
        key, question, points = cells.get("submission", ""), cells.get("question", ""), None
        if question not in questions:
            problems.append(f"line {line}: {question!r} is not a manual question "
                            f"({', '.join(questions) or 'none'})")  # fmt: skip
            continue
        if key not in keys:
            problems.append(f"line {line}: no submission {key!r} in this folder (index.csv "
                            "lists them; a file changed since has a new key)")  # fmt: skip
            continue
        if (key, question) in seen:
            problems.append(f"line {line}: {key} {question} again (line {seen[key, question]})")
            continue
        seen[key, question] = line
        try:
            points = float(cells.get("points", "").replace(",", "."))
        except ValueError:
            problems.append(f"line {line}: points {cells.get('points', '')!r} is not a number")
            continue
        if not 0 <= points <= questions[question]["points"]:
            problems.append(f"line {line}: {points:g} points for {question}, which has "
                            f"{questions[question]['points']:g}")  # fmt: skip
            continue
        grades.setdefault(key, {})[question] = (points, cells.get("comment", ""))
    if problems:
        shown = problems[:MAX_ERRORS_SHOWN]
        more = len(problems) - len(shown)
        raise ManualError(
            f"{path}: {len(problems)} problem(s), nothing merged:\n  "
            + "\n  ".join(shown)
            + (f"\n  and {more} more" if more else "")
        )
    return grades


def merge(row, text, questions, given):
    """Add the manual points `given` ({question: (points, comment)}) to a row and feedback."""
    manual_total = 0.0
    for question in questions:
        points = given.get(question, (0.0, ""))[0]
        row[question] = points
        manual_total += points
    row["total"] = row["total"] + manual_total
    if text is None:
        return text
    maximum = sum(spec["points"] for spec in questions.values())
    match = re.search(r"\*\*Total: ([^ ]+) / ([^*]+)\*\*", text)
    if match:
        auto_maximum = float(match.group(2))
        shown = f"**Total: {row['total']:g} / {auto_maximum + maximum:g}**"
        text = text[: match.start()] + shown + text[match.end() :]
    lines = ["", "## Graded by hand"]
    for question, spec in questions.items():
        points, comment = given.get(question, (0.0, ""))
        lines += ["", f"{question}: **{points:g} / {spec['points']:g}**"]
        if comment:
            lines += ["", comment]
        elif question not in given:
            lines += ["", "Not graded by hand yet."]
    return text.rstrip("\n") + "\n" + "\n".join(lines) + "\n"
