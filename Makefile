# hipcare: `make run` serves the demo on SQLite; `make test` runs every test on PostgreSQL + Chromium.
.PHONY: run test lint bench scale-out venv code

PY := .venv/bin/python
DEV_ENV := DEBUG=true

venv:
	@scripts/venv.sh

run: venv
	$(DEV_ENV) $(PY) manage.py migrate --no-input
	$(DEV_ENV) $(PY) manage.py load_catalogue
	$(DEV_ENV) $(PY) manage.py load_education
	$(DEV_ENV) $(PY) manage.py seed_demo
	$(DEV_ENV) $(PY) manage.py housekeeping --schedule
	$(DEV_ENV) $(PY) manage.py reminders --dev-keys --schedule
	@echo "hipcare is at http://127.0.0.1:8000 (Ctrl+C stops it); the worker prints e-mail here"
	@# The worker (outgoing e-mail) runs in the background and stops when runserver does.
	@$(DEV_ENV) $(PY) manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:8000

test: venv
	@scripts/test.sh

lint: venv
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

bench: venv
	@scripts/bench.sh

# Two app servers behind nginx on one PostgreSQL; one is killed mid-run: counts every tick.
scale-out: venv
	@scripts/scale-out.sh

# The demo's second-factor code: `make code` (physio), `make code WHO=admin`.
code: venv
	@$(DEV_ENV) $(PY) manage.py otp_code $(or $(WHO),physio)
