package runner

import (
	"fmt"

	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/distributed"
)

// A run with Options.Cluster is one replica of a synchronous data-parallel cluster, as
// Keras's MultiWorkerMirroredStrategy trains: every replica runs this same loop over the
// same epoch order and the same global batches (the model takes its slice of each and
// all-reduces gradients and metrics), so every replica sees the same logs and its callbacks
// take the same decisions (EarlyStopping, ReduceLROnPlateau).
//
// Only the chief writes the run directory: checkpoints, history, curves, the callbacks'
// files. Another replica's checkpoint saves are no-ops, its callbacks write into a scratch
// directory removed at the end (Keras's "workertemp" directories), and it does not lock the
// run directory, which the chief holds. On -resume every replica restores the chief's
// latest checkpoint: the run directory must be the same path on a filesystem every task
// sees (shared storage on many machines).

// checkDistributed refuses a cluster run of a model that cannot train as a replica.
func checkDistributed(o Options, s Schedule) error {
	if o.Cluster == nil || s.Distributed {
		return nil
	}
	return &distributed.Error{Where: distributed.EnvTFConfig, Err: fmt.Errorf(
		"%w: this kind of run cannot train on a cluster (classifiers and GANs can): run it in one process, without TF_CONFIG or -cluster",
		distributed.ErrBadConfig)}
}

// isWorker reports whether the run is a replica other than the chief: it writes nothing.
func isWorker(o Options) bool { return o.Cluster != nil && !o.Cluster.IsChief() }

// prepareWorker is checkpoints.Prepare for a replica that is not the chief: the same
// -resume policy on the chief's checkpoints, read only, without the lock the chief holds.
func prepareWorker(o checkpoints.Options, p checkpoints.Policy) (*checkpoints.Info, func(), error) {
	unlock := func() {}
	latest, err := checkpoints.Latest(o.Dir)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case !p.Resume && !p.ResumeOrStart && latest != "":
		return nil, nil, fmt.Errorf("%w: %s has %s; add -resume to continue from the latest, or choose another -out (or delete it) to start over",
			checkpoints.ErrCheckpointsExist, o.Dir, checkpoints.Describe(o.Dir))
	case latest == "" && p.Resume:
		return nil, nil, fmt.Errorf("%w in %s (the chief's; use -resume-or-start to start fresh when there is none)", checkpoints.ErrNoCheckpoint, o.Dir)
	case latest == "" || (!p.Resume && !p.ResumeOrStart):
		return nil, unlock, nil
	}
	sc, err := checkpoints.Inspect(latest)
	if err != nil {
		return nil, nil, err
	}
	if err := checkpoints.CheckFingerprint(latest, sc, o); err != nil {
		return nil, nil, err
	}
	return &checkpoints.Info{Prefix: latest, Sidecar: sc}, unlock, nil
}

// writeDir is where the run's callbacks write: the run directory, or a replica's scratch
// directory.
func (t *trainer) writeDir() string {
	if t.scratch != "" {
		return t.scratch
	}
	return t.run.Options.OutDir
}
