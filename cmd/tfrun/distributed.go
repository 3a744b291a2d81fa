package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/tfrun/tfrun"
)

// distributedFlags are the options of a run on a cluster. The cluster comes from TF_CONFIG,
// as for Keras's MultiWorkerMirroredStrategy, or from -cluster and -task, which mirror it:
//
//	TF_CONFIG='{"cluster": {"worker": ["10.0.0.1:2222", "10.0.0.2:2222"]}, "task": {"type": "worker", "index": 0}}' \
//	  tfrun -config configs/imdb_tuned.yaml
//	tfrun -config configs/imdb_tuned.yaml -cluster worker=10.0.0.1:2222,10.0.0.2:2222 -task worker:0
type distributedFlags struct {
	timeout       *time.Duration
	startup       *startupTimeout
	cluster, task *optionalString
}

// startupTimeout is -startup-timeout: a duration of 0 (no limit) or more, checked when
// the flags are parsed (tfrun.ParseStartupTimeout), so a bad value is exit 2 naming
// the flag whether or not a cluster is given.
type startupTimeout struct{ d time.Duration }

func (s *startupTimeout) Set(v string) error {
	d, err := tfrun.ParseStartupTimeout(v)
	if err != nil {
		return errors.Unwrap(err) // the flag package names the flag
	}
	s.d = d
	return nil
}

func (s *startupTimeout) String() string { return s.d.String() }

// prefixed writes each Write (one line) after prefix: tfrun's messages start "tfrun: ".
type prefixed struct {
	w      io.Writer
	prefix string
}

func (p prefixed) Write(b []byte) (int, error) {
	if _, err := io.WriteString(p.w, p.prefix); err != nil {
		return 0, err
	}
	return p.w.Write(b)
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
		timeout: fs.Duration("collective-timeout", tfrun.DefaultCollectiveTimeout,
			"on a cluster: how long an all-reduce waits for the other tasks; a dead task stops the run within about twice it"),
		startup: &startupTimeout{d: tfrun.DefaultStartupTimeout},
		cluster: &optionalString{}, task: &optionalString{},
	}
	fs.Var(d.startup, "startup-timeout", "on a cluster: the longest `duration` a task waits at the start for every other task to serve, then it exits 1\n"+
		"naming the missing ones (0: no limit); who is missing is printed after 5 s, then every 30 s")
	fs.Var(d.cluster, "cluster", "train as one task of this cluster instead of TF_CONFIG's (with -task): each job as `JOB=HOST:PORT,HOST:PORT,...`,\n"+
		"e.g. worker=10.0.0.1:2222,10.0.0.2:2222 or chief=h0:2222,worker=h1:2222,h2:2222")
	fs.Var(d.task, "task", "with -cluster: this process's task, `JOB:INDEX` (e.g. worker:0)")
	return d
}

// apply reads the cluster, from -cluster/-task or TF_CONFIG, into o, with
// -startup-timeout and stderr for the notices of the start: neither, a one-process run;
// malformed, both given, or a bad -collective-timeout: an error naming the flag or the
// key (exit 2).
func (d distributedFlags) apply(o *tfrun.RunOptions, stderr io.Writer) error {
	var c *tfrun.Cluster
	switch flags, env := d.cluster.given || d.task.given, strings.TrimSpace(os.Getenv(tfrun.EnvTFConfig)) != ""; {
	case flags && env:
		return errors.New("-cluster/-task: TF_CONFIG is set too; give the cluster one way (unset TF_CONFIG, or drop -cluster and -task)")
	case flags:
		var err error
		if c, err = tfrun.ClusterFromFlags(d.cluster.value, d.task.value); err != nil {
			return err
		}
	default:
		var ok bool
		var err error
		if c, ok, err = tfrun.ClusterFromTFConfig(); err != nil || !ok {
			return err
		}
	}
	if *d.timeout <= 0 {
		return fmt.Errorf("-collective-timeout: %v: want a positive duration (e.g. 60s)", *d.timeout)
	}
	c.StartupTimeout, c.Notices = d.startup.d, prefixed{stderr, "tfrun: "}
	o.Cluster, o.CollectiveTimeout = c, *d.timeout
	return nil
}
