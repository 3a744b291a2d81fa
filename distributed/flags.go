package distributed

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// The command-line spelling of a cluster, mirroring TF_CONFIG's cluster and task:
//
//	-cluster worker=10.0.0.1:2222,10.0.0.2:2222 -task worker:0
//	-cluster chief=10.0.0.1:2222,worker=10.0.0.2:2222,10.0.0.3:2222 -task worker:1
//
// -cluster lists each job as JOB=HOST:PORT followed by the job's further addresses, comma
// separated (an item with "=" starts the next job); -task is JOB:INDEX.
const (
	FlagCluster = "-cluster"
	FlagTask    = "-task"
)

// FlagStartupTimeout is the flag of Cluster.StartupTimeout: how long a task waits at the
// start for every other task to serve, a Go duration ("30s", "10m"), 0 for no limit.
const FlagStartupTimeout = "-startup-timeout"

// ParseStartupTimeout reads a -startup-timeout value: a Go duration of 0 (no limit) or
// more. A negative value or one that is not a duration is an error naming the flag,
// wrapping [ErrBadConfig].
func ParseStartupTimeout(v string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(v))
	switch {
	case err != nil:
		return 0, flagError(FlagStartupTimeout, "%q is not a duration (want e.g. 30s or 10m; 0 waits without limit)", v)
	case d < 0:
		return 0, flagError(FlagStartupTimeout, "%v is negative (want e.g. 30s or 10m; 0 waits without limit)", d)
	}
	return d, nil
}

// ClusterFromFlags builds the cluster of the -cluster and -task flags (see FlagCluster).
// Both are needed; every error names the flag and wraps [ErrBadConfig], with the same
// checks as TF_CONFIG's.
func ClusterFromFlags(cluster, task string) (*Cluster, error) {
	if cluster == "" {
		return nil, flagError(FlagCluster, "missing: %s needs %s (e.g. -cluster worker=host1:2222,host2:2222)", FlagTask, FlagCluster)
	}
	if task == "" {
		return nil, flagError(FlagTask, "missing: %s needs %s (e.g. -task worker:0)", FlagCluster, FlagTask)
	}
	jobs, err := parseClusterFlag(cluster)
	if err != nil {
		return nil, err
	}
	t, err := parseTaskFlag(task)
	if err != nil {
		return nil, err
	}
	c, err := NewCluster(jobs, t)
	if err != nil {
		return nil, asFlagError(err)
	}
	return c, nil
}

// parseClusterFlag reads "chief=h0:1,worker=h1:1,h2:1" into jobs.
func parseClusterFlag(v string) (map[string][]string, error) {
	jobs := map[string][]string{}
	job := ""
	for _, item := range strings.Split(v, ",") {
		item = strings.TrimSpace(item)
		if name, addr, ok := strings.Cut(item, "="); ok {
			if name == "" {
				return nil, flagError(FlagCluster, "%q: no job name before \"=\" (want JOB=HOST:PORT,...)", item)
			}
			if _, dup := jobs[name]; dup {
				return nil, flagError(FlagCluster, "job %q listed twice: give each job once, its addresses comma separated", name)
			}
			job = name
			jobs[job] = nil
			item = addr
		}
		if job == "" {
			return nil, flagError(FlagCluster, "%q: no job (want JOB=HOST:PORT,..., e.g. worker=%s)", item, item)
		}
		if item == "" {
			if len(jobs[job]) == 0 {
				return nil, flagError(FlagCluster, "job %q has no address (want %s=HOST:PORT,...)", job, job)
			}
			return nil, flagError(FlagCluster, "an empty address in job %q", job)
		}
		jobs[job] = append(jobs[job], item)
	}
	return jobs, nil
}

// parseTaskFlag reads "worker:1".
func parseTaskFlag(v string) (Task, error) {
	i := strings.LastIndex(v, ":")
	if i < 0 {
		return Task{}, flagError(FlagTask, "%q: want JOB:INDEX (e.g. worker:0)", v)
	}
	n, err := strconv.Atoi(v[i+1:])
	if err != nil {
		return Task{}, flagError(FlagTask, "%q: index %q is not an integer (want JOB:INDEX, e.g. worker:0)", v, v[i+1:])
	}
	return Task{Job: v[:i], Index: n}, nil
}

// flagError is an [*Error] at a flag, wrapping ErrBadConfig.
func flagError(flag, format string, args ...any) error { return BadConfigError(flag, format, args...) }

// asFlagError turns an error of NewCluster, which names TF_CONFIG's keys ("TF_CONFIG:
// cluster.worker[1]", "TF_CONFIG: task.index"), into one naming the flag that set them.
func asFlagError(err error) error {
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	key := strings.TrimPrefix(strings.TrimPrefix(e.Where, EnvTFConfig), ": ")
	flag := FlagCluster
	if strings.HasPrefix(key, "task") {
		flag = FlagTask
	}
	where := flag
	if rest := strings.TrimPrefix(strings.TrimPrefix(key, "cluster"), "task"); rest != "" {
		where += " " + strings.TrimPrefix(rest, ".")
	}
	return &Error{Where: where, Err: e.Err}
}
