"""The GitHub Pages workflow cannot run here; check that it parses and does what it says."""

from pathlib import Path

import yaml

WORKFLOW = Path(__file__).resolve().parents[1] / ".github" / "workflows" / "book.yml"


def test_pages_workflow_builds_the_book_and_its_pdf_and_publishes_them_on_push_to_main():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as the boolean true
    assert triggers["push"]["branches"] == ["main"]
    assert workflow["permissions"]["pages"] == "write"
    build = workflow["jobs"]["build"]
    build_steps = build["steps"]
    # make pdf copies the PDF into _build/html, the folder uploaded below.
    assert [step.get("run") for step in build_steps if "run" in step] == ["make book pdf"]
    # Debian 12 and Python 3.11, as here: apt-get installs Debian's chromium for make pdf.
    assert build["container"] == "python:3.11-bookworm"
    upload = next(s for s in build_steps if "upload-pages-artifact" in s.get("uses", ""))
    assert upload["with"]["path"] == "_build/html"
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert any("actions/deploy-pages" in step.get("uses", "") for step in deploy["steps"])
