"""The student edition: every exercise keeps its text, every solution goes.

`make book-student` builds with `remove_solutions = True`, a setting that
tools/student_site.py writes. sphinx-exercise's own `hide_solutions` is not
used: it drops only the opening `solution-start` directive of a gated
solution, so the code cells up to `solution-end` would stay in the page.
This transform runs after sphinx-exercise has merged each gated solution
into one node; removing that node removes its text, code and outputs.

The link to the book's PDF points to the student edition's PDF, which
`make pdf-student` prints without the solutions.
"""

from sphinx.transforms import SphinxTransform
from sphinx_exercise.nodes import solution_node, solution_start_node


class RemoveSolutions(SphinxTransform):
    # sphinx-exercise merges gated solutions at priority 10.
    default_priority = 20

    def apply(self):
        if not self.config.remove_solutions:
            return
        for kind in (solution_node, solution_start_node):
            for node in list(self.document.findall(kind)):
                node.parent.remove(node)


PDF, STUDENT_PDF = (
    "numerical-differentiation.pdf",
    "numerical-differentiation-student.pdf",
)


def link_student_pdf(app, pagename, templatename, context, doctree):
    if app.config.remove_solutions and "body" in context:
        context["body"] = context["body"].replace(PDF, STUDENT_PDF)


def setup(app):
    app.add_config_value("remove_solutions", False, "env")
    app.add_transform(RemoveSolutions)
    app.connect("html-page-context", link_student_pdf)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
