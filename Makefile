# redactor: `make demo` and `make test` work on a fresh clone with Python 3.11 and make.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SAMPLE := corpora/sample-briefing.pdf
OUT    := out

.PHONY: demo test system-deps bench eval eval-scan bench-scan clean help

help:
	@echo "make demo   - install into .venv and redact the sample briefing"
	@echo "make test   - install into .venv (if needed) and run the tests"
	@echo "make eval   - score detection and redaction on a generated held-out corpus"
	@echo "make bench  - pages per second of the full pipeline beside the PyMuPDF floor"
	@echo "make eval-scan  - score OCR, redaction and verification on a held-out scanned corpus (150 and 300 dpi)"
	@echo "make bench-scan - pages per second of redact on scans beside Tesseract alone; batch with 1 and 2 workers"

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

eval: $(STAMP)
	rm -rf $(OUT)/heldout && mkdir -p $(OUT)
	$(BIN)/python corpora/generate.py corpus $(OUT)/heldout --split heldout --docs 60 --start-seed 1000
	$(BIN)/redactor eval $(OUT)/heldout --json $(OUT)/heldout-eval.json

eval-scan: $(STAMP) system-deps
	rm -rf $(OUT)/scan-300 $(OUT)/scan-150 && mkdir -p $(OUT)
	$(BIN)/python corpora/scan.py corpus $(OUT)/scan-300 --split heldout --docs 14 --dpi 300 --start-seed 3000
	$(BIN)/python corpora/scan.py corpus $(OUT)/scan-150 --split heldout --docs 14 --dpi 150 --start-seed 3000
	$(BIN)/redactor eval $(OUT)/scan-300 --json $(OUT)/scan-300-eval.json
	$(BIN)/redactor eval $(OUT)/scan-150 --json $(OUT)/scan-150-eval.json

bench-scan: $(STAMP) system-deps
	$(BIN)/python bench/bench_scan.py --pages 40 --dpi 300

bench: $(STAMP)
	$(BIN)/python bench/bench_redact.py --pages 1000
	$(BIN)/python bench/bench_redact.py --pages 1000 --no-nlp
	$(BIN)/python bench/bench_batch.py --pages 2000

clean:
	rm -rf $(VENV) $(OUT) $(SAMPLE) corpora/sample-briefing.truth.json .pytest_cache
