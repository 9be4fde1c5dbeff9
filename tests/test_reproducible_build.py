"""Two clean builds of the same sources give the same files, byte for byte."""

import shutil

import yaml
from test_book import ROOT, build

# Pages without measurements of the build machine. The pages that time code on it (the
# cost wall, the vectorisation timings) print different numbers on every run by design.
REPRODUCIBLE_CHAPTERS = ["book/02_taylor_formulas"]


def test_two_clean_builds_give_byte_identical_html_and_svg(tmp_path):
    copy = tmp_path / "book-copy"
    copy.mkdir()
    shutil.copy(ROOT / "_config.yml", copy)
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    chapters = [entry["file"] for entry in toc["chapters"]]
    assert set(REPRODUCIBLE_CHAPTERS) <= set(chapters)
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
