# The few commands people type. Each sets itself up from nothing: `.venv` is created, and the
# project installed into it (again whenever pyproject.toml or constraints.txt changes).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8501
ADDRESS ?= 127.0.0.1

.PHONY: run test lint format bench fuzz mutate schemas validate clean

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)  ## start the app on the shipped data
	$(BIN)/streamlit run streamlit_app.py --server.port $(PORT) --server.address $(ADDRESS)

test: lint  ## lint, then the whole test suite, with branch coverage of scorecard/
	$(BIN)/pytest --cov

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)  ## timings against targets (and peers), written to benchmarks/results/
	$(BIN)/python -m benchmarks

fuzz: $(STAMP)  ## 10,200 generated hostile files through loading, scoring and every export
	FUZZ_EXAMPLES=3400 $(BIN)/pytest tests/test_fuzz.py -p no:randomly -o addopts="" \
		--hypothesis-show-statistics

# Mutation testing of the core and of the I/O that guards users ([tool.mutmut] in pyproject.toml).
# Each run stops after MUTATE_MINUTES and keeps its results in mutants/: the next run carries on
# where it stopped, and later re-tests only the functions that changed.
MUTATE_MINUTES ?= 28
mutate: $(STAMP)  ## mutation testing, in a time budget; the scores and every survivor: mutants/report.txt
	-HYPOTHESIS_PROFILE=mutation timeout --foreground $(MUTATE_MINUTES)m $(BIN)/mutmut run --max-children 2
	$(BIN)/python tests/mutation_report.py > mutants/report.txt
	sed -n '1,/^all /p' mutants/report.txt

schemas: $(STAMP)  ## regenerate the JSON Schemas editors use to check the YAML files
	$(BIN)/scorecard schema template > schemas/template.schema.json
	$(BIN)/scorecard schema vendor > schemas/vendor.schema.json

validate: $(STAMP)  ## check the shipped criteria and vendor profiles
	$(BIN)/scorecard validate

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis mutants .coverage .coverage.*
