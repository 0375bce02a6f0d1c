# Two commands do all set-up on a fresh machine:
#   make demo   install into .venv, then ingest, code and export the shipped sample into out/
#   make test   install into .venv (with test extras), then run the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PROJECT := out/sample.qcproj

.PHONY: install demo test clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("qualcode needs Python 3.11 or newer" if sys.version_info < (3, 11) else 0)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	rm -rf out && mkdir -p out
	$(BIN)/qualcode ingest $(PROJECT) --manifest transcripts_sample/manifest.csv --speakers transcripts_sample/speakers.csv
	$(BIN)/qualcode info $(PROJECT)
	$(BIN)/qualcode code $(PROJECT) --codebook codebooks/mentoring_expectations.yaml
	$(BIN)/qualcode export segments $(PROJECT) -o out/turns.csv
	$(BIN)/qualcode export excerpts $(PROJECT) -o out/excerpts.csv
	$(BIN)/qualcode export excerpts $(PROJECT) -o out/excerpts.xlsx
	$(BIN)/qualcode export excerpts $(PROJECT) -o out/excerpts.docx
	$(BIN)/qualcode export counts $(PROJECT) --by role -o out/counts_by_role.csv
	$(BIN)/qualcode compare $(PROJECT) --by role --a scholar --b mentor -o out/compare_scholar_mentor.csv
	$(BIN)/qualcode report $(PROJECT) -o out/report.docx
	$(BIN)/qualcode export qdpx $(PROJECT) -o out/sample.qdpx
	@echo "Done: see out/"

test: $(STAMP)
	@$(BIN)/python -m pytest -q -p no:cacheprovider; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "Error: pytest collected no tests"; exit 1; fi; exit $$rc

clean:
	rm -rf $(VENV) out build *.egg-info
