# The two commands: `make run` (the app with demo data) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run test lint format check-deploy security bench bench-pages bench-matching-100k loadtest clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

## run: set up, migrate, load the demo and serve the app with a Celery worker and beat.
## The settings default to production; make run turns DEBUG on for everything it starts (the web
## server, worker and beat inherit it through honcho), and the first start makes this install's
## development key in var/secret_key (git-ignored).
run: export DEBUG := 1
run: $(VENV)/.installed
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo --verbosity 0
	@echo ""
	@echo "  Mentoring is starting at http://127.0.0.1:$(PORT)/: the demo logins follow once it is ready."
	@echo ""
	PORT=$(PORT) SITE_URL=http://127.0.0.1:$(PORT) $(VENV)/bin/honcho -f Procfile.dev start

## test: install the test tools and run the whole suite (pytest.ini's mentoring.settings_test turns DEBUG on),
## spread over every core (pytest-xdist; TEST_WORKERS=0 runs it in one process). worksteal: a worker that
## runs out takes the tail of the other's queue, so neither waits alone at the end of the run.
TEST_WORKERS ?= auto
test: $(VENV)/.installed-dev
	$(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## check-deploy: Django's deployment checklist against production-like settings
check-deploy: $(VENV)/.installed
	DEBUG=0 SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(60))') \
	  ALLOWED_HOSTS=mentoring.example.org $(PY) manage.py check --deploy --fail-level WARNING

## security: bandit over the project code and pip-audit over the runtime requirements (docs/security.md).
## pip-audit needs https://api.osv.dev: unreachable, it warns NOT AUDITED and does not fail; a known
## vulnerability fails. REQUIRE_AUDIT=1 fails when nothing could be audited.
security: $(VENV)/.installed-dev
	$(VENV)/bin/bandit -c .bandit.yaml -r . -q
	$(VENV)/bin/bandit -r demo -x /tests/ -s B105,B311 -q  # demo data: a published password, seeded random
	$(PY) .ci/audit_dependencies.py -r requirements.txt $(if $(filter 1,$(REQUIRE_AUDIT)),--require-audit)

## bench: the benchmarks (scripts, not tests); set DATABASE_URL for the ones that use the database
bench: export DEBUG := 1
bench: $(VENV)/.installed-dev
	$(PY) bench/bench_matching.py
	$(PY) bench/bench_roster_import.py
	$(PY) bench/bench_exports.py
	$(PY) bench/directory_search.py

## bench-pages: every page of every role at 10,000 and 50,000 people, side by side with a verdict against the
## budgets (< 100 ms warm, <= 1.3x, same queries); seeds the two load databases first if they are not there
## (docs/load-test.md). BENCH_SMALL_URL / BENCH_LARGE_URL choose the databases.
BENCH_SMALL_URL ?= postgres://postgres@127.0.0.1:5432/mentoring_load10k
BENCH_LARGE_URL ?= postgres://postgres@127.0.0.1:5432/mentoring_load50k
bench-pages: export DEBUG := 1
bench-pages: $(VENV)/.installed-dev
	DATABASE_URL=$(BENCH_SMALL_URL) $(PY) bench/loadtest/create_database.py
	DATABASE_URL=$(BENCH_SMALL_URL) $(PY) manage.py migrate --no-input -v 0
	DATABASE_URL=$(BENCH_SMALL_URL) $(PY) bench/seed_load.py --people 10000 --manifest var/loadtest/accounts-10k.json
	DATABASE_URL=$(BENCH_LARGE_URL) $(PY) bench/loadtest/create_database.py
	DATABASE_URL=$(BENCH_LARGE_URL) $(PY) manage.py migrate --no-input -v 0
	DATABASE_URL=$(BENCH_LARGE_URL) $(PY) bench/seed_load.py --people 50000 --manifest var/loadtest/accounts-50k.json

	DATABASE_URL=$(BENCH_LARGE_URL) $(PY) bench/loadtest/profile_pages.py --compare var/loadtest/accounts-10k.json var/loadtest/accounts-50k.json
## bench-matching-100k: match_file on the generator's 100,000-mentee file (50,000 mentors); several minutes
bench-matching-100k: $(VENV)/.installed-dev
	$(PY) bench/bench_matching.py --sizes 100000 --exact-sizes

## loadtest: 50 users for 3 minutes against gunicorn and a 10,000-person organisation in PostgreSQL (docs/load-test.md);
## run.sh sets DEBUG=0 and a fresh random SECRET_KEY itself
loadtest: $(VENV)/.installed-dev
	PY=$(PY) bench/loadtest/run.sh

clean:
	rm -rf $(VENV) var staticfiles
