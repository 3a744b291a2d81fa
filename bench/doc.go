// Package bench is tfrun's benchmark against Keras: the models it times, the result each
// side reports (bench/cmd/tfrun-bench for tfrun, bench/keras/*.py for Keras 3 on the same
// TensorFlow 2.18.0), the machine's measured peak (bench/cmd/peak) that each side's
// achieved FLOP/s is a share of, and the summary `make bench` prints and writes to
// bench/results.md. It needs no TensorFlow: the two sides and the peak measurement run as
// separate processes (bench/cmd/compare).
package bench
