# tfrun's build. The TensorFlow 2.18.0 C library is fetched once (third_party/libtensorflow.sh,
# sha256-pinned) unless LIBTENSORFLOW_DIR names a prebuilt one (the official lib/ + include/
# layout). Every target that compiles Go depends on it.

LIBTENSORFLOW_DIR ?= $(CURDIR)/third_party/libtensorflow
CONFIG ?= configs/imdb_cnn_lstm.yaml
ARGS ?=

# Fetch only when the user did not name a library of their own.
ifeq ($(LIBTENSORFLOW_DIR),$(CURDIR)/third_party/libtensorflow)
LIBTF_STAMP := $(LIBTENSORFLOW_DIR)/.complete
else
LIBTF_STAMP :=
endif

export CGO_ENABLED := 1
export CGO_CFLAGS := -I$(LIBTENSORFLOW_DIR)/include
export CGO_LDFLAGS := -L$(LIBTENSORFLOW_DIR)/lib -ltensorflow_framework -Wl,-rpath,$(LIBTENSORFLOW_DIR)/lib

GO ?= go
BIN := bin/tfrun

.PHONY: all build run test vet lint bench bench-env bench-distributed compat export-check tensorboard-check keras-apps keras-configs fashion-mnist libtensorflow clean env

all: build

libtensorflow: $(LIBTF_STAMP)

$(CURDIR)/third_party/libtensorflow/.complete: third_party/libtensorflow.sh
	third_party/libtensorflow.sh

build: libtensorflow
	$(GO) build -o $(BIN) ./cmd/tfrun

# The main job: train the default config on the full data set. -resume-or-start makes a
# second `make run` continue (or just re-evaluate) the run in runs/<config name>/.
run: build $(if $(findstring fashion,$(CONFIG)),fashion-mnist)
	$(BIN) -config $(CONFIG) -resume-or-start $(ARGS)

# Fashion-MNIST comes from Debian's dataset-fashion-mnist package (root, or sudo make).
FASHION_DIR := /usr/share/datasets/fashion-mnist
fashion-mnist:
	@test -e $(FASHION_DIR)/train-images-idx3-ubyte.gz || { apt-get update -qq && apt-get install -y -qq dataset-fashion-mnist; }

vet: libtensorflow
	$(GO) vet ./...

# gofmt and staticcheck (honnef.co/go/tools, pinned; built by `go run` from the Go module
# proxy on first use, then cached). staticcheck runs its default checks: staticcheck.conf
# says why. Needs libtensorflow's headers: staticcheck type-checks the cgo packages.
STATICCHECK_VERSION := v0.8.2
lint: libtensorflow
	@files=$$(gofmt -l .); if [ -n "$$files" ]; then echo "gofmt -l: not formatted:"; echo "$$files"; exit 1; fi
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

# The test command (.ci/run calls it after make lint). TensorFlow runs other CPU kernels with
# oneDNN on (the default on Intel CPUs of Cascade Lake and newer) than with it off (the
# default on AMD), so the suite runs once each way, whatever the CPU: a test that holds on
# only one path fails here, not on the next machine. Set TF_ENABLE_ONEDNN_OPTS yourself (or
# ONEDNN=0 / ONEDNN=1) to run one pass: make test ONEDNN=1.
ONEDNN ?= $(or $(TF_ENABLE_ONEDNN_OPTS),0 1)
TEST_ARGS ?=
test: libtensorflow
	$(GO) vet ./...
	@set -e; for v in $(ONEDNN); do \
	  echo "== go test ./... with TF_ENABLE_ONEDNN_OPTS=$$v"; \
	  TF_ENABLE_ONEDNN_OPTS=$$v $(GO) test -count=1 -timeout 60m $(TEST_ARGS) ./...; \
	done

# The benchmark: tfrun against the Keras 3 reference (bench/keras/, TensorFlow 2.18.0 CPU
# from PyPI in bench/.venv) on the same TensorFlow build, in one run, interleaved and repeated,
# with the machine's peak measured before and after the rounds (bench/cmd/peak, each
# kernel's faster measurement) that each model's achieved FLOP/s is reported as a share of.
# Writes bench/results.md and its copy for this CPU model, docs/results/bench_results_<cpu>.md.
# BENCH_ARGS passes flags to bench/cmd/compare (-rounds,
# -models, -steps imdb_lstm=200, ...).
BENCH_VENV := bench/.venv
BENCH_PYTHON ?= python3
# Keras is pinned too (tensorflow-cpu 2.18.0 accepts any keras >= 3.5), so reruns compare alike.
BENCH_KERAS := 3.15.1
BENCH_STAMP := $(BENCH_VENV)/.tensorflow-cpu-2.18.0-keras-$(BENCH_KERAS)
BENCH_ARGS ?=

bench-env: $(BENCH_STAMP)

$(BENCH_STAMP):
	$(BENCH_PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --disable-pip-version-check --quiet tensorflow-cpu==2.18.0 keras==$(BENCH_KERAS)
	touch $@

bench: bench-env libtensorflow
	$(GO) build -o bin/tfrun-bench ./bench/cmd/tfrun-bench
	$(GO) build -o bin/bench-compare ./bench/cmd/compare
	$(GO) build -o bin/bench-peak ./bench/cmd/peak
	bin/bench-compare -tfrun bin/tfrun-bench -peak bin/bench-peak -python $(BENCH_VENV)/bin/python -keras bench/keras -out bench/results.md -archive docs/results $(BENCH_ARGS)

# Data-parallel scaling (#14): imdb_tuned and the MNIST DCGAN (gan_mnist) on 1 process × 1
# thread, then 2 worker processes × 1 thread on 127.0.0.1 with the same global batch
# (bench/distributed/run.sh: examples/s, the ratio), and the all-reduce of both models'
# gradients between two processes (ms/step). DIST_CONFIG, DIST_LIMIT and DIST_EPOCHS change
# the classifier's run, DIST_GAN_CONFIG, DIST_GAN_LIMIT and DIST_GAN_EPOCHS the GAN's.
DIST_CONFIG ?= configs/imdb_tuned.yaml
DIST_LIMIT ?= 6144
DIST_EPOCHS ?= 3
DIST_GAN_CONFIG ?= configs/gan_mnist.yaml
DIST_GAN_LIMIT ?= 4096
DIST_GAN_EPOCHS ?= 3

# keras-apps: keras.applications' MobileNetV2, ResNet50, EfficientNetB0 and DenseNet121
# (weights=None, 32×32 inputs) saved as .keras files with their outputs on fixed inputs
# into KERAS_APPS_DIR (2 to 95 MB each, not committed), then imported and checked against
# Keras (importer's TestApplications): each imports and predicts Keras's outputs to 1e-4,
# or its test log lists what tfrun lacks.
KERAS_APPS_DIR ?= /tmp/tfrun-keras-apps
keras-apps: bench-env libtensorflow
	$(BENCH_VENV)/bin/python kerasfile/testdata/make_models.py apps $(KERAS_APPS_DIR)
	TFRUN_KERAS_APPS=$(abspath $(KERAS_APPS_DIR)) $(GO) test -count=1 -v -timeout 30m -run TestApplications ./importer

# keras-configs: every shipped classifier config (configs/*.yaml) rebuilt in Keras layer for
# layer from its YAML, with random weights, saved as .keras with Keras's outputs on fixed
# inputs into KERAS_CONFIGS_DIR (up to 10 MB each, not committed), then imported and
# checked (importer's TestShippedConfigsInKeras): each predicts Keras's outputs to 1e-4.
# The script reads the YAML with PyYAML, installed into the bench venv here.
KERAS_CONFIGS_DIR ?= /tmp/tfrun-keras-configs
keras-configs: bench-env libtensorflow
	$(BENCH_VENV)/bin/pip install --disable-pip-version-check --quiet pyyaml==6.0.2
	$(BENCH_VENV)/bin/python kerasfile/testdata/make_config_twins.py $(KERAS_CONFIGS_DIR)
	TFRUN_KERAS_CONFIGS=$(abspath $(KERAS_CONFIGS_DIR)) $(GO) test -count=1 -v -timeout 30m -run TestShippedConfigsInKeras ./importer

bench-distributed: build
	bench/distributed/run.sh bin/tfrun $(DIST_CONFIG) $(DIST_LIMIT) $(DIST_EPOCHS) $(DIST_GAN_CONFIG) $(DIST_GAN_LIMIT) $(DIST_GAN_EPOCHS)
	$(GO) test ./distributed -run '^$$' -bench 'AllReduceProcesses' -benchtime 20x

# Python TensorFlow reads tfrun's checkpoints (not part of `make test`): a venv with
# tensorflow-cpu 2.18.0 in checkpoints/compat/.venv (ignored by git), a short run of
# COMPAT_CONFIG, then checkpoints/compat/read_checkpoint.py lists and reads every variable
# of its latest checkpoint with tf.train.load_checkpoint and checks them.
COMPAT_DIR := checkpoints/compat
COMPAT_VENV := $(COMPAT_DIR)/.venv
COMPAT_STAMP := $(COMPAT_VENV)/.tensorflow-cpu-2.18.0
COMPAT_CONFIG ?= configs/imdb_tuned_adam.yaml
COMPAT_PYTHON ?= python3

compat: $(COMPAT_STAMP) build
	rm -rf $(COMPAT_DIR)/.run
	$(BIN) -config $(COMPAT_CONFIG) -epochs 2 -limit 1000 -out $(COMPAT_DIR)/.run > $(COMPAT_DIR)/.run.log
	$(COMPAT_VENV)/bin/python $(COMPAT_DIR)/read_checkpoint.py $(COMPAT_DIR)/.run/checkpoints

$(COMPAT_STAMP):
	$(COMPAT_PYTHON) -m venv $(COMPAT_VENV)
	$(COMPAT_VENV)/bin/pip install --disable-pip-version-check --quiet tensorflow-cpu==2.18.0
	touch $@

# Python TensorFlow and Keras serve tfrun's SavedModels (not part of `make test`): a venv
# with tensorflow-cpu 2.18.0 and keras 3.15.1 in export/check/.venv (ignored by git); short
# runs of the configs in export/check/ (an IMDB classifier, an MNIST classifier, a
# conditional GAN, examples/gan's generator trained by a train step in Go (Custom.Export), a CSV regression on ../shared/data/tabular/diabetes.csv, a model of two
# inputs and two outputs fed by name from a CSV of IMDB reviews, a 2-step slice of
# configs/cifar_resnet.yaml with its augmentation layers), each exported with
# `tfrun export`; tfrun's own answers (`tfrun predict`
# from the run and from the export, the GAN run's generator via export/check/reference);
# then export/check/check_export.py loads each SavedModel with tf.saved_model.load, Keras's
# TFSMLayer and saved_model_cli and compares.
EXPORT_CHECK_DIR := export/check
# EXPORT_VENV=<a venv with tensorflow-cpu 2.18.0 and keras 3.15.1> uses that one as it is
# (e.g. make export-check EXPORT_VENV=bench/.venv) instead of building one here.
EXPORT_VENV ?= $(EXPORT_CHECK_DIR)/.venv
EXPORT_STAMP := $(if $(filter $(EXPORT_CHECK_DIR)/.venv,$(EXPORT_VENV)),$(EXPORT_VENV)/.tensorflow-cpu-2.18.0-keras-3.15.1,$(EXPORT_VENV)/bin/python)
EXPORT_RUNS := $(EXPORT_CHECK_DIR)/.runs
EXPORT_PYTHON ?= python3
EXPORT_REF := bin/export-check-reference

export-check: $(EXPORT_STAMP) build
	rm -rf $(EXPORT_RUNS) && mkdir -p $(EXPORT_RUNS)
	$(GO) build -o $(EXPORT_REF) ./$(EXPORT_CHECK_DIR)/reference
	$(BIN) -config $(EXPORT_CHECK_DIR)/text.yaml -limit 2000 -out $(EXPORT_RUNS)/text > $(EXPORT_RUNS)/train.log
	$(BIN) export -config $(EXPORT_CHECK_DIR)/text.yaml -run $(EXPORT_RUNS)/text -out $(EXPORT_RUNS)/models/text
	$(EXPORT_REF) reviews -n 500 -out $(EXPORT_RUNS)/reviews.txt
	$(BIN) predict -config $(EXPORT_CHECK_DIR)/text.yaml -run $(EXPORT_RUNS)/text -file $(EXPORT_RUNS)/reviews.txt > $(EXPORT_RUNS)/text_predictions.jsonl
	$(BIN) -config $(EXPORT_CHECK_DIR)/image.yaml -limit 2000 -out $(EXPORT_RUNS)/image >> $(EXPORT_RUNS)/train.log
	$(BIN) export -config $(EXPORT_CHECK_DIR)/image.yaml -run $(EXPORT_RUNS)/image -out $(EXPORT_RUNS)/models/image
	$(EXPORT_REF) images -dataset mnist -n 32 -out $(EXPORT_RUNS)/images
	$(BIN) predict -model $(EXPORT_RUNS)/models/image -images $(EXPORT_RUNS)/images/*.png > $(EXPORT_RUNS)/image_predictions.jsonl
	$(BIN) -config $(EXPORT_CHECK_DIR)/cgan.yaml -limit 1024 -out $(EXPORT_RUNS)/cgan >> $(EXPORT_RUNS)/train.log
	$(BIN) export -config $(EXPORT_CHECK_DIR)/cgan.yaml -run $(EXPORT_RUNS)/cgan -out $(EXPORT_RUNS)/models/cgan
	$(EXPORT_REF) gan -config $(EXPORT_CHECK_DIR)/cgan.yaml -run $(EXPORT_RUNS)/cgan -n 8 -out $(EXPORT_RUNS)/cgan_reference.json
	$(GO) run ./examples/gan -limit 1024 -epochs 1 -out $(EXPORT_RUNS)/go_gan_grid.png -export $(EXPORT_RUNS)/models/go_gan -reference $(EXPORT_RUNS)/go_gan_reference.json >> $(EXPORT_RUNS)/train.log
	$(BIN) -config $(EXPORT_CHECK_DIR)/regression.yaml -out $(EXPORT_RUNS)/regression >> $(EXPORT_RUNS)/train.log
	$(BIN) export -config $(EXPORT_CHECK_DIR)/regression.yaml -run $(EXPORT_RUNS)/regression -out $(EXPORT_RUNS)/models/regression
	tail -n +2 ../shared/data/tabular/diabetes.csv | cut -d, -f1-10 > $(EXPORT_RUNS)/diabetes_rows.csv
	tail -n +2 ../shared/data/tabular/diabetes.csv | cut -d, -f11 > $(EXPORT_RUNS)/diabetes_targets.txt
	$(BIN) predict -config $(EXPORT_CHECK_DIR)/regression.yaml -run $(EXPORT_RUNS)/regression -file $(EXPORT_RUNS)/diabetes_rows.csv > $(EXPORT_RUNS)/regression_predictions.jsonl
	$(BIN) predict -model $(EXPORT_RUNS)/models/regression -file $(EXPORT_RUNS)/diabetes_rows.csv > $(EXPORT_RUNS)/regression_model_predictions.jsonl
	$(EXPORT_REF) reviews-csv -n 2000 -out $(EXPORT_RUNS)/reviews.csv -inputs 300 -inputs-out $(EXPORT_RUNS)/multi_io_inputs.jsonl
	$(BIN) -config $(EXPORT_CHECK_DIR)/multi_io.yaml -out $(EXPORT_RUNS)/multi_io >> $(EXPORT_RUNS)/train.log
	$(BIN) export -config $(EXPORT_CHECK_DIR)/multi_io.yaml -run $(EXPORT_RUNS)/multi_io -out $(EXPORT_RUNS)/models/multi_io
	$(BIN) predict -config $(EXPORT_CHECK_DIR)/multi_io.yaml -run $(EXPORT_RUNS)/multi_io -file $(EXPORT_RUNS)/multi_io_inputs.jsonl > $(EXPORT_RUNS)/multi_io_predictions.jsonl
	$(BIN) predict -model $(EXPORT_RUNS)/models/multi_io -file $(EXPORT_RUNS)/multi_io_inputs.jsonl > $(EXPORT_RUNS)/multi_io_model_predictions.jsonl
	$(BIN) -config configs/cifar_resnet.yaml -limit 256 -epochs 1 -out $(EXPORT_RUNS)/cifar_resnet >> $(EXPORT_RUNS)/train.log
	$(BIN) export -config configs/cifar_resnet.yaml -run $(EXPORT_RUNS)/cifar_resnet -out $(EXPORT_RUNS)/models/cifar_resnet
	$(EXPORT_REF) images -dataset cifar10 -n 32 -out $(EXPORT_RUNS)/cifar_images
	$(BIN) predict -config configs/cifar_resnet.yaml -run $(EXPORT_RUNS)/cifar_resnet -images $(EXPORT_RUNS)/cifar_images/*.png > $(EXPORT_RUNS)/cifar_resnet_predictions.jsonl
	$(BIN) predict -model $(EXPORT_RUNS)/models/cifar_resnet -images $(EXPORT_RUNS)/cifar_images/*.png > $(EXPORT_RUNS)/cifar_resnet_model_predictions.jsonl
	$(EXPORT_VENV)/bin/python $(EXPORT_CHECK_DIR)/check_export.py --runs $(EXPORT_RUNS) --saved-model-cli $(EXPORT_VENV)/bin/saved_model_cli

$(EXPORT_STAMP):
	$(EXPORT_PYTHON) -m venv $(EXPORT_VENV)
	$(EXPORT_VENV)/bin/pip install --disable-pip-version-check --quiet tensorflow-cpu==2.18.0 keras==3.15.1
	touch $@

# TensorBoard reads tfrun's event files (not part of `make test`): a venv with TensorBoard
# 2.18.0 in tensorboard/check/.venv (ignored by git); short runs of the two configs in
# tensorboard/check/ (the classifier trained 2 epochs, then resumed to 3); then
# tensorboard/check/check_events.py loads each run's logs/ with TensorBoard's own
# EventAccumulator and checks tags, steps and values against history.json, that the
# sample grids decode, that the graph parses and that the histograms are there.
TB_CHECK_DIR := tensorboard/check
TB_VENV := $(TB_CHECK_DIR)/.venv
TB_STAMP := $(TB_VENV)/.tensorboard-2.18.0
TB_PYTHON ?= python3
TB_CHECK := $(TB_VENV)/bin/python $(TB_CHECK_DIR)/check_events.py
TB_RUNS := $(TB_CHECK_DIR)/.runs

tensorboard-check: $(TB_STAMP) build
	rm -rf $(TB_RUNS) && mkdir -p $(TB_RUNS)
	$(BIN) -config $(TB_CHECK_DIR)/classifier.yaml -limit 1000 -epochs 2 -out $(TB_RUNS)/classifier > $(TB_RUNS)/classifier.log
	$(BIN) -config $(TB_CHECK_DIR)/classifier.yaml -limit 1000 -resume -out $(TB_RUNS)/classifier >> $(TB_RUNS)/classifier.log
	$(TB_CHECK) --logdir $(TB_RUNS)/classifier/logs --history $(TB_RUNS)/classifier/history.json --graph --histograms
	$(BIN) -config $(TB_CHECK_DIR)/gan.yaml -limit 512 -out $(TB_RUNS)/gan > $(TB_RUNS)/gan.log
	$(TB_CHECK) --logdir $(TB_RUNS)/gan/logs --history $(TB_RUNS)/gan/history.json --images samples --graph --histograms

$(TB_STAMP):
	$(TB_PYTHON) -m venv $(TB_VENV)
	$(TB_VENV)/bin/pip install --disable-pip-version-check --quiet tensorboard==2.18.0 protobuf==5.29.5 pillow==11.3.0
	touch $@

# Prints the variables a shell needs to build by hand: eval "$$(make -s env)"
env:
	@echo export CGO_CFLAGS='"$(CGO_CFLAGS)"'
	@echo export CGO_LDFLAGS='"$(CGO_LDFLAGS)"'

clean:
	rm -rf bin runs

# The GPU build (#20; not part of `make test`): TensorFlow 2.18.0's CUDA build of the same C
# library and the CUDA 12.5 / cuDNN 9.3 libraries `tensorflow[and-cuda]` pins, fetched once
# into third_party/libtensorflow-gpu/ (2.4 GB of sha256-pinned wheels, 3.8 GB unpacked;
# third_party/libtensorflow-gpu.sh; LIBTENSORFLOW_GPU_WHEELS=DIR keeps the wheels in DIR),
# and bin/tfrun-gpu linked to it. TensorFlow finds the CUDA libraries through its own
# RUNPATH ($ORIGIN/../nvidia/<pkg>/lib): no LD_LIBRARY_PATH. A GPU needs the NVIDIA driver
# (libcuda.so.1, not part of the wheels); without one bin/tfrun-gpu trains on the CPU.
GPU_LIBTENSORFLOW_DIR ?= $(CURDIR)/third_party/libtensorflow-gpu
GPU_BIN := bin/tfrun-gpu
GPU_CGO = CGO_CFLAGS="-I$(GPU_LIBTENSORFLOW_DIR)/include" CGO_LDFLAGS="-L$(GPU_LIBTENSORFLOW_DIR)/lib -ltensorflow_framework -Wl,-rpath,$(GPU_LIBTENSORFLOW_DIR)/lib"
ifeq ($(GPU_LIBTENSORFLOW_DIR),$(CURDIR)/third_party/libtensorflow-gpu)
GPU_STAMP := $(GPU_LIBTENSORFLOW_DIR)/.complete
else
GPU_STAMP :=
endif
GPU_CHECK_DIR := bin/gpu-check

.PHONY: libtensorflow-gpu build-gpu env-gpu gpu-cpu-check gpu-check

libtensorflow-gpu: $(GPU_STAMP)

$(CURDIR)/third_party/libtensorflow-gpu/.complete: third_party/libtensorflow-gpu.sh
	third_party/libtensorflow-gpu.sh

build-gpu: libtensorflow-gpu
	$(GPU_CGO) $(GO) build -o $(GPU_BIN) ./cmd/tfrun

# Like env, for building or testing by hand against the GPU library:
# eval "$$(make -s env-gpu)" && go test ./graphs
env-gpu:
	@echo export CGO_CFLAGS='"-I$(GPU_LIBTENSORFLOW_DIR)/include"'
	@echo export CGO_LDFLAGS='"-L$(GPU_LIBTENSORFLOW_DIR)/lib -ltensorflow_framework -Wl,-rpath,$(GPU_LIBTENSORFLOW_DIR)/lib"'

# The GPU build trains on a CPU as the CPU build does: GPU_CPU_CHECK_CONFIG for 2 epochs on
# 1,000 examples with bin/tfrun and bin/tfrun-gpu (oneDNN off in both), every number of
# history.json and metrics.json but the timings within GPU_CPU_CHECK_TOL·(1+|x|). On a
# machine without a GPU (on one with a GPU the CUDA build runs other kernels).
GPU_CPU_CHECK_CONFIG ?= configs/imdb_lstm.yaml
GPU_CPU_CHECK_TOL ?= 1e-5

gpu-cpu-check: build build-gpu
	third_party/gpu/cpu_check.sh $(BIN) $(GPU_BIN) $(GPU_CPU_CHECK_CONFIG) 2 1000 $(GPU_CPU_CHECK_TOL) $(GPU_CHECK_DIR)/cpu-check

# For a machine with a GPU: TensorFlow's own loader opens each CUDA library it uses
# (third_party/gpu/dso_check.cc: the path each resolves to), then one training step of each
# shipped config with log_device_placement, summed up per device
# (third_party/gpu/gpu_check.sh). GPU_CHECK_CONFIGS narrows the configs.
GPU_CHECK_CONFIGS ?=

gpu-check: build-gpu
	mkdir -p $(GPU_CHECK_DIR)
	$(CXX) -O1 -o $(GPU_CHECK_DIR)/dso-check third_party/gpu/dso_check.cc -ldl
	$(GPU_CHECK_DIR)/dso-check $(GPU_LIBTENSORFLOW_DIR)/lib 2> $(GPU_CHECK_DIR)/dso-check.log
	third_party/gpu/gpu_check.sh $(GPU_BIN) $(GPU_CHECK_DIR)/placements $(GPU_CHECK_CONFIGS)
