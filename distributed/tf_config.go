package distributed

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// EnvTFConfig is the environment variable Keras (and every TensorFlow distribution strategy)
// reads the cluster from.
const EnvTFConfig = "TF_CONFIG"

// The jobs tfrun supports: MultiWorkerMirroredStrategy's. Every task of both is a replica.
const (
	JobChief  = "chief"
	JobWorker = "worker"
)

// unsupportedJobs are TensorFlow's other job names, refused by name.
var unsupportedJobs = map[string]string{
	"ps":        "parameter servers (ParameterServerStrategy) are not supported",
	"evaluator": "a side-car evaluator is not supported",
}

// Task names one task of a cluster: a job and an index in it.
type Task struct {
	Job   string
	Index int
}

// String is the task's device-filter prefix, "/job:worker/task:1".
func (t Task) String() string { return fmt.Sprintf("/job:%s/task:%d", t.Job, t.Index) }

// Device is the task's full device prefix, "/job:worker/replica:0/task:1", the spelling
// of ConfigProto.experimental.collective_group_leader.
func (t Task) Device() string { return fmt.Sprintf("/job:%s/replica:0/task:%d", t.Job, t.Index) }

// CPU is the task's first CPU device, "/job:worker/replica:0/task:1/device:CPU:0", where
// its collective ops run.
func (t Task) CPU() string { return t.Device() + "/device:CPU:0" }

// Cluster is one process's view of a MultiWorkerMirroredStrategy cluster: the jobs (an
// optional single chief and workers, each a list of "host:port" indexed by task), the task
// this process runs, and how long it waits for the others at the start. Build it with
// [ParseTFConfig], [FromEnv] or [NewCluster], which validate it; the methods assume a valid
// Cluster.
type Cluster struct {
	Jobs map[string][]string
	Task Task
	// StartupTimeout bounds WaitForPeers, the start barrier: 0 waits until its context
	// ends. The constructors set DefaultStartupTimeout.
	StartupTimeout time.Duration
	// Notices, when set, receives WaitForPeers' lines naming the tasks it still waits for
	// (tfrun: its standard error).
	Notices io.Writer
}

// NewCluster validates jobs and task and returns the Cluster. Errors wrap [ErrBadConfig].
func NewCluster(jobs map[string][]string, task Task) (*Cluster, error) {
	c := &Cluster{Jobs: map[string][]string{}, Task: task, StartupTimeout: DefaultStartupTimeout}
	for job, addrs := range jobs {
		c.Jobs[job] = slices.Clone(addrs)
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// FromEnv reads TF_CONFIG. ok is false (and err nil) when it is unset or empty: a
// one-process run.
func FromEnv() (c *Cluster, ok bool, err error) {
	raw := strings.TrimSpace(os.Getenv(EnvTFConfig))
	if raw == "" {
		return nil, false, nil
	}
	c, err = ParseTFConfig([]byte(raw))
	if err != nil {
		return nil, false, err
	}
	return c, true, nil
}

// tfConfigKeys are the top-level keys TF_CONFIG may hold. environment ("cloud", set by
// some launchers) is accepted and ignored; rpc_layer must be grpc.
var tfConfigKeys = []string{"cluster", "task", "environment", "rpc_layer"}

// taskKeys are the keys of TF_CONFIG's task. trial (a tuner's) is accepted and ignored.
var taskKeys = []string{"type", "index", "trial"}

// ParseTFConfig parses Keras's TF_CONFIG, e.g.
//
//	{"cluster": {"chief": ["h0:2222"], "worker": ["h1:2222", "h2:2222"]},
//	 "task": {"type": "worker", "index": 0}}
//
// An unknown key or job, a task outside the cluster, an address that is not host:port, an
// address listed twice, or a ps or evaluator job is an error naming the key; every error
// wraps [ErrBadConfig].
func ParseTFConfig(data []byte) (*Cluster, error) {
	var top map[string]json.RawMessage
	if err := decodeJSON(data, &top); err != nil {
		return nil, badConfig("", "not a JSON object: %v", err)
	}
	if top == nil {
		return nil, badConfig("", "not a JSON object (null)")
	}
	for key := range top {
		if !slices.Contains(tfConfigKeys, key) {
			return nil, badConfig("", "unknown key %q (valid: %s)", key, strings.Join(tfConfigKeys, ", "))
		}
	}
	if raw, ok := top["rpc_layer"]; ok {
		var layer string
		if err := decodeJSON(raw, &layer); err != nil || (layer != "grpc" && layer != "") {
			return nil, badConfig("rpc_layer", "%s unsupported (valid: grpc)", raw)
		}
	}
	jobs, err := parseClusterJSON(top["cluster"])
	if err != nil {
		return nil, err
	}
	task, err := parseTaskJSON(top["task"])
	if err != nil {
		return nil, err
	}
	return NewCluster(jobs, task)
}

// parseClusterJSON reads TF_CONFIG's cluster: job name → list of addresses.
func parseClusterJSON(raw json.RawMessage) (map[string][]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, badConfig("cluster", `missing (want e.g. {"worker": ["host1:2222", "host2:2222"]})`)
	}
	var jobsRaw map[string]json.RawMessage
	if err := decodeJSON(raw, &jobsRaw); err != nil {
		return nil, badConfig("cluster", "want an object mapping job names to lists of host:port: %v", err)
	}
	jobs := map[string][]string{}
	for job, r := range jobsRaw {
		var addrs []string
		if err := decodeJSON(r, &addrs); err != nil {
			return nil, badConfig("cluster."+job, `want a list of "host:port" strings, got %s`, r)
		}
		jobs[job] = addrs
	}
	return jobs, nil
}

// parseTaskJSON reads TF_CONFIG's task: {"type": "worker", "index": 0}.
func parseTaskJSON(raw json.RawMessage) (Task, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return Task{}, badConfig("task", `missing (want e.g. {"type": "worker", "index": 0})`)
	}
	var fields map[string]json.RawMessage
	if err := decodeJSON(raw, &fields); err != nil {
		return Task{}, badConfig("task", `want an object such as {"type": "worker", "index": 0}: %v`, err)
	}
	for key := range fields {
		if !slices.Contains(taskKeys, key) {
			return Task{}, badConfig("task", "unknown key %q (valid: %s)", key, strings.Join(taskKeys, ", "))
		}
	}
	var t Task
	if r, ok := fields["type"]; !ok {
		return Task{}, badConfig("task.type", "missing (valid: %s, %s)", JobChief, JobWorker)
	} else if err := decodeJSON(r, &t.Job); err != nil {
		return Task{}, badConfig("task.type", "want a string, got %s", r)
	}
	r, ok := fields["index"]
	if !ok {
		return Task{}, badConfig("task.index", "missing")
	}
	var v any
	if err := decodeJSON(r, &v); err != nil {
		return Task{}, badConfig("task.index", "want an integer, got %s", r)
	}
	n, isNumber := v.(json.Number) // a quoted "1" decodes as a string: refused
	i, err := strconv.Atoi(n.String())
	if !isNumber || err != nil {
		return Task{}, badConfig("task.index", "want an integer, got %s", r)
	}
	t.Index = i
	return t, nil
}

// decodeJSON decodes data into v, numbers as json.Number, rejecting trailing data.
func decodeJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data after the JSON value")
	}
	return nil
}

// validate checks the jobs (names, sizes, addresses, duplicates) and the task.
func (c *Cluster) validate() error {
	names := make([]string, 0, len(c.Jobs))
	for job := range c.Jobs {
		names = append(names, job)
	}
	slices.Sort(names) // deterministic errors
	for _, job := range names {
		if why, ok := unsupportedJobs[job]; ok {
			return badConfig("cluster."+job, "unsupported job %q: %s (tfrun runs MultiWorkerMirroredStrategy's jobs: %s, %s)", job, why, JobChief, JobWorker)
		}
		if job != JobChief && job != JobWorker {
			return badConfig("cluster."+job, "unknown job %q (valid: %s, %s)", job, JobChief, JobWorker)
		}
		if len(c.Jobs[job]) == 0 {
			return badConfig("cluster."+job, "empty: list at least one host:port, or leave the job out")
		}
	}
	if n := len(c.Jobs[JobChief]); n > 1 {
		return badConfig("cluster.chief", "%d chiefs; a cluster has at most one", n)
	}
	if len(c.Jobs[JobChief])+len(c.Jobs[JobWorker]) == 0 {
		return badConfig("cluster", "no %s and no %s job", JobChief, JobWorker)
	}
	seen := map[string]string{}
	for _, t := range c.Tasks() {
		addr := c.Jobs[t.Job][t.Index]
		key := fmt.Sprintf("cluster.%s[%d]", t.Job, t.Index)
		if err := checkHostPort(addr); err != nil {
			return badConfig(key, "%q: %v", addr, err)
		}
		if other, dup := seen[addr]; dup {
			return badConfig(key, "%q is also %s: every task needs its own address", addr, other)
		}
		seen[addr] = key
	}
	switch {
	case c.Task.Job == "":
		return badConfig("task.type", "missing (valid: %s, %s)", JobChief, JobWorker)
	case unsupportedJobs[c.Task.Job] != "":
		return badConfig("task.type", "unsupported %q: %s", c.Task.Job, unsupportedJobs[c.Task.Job])
	case c.Task.Job != JobChief && c.Task.Job != JobWorker:
		return badConfig("task.type", "unknown %q (valid: %s, %s)", c.Task.Job, JobChief, JobWorker)
	}
	n := len(c.Jobs[c.Task.Job])
	if n == 0 {
		return badConfig("task.type", "%q, but the cluster has no %s job", c.Task.Job, c.Task.Job)
	}
	if c.Task.Index < 0 || c.Task.Index >= n {
		return badConfig("task.index", "%d out of range: cluster.%s has %d task(s), 0..%d", c.Task.Index, c.Task.Job, n, n-1)
	}
	return nil
}

// checkHostPort accepts "host:port" with a non-empty host and a port in 1..65535.
func checkHostPort(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("not host:port (%v)", err)
	}
	if host == "" {
		return fmt.Errorf("not host:port (empty host)")
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 1 || p > 65535 {
		return fmt.Errorf("not host:port (port %q: want 1..65535)", port)
	}
	return nil
}

// badConfig returns an [*Error] wrapping ErrBadConfig at the TF_CONFIG key path key.
func badConfig(key, format string, args ...any) error {
	where := EnvTFConfig
	if key != "" {
		where += ": " + key
	}
	return &Error{Where: where, Err: &kindError{kind: ErrBadConfig, msg: fmt.Sprintf(format, args...)}}
}

// Tasks lists every task in replica order: the chief (if any), then the workers.
func (c *Cluster) Tasks() []Task {
	var ts []Task
	for _, job := range []string{JobChief, JobWorker} {
		for i := range c.Jobs[job] {
			ts = append(ts, Task{Job: job, Index: i})
		}
	}
	return ts
}

// Address is this task's "host:port".
func (c *Cluster) Address() string { return c.Jobs[c.Task.Job][c.Task.Index] }

// Leader is the collective group leader: the chief if there is one, else worker 0, as
// MultiWorkerMirroredStrategy (multi_worker_util.collective_leader) chooses.
func (c *Cluster) Leader() Task {
	if len(c.Jobs[JobChief]) > 0 {
		return Task{Job: JobChief}
	}
	return Task{Job: JobWorker}
}

// NumReplicas is the size of the collective group: the chief and every worker.
func (c *Cluster) NumReplicas() int { return len(c.Jobs[JobChief]) + len(c.Jobs[JobWorker]) }

// ReplicaIndex is this task's place in [Cluster.Tasks]: the chief is 0, worker i is i+1
// with a chief and i without (multi_worker_util.id_in_cluster). It picks the task's slice
// of each global batch.
func (c *Cluster) ReplicaIndex() int {
	if c.Task.Job == JobChief {
		return 0
	}
	return len(c.Jobs[JobChief]) + c.Task.Index
}

// IsChief reports whether this task writes the run's files: the chief, or worker 0 in a
// cluster without one (multi_worker_util.is_chief).
func (c *Cluster) IsChief() bool { return c.Task == c.Leader() }

// ForTask returns the same cluster seen from another of its tasks, with the same
// StartupTimeout and Notices.
func (c *Cluster) ForTask(t Task) (*Cluster, error) {
	o, err := NewCluster(c.Jobs, t)
	if err != nil {
		return nil, err
	}
	o.StartupTimeout, o.Notices = c.StartupTimeout, c.Notices
	return o, nil
}

// TFConfig renders the cluster as the TF_CONFIG JSON that [ParseTFConfig] reads back, for
// starting another process of the cluster.
func (c *Cluster) TFConfig() string {
	out, _ := json.Marshal(map[string]any{ // cannot fail: strings and ints
		"cluster": c.Jobs,
		"task":    map[string]any{"type": c.Task.Job, "index": c.Task.Index},
	})
	return string(out)
}
