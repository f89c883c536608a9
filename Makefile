# Fristad: two commands for a newcomer (`make install`, `make run`), one for tests.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
VPY       := $(VENV)/bin/python
STAMP     := $(VENV)/.installed
MODEL_DIR := models
DATA      := nlu_data
# Everything the model is trained from; `make model` retrains when any of it is newer.
TRAIN_INPUTS := config.yml domain.yml $(shell find $(DATA) -name '*.yml' 2>/dev/null) $(shell find bot/nlu -name '*.py' 2>/dev/null)

# Python 3.10 for Rasa 3.6: $PYTHON, then python3.10 on PATH, then pyenv.
PYTHON_310 := $(shell bash scripts/find-python.sh)

.PHONY: help install run test test-fast model validate shell bench-language bench-nlu bench-handoff clean

help:
	@echo "make install          create .venv (Python 3.10) and install everything"
	@echo "make run              train if needed, start Redis, actions and Rasa on \$$FRISTAD_PORT"
	@echo "make test             run all tests (unit, Redis, Rasa server, rasa test stories)"
	@echo "make bench-language   language detection benchmark on ../shared/eval/langid"
	@echo "make bench-nlu        NLU cross-validation per language + false alarms"
	@echo "make bench-handoff    handoff queue and relay latency"

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml setup.py bot/language/_ngram_table.c scripts/install-system-packages.sh
	@if [ -z "$(PYTHON_310)" ]; then \
	  echo "error: Python 3.10 not found. Rasa 3.6 needs 3.8-3.10." >&2; \
	  echo "       Set PYTHON=/path/to/python3.10, put python3.10 on PATH, or 'pyenv install 3.10'." >&2; \
	  exit 1; fi
	@bash scripts/install-system-packages.sh
	@[ -x $(VPY) ] || "$(PYTHON_310)" -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade "pip<25" wheel
	$(VPY) -m pip install --quiet -r requirements.lock
	$(VPY) -m pip install --quiet --no-deps --no-build-isolation -e .
	$(VPY) -m pip check
	@touch $(STAMP)
	@echo "installed: $$($(VPY) --version), rasa $$($(VPY) -c 'import rasa; print(rasa.__version__)')"

model: $(STAMP)
	@$(VPY) -m bot.training ensure

run: $(STAMP)
	@$(VPY) -m bot.run

validate: $(STAMP)
	$(VENV)/bin/rasa data validate --data $(DATA) --domain domain.yml --config config.yml --fail-on-warnings

shell: $(STAMP)
	@$(VPY) -m bot.run --shell

test: $(STAMP)
	@$(VPY) -m bot.training ensure
	$(VENV)/bin/rasa data validate --data $(DATA) --domain domain.yml --config config.yml --fail-on-warnings
	$(VPY) -m pytest
	$(VPY) -m bot.training test-stories

test-fast: $(STAMP)
	$(VPY) -m pytest -m "not slow"

bench-language: $(STAMP)
	$(VPY) -m benchmarks.language

bench-nlu: $(STAMP)
	$(VPY) -m benchmarks.nlu

bench-handoff: $(STAMP)
	$(VPY) -m benchmarks.handoff

clean:
	rm -rf $(MODEL_DIR) results var .pytest_cache
