// Package runner is tfrun's training loop, Keras's Model.fit for every kind of run: epochs
// and steps (with the position inside an epoch), the -resume policy and its checks, Ctrl-C
// and SIGTERM, the progress bar, the history, the callbacks (EarlyStopping,
// ReduceLROnPlateau, ModelCheckpoint, CSVLogger, TerminateOnNaN, TensorBoard) and when to
// checkpoint. A kind of model (package classifier, package gan) supplies only what
// differs: its train step, its end-of-epoch evaluation and its report files (Model). It
// registers how it runs and how it is benchmarked (RegisterKind, kind.go), and tfrun looks
// a config's task up (LookupKind).
//
// A run goes: Begin (run directory, checkpoint lock, the checkpoint to resume and its
// checks), then the caller loads its data and builds its model with Run.Seed, then Fit.
package runner
