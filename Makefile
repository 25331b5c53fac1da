# Two entry points on a fresh machine (Python >= 3.10 with venv):
#   make demo   set up .venv, analyse the bundled sample with the default model, print a table
#   make test   set up .venv if needed and run the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# torch first, pinned: an unpinned torch would pull a multi-GB CUDA build on CPU machines.
TORCH_SPEC ?= torch==2.13.0

.PHONY: demo test setup lint clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "$(TORCH_SPEC)"
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

demo: setup
	@mkdir -p out
	@$(BIN)/policynlp analyze examples/sample.jsonl -o out/demo.jsonl --table; \
	 status=$$?; \
	 if [ $$status -eq 3 ]; then echo "(exit 3: the sample holds two bad records on purpose; see their error records in out/demo.jsonl)"; \
	 elif [ $$status -ne 0 ]; then exit $$status; fi

# pytest exits 5 when it collects no tests; report that instead of failing the build.
test: setup
	@$(BIN)/python -m pytest; status=$$?; \
	 if [ $$status -eq 5 ]; then echo "pytest collected no tests"; exit 0; fi; exit $$status

lint: setup
	$(BIN)/ruff check src tests
	$(BIN)/mypy

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
