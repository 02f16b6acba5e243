# Each target sets itself up: a fresh machine needs only `make run` or `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
QT_DEBS := libegl1 libgl1 libx11-6 libdbus-1-3 libfontconfig1 libfreetype6 libglib2.0-0 libxkbcommon0 \
	libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0 libxcb-shape0 \
	libxcb-xkb1 libxkbcommon-x11-0
# The team view test drives a real headless browser (Debian builds; nothing downloaded at run time).
TEST_DEBS := poppler-utils chromium chromium-driver
# OCR of scanned pages (PyMuPDF calls Tesseract); other languages: tesseract-ocr-LANG (README).
OCR_DEBS := tesseract-ocr tesseract-ocr-eng

.PHONY: run test lint bench bench-node screenshots setup sysdeps clean

run: setup
	$(BIN)/claim-reader $(ARGS)

test: setup
	$(BIN)/ruff check reader tests bench tools main.py
	$(BIN)/lint-imports
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check reader tests bench tools main.py
	$(BIN)/lint-imports

bench: setup bench-node
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench

# Readability.js (Mozilla's, under node + jsdom) for bench/extraction.py, into a git-ignored
# folder; never at test time. Without node or npm the benchmark says so and prints the rest.
NODE_DIR := bench/out/node
bench-node:
	@if [ ! -d $(NODE_DIR)/node_modules/@mozilla/readability ]; then \
	  if command -v npm >/dev/null; then \
	    mkdir -p $(NODE_DIR) && npm install --silent --no-audit --no-fund --prefix $(NODE_DIR) \
	      @mozilla/readability@0.6.0 jsdom@29 || echo "note: npm could not install Readability.js"; \
	  else echo "note: npm is not installed: the extraction benchmark skips Readability.js"; fi; \
	fi

screenshots: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m tools.screenshots docs/screenshots

setup: $(STAMP) sysdeps

# Qt's shared libraries and Tesseract: installed when we are root with apt; otherwise the README
# names them.
sysdeps:
	@missing=""; for p in $(QT_DEBS) $(TEST_DEBS) $(OCR_DEBS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "note: Qt and OCR need these Debian packages, not installed here:$$missing"; \
	  fi; \
	fi

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) build *.egg-info
