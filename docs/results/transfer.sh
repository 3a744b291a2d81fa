#!/usr/bin/env bash
# transfer.sh: Keras's transfer-learning recipe on CIFAR-10, end to end, in tfrun and in
# Keras (docs/results/fine_tuning.md, "A Keras model fine-tuned on another task"):
#   1. Keras trains a small CNN on CIFAR-10's classes 0-4 and saves runs/transfer/cifar_base.keras;
#   2. tfrun import reads it into runs/transfer/base;
#   3. tfrun trains a new head on classes 5-9 (500 images a class) with the base frozen
#      (configs/examples/transfer_phase1.yaml);
#   4. then everything at a low learning rate (transfer_phase2.yaml);
#   5. Keras runs the same two phases from the same .keras file on the same images, and
#      both train the same model from scratch on the slice (transfer_scratch.yaml) as the
#      baseline.
# The logs go to docs/results/transfer_*.log. From the repository root, after `make build`
# (and `make bench-env` for Keras); ../shared/data holds cifar-10-binary.tar.gz.
#   docs/results/transfer.sh
set -euo pipefail
py=bench/.venv/bin/python
export TF_CPP_MIN_LOG_LEVEL=2 TF_ENABLE_ONEDNN_OPTS=0
log=docs/results
rm -rf runs/transfer runs/transfer_phase1 runs/transfer_phase2 runs/transfer_scratch
nice -n 5 $py docs/results/transfer_keras.py data
nice -n 5 $py docs/results/transfer_keras.py pretrain 2>&1 | tee $log/transfer_keras_pretrain.log
bin/tfrun import runs/transfer/cifar_base.keras -out runs/transfer/base 2>&1 | tee $log/transfer_tfrun.log
for phase in phase1 phase2 scratch; do
	nice -n 5 bin/tfrun -config configs/examples/transfer_$phase.yaml -verbose 2 2>&1 | grep -v '^I0000\|absl' | tee -a $log/transfer_tfrun.log
done
nice -n 5 $py docs/results/transfer_keras.py transfer 2>&1 | tee $log/transfer_keras.log
