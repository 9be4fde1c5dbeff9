# One command for each job; `make help` lists them. The two that matter: `make book`, `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
JB_FLAGS := -W -n --keep-going --all
# pytest-xdist: one worker per core. loadscope keeps a test module (a notebook, or the
# tests that share one real build) in one worker.
TEST_FLAGS := -n auto --dist loadscope --no-loadscope-reorder

.DEFAULT_GOAL := help
.PHONY: help install browser screenshots stress colab-cells book book-student assignments grade check-homework similarity handouts test lab bench lock clean distclean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Install only when the pins changed since the last install (the stamp file records it).
$(STAMP): requirements.txt constraints.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

install: $(STAMP) ## create .venv and install the pinned requirements (when they changed)

# tools/build_book.py runs every notebook afresh, as many at a time as there are cores, into
# an empty jupyter cache; jupyter-book then builds the pages from that cache.
book: $(STAMP) ## build the HTML site into _build/html, running every notebook
	$(BIN)/python tools/build_book.py . $(JB_FLAGS)
	@echo "The book is at $(CURDIR)/_build/html/index.html"

# make preview CHAPTER=03: the author's loop. tools/build_book.py runs that one chapter into
# the last build's cache and updates the site without --all: only its page is read again.
preview: $(STAMP) ## run one chapter and rebuild its page, the others from the last build (CHAPTER=03)
	@test -n "$(CHAPTER)" || { echo "usage: make preview CHAPTER=03"; exit 2; }
	$(BIN)/python tools/build_book.py . --preview $(CHAPTER) $(filter-out --all,$(JB_FLAGS))

book-student: $(STAMP) ## build the site without exercise solutions into _build/student (after make book: fast)
	$(BIN)/python tools/student_site.py $(JB_FLAGS)
	@echo "The student edition is at $(CURDIR)/_build/student/_build/html/index.html"

colab-cells: $(STAMP) ## write each chapter's first cell (install diffops on Colab) from _config.yml's repository.url
	$(BIN)/python tools/colab_cell.py

assignments: $(STAMP) ## make the homework handouts and autograders into _build/assignments
	$(BIN)/python tools/assignments.py

# make grade SUBMISSIONS=folder [ASSIGNMENT=name] [TIMEOUT=seconds] [MEMORY=MB] [GRADES=file.csv]
#   [LATEST=1] (only each student's newest notebook) [ROSTER=roster.csv] [MANUAL=manual.csv]
#   [RELEASE=YYYY-MM-DD] (per-check results held back until then)
#   [LMS=canvas|moodle] (a term: book/instructors.md)
# Each notebook runs in a bubblewrap sandbox (installed when missing, like chromium below);
# UNSAFE=1 grades without it, with a warning in the output and the CSV.
BWRAP := /usr/bin/bwrap
grade: $(STAMP) $(if $(UNSAFE),,$(BWRAP)) ## grade a folder of submitted notebooks (SUBMISSIONS=folder), sandboxed, into one CSV
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=folder"; exit 2; }
	@ls _build/assignments/$(or $(ASSIGNMENT),*)/autograder/checks.py >/dev/null 2>&1 || \
	  $(MAKE) --no-print-directory assignments
	$(BIN)/python tools/grade.py "$(SUBMISSIONS)" --timeout $(or $(TIMEOUT),60) \
	  $(if $(MEMORY),--memory $(MEMORY)) $(if $(UNSAFE),--unsafe) \
	  $(if $(ASSIGNMENT),--assignment $(ASSIGNMENT)) $(if $(GRADES),--csv "$(GRADES)") \
	  $(if $(LATEST),--latest) $(if $(ROSTER),--roster "$(ROSTER)") \
	  $(if $(RELEASE),--release $(RELEASE)) \
	  $(if $(MANUAL),--manual "$(MANUAL)") $(if $(LMS),--lms $(LMS))

# make similarity SUBMISSIONS=folder ASSIGNMENT=name [ROSTER=roster.csv] [THRESHOLD=0.6]
similarity: $(STAMP) ## flag pairs of students whose answer code is alike, for a person to read
	@test -n "$(SUBMISSIONS)" -a -n "$(ASSIGNMENT)" || \
	  { echo "usage: make similarity SUBMISSIONS=folder ASSIGNMENT=name"; exit 2; }
	@ls _build/assignments/$(ASSIGNMENT)/student/$(ASSIGNMENT).ipynb >/dev/null 2>&1 || \
	  $(MAKE) --no-print-directory assignments
	$(BIN)/python tools/similarity.py "$(SUBMISSIONS)" --assignment $(ASSIGNMENT) \
	  $(if $(ROSTER),--roster "$(ROSTER)") $(if $(THRESHOLD),--threshold $(THRESHOLD))

# make handouts ASSIGNMENT=name ROSTER=roster.csv [SOLUTIONS=1]: a variant for each student
handouts: $(STAMP) ## one handout per roster student, each with their own parameters
	@test -n "$(ASSIGNMENT)" -a -n "$(ROSTER)" || \
	  { echo "usage: make handouts ASSIGNMENT=name ROSTER=roster.csv [SOLUTIONS=1]"; exit 2; }
	@ls _build/assignments/$(ASSIGNMENT)/student/$(ASSIGNMENT).ipynb >/dev/null 2>&1 || \
	  $(MAKE) --no-print-directory assignments
	$(BIN)/python tools/handouts.py $(ASSIGNMENT) --roster "$(ROSTER)" $(if $(SOLUTIONS),--solutions)

# make check-homework NOTEBOOK=path/to/handout.ipynb (its tests/ folder beside it)
check-homework: $(STAMP) ## run a homework notebook's public tests (NOTEBOOK=path)
	@test -n "$(NOTEBOOK)" || { echo "usage: make check-homework NOTEBOOK=file.ipynb"; exit 2; }
	cd "$(dir $(NOTEBOOK))" && $(CURDIR)/$(BIN)/otter check "$(notdir $(NOTEBOOK))"

# The browser tests drive Debian's chromium; install it (as root, or with sudo) if missing.
CHROMIUM := /usr/bin/chromium
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

$(CHROMIUM):
	$(SUDO) apt-get update -qq
	$(SUDO) apt-get install -y -qq chromium

browser: $(CHROMIUM) ## install Debian's chromium for the browser tests (when missing)

# The PDF's tests read its text and fonts with poppler-utils' pdftotext and pdffonts.
PDFTOTEXT := /usr/bin/pdftotext

$(PDFTOTEXT):
	$(SUDO) apt-get update -qq
	$(SUDO) apt-get install -y -qq poppler-utils

# tools/pdf_book.py: a single-page build (the notebooks from the last make book's cache)
# printed by Debian's chromium, with page numbers and an outline.
pdf: $(STAMP) $(CHROMIUM) $(PDFTOTEXT) ## print the book to _build/pdf/numerical-differentiation.pdf (after make book)
	$(BIN)/python tools/pdf_book.py $(JB_FLAGS)

pdf-student: $(STAMP) $(CHROMIUM) $(PDFTOTEXT) ## print the student edition, without solutions, to _build/pdf/ (after make book-student)
	@test -f _build/student/_config.yml || $(MAKE) --no-print-directory book-student
	$(BIN)/python tools/pdf_book.py --student $(JB_FLAGS)

# make grade runs each submission in a bubblewrap sandbox (BWRAP, above); install it
# (as root, or with sudo) when missing.
$(BWRAP):
	$(SUDO) apt-get update -qq
	$(SUDO) apt-get install -y -qq bubblewrap

test: $(STAMP) $(CHROMIUM) $(BWRAP) $(PDFTOTEXT) ## run the whole test suite: diffops, notebooks, the real build, the site in a browser
	$(BIN)/python -m pytest $(TEST_FLAGS)

screenshots: $(STAMP) $(CHROMIUM) ## build, run the browser tests, save light and dark screenshots to _build/screenshots
	BOOK_SCREENSHOTS=1 $(BIN)/python -m pytest tests/test_browser.py $(TEST_FLAGS)

# Jupyter refuses to run as root unless told; containers and CI machines often are root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(STAMP) ## open the notebooks in JupyterLab, in the same environment
	$(BIN)/jupyter lab book/ $(ALLOW_ROOT) $(LAB_FLAGS)

stress: $(STAMP) $(CHROMIUM) $(BWRAP) ## run make test beside two CPU-burning processes that it starts and stops
	$(BIN)/python tools/stress.py

# make bench [ONLY=book,pdf,...] [CHAPTERS=01,03]: a subset (tools/bench.py lists the parts)
bench: $(STAMP) ## print the accuracy table, cost-wall ratios, install, build, pdf, preview, test and chapter times
	$(BIN)/python tools/bench.py $(if $(ONLY),--only $(ONLY)) $(if $(CHAPTERS),--chapters $(CHAPTERS))

lock: ## re-pin constraints.txt from a fresh install of requirements.txt
	rm -rf _build/lock-venv && $(PYTHON) -m venv _build/lock-venv
	grep -v '^-c ' requirements.txt > _build/lock-requirements.txt
	_build/lock-venv/bin/python -m pip install --quiet -r _build/lock-requirements.txt
	{ echo "# Every package that requirements.txt pulls in, pinned so that builds are repeatable."; \
	  echo "# Made by \`make lock\`; do not edit by hand."; \
	  _build/lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^-e '; } > constraints.txt

clean: ## remove the built site and caches (keeps .venv)
	rm -rf _build .pytest_cache .ruff_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +

distclean: clean ## also remove .venv
	rm -rf $(VENV)
