"""An instructor's term, point 1 of issue 23: a variant of the homework for each student.

network_gradient (its data's seed) for the class of ten (tests/term_class.py): `make
handouts` writes each student's handout and solutions; nine students hand in their own
solved variant, as Canvas names the files, except that Bob hands in Ann's notebook, Dee
puts another seed in her parameters cell, Eli's notebook lost its metadata and Fay's tag
is forged. Graded with the roster, each file is compared with its owner's variant.
central_difference (its point x0) is the second assignment with variants: three students.
The secret is fixed ($VARIANT_SECRET) so that the variants are the same on every run; the
secret file (mode 0600, kept by a rebuild) is a unit test.
"""

import json
import os
import shutil
import sys

import pytest
import term_class as tc

sys.path.insert(0, str(tc.TOOLS))

from grading import variants  # noqa: E402

SECRET = {"VARIANT_SECRET": "the secret of the tests of a term"}
UID_BASE = {"network": 64850, "central": 64860}


def variant_of(notebook):
    return notebook["metadata"]["variant"]


def parameters_source(notebook):
    (cell,) = [c for c in notebook["cells"] if "parameters" in c["metadata"].get("tags", [])]
    return tc.source(cell)


@pytest.fixture(scope="module")
def term(tmp_path_factory):
    base = tmp_path_factory.mktemp("term_variants")
    built = {
        name: tc.build(name, base / "built") for name in ("network_gradient", "central_difference")
    }
    roster = tc.canvas_roster(base / "roster.csv", "network_gradient")
    made = {
        name: tc.Run(
            name, "--roster", roster, "--solutions", "--assignments", base / "built",
            script="handouts.py", env=SECRET,
        ).result()
        for name in built
    }  # fmt: skip
    for result in made.values():
        assert result.returncode == 0, result.stderr
    table = {r["id"]: r for r in tc.rows_of(built["network_gradient"] / "variants.csv")}
    solutions = built["network_gradient"] / "solutions"
    own = {s["id"]: tc.notebook(solutions / f"{s['id']}.ipynb") for s in tc.CLASS}
    work = dict(own)
    assert table["2001"]["seed"] != table["2002"]["seed"]  # Bob copies another variant
    work["2002"] = own["2001"]
    other_seed = next(s for s in range(2026, 2034) if str(s) != table["2004"]["seed"])
    dee = json.loads(json.dumps(own["2004"]))
    (cell,) = [c for c in dee["cells"] if "parameters" in c["metadata"].get("tags", [])]
    cell["source"] = tc.source(cell).replace(
        f"seed = {table['2004']['seed']}", f"seed = {other_seed}"
    )
    work["2004"] = dee
    work["2005"] = json.loads(json.dumps(own["2005"]))
    del work["2005"]["metadata"]["variant"]
    work["2006"] = json.loads(json.dumps(own["2006"]))
    work["2006"]["metadata"]["variant"]["tag"] = "0" * 32
    del work["2010"]  # hands in nothing
    folder = base / "network"
    folder.mkdir()
    for student in tc.CLASS[:9]:
        name = tc.canvas_name(student, "network_gradient.ipynb")
        (folder / name).write_text(tc.dump(work[student["id"]]))
    central = base / "central"
    central.mkdir()
    central_solutions = built["central_difference"] / "solutions"
    central_table = {r["id"]: r for r in tc.rows_of(built["central_difference"] / "variants.csv")}
    copied = next(
        s
        for s in ("2002", "2003", "2004")
        if central_table[s]["x0"] != central_table["2001"]["x0"]
    )
    for student in tc.CLASS[:4]:
        source = "2001" if student["id"] == copied else student["id"]
        name = tc.canvas_name(student, "central_difference.ipynb")
        (central / name).write_text((central_solutions / f"{source}.ipynb").read_text())
    common = ["--roster", roster, "--jobs", 2, "--assignments", base / "built"]
    runs = {
        "network": tc.Run(
            folder, *common, "--assignment", "network_gradient", "--lms", "canvas",
            "--csv", base / "network.csv", "--uid-base", UID_BASE["network"], env=SECRET,
        ),
        "central": tc.Run(
            central, *common, "--assignment", "central_difference",
            "--csv", base / "central.csv", "--uid-base", UID_BASE["central"], env=SECRET,
        ),
    }  # fmt: skip
    lost = base / "lost"  # the secret and variants.csv gone: files that carry variants
    shutil.copytree(built["network_gradient"].parent, lost, ignore=shutil.ignore_patterns(
        "variant-secret", "variants.csv"))  # fmt: skip
    runs["lost"] = tc.Run(
        folder, "--roster", roster, "--assignments", lost, "--assignment", "network_gradient",
        "--csv", base / "lost.csv", "--uid-base", 64870,
    )  # fmt: skip
    results = tc.results(runs)
    rows = {
        n: {r["student"]: r for r in tc.rows_of(base / f"{n}.csv")} for n in ("network", "central")
    }
    return dict(base=base, built=built, made=made, table=table, own=own, results=results,
                rows=rows, copied=copied, other_seed=other_seed)  # fmt: skip


def test_make_handouts_writes_a_handout_for_each_student(term):
    folder = term["built"]["network_gradient"]
    assert sorted(p.name for p in (folder / "handouts").glob("*.ipynb")) == [
        f"{s['id']}.ipynb" for s in tc.CLASS
    ]
    assert (folder / "handouts" / "tests" / "q1.py").exists()
    assert len(list((folder / "solutions").glob("*.ipynb"))) == 10
    assert set(term["table"]) == {s["id"] for s in tc.CLASS}
    assert len({row["seed"] for row in term["table"].values()}) >= 4
    assert "10 handouts of network_gradient" in term["made"]["network_gradient"].stdout


def test_a_handout_shows_its_parameters_and_records_id_and_tag(term):
    folder = term["built"]["network_gradient"]
    handout = tc.notebook(folder / "handouts" / "2001.ipynb")
    seed = term["table"]["2001"]["seed"]
    assert variant_of(handout) == {
        "assignment": "network_gradient",
        "id": "2001",
        "tag": term["table"]["2001"]["tag"],
    }
    key = SECRET["VARIANT_SECRET"].encode()
    assert term["table"]["2001"]["tag"] == variants.tag(key, "network_gradient", "2001")
    assert parameters_source(handout).endswith(f"\nseed = {seed}")
    note = [c for c in handout["cells"] if c["id"] == "variant-note"]
    assert note and f"`seed = {seed}`" in tc.source(note[0])
    assert handout["metadata"]["otter"]["assignment_name"] == "network_gradient"
    solution = term["own"]["2001"]
    assert parameters_source(solution) == parameters_source(handout)


def test_each_student_s_own_solution_gets_full_marks_on_their_variant(term):
    result = term["results"]["network"]
    assert result.returncode == 0, result.stderr
    rows = term["rows"]["network"]
    for student in ("2001", "2003", "2007", "2008", "2009"):
        assert float(rows[student]["total"]) == 10, rows[student]
        assert rows[student]["review"] == "", rows[student]
    distinct = len({term["table"][s["id"]]["seed"] for s in tc.CLASS[:9]})
    assert f"Variants: 9 students with files, {distinct} different variants" in result.stdout


def test_a_classmate_s_notebook_under_one_s_own_name_loses_and_is_named(term):
    bob = term["rows"]["network"]["2002"]
    assert float(bob["total"]) < 10
    assert "the notebook of student 2001" in bob["review"]
    assert (
        f"graded against 2002's variant (seed = {term['table']['2002']['seed']})" in bob["review"]
    )


def test_edited_parameters_lose_and_are_named(term):
    dee = term["rows"]["network"]["2004"]
    assert float(dee["total"]) < 10
    expected = f"seed = {term['other_seed']} instead of seed = {term['table']['2004']['seed']}"
    assert f"its parameters differ from its owner's variant ({expected})" in dee["review"]


def test_removed_or_forged_metadata_is_named_and_graded_as_the_owner_s(term):
    rows = term["rows"]["network"]
    assert float(rows["2005"]["total"]) == 10
    assert (
        "no variant id or tag in its metadata; graded against 2005's variant"
        in rows["2005"]["review"]
    )
    assert float(rows["2006"]["total"]) == 10
    assert "its variant tag does not match its id (forged or edited)" in rows["2006"]["review"]


def test_a_second_assignment_uses_variants(term):
    result = term["results"]["central"]
    assert result.returncode == 0, result.stderr
    rows = term["rows"]["central"]
    copied = term["copied"]
    for student in ("2001", "2002", "2003", "2004"):
        if student != copied:
            assert float(rows[student]["total"]) == 10, rows[student]
    assert float(rows[copied]["total"]) < 10
    assert "the notebook of student 2001" in rows[copied]["review"]


def test_the_secret_is_made_private_and_outlives_a_rebuild(tmp_path, monkeypatch):
    monkeypatch.delenv("VARIANT_SECRET", raising=False)
    key = variants.secret(tmp_path)
    path = tmp_path / variants.SECRET_FILE
    assert path.stat().st_mode & 0o777 == 0o600 and len(key) == 64
    assert variants.secret(tmp_path) == key
    (tmp_path / variants.TABLE).write_text("id,name,tag\n")
    kept = variants.keep_secret(tmp_path)
    path.unlink()
    (tmp_path / variants.TABLE).unlink()
    variants.restore_secret(tmp_path, kept)
    assert path.read_bytes().strip() == key and path.stat().st_mode & 0o777 == 0o600
    os.chmod(path, 0o644)
    with pytest.raises(variants.VariantError, match="can be read by others"):
        variants.secret(tmp_path)


def test_a_parameters_cell_is_checked():
    cell = {
        "cell_type": "code",
        "metadata": {"tags": ["parameters"]},
        "source": "x = 1  # variants: 2, 3",
    }
    with pytest.raises(variants.VariantError, match="x = 1 is not among its variants"):
        variants.declared({"cells": [cell]})
    cell["source"] = "x = 1"
    with pytest.raises(variants.VariantError, match="is not `name = value"):
        variants.declared({"cells": [cell]})
    assert (
        variants.declared({"cells": [{"cell_type": "code", "metadata": {}, "source": "x = 1"}]})
        == {}
    )


def test_files_with_variants_are_not_graded_when_the_secret_is_lost(term):
    result = term["results"]["lost"]
    assert result.returncode != 0
    assert "carry a student's variant" in result.stderr and "variants.csv" in result.stderr
    assert not (term["base"] / "lost.csv").exists()
