package main

import (
	"flag"
	"os"
	"strings"
	"time"

	"github.com/tfrun/tfrun/distributed"
	"github.com/tfrun/tfrun/runner"
)

// distributedFlags are the options of a run on a cluster. The cluster comes from TF_CONFIG,
// as for Keras's MultiWorkerMirroredStrategy, or from -cluster and -task, which mirror it:
//
//	TF_CONFIG='{"cluster": {"worker": ["10.0.0.1:2222", "10.0.0.2:2222"]}, "task": {"type": "worker", "index": 0}}' \
//	  tfrun -config configs/imdb_tuned.yaml
//	tfrun -config configs/imdb_tuned.yaml -cluster worker=10.0.0.1:2222,10.0.0.2:2222 -task worker:0
type distributedFlags struct {
	timeout       *time.Duration
	cluster, task *optionalString
}

// optionalString is a string flag that knows whether it was given.
type optionalString struct {
	value string
	given bool
}

func (o *optionalString) Set(v string) error { o.value, o.given = v, true; return nil }
func (o *optionalString) String() string     { return o.value }

// addDistributedFlags registers the cluster run's flags on fs.
func addDistributedFlags(fs *flag.FlagSet) distributedFlags {
	d := distributedFlags{
		timeout: fs.Duration("collective-timeout", distributed.DefaultTimeout,
			"on a cluster: how long an all-reduce waits for the other tasks; a dead task stops the run within about twice it"),
		cluster: &optionalString{}, task: &optionalString{},
	}
	fs.Var(d.cluster, "cluster", "train as one task of this cluster instead of TF_CONFIG's (with -task): each job as `JOB=HOST:PORT,HOST:PORT,...`,\n"+
		"e.g. worker=10.0.0.1:2222,10.0.0.2:2222 or chief=h0:2222,worker=h1:2222,h2:2222")
	fs.Var(d.task, "task", "with -cluster: this process's task, `JOB:INDEX` (e.g. worker:0)")
	return d
}

// apply reads the cluster, from -cluster/-task or TF_CONFIG, into o: neither, a
// one-process run; malformed, both given, or a bad -collective-timeout: an error wrapping
// distributed.ErrBadConfig (exit 2).
func (d distributedFlags) apply(o *runner.Options) error {
	var c *distributed.Cluster
	switch flags, env := d.cluster.given || d.task.given, strings.TrimSpace(os.Getenv(distributed.EnvTFConfig)) != ""; {
	case flags && env:
		return distributed.BadConfigError("-cluster/-task", "TF_CONFIG is set too; give the cluster one way (unset TF_CONFIG, or drop -cluster and -task)")
	case flags:
		var err error
		if c, err = distributed.ClusterFromFlags(d.cluster.value, d.task.value); err != nil {
			return err
		}
	default:
		var ok bool
		var err error
		if c, ok, err = distributed.FromEnv(); err != nil || !ok {
			return err
		}
	}
	if *d.timeout <= 0 {
		return distributed.BadConfigError("-collective-timeout", "%v: want a positive duration (e.g. 60s)", *d.timeout)
	}
	o.Cluster, o.CollectiveTimeout = c, *d.timeout
	return nil
}
