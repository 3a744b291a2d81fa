package tfrun_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tfrun/tfrun"
	"github.com/tfrun/tfrun/assemble"
	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/distributed"
	"github.com/tfrun/tfrun/export"
	"github.com/tfrun/tfrun/runner"
)

// IsUserError is true for what tfrun exits 2 on (the caller must change something) and
// false for failures while running (exit 1), however deeply wrapped.
func TestIsUserError(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errors.New("disk full"), false},
		{datasets.ErrDataSetNotFound, false},
		{runner.ErrNotFinite, false},
		{context.Canceled, false},
		{distributed.ErrBadConfig, true},
		{distributed.ErrPortInUse, true},
		{checkpoints.ErrNoCheckpoint, true},
		{checkpoints.ErrCheckpointsExist, true},
		{checkpoints.ErrMismatch, true},
		{runner.ErrResumeOptions, true},
		{assemble.ErrModelConfig, true},
		{export.ErrUnsupported, true},
		{export.ErrVersionExists, true},
		{export.ErrNotSavedModel, true},
		{export.ErrNoRunFile, true},
		{export.ErrInvalidArgument, true},
		{tfrun.ErrUnsuitableModel, true},
		{fmt.Errorf("predict: %w", tfrun.ErrUnsuitableModel), true},
	} {
		name := "nil"
		if tc.err != nil {
			name = tc.err.Error()
		}
		t.Run(name, func(t *testing.T) {
			if got := tfrun.IsUserError(tc.err); got != tc.want {
				t.Errorf("IsUserError(%v) = %v, want %v", tc.err, got, tc.want)
			}
			if tc.err != nil {
				if got := tfrun.IsUserError(fmt.Errorf("a.yaml: %w", tc.err)); got != tc.want {
					t.Errorf("IsUserError of it wrapped = %v, want %v", got, tc.want)
				}
			}
		})
	}
}

// The cluster's constructors check what tfrun's flags and TF_CONFIG give, naming the flag
// or key at fault, as user errors.
func TestClusterFromFlagsAndTFConfig(t *testing.T) {
	c, err := tfrun.ClusterFromFlags("chief=h0:2222,worker=h1:2222,h2:2222", "worker:1")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Jobs["worker"]) != 2 || c.Task.Job != "worker" || c.Task.Index != 1 || c.StartupTimeout != tfrun.DefaultStartupTimeout {
		t.Errorf("cluster %+v; want 1 chief, 2 workers, task worker:1, the default startup timeout", c)
	}
	for _, tc := range []struct{ cluster, task, want string }{
		{"", "worker:0", "-cluster: missing"},
		{"worker=h1:2222", "", "-task: missing"},
		{"worker=h1:2222", "worker:x", `-task: "worker:x": index "x" is not an integer`},
		{"h1:2222", "worker:0", `-cluster: "h1:2222": no job`},
	} {
		_, err := tfrun.ClusterFromFlags(tc.cluster, tc.task)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !tfrun.IsUserError(err) {
			t.Errorf("ClusterFromFlags(%q, %q): %v; want a user error saying %q", tc.cluster, tc.task, err, tc.want)
		}
	}

	t.Setenv(tfrun.EnvTFConfig, "")
	if c, ok, err := tfrun.ClusterFromTFConfig(); c != nil || ok || err != nil {
		t.Errorf("no TF_CONFIG: %v, %v, %v; want a one-process run", c, ok, err)
	}
	t.Setenv(tfrun.EnvTFConfig, `{"cluster": {"worker": ["h1:2222", "h2:2222"]}, "task": {"type": "worker", "index": 0}}`)
	if c, ok, err := tfrun.ClusterFromTFConfig(); err != nil || !ok || len(c.Jobs["worker"]) != 2 {
		t.Errorf("TF_CONFIG of 2 workers: %v, %v, %v", c, ok, err)
	}
	t.Setenv(tfrun.EnvTFConfig, `{"cluster": {"worker": ["h1:2222"]}, "task": {"type": "worker", "index": 3}}`)
	if _, _, err := tfrun.ClusterFromTFConfig(); err == nil || !strings.Contains(err.Error(), "task.index") || !tfrun.IsUserError(err) {
		t.Errorf("a task outside the cluster: %v; want a user error naming task.index", err)
	}

	for _, tc := range []struct {
		v    string
		want string // "" for no error
	}{{"30s", ""}, {"0", ""}, {"-1s", "is negative"}, {"soon", "is not a duration"}} {
		_, err := tfrun.ParseStartupTimeout(tc.v)
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("ParseStartupTimeout(%q): %v; want %q", tc.v, err, tc.want)
		}
	}
}
