# Every target creates the venv on first use, so a fresh clone needs only `make demo` / `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin

.PHONY: venv test test-fast lint lock demo bench fuzz corpus docs eval-llm replay clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

lint: venv
	$(BIN)/ruff check reviewer tests bench scripts
	$(BIN)/hadolint Dockerfile
	$(BIN)/check-jsonschema --builtin-schema vendor.github-actions action.yml
	$(BIN)/check-jsonschema --builtin-schema vendor.dependabot .github/dependabot.yml

test: venv lint
	$(PY) -m pytest

# the same without the tests that build and install packages (marked slow)
test-fast: venv
	$(PY) -m pytest -m 'not slow'

# requirements.lock: the runtime dependencies the image installs, pinned with every artefact's hash,
# resolved from PyPI for the image's Python (3.12) on every platform it is built for.
lock: venv
	$(BIN)/uv pip compile pyproject.toml --generate-hashes --universal --python-version 3.12 \
		--index-url https://pypi.org/simple --no-emit-index-url --custom-compile-command 'make lock' \
		--quiet -o requirements.lock

demo: venv
	bash scripts/demo.sh $(BIN)/arch-review

bench: venv
	$(PY) bench/run.py

# The property tests of tests/fuzz with 10,000 examples each (about ten minutes); `make test` runs 30.
fuzz: venv
	HYPOTHESIS_PROFILE=fuzz $(PY) -m pytest tests/fuzz -p no:cacheprovider --hypothesis-show-statistics

# recall and precision on the planted-defect corpus; fails under 90% recall or 95% precision
corpus: venv
	$(PY) tests/corpus/run.py

docs: venv
	$(BIN)/arch-review rules --format markdown > docs/rules.md

eval-llm: venv
	$(PY) scripts/eval_llm.py

# make replay REPO=<git dir, bare or not> [N=50] [OUT=replay.json] [SAMPLE=20 SEED=0]
N ?= 50
replay: venv
	$(if $(REPO),,$(error REPO=<git dir> is required))
	$(PY) scripts/replay.py $(REPO) -n $(N) $(if $(OUT),--json $(OUT)) \
		$(if $(SAMPLE),--sample $(SAMPLE) --seed $(or $(SEED),0))

clean:
	rm -rf $(VENV) build *.egg-info bench/out
