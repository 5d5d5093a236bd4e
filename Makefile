# redactor: `make demo` and `make test` work on a fresh clone with Python 3.11 and make.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SAMPLE := corpora/sample-briefing.pdf
OUT    := out

.PHONY: demo test system-deps bench eval clean help

help:
	@echo "make demo   - install into .venv and redact the sample briefing"
	@echo "make test   - install into .venv (if needed) and run the tests"
	@echo "make eval   - score detection on both phrasebooks (held-out seeds) and on real text (TAB=...)"
	@echo "make bench  - pages per second of the full pipeline beside the PyMuPDF floor"

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
DEB_NEEDS := pdftotext:poppler-utils \
             tesseract:tesseract-ocr,tesseract-ocr-eng,tesseract-ocr-osd

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

demo: $(STAMP) system-deps $(SAMPLE)
	@mkdir -p $(OUT)
	$(BIN)/redactor redact $(SAMPLE) -o $(OUT)/sample-briefing.redacted.pdf
	$(BIN)/redactor verify $(OUT)/sample-briefing.redacted.pdf --log $(OUT)/sample-briefing.redacted.NOT-FOR-RELEASE.log.jsonl
	@echo
	@echo "Redacted sample:   $(OUT)/sample-briefing.redacted.pdf"
	@echo "Audit log:         $(OUT)/sample-briefing.redacted.NOT-FOR-RELEASE.log.jsonl (internal)"
	@echo "Schedule:          $(OUT)/sample-briefing.redacted.schedule.csv"
	@echo "Original:          $(SAMPLE) (ground truth: corpora/sample-briefing.truth.json)"

test: $(STAMP) system-deps
	$(BIN)/python -m pytest -q -n 2

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

bench: $(STAMP)
	$(BIN)/python bench/bench_redact.py --pages 1000
	$(BIN)/python bench/bench_redact.py --pages 1000 --no-nlp
	$(BIN)/python bench/bench_batch.py --pages 2000

clean:
	rm -rf $(VENV) $(OUT) $(SAMPLE) corpora/sample-briefing.truth.json .pytest_cache
