# Two commands on a fresh machine (Python ≥ 3.11 and git): `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: run test worker beat lint clean-data

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Re-install when the dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# The demo as production runs it: DEBUG off, a web server and a Celery worker on an embedded Redis and
# PostgreSQL (config/run.py). Ctrl-C stops all of them.
run: $(VENV)/.installed
	@echo "正在准备演示环境(首次约需 2 分钟)……"
	$(BIN)/python -m config.run $(HOST)

test: $(VENV)/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# With REDIS_URL set, a real worker and beat (production uses docker-compose.yml).
worker: $(VENV)/.installed
	$(BIN)/celery -A config worker --loglevel=info

beat: $(VENV)/.installed
	$(BIN)/celery -A config beat --loglevel=info

lint: $(VENV)/.installed
	$(BIN)/ruff check .

# Drops the embedded database and uploaded files of `make run`.
clean-data:
	rm -rf .data
