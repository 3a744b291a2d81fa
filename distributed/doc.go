// Package distributed runs tfrun on TensorFlow's own distributed runtime, the engine under
// Keras's MultiWorkerMirroredStrategy: it reads a cluster from Keras's TF_CONFIG, starts the
// in-process gRPC server of one task (TF_NewServer, which graft does not wrap), gives the
// session config MultiWorkerMirroredStrategy gives (collective group leader, device filters),
// and emits the collective all-reduce that averages tensors (gradients, metrics) across the
// group.
//
// One process is one task and one replica; every process builds the same graph, so the
// collective ops' group and instance keys agree without any exchange. This package holds the
// pieces; the training loop decides where to use them.
package distributed
