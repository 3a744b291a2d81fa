// Package tensorboard writes TensorFlow event files, the logs read by
// TensorBoard, and reads them back.
//
// An event file is a sequence of TFRecords (see WriteRecord), each holding
// one serialized tensorflow.Event protocol buffer. The first event names the
// file format ("brain.Event:2"); the others carry summaries (scalars,
// histograms, images) or a graph, each stamped with a wall time and a
// training step. TensorBoard treats every file whose name contains
// "tfevents" as an event file, reads the files of a directory (a "run") in
// name order, and shows one run per directory.
//
// A Writer creates one event file and appends to it. Trim rewrites the files
// of a run so that a training run resumed from a checkpoint does not show the
// steps logged after that checkpoint twice. ReadFile and Files read the files
// back, for tests and tools.
//
// The package is pure Go: it uses graft's generated protocol buffer types and
// needs neither cgo nor libtensorflow.
package tensorboard
