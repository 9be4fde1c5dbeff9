"""The GitHub Pages workflow cannot run here; check that it parses and does what it says."""

from pathlib import Path

import yaml

WORKFLOW = Path(__file__).resolve().parents[1] / ".github" / "workflows" / "book.yml"


def test_pages_workflow_builds_with_make_book_and_publishes_the_site_on_push_to_main():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as the boolean true
    assert triggers["push"]["branches"] == ["main"]
    assert workflow["permissions"]["pages"] == "write"
    build_steps = workflow["jobs"]["build"]["steps"]
    assert [step.get("run") for step in build_steps if "run" in step] == ["make book"]
    python = next(s for s in build_steps if s.get("uses", "").startswith("actions/setup-python"))
    assert python["with"]["python-version"] == "3.11"
    upload = next(s for s in build_steps if "upload-pages-artifact" in s.get("uses", ""))
    assert upload["with"]["path"] == "_build/html"
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert any("actions/deploy-pages" in step.get("uses", "") for step in deploy["steps"])
