package distributed

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestClusterFromFlags: -cluster and -task mean what the same TF_CONFIG means; every bad
// form is an ErrBadConfig naming the flag.
func TestClusterFromFlags(t *testing.T) {
	c, err := ClusterFromFlags("chief=h0:2222,worker=h1:2222, h2:2222", "worker:1")
	if err != nil {
		t.Fatal(err)
	}
	want, err := ParseTFConfig([]byte(`{"cluster": {"chief": ["h0:2222"], "worker": ["h1:2222", "h2:2222"]}, "task": {"type": "worker", "index": 1}}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.TFConfig() != want.TFConfig() || c.ReplicaIndex() != 2 || c.IsChief() {
		t.Errorf("got %s (replica %d), want %s (replica 2, not the chief)", c.TFConfig(), c.ReplicaIndex(), want.TFConfig())
	}
	if ipv6, err := ClusterFromFlags("worker=[::1]:2222,[::1]:2223", "worker:0"); err != nil || !slices.Equal(ipv6.Jobs[JobWorker], []string{"[::1]:2222", "[::1]:2223"}) {
		t.Errorf("IPv6 addresses: %v, %v", ipv6, err)
	}
	for _, tc := range []struct{ cluster, task, want string }{
		{"", "worker:0", "-cluster: missing"},
		{"worker=h:1", "", "-task: missing"},
		{"h:1", "worker:0", `-cluster: "h:1": no job`},
		{"=h:1", "worker:0", "no job name"},
		{"worker=h:1,worker=h:2", "worker:0", `job "worker" listed twice`},
		{"worker=", "worker:0", `job "worker" has no address`},
		{"worker=h:1,", "worker:0", `an empty address in job "worker"`},
		{"worker=h", "worker:0", `-cluster worker[0]: "h": not host:port`},
		{"worker=h:1,h:1", "worker:0", `-cluster worker[1]: "h:1" is also cluster.worker[0]`},
		{"evaluator=h:1,worker=h:2", "worker:0", "-cluster evaluator: unsupported job"},
		{"worker=h:1", "worker", `-task: "worker": want JOB:INDEX`},
		{"worker=h:1", "worker:one", `index "one" is not an integer`},
		{"worker=h:1", "worker:-1", "-task index: -1 out of range"},
		{"worker=h:1", "ps:0", `-task type: unsupported "ps"`},
	} {
		_, err := ClusterFromFlags(tc.cluster, tc.task)
		if !errors.Is(err, ErrBadConfig) || err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("-cluster %q -task %q: %v, want ErrBadConfig with %q", tc.cluster, tc.task, err, tc.want)
		}
	}
}

// TestParseStartupTimeout: a Go duration of 0 or more; a negative value or a non-duration
// is an ErrBadConfig naming -startup-timeout.
func TestParseStartupTimeout(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{"30s", 30 * time.Second},
		{"10m", 10 * time.Minute},
		{"1h30m", 90 * time.Minute},
		{"0", 0},
		{"0s", 0},
	} {
		if got, err := ParseStartupTimeout(tc.in); err != nil || got != tc.want {
			t.Errorf("ParseStartupTimeout(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"-1s", "-startup-timeout: -1s is negative"},
		{"-10m", "-startup-timeout: -10m0s is negative"},
		{"soon", `-startup-timeout: "soon" is not a duration`},
		{"30", `-startup-timeout: "30" is not a duration`},
		{"", `-startup-timeout: "" is not a duration`},
	} {
		_, err := ParseStartupTimeout(tc.in)
		if !errors.Is(err, ErrBadConfig) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseStartupTimeout(%q): %v, want ErrBadConfig with %q", tc.in, err, tc.want)
		}
	}
}
