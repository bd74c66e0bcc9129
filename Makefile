# Two commands do all set-up:  `make lab` (open the course)  and  `make test` (run every test).
# Both create the virtual environment .venv/ when it is missing and reinstall
# when pyproject.toml changes. Only Python 3.10+ and make are needed.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?=
# nbgrader calls tools such as alembic by name: the environment's bin comes first.
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: lab check-work instructor hub learner-copy test release grade feedback report export roster grade-demo bench bench-hub clean-venv help

# The cohort commands work on this repository's course root, or on another one: COURSE=cohort-demo, for example.
COURSE ?=
COURSE_ARG := $(if $(COURSE),--course $(COURSE),)

help:
	@echo "make lab      open the course in JupyterLab, in your own copy my-work/ (creates .venv on first use)"
	@echo "make check-work  grade your exercises in my-work/ as a cohort is graded, item by item"
	@echo "make instructor  JupyterLab on the course root with nbgrader's instructor tools (formgrader); COURSE=dir for another"
	@echo "make hub      a JupyterHub for one cohort on 127.0.0.1:8000 (accounts: hub/roster.csv; HUB_ARGS='--system-users' as root)"
	@echo "make learner-copy DEST=dir  what a cohort receives: the course without solutions/ or any key"
	@echo "make test     run the whole test suite"
	@echo "Cohort commands (COURSE=dir: another course root, e.g. cohort-demo; settings in its cohort.toml):"
	@echo "make roster FILE=students.csv  the cohort's students into the gradebook"
	@echo "make release  regenerate exercises/ from solutions/ with nbgrader (and release to the exchange with COURSE=)"
	@echo "make grade    autograde every submission in submitted/ (JOBS=n to set parallel jobs)"
	@echo "make feedback feedback pages for graded submissions, scanned for leaked keys"
	@echo "make report   grades.csv and the item analysis in reports/"
	@echo "make export FORMAT=canvas|csv  weighted grades for an LMS, in reports/"
	@echo "make grade-demo  build, grade and report a synthetic cohort in cohort-demo/"
	@echo "make bench-hub  load on one machine: 20 learners log in, start servers and run lesson 1 (about 5 min)"
	@echo "make bench    benchmark into benchmarks/RESULTS.md (about 70 min on 2 cores; BENCH_ARGS='--quick --cohort-students 20': ~25 min)"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,hub,postgres]"
	@touch $(STAMP)

# Both go through mlroles.launch.lab, as the browser tests do. LAB_ARGS='--port 9000 --no-browser', for example.
LAB_ARGS ?=
lab: $(STAMP)
	@$(BIN)/python -m mlroles.launch.lab $(if $(COURSE),--instructor --root $(COURSE)) $(LAB_ARGS)

# A self-paced learner's verdict: every exercise in my-work/ graded as a cohort is, item by item.
check-work: $(STAMP)
	@$(BIN)/python -m mlroles.instructor.selfgrade $(CHECK_ARGS)

# COURSE=cohort-demo opens that course root's formgrader (make lab COURSE=... does the same)
instructor: $(STAMP)
	@$(BIN)/python -m mlroles.launch.lab --instructor $(if $(COURSE),--root $(COURSE)) $(LAB_ARGS)

# The hub's proxy (configurable-http-proxy) comes from npm, pinned in hub/package-lock.json; never installed globally.
NODE_STAMP := hub/node_modules/.installed
$(NODE_STAMP): hub/package.json hub/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "make hub needs npm (Node.js) for its proxy: apt-get install -y npm (Debian), then run it again."; exit 2; }
	cd hub && npm ci --no-audit --no-fund --loglevel=error
	@touch $(NODE_STAMP)

learner-copy: $(STAMP)
	@test -n "$(DEST)" || { echo "Say where: make learner-copy DEST=../mlroles-course"; exit 2; }
	@$(BIN)/python -m mlroles.instructor.learner_copy "$(DEST)"

# The browser tests' accessibility checker (axe-core) comes from npm too, pinned in the root package-lock.json.
TEST_NODE_STAMP := node_modules/.installed
$(TEST_NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "make test needs npm (Node.js) for axe-core: apt-get install -y npm (Debian), then run it again."; exit 2; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $(TEST_NODE_STAMP)

HUB_ARGS ?=
hub: $(STAMP) $(NODE_STAMP)
	@$(BIN)/python -m mlroles.launch.hub $(HUB_ARGS)

# One pytest worker per core (pytest-xdist); a file's tests stay on one worker, so a notebook's
# cells run in order in one kernel and a module's shared course root or JupyterLab is built once.
# TEST_JOBS=0 runs everything in this process.
TEST_JOBS ?= auto
test: $(STAMP) $(NODE_STAMP) $(TEST_NODE_STAMP)
	$(BIN)/python -m pytest -n $(TEST_JOBS) --dist loadfile $(PYTEST_ARGS)

# Without COURSE: the maintainer's release of this repository's exercises/. With COURSE: that course's
# release, and to its exchange.
release: $(STAMP)
	$(if $(COURSE),$(BIN)/python -m mlroles.instructor.cli $(COURSE_ARG) release,$(BIN)/python -m mlroles.instructor.release)

roster: $(STAMP)
	@test -n "$(FILE)" || { echo "Say which file: make roster FILE=students.csv"; exit 2; }
	$(BIN)/python -m mlroles.instructor.cli $(COURSE_ARG) roster import "$(FILE)"

JOBS ?= 0
GRADE_ARGS ?=
grade: $(STAMP)
	$(BIN)/python -m mlroles.instructor.cli $(COURSE_ARG) grade --jobs $(JOBS) $(GRADE_ARGS)

FEEDBACK_ARGS ?=
feedback: $(STAMP)
	$(BIN)/python -m mlroles.instructor.cli $(COURSE_ARG) feedback $(FEEDBACK_ARGS)

report: $(STAMP)
	$(BIN)/python -m mlroles.instructor.cli $(COURSE_ARG) report

FORMAT ?= canvas
export: $(STAMP)
	$(BIN)/python -m mlroles.instructor.cli $(COURSE_ARG) export --format $(FORMAT)

grade-demo: $(STAMP)
	$(BIN)/python -m mlroles.instructor.cli demo --jobs $(JOBS) $(if $(COURSE),--dir $(COURSE))

BENCH_ARGS ?=
bench: $(STAMP)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

HUB_BENCH_ARGS ?=
bench-hub: $(STAMP) $(NODE_STAMP)
	PYTHONPATH=tests $(BIN)/python benchmarks/hub_load.py $(HUB_BENCH_ARGS)

clean-venv:
	rm -rf $(VENV)
