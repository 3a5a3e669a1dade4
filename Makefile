# hipcare: `make run` serves the demo on SQLite; `make test` runs every test on PostgreSQL + Chromium.
.PHONY: run test lint bench venv

PY := .venv/bin/python
DEV_ENV := DEBUG=true

venv:
	@scripts/venv.sh

run: venv
	$(DEV_ENV) $(PY) manage.py migrate --no-input
	$(DEV_ENV) $(PY) manage.py load_catalogue
	$(DEV_ENV) $(PY) manage.py seed_demo
	@echo "hipcare is at http://127.0.0.1:8000 (Ctrl+C stops it)"
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:8000

test: venv
	@scripts/test.sh

lint: venv
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

bench: venv
	@scripts/bench.sh
