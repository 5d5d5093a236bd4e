# redactor: `make demo` and `make test` work on a fresh clone with Python 3.11 and make.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SAMPLE := corpora/sample-briefing.pdf
MINUTES := corpora/sample-minutes.docx
OUT    := out

.PHONY: demo test lint fuzz system-deps bench eval eval-scan bench-scan realworld a11y-report clean help

help:
	@echo "make demo   - install into .venv and redact the sample briefing"
	@echo "make test   - install into .venv (if needed), lint (ruff) and run the tests"
	@echo "make lint   - ruff check: undefined and unused names, likely bugs (pyproject.toml [tool.ruff])"
	@echo "make fuzz   - a longer fuzzing campaign with Hypothesis (FUZZ_EXAMPLES=1000)"
	@echo "make eval   - score detection on both phrasebooks (held-out seeds) and on real text (TAB=...)"
	@echo "make bench  - pages per second of the full pipeline beside the PyMuPDF floor, per stage; batch scaling; start-up; memory; the desk"
	@echo "make realworld REALPDF=DIR [JOBS=1] [TIMEOUT=180] - redact every PDF in DIR and check nothing was lost"
	@echo "make eval-scan  - score OCR, redaction and verification on a held-out scanned corpus (150 and 300 dpi)"
	@echo "make bench-scan - pages per second of redact on scans beside Tesseract alone; batch with 1 and 2 workers"
	@echo "make a11y-report [REALPDF=DIR] - PDF/UA checks (pdfua) before and after redacting tagged PDFs"

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "make: $(PYTHON) not found; install Python 3.11 or pass PYTHON=..."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,nlp,dask]'
	@touch $@

# Debian packages redactor and its tests use, installed with apt-get when
# missing. Each entry is COMMAND:PACKAGE[,PACKAGE...]: the packages are
# installed when COMMAND is not on the PATH.
#   pdftotext: poppler, the independent extractor the tests check with
#   tesseract: Tesseract 5 OCR with English and orientation data
#   chromium:  the browser the desk's tests drive with Playwright (never
#              `playwright install`: Playwright is pointed at /usr/bin/chromium)
#   npm:       fetches axe-core, the accessibility checker those tests run
#   soffice:   LibreOffice, headless, for Word, PowerPoint and Excel inputs; python3-uno
#              keeps one converter warm per worker; the fonts render text on a bare Debian
DEB_NEEDS := pdftotext:poppler-utils \
             tesseract:tesseract-ocr,tesseract-ocr-eng,tesseract-ocr-osd \
             chromium:chromium \
             npm:npm \
             soffice:libreoffice-writer-nogui,libreoffice-calc-nogui,libreoffice-impress-nogui,python3-uno,fonts-liberation,fonts-dejavu-core

# axe-core (MPL-2.0) from the npm registry, for the desk's accessibility test;
# installed into the venv, not committed.
AXE_VERSION := 4.10.3
AXE := $(VENV)/node_modules/axe-core/axe.min.js

system-deps:
	@missing=""; for need in $(DEB_NEEDS); do \
	  command -v $${need%%:*} >/dev/null || missing="$$missing $$(echo $${need#*:} | tr , ' ')"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

$(SAMPLE): corpora/generate.py $(STAMP)
	$(BIN)/python corpora/generate.py sample $(SAMPLE)

$(MINUTES): corpora/minutes.py $(STAMP)
	$(BIN)/python corpora/minutes.py $(MINUTES)

demo: $(STAMP) system-deps $(SAMPLE) $(MINUTES)
	@mkdir -p $(OUT)
	$(BIN)/redactor redact $(SAMPLE) -o $(OUT)/sample-briefing.redacted.pdf
	$(BIN)/redactor verify $(OUT)/sample-briefing.redacted.pdf --log $(OUT).NOT-FOR-RELEASE/sample-briefing.redacted.NOT-FOR-RELEASE.log.jsonl
	$(BIN)/redactor redact $(MINUTES) -o $(OUT)/sample-minutes.pdf
	@echo
	@echo "Redacted sample:   $(OUT)/sample-briefing.redacted.pdf"
	@echo "Audit log:         $(OUT).NOT-FOR-RELEASE/sample-briefing.redacted.NOT-FOR-RELEASE.log.jsonl (internal, kept apart from the release)"
	@echo "Schedule:          $(OUT)/sample-briefing.redacted.schedule.csv"
	@echo "Original:          $(SAMPLE) (ground truth: corpora/sample-briefing.truth.json)"
	@echo "A Word document:   $(MINUTES) -> $(OUT)/sample-minutes.pdf (its hidden content: $(OUT)/sample-minutes.schedule.sources.csv)"

$(AXE): | $(STAMP) system-deps
	npm install --silent --no-save --no-package-lock --no-audit --no-fund --prefix $(VENV) axe-core@$(AXE_VERSION) \
	  || echo "make: axe-core could not be installed: the desk's accessibility test will be skipped (and say so)"

test: lint $(STAMP) system-deps $(AXE)
	$(BIN)/python -m pytest -q -n 2

lint: $(STAMP)
	$(BIN)/ruff check .

FUZZ_STAMP := $(VENV)/.fuzz-installed
$(FUZZ_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[fuzz]'
	@touch $@

fuzz: $(FUZZ_STAMP) system-deps
	mkdir -p $(OUT)/fuzz
	FUZZ_WORK=$(OUT)/fuzz $(BIN)/python -m pytest -q tests/fuzz_campaign.py

# The Text Anonymization Benchmark (train and dev splits, JSON lines); the
# real-text figures are skipped, with a message, when it is absent.
TAB ?= ../shared/realtext/tab-train-dev.jsonl

# train-phrasebook: corpora/generate.py's held-out split; test-phrasebook:
# corpora/phrasebook.py, written apart, on its held-out seeds. Presidio
# (the `compare` extra) is installed to be scored beside redactor on TAB.
eval: $(STAMP)
	-@$(BIN)/python -c "import presidio_analyzer" 2>/dev/null || $(BIN)/python -m pip install --quiet -e '.[compare]'
	rm -rf $(OUT)/train-phrasebook $(OUT)/test-phrasebook && mkdir -p $(OUT)
	$(BIN)/python corpora/generate.py corpus $(OUT)/train-phrasebook --split heldout --docs 60 --start-seed 1000
	$(BIN)/python corpora/phrasebook.py corpus $(OUT)/test-phrasebook --docs 60 --start-seed 80000
	@if [ -f "$(TAB)" ]; then tab="--tab $(TAB)"; else \
	  echo "make eval: $(TAB) not found: real-text figures skipped (pass TAB=path/to/tab-train-dev.jsonl)"; tab=""; fi; \
	$(BIN)/redactor eval $(OUT)/train-phrasebook $(OUT)/test-phrasebook $$tab --show 5 --json $(OUT)/eval.json

eval-scan: $(STAMP) system-deps
	rm -rf $(OUT)/scan-300 $(OUT)/scan-150 && mkdir -p $(OUT)
	$(BIN)/python corpora/scan.py corpus $(OUT)/scan-300 --split heldout --docs 14 --dpi 300 --start-seed 3000
	$(BIN)/python corpora/scan.py corpus $(OUT)/scan-150 --split heldout --docs 14 --dpi 150 --start-seed 3000
	$(BIN)/redactor eval $(OUT)/scan-300 --json $(OUT)/scan-300-eval.json
	$(BIN)/redactor eval $(OUT)/scan-150 --json $(OUT)/scan-150-eval.json

bench-scan: $(STAMP) system-deps
	$(BIN)/python bench/bench_scan.py --pages 40 --dpi 300

# floor, pipeline with and without NER and per stage; batch scaling; peak
# memory of a 10,000-page file beside a 100-page one (minutes: bench only)
bench: $(STAMP) system-deps
	$(BIN)/python bench/bench_redact.py --pages 1000
	$(BIN)/python bench/bench_redact.py --pages 1000 --no-nlp
	$(BIN)/python bench/bench_batch.py --pages 2000
	$(BIN)/python bench/bench_startup.py --runs 5
	$(BIN)/python bench/bench_memory.py --small 100 --large 10000
	$(BIN)/python bench/bench_desk.py --pages 500
	$(BIN)/python bench/bench_convert.py

# PDF/UA-1 (the machine-checkable rules, with pdfua) before and after
# redaction: the generated tagged briefing, and the tagged PDFs in REALPDF if given.
a11y-report: $(STAMP)
	$(BIN)/python bench/a11y_report.py $(REALPDF)

# Redact every PDF under REALPDF and check "nothing lost" outside the boxes;
# results (JSON, summary.md, logs, outputs) in bench/results/realworld/.
JOBS    ?= 1
TIMEOUT ?= 180
realworld: $(STAMP)
	@test -n "$(REALPDF)" || { echo "make realworld: say which folder of PDFs, e.g. make realworld REALPDF=../shared/realpdf"; exit 2; }
	@test -d "$(REALPDF)" || { echo "make realworld: REALPDF=$(REALPDF) is not a folder"; exit 2; }
	$(BIN)/python bench/realworld.py "$(REALPDF)" -j $(JOBS) --timeout $(TIMEOUT)

clean:
	rm -rf $(VENV) $(OUT) $(OUT).NOT-FOR-RELEASE $(SAMPLE) $(MINUTES) corpora/sample-briefing.truth.json .pytest_cache
