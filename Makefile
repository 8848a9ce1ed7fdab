# Two commands (README "Quick start"): `make demo` and `make test`. Both install
# what they need first through tools/install.sh (idempotent: seconds when done).
PY := $(or $(MTL_VENV),$(CURDIR)/.venv)/bin/python
export OMP_NUM_THREADS ?= 2

.PHONY: install demo test

install:
	bash tools/install.sh

demo: install
	bash tools/run_demo.sh

test: install
	$(PY) -m pytest tests -q
