"""The student edition of the book: every exercise keeps its text, every solution goes.

`make book-student` builds with `remove_solutions = True` (tools/student_site.py
writes that configuration). sphinx-exercise's own `hide_solutions` is not used
because it drops only the opening `solution-start` directive of a gated
solution, and the code cells between it and `solution-end` would stay.
This transform runs after sphinx-exercise has merged each gated solution into
one node, so removing that node removes its text, code and outputs together.
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


def setup(app):
    app.add_config_value("remove_solutions", False, "env")
    app.add_transform(RemoveSolutions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
