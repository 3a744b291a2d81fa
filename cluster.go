package tfrun

import (
	"time"

	"github.com/tfrun/tfrun/distributed"
)

// Cluster is the cluster a run trains on as one task, as Keras's
// MultiWorkerMirroredStrategy: its jobs (an optional chief and workers, each a list of
// "host:port"), the task this process runs, how long it waits at the start for the other
// tasks (StartupTimeout) and where it says whom it waits for (Notices). Build it with
// ClusterFromTFConfig or ClusterFromFlags, which validate it, and give it to Run in
// RunOptions.Cluster. docs/guide/distributed.md is the guide.
type Cluster = distributed.Cluster

// EnvTFConfig is the environment variable Keras's TF_CONFIG is read from.
const EnvTFConfig = distributed.EnvTFConfig

// DefaultCollectiveTimeout is how long a cluster run's all-reduce waits for the other
// tasks when RunOptions.CollectiveTimeout is 0 (tfrun's -collective-timeout default).
const DefaultCollectiveTimeout = distributed.DefaultTimeout

// DefaultStartupTimeout is how long a task waits at the start for every other task to
// serve (Cluster.StartupTimeout; tfrun's -startup-timeout default).
const DefaultStartupTimeout = distributed.DefaultStartupTimeout

// ClusterFromTFConfig reads the cluster of the TF_CONFIG environment variable, as Keras
// does:
//
//	{"cluster": {"worker": ["10.0.0.1:2222", "10.0.0.2:2222"]}, "task": {"type": "worker", "index": 0}}
//
// ok is false (and err nil) when TF_CONFIG is unset or empty: a one-process run. A
// malformed TF_CONFIG is an error naming the key, for which IsUserError is true.
func ClusterFromTFConfig() (c *Cluster, ok bool, err error) { return distributed.FromEnv() }

// ClusterFromFlags builds the cluster that tfrun's -cluster and -task flags describe,
// mirroring TF_CONFIG: cluster lists each job as JOB=HOST:PORT followed by the job's
// further addresses ("chief=h0:2222,worker=h1:2222,h2:2222"), task is JOB:INDEX
// ("worker:0"). Both are needed; an error names the flag at fault and IsUserError is true
// for it.
func ClusterFromFlags(cluster, task string) (*Cluster, error) {
	return distributed.ClusterFromFlags(cluster, task)
}

// ParseStartupTimeout reads tfrun's -startup-timeout: a Go duration ("30s", "10m") of 0
// (no limit) or more, for Cluster.StartupTimeout. Another value is an error naming the
// flag.
func ParseStartupTimeout(v string) (time.Duration, error) { return distributed.ParseStartupTimeout(v) }
