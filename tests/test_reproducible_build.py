"""Two clean builds of the same sources give the same files, byte for byte."""

import shutil

import yaml
from test_book import ROOT, build

# Every chapter but two computes only deterministic numbers and should build byte for
# byte the same; one of them is built twice here (two builds of the whole book would
# double the test time). The two exempt chapters time code on the build machine, so each
# build prints other times, glues other numbers into the text ({glue:text}) and draws
# another timing figure: "Gradients, Jacobians and Hessians" (loop against batch) and
# "The cost wall". Their other outputs are deterministic, and so are their checks.
REPRODUCIBLE_CHAPTERS = ["book/02_taylor_formulas"]
TIMED_CHAPTERS = ["book/06_gradients_jacobians_hessians", "book/07_cost_wall"]


def test_two_clean_builds_give_byte_identical_html_and_svg(tmp_path):
    copy = tmp_path / "book-copy"
    copy.mkdir()
    shutil.copy(ROOT / "_config.yml", copy)
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    chapters = [entry["file"] for entry in toc["chapters"]]
    assert set(REPRODUCIBLE_CHAPTERS) <= set(chapters) - set(TIMED_CHAPTERS)
    toc["chapters"] = [{"file": f} for f in chapters if f in REPRODUCIBLE_CHAPTERS] + [
        {"file": "book/references"}
    ]
    (copy / "_toc.yml").write_text(yaml.safe_dump(toc))
    for name in ("book", "src"):
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))

    outputs = []
    for run in ("first", "second"):
        shutil.rmtree(copy / "_build", ignore_errors=True)
        result = build(copy)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        outputs.append(shutil.move(copy / "_build" / "html", tmp_path / run))

    def files(root):
        return {
            path.relative_to(root): path.read_bytes()
            for path in sorted(root.rglob("*"))
            if path.suffix in (".html", ".svg")
        }

    first, second = files(outputs[0]), files(outputs[1])
    assert first.keys() == second.keys()
    assert sum(path.suffix == ".svg" for path in first) >= 2, "no figures were compared"
    differ = [str(path) for path in first if first[path] != second[path]]
    assert not differ, f"files that differ between two clean builds: {differ}"
