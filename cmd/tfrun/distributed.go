package main

import (
	"flag"
	"time"

	"github.com/tfrun/tfrun/distributed"
	"github.com/tfrun/tfrun/runner"
)

// distributedFlags are the options of a run on a cluster. The cluster itself comes from
// TF_CONFIG, as for Keras's MultiWorkerMirroredStrategy:
//
//	TF_CONFIG='{"cluster": {"worker": ["10.0.0.1:2222", "10.0.0.2:2222"]}, "task": {"type": "worker", "index": 0}}' \
//	  tfrun -config configs/imdb_tuned.yaml
type distributedFlags struct {
	timeout *time.Duration
}

// addDistributedFlags registers the cluster run's flags on fs.
func addDistributedFlags(fs *flag.FlagSet) distributedFlags {
	return distributedFlags{
		timeout: fs.Duration("collective-timeout", distributed.DefaultTimeout,
			"with TF_CONFIG: how long an all-reduce waits for the other tasks; a dead task stops the run within about twice it"),
	}
}

// apply reads TF_CONFIG into o: unset, a one-process run; malformed, an error wrapping
// distributed.ErrBadConfig (exit 2).
func (d distributedFlags) apply(o *runner.Options) error {
	c, ok, err := distributed.FromEnv()
	if err != nil || !ok {
		return err
	}
	if *d.timeout <= 0 {
		return &distributed.Error{Where: "-collective-timeout", Err: distributed.ErrBadConfig}
	}
	o.Cluster, o.CollectiveTimeout = c, *d.timeout
	return nil
}
