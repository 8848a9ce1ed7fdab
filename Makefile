# Two commands (README "Quick start"): `make demo` and `make test`. Both install
# what they need first through tools/install.sh (idempotent: seconds when done).
PY := $(or $(MTL_VENV),$(CURDIR)/.venv)/bin/python
export OMP_NUM_THREADS ?= 2

.PHONY: install demo test lint

install:
	bash tools/install.sh

demo: install
	bash tools/run_demo.sh

# Tests: one worker process per core (pytest-xdist), one thread each.
TEST_JOBS ?= 2
test: install
	OMP_NUM_THREADS=1 $(PY) -m pytest tests -q -n $(TEST_JOBS)

# Lint: ruff with ruff.toml (pyflakes, pycodestyle, import order).
lint: install
	$(PY) -m ruff check .
