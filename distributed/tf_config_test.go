package distributed

import (
	"errors"
	"strings"
	"testing"
)

func TestParseTFConfig(t *testing.T) {
	tests := []struct {
		name, json string
		task       Task
		leader     Task
		replicas   int
		replica    int
		chief      bool
	}{
		{"two workers, worker 0", `{"cluster": {"worker": ["10.0.0.1:2222", "10.0.0.2:2222"]}, "task": {"type": "worker", "index": 0}}`,
			Task{JobWorker, 0}, Task{JobWorker, 0}, 2, 0, true},
		{"two workers, worker 1", `{"cluster": {"worker": ["10.0.0.1:2222", "10.0.0.2:2222"]}, "task": {"type": "worker", "index": 1}}`,
			Task{JobWorker, 1}, Task{JobWorker, 0}, 2, 1, false},
		{"chief", `{"cluster": {"chief": ["h0:1"], "worker": ["h1:1", "h2:1"]}, "task": {"type": "chief", "index": 0}}`,
			Task{JobChief, 0}, Task{JobChief, 0}, 3, 0, true},
		{"worker 0 under a chief", `{"cluster": {"chief": ["h0:1"], "worker": ["h1:1", "h2:1"]}, "task": {"type": "worker", "index": 0}}`,
			Task{JobWorker, 0}, Task{JobChief, 0}, 3, 1, false},
		{"worker 1 under a chief", `{"cluster": {"chief": ["h0:1"], "worker": ["h1:1", "h2:1"]}, "task": {"type": "worker", "index": 1}}`,
			Task{JobWorker, 1}, Task{JobChief, 0}, 3, 2, false},
		{"chief alone", `{"cluster": {"chief": ["localhost:2222"]}, "task": {"type": "chief", "index": 0}}`,
			Task{JobChief, 0}, Task{JobChief, 0}, 1, 0, true},
		{"launcher extras", `{"cluster": {"worker": ["[::1]:2222"]}, "task": {"type": "worker", "index": 0, "trial": "1"}, "environment": "cloud", "rpc_layer": "grpc"}`,
			Task{JobWorker, 0}, Task{JobWorker, 0}, 1, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseTFConfig([]byte(tt.json))
			if err != nil {
				t.Fatalf("ParseTFConfig: %v", err)
			}
			if c.Task != tt.task {
				t.Errorf("Task = %v, want %v", c.Task, tt.task)
			}
			if got := c.Leader(); got != tt.leader {
				t.Errorf("Leader() = %v, want %v", got, tt.leader)
			}
			if got := c.NumReplicas(); got != tt.replicas {
				t.Errorf("NumReplicas() = %d, want %d", got, tt.replicas)
			}
			if got := c.ReplicaIndex(); got != tt.replica {
				t.Errorf("ReplicaIndex() = %d, want %d", got, tt.replica)
			}
			if got := c.IsChief(); got != tt.chief {
				t.Errorf("IsChief() = %v, want %v", got, tt.chief)
			}
			// TFConfig renders what ParseTFConfig reads back.
			back, err := ParseTFConfig([]byte(c.TFConfig()))
			if err != nil {
				t.Fatalf("re-parsing %s: %v", c.TFConfig(), err)
			}
			if back.Task != c.Task || back.TFConfig() != c.TFConfig() {
				t.Errorf("round trip: %s, want %s", back.TFConfig(), c.TFConfig())
			}
		})
	}
}

func TestParseTFConfigErrors(t *testing.T) {
	const two = `"cluster": {"worker": ["h1:2222", "h2:2222"]}`
	tests := []struct{ name, json, want string }{
		{"not JSON", `{"cluster": `, "TF_CONFIG: not a JSON object"},
		{"not an object", `["h1:2222"]`, "TF_CONFIG: not a JSON object"},
		{"null", `null`, "TF_CONFIG: not a JSON object (null)"},
		{"trailing data", `{"cluster": {"worker": ["h:1"]}, "task": {"type": "worker", "index": 0}} x`, "trailing data"},
		{"unknown key", `{` + two + `, "task": {"type": "worker", "index": 0}, "tasks": 1}`, `TF_CONFIG: unknown key "tasks" (valid: cluster, task, environment, rpc_layer)`},
		{"rpc layer", `{` + two + `, "task": {"type": "worker", "index": 0}, "rpc_layer": "grpc+loas"}`, `TF_CONFIG: rpc_layer: "grpc+loas" unsupported (valid: grpc)`},
		{"no cluster", `{"task": {"type": "worker", "index": 0}}`, "TF_CONFIG: cluster: missing"},
		{"cluster not an object", `{"cluster": ["h:1"], "task": {"type": "worker", "index": 0}}`, "TF_CONFIG: cluster: want an object"},
		{"job not a list", `{"cluster": {"worker": "h1:2222"}, "task": {"type": "worker", "index": 0}}`, `TF_CONFIG: cluster.worker: want a list of "host:port" strings, got "h1:2222"`},
		{"empty cluster", `{"cluster": {}, "task": {"type": "worker", "index": 0}}`, "TF_CONFIG: cluster: no chief and no worker job"},
		{"empty job", `{"cluster": {"chief": ["h:1"], "worker": []}, "task": {"type": "chief", "index": 0}}`, "TF_CONFIG: cluster.worker: empty"},
		{"ps job", `{"cluster": {"worker": ["h1:1"], "ps": ["h2:1"]}, "task": {"type": "worker", "index": 0}}`, `TF_CONFIG: cluster.ps: unsupported job "ps": parameter servers`},
		{"evaluator job", `{"cluster": {"worker": ["h1:1"], "evaluator": ["h2:1"]}, "task": {"type": "worker", "index": 0}}`, `TF_CONFIG: cluster.evaluator: unsupported job "evaluator"`},
		{"unknown job", `{"cluster": {"worker": ["h1:1"], "trainer": ["h2:1"]}, "task": {"type": "worker", "index": 0}}`, `TF_CONFIG: cluster.trainer: unknown job "trainer" (valid: chief, worker)`},
		{"two chiefs", `{"cluster": {"chief": ["h1:1", "h2:1"]}, "task": {"type": "chief", "index": 0}}`, "TF_CONFIG: cluster.chief: 2 chiefs; a cluster has at most one"},
		{"no port", `{"cluster": {"worker": ["h1:2222", "h2"]}, "task": {"type": "worker", "index": 0}}`, `TF_CONFIG: cluster.worker[1]: "h2": not host:port`},
		{"bad port", `{"cluster": {"worker": ["h1:http"]}, "task": {"type": "worker", "index": 0}}`, `TF_CONFIG: cluster.worker[0]: "h1:http": not host:port (port "http": want 1..65535)`},
		{"port 0", `{"cluster": {"worker": ["h1:0"]}, "task": {"type": "worker", "index": 0}}`, `port "0": want 1..65535`},
		{"no host", `{"cluster": {"worker": [":2222"]}, "task": {"type": "worker", "index": 0}}`, `TF_CONFIG: cluster.worker[0]: ":2222": not host:port (empty host)`},
		{"duplicate address", `{"cluster": {"chief": ["h1:2222"], "worker": ["h2:2222", "h1:2222"]}, "task": {"type": "worker", "index": 0}}`, `TF_CONFIG: cluster.worker[1]: "h1:2222" is also cluster.chief[0]`},
		{"no task", `{` + two + `}`, "TF_CONFIG: task: missing"},
		{"task not an object", `{` + two + `, "task": "worker"}`, "TF_CONFIG: task: want an object"},
		{"unknown task key", `{` + two + `, "task": {"type": "worker", "index": 0, "id": 0}}`, `TF_CONFIG: task: unknown key "id" (valid: type, index, trial)`},
		{"no task type", `{` + two + `, "task": {"index": 0}}`, "TF_CONFIG: task.type: missing (valid: chief, worker)"},
		{"task type not a string", `{` + two + `, "task": {"type": 1, "index": 0}}`, "TF_CONFIG: task.type: want a string, got 1"},
		{"unknown task type", `{` + two + `, "task": {"type": "master", "index": 0}}`, `TF_CONFIG: task.type: unknown "master" (valid: chief, worker)`},
		{"ps task", `{` + two + `, "task": {"type": "ps", "index": 0}}`, `TF_CONFIG: task.type: unsupported "ps"`},
		{"evaluator task", `{` + two + `, "task": {"type": "evaluator", "index": 0}}`, `TF_CONFIG: task.type: unsupported "evaluator"`},
		{"task job absent", `{` + two + `, "task": {"type": "chief", "index": 0}}`, `TF_CONFIG: task.type: "chief", but the cluster has no chief job`},
		{"no index", `{` + two + `, "task": {"type": "worker"}}`, "TF_CONFIG: task.index: missing"},
		{"index not an integer", `{` + two + `, "task": {"type": "worker", "index": 1.5}}`, "TF_CONFIG: task.index: want an integer, got 1.5"},
		{"index a string", `{` + two + `, "task": {"type": "worker", "index": "1"}}`, `TF_CONFIG: task.index: want an integer, got "1"`},
		{"index out of range", `{` + two + `, "task": {"type": "worker", "index": 2}}`, "TF_CONFIG: task.index: 2 out of range: cluster.worker has 2 task(s), 0..1"},
		{"negative index", `{` + two + `, "task": {"type": "worker", "index": -1}}`, "TF_CONFIG: task.index: -1 out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseTFConfig([]byte(tt.json))
			if err == nil {
				t.Fatalf("ParseTFConfig = %v, want an error containing %q", c.TFConfig(), tt.want)
			}
			if !errors.Is(err, ErrBadConfig) {
				t.Errorf("error %q does not wrap ErrBadConfig", err)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Errorf("error %q is a %T, want *Error", err, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestFromEnv(t *testing.T) {
	t.Setenv(EnvTFConfig, "")
	if c, ok, err := FromEnv(); c != nil || ok || err != nil {
		t.Errorf("empty TF_CONFIG: FromEnv() = %v, %v, %v; want nil, false, nil", c, ok, err)
	}
	t.Setenv(EnvTFConfig, `{"cluster": {"worker": ["h1:1", "h2:1"]}, "task": {"type": "worker", "index": 1}}`)
	c, ok, err := FromEnv()
	if err != nil || !ok || c.Task != (Task{JobWorker, 1}) || c.Address() != "h2:1" {
		t.Errorf("FromEnv() = %+v, %v, %v; want worker 1 at h2:1", c, ok, err)
	}
	t.Setenv(EnvTFConfig, `{"cluster": {"worker": ["h1:1"]}}`)
	if _, _, err := FromEnv(); !errors.Is(err, ErrBadConfig) {
		t.Errorf("TF_CONFIG without a task: FromEnv error = %v, want ErrBadConfig", err)
	}
}

func TestTaskNames(t *testing.T) {
	task := Task{Job: JobWorker, Index: 3}
	for _, tt := range []struct{ got, want string }{
		{task.String(), "/job:worker/task:3"},
		{task.Device(), "/job:worker/replica:0/task:3"},
		{task.CPU(), "/job:worker/replica:0/task:3/device:CPU:0"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
