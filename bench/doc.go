// Package bench is tfrun's benchmark against Keras: the models it times, the result each
// side reports (bench/cmd/tfrun-bench for tfrun, bench/keras/*.py for Keras 3 on the same
// TensorFlow 2.18.0), and the summary `make bench` prints and writes to bench/results.md.
// It needs no TensorFlow: the two sides run as separate processes (bench/cmd/compare).
package bench
