package distributed

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tfrun/tfrun/graphs"
	tf "github.com/wamuir/graft/tensorflow"
)

// TestAllReduceMeanTwoWorkers: two workers (goroutines, each its own server and session)
// average three tensors, five runs in a row, every other one fetching only the first mean
// (another subgraph, so another collective graph key); both get the mean each time.
func TestAllReduceMeanTwoWorkers(t *testing.T) {
	c := newCluster(t, 0, 2, Task{Job: JobWorker})
	results := runCluster(t, c, 20*time.Second, func(r int) replicaConfig {
		x := float32(r + 1)
		return replicaConfig{
			values: [][]float32{{x, 10 * x}, {-x}, {x, x * x, 0, 1}},
			runs:   5, subset: true, bound: 15 * time.Second, timeout: 10 * time.Second,
		}
	})
	want := [][]float32{{1.5, 15}, {-1.5}, {1.5, 2.5, 0, 1}}
	for _, r := range results {
		if r.err != nil {
			t.Fatalf("%v: %v", r.task, r.err)
		}
		checkFloats(t, r.task.String(), r.out, want)
	}
}

// TestAllReduceMeanPacked: the packed mean of a matrix, a vector and a scalar equals the
// per-tensor mean, shapes kept, with one instance key.
func TestAllReduceMeanPacked(t *testing.T) {
	c := newCluster(t, 0, 2, Task{Job: JobWorker})
	results := runCluster(t, c, 20*time.Second, func(r int) replicaConfig {
		x := float32(r + 1)
		return replicaConfig{bound: 15 * time.Second, timeout: 10 * time.Second,
			build: func(s *graphs.Scope, ar *AllReduce, _ int) []tf.Output {
				xs := []tf.Output{s.Const([][]float32{{x, 2 * x, 3 * x}, {-x, 0, 1}}), s.Const([]float32{x}), s.Const(10 * x)}
				outs := ar.MeanPacked(s, xs...)
				for i, o := range outs {
					if s.Ok(o) && o.Shape().String() != xs[i].Shape().String() {
						s.Fail("packed mean %d has shape %v, want %v", i, o.Shape(), xs[i].Shape())
					}
				}
				if ar.InstanceKeys() != 1 {
					s.Fail("packed mean used %d instance keys, want 1", ar.InstanceKeys())
				}
				return outs
			}}
	})
	want := [][]float32{{1.5, 3, 4.5, -1.5, 0, 1}, {1.5}, {15}}
	for _, r := range results {
		if r.err != nil {
			t.Fatalf("%v: %v", r.task, r.err)
		}
		checkFloats(t, r.task.String(), r.out, want)
	}
}

// TestReplicasStartIdentical: variables drawn in Go from the graph seed (graphs'
// initializers) start identical on every replica, so no broadcast from the chief is
// needed: each replica's kernel equals the all-reduced mean of the kernels, bit for bit.
func TestReplicasStartIdentical(t *testing.T) {
	c := newCluster(t, 0, 2, Task{Job: JobWorker})
	results := runCluster(t, c, 20*time.Second, func(int) replicaConfig {
		return replicaConfig{bound: 15 * time.Second, timeout: 10 * time.Second,
			build: func(s *graphs.Scope, ar *AllReduce, _ int) []tf.Output {
				v := s.Sub("dense").NewVariable("kernel", tf.Float, []int64{16, 8}, graphs.GlorotUniform{}, true)
				return append([]tf.Output{v.Value()}, ar.Mean(s, v.Value())...)
			}}
	})
	for _, r := range results {
		if r.err != nil {
			t.Fatalf("%v: %v", r.task, r.err)
		}
		checkFloats(t, r.task.String()+" (mean of the kernels vs its kernel)", r.out[1:], r.out[:1])
		checkFloats(t, r.task.String()+" (its kernel vs worker 0's)", r.out[:1], results[0].out[:1])
	}
}

// TestAllReduceChiefAndWorkers: a chief (the leader) and two workers, three replicas; Sum.
func TestAllReduceChiefAndWorkers(t *testing.T) {
	c := newCluster(t, 1, 2, Task{Job: JobChief})
	results := runCluster(t, c, 20*time.Second, func(r int) replicaConfig {
		return replicaConfig{values: [][]float32{{float32(r), 1}}, sum: true, bound: 15 * time.Second, timeout: 10 * time.Second}
	})
	for _, r := range results {
		if r.err != nil {
			t.Fatalf("%v: %v", r.task, r.err)
		}
		checkFloats(t, r.task.String(), r.out, [][]float32{{0 + 1 + 2, 3}})
	}
}

// TestAllReduceProcesses: two replicas as separate processes, as a real cluster runs,
// with the start barrier; both print the mean.
func TestAllReduceProcesses(t *testing.T) {
	c := newCluster(t, 0, 2, Task{Job: JobWorker})
	var cmds []*exec.Cmd
	outs := make([]*strings.Builder, 2)
	for i := range 2 {
		cmd := exec.Command(testBinary(t))
		cmd.Env = childEnv(c, Task{Job: JobWorker, Index: i})
		outs[i] = &strings.Builder{}
		cmd.Stdout, cmd.Stderr = outs[i], outs[i]
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for i, cmd := range cmds {
		err := waitBounded(t, cmd, 30*time.Second)
		if err != nil || !strings.Contains(outs[i].String(), "mean: 1.5 15\n") {
			t.Errorf("worker %d: %v, output %q; want \"mean: 1.5 15\"", i, err, outs[i])
		}
	}
}

// TestAllReduceLeaderAlone: worker 0 (the leader) runs, worker 1 never starts. The
// collective times out and the error names worker 1.
func TestAllReduceLeaderAlone(t *testing.T) {
	c := newCluster(t, 0, 2, Task{Job: JobWorker})
	start := time.Now()
	r := runReplica(c, replicaConfig{values: [][]float32{{1}}, bound: 20 * time.Second, timeout: time.Second})
	took := time.Since(start)
	if r.err == nil {
		t.Fatalf("the leader alone got %v, want an error", r.out)
	}
	if took > 10*time.Second {
		t.Errorf("the error came after %v, want about the 1 s collective timeout", took)
	}
	msg := r.err.Error()
	for _, want := range []string{"task /job:worker/task:0", "Collective has timed out waiting for other workers", "unreachable: /job:worker/task:1 (" + c.Jobs[JobWorker][1] + ")"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not say %q", msg, want)
		}
	}
	if !errors.Is(r.err, ErrUnreachable) {
		t.Errorf("error %q does not wrap ErrUnreachable", msg)
	}
}

// TestAllReduceLeaderNeverStarts: worker 1 runs without the start barrier, the leader
// never starts. TensorFlow would retry the leader forever; the watchdog stops the step and
// the process exits 1 naming the leader. (A child process: TensorFlow's retry loop stays
// blocked in it until it exits.)
func TestAllReduceLeaderNeverStarts(t *testing.T) {
	c := newCluster(t, 0, 2, Task{Job: JobWorker})
	cmd := exec.Command(testBinary(t))
	cmd.Env = childEnv(c, Task{Job: JobWorker, Index: 1}, envChildWait+"=0", envChildBound+"=2s", envChildTimeout+"=1s")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	err := waitBounded(t, cmd, 20*time.Second)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("worker 1 ended with %v after %v, want exit 1; output:\n%s", err, time.Since(start), out.String())
	}
	for _, want := range []string{"task /job:worker/task:1: step did not finish within 2s", "unreachable: /job:worker/task:0 (" + c.Jobs[JobWorker][0] + ")"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output %q does not say %q", out.String(), want)
		}
	}
}

// TestStartBarrier: with the barrier, a worker whose leader never starts stops when the
// barrier's bound ends, naming the leader; exit 1.
func TestStartBarrier(t *testing.T) {
	c := newCluster(t, 0, 2, Task{Job: JobWorker})
	cmd := exec.Command(testBinary(t))
	cmd.Env = childEnv(c, Task{Job: JobWorker, Index: 1}, envChildWait+"=1s")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	err := waitBounded(t, cmd, 20*time.Second)
	var exit *exec.ExitError
	want := "distributed: waiting for the cluster to start: unreachable: /job:worker/task:0 (" + c.Jobs[JobWorker][0] + "): connection refused"
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(out.String(), want) {
		t.Errorf("worker 1 ended with %v, output %q; want exit 1 and %q", err, out.String(), want)
	}
}

// TestAllReduceOneReplica: a one-task cluster reduces nothing: the tensors come back.
func TestAllReduceOneReplica(t *testing.T) {
	c := newCluster(t, 0, 1, Task{Job: JobWorker})
	g := graphs.NewGraph(tf.Float, 1)
	x := g.Root().Const([]float32{1, 2})
	ar := NewAllReduce(c, 0)
	out := ar.Mean(g.Root(), x)
	if out[0] != x || ar.InstanceKeys() != 0 {
		t.Errorf("Mean over one replica = %v with %d instance keys, want the input and none", out[0], ar.InstanceKeys())
	}
}

// TestAllReduceKeysAndErrors: instance keys follow build order; a dtype collectives
// cannot reduce is a build error.
func TestAllReduceKeysAndErrors(t *testing.T) {
	c := newCluster(t, 0, 2, Task{Job: JobWorker, Index: 1})
	g := graphs.NewGraph(tf.Float, 1)
	s := g.Root()
	ar := NewAllReduce(c, 5*time.Second)
	outs := ar.Mean(s, s.Const([]float32{1}), s.Const([]float32{2}))
	outs = append(outs, ar.Sum(s, s.Const([]int32{3}))...)
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	for i, o := range outs {
		key, err := o.Op.Attr("instance_key")
		if err != nil || key.(int64) != int64(i+1) {
			t.Errorf("reduction %d: instance_key %v (%v), want %d", i, key, err, i+1)
		}
		if dev := o.Op.Device(); dev != "/job:worker/replica:0/task:1/device:CPU:0" {
			t.Errorf("reduction %d on %q, want /job:worker/replica:0/task:1/device:CPU:0", i, dev)
		}
		for name, want := range map[string]any{"group_size": int64(2), "group_key": int64(GroupKey), "communication_hint": "ring", "timeout_seconds": float32(5)} {
			if got, err := o.Op.Attr(name); err != nil || got != want {
				t.Errorf("reduction %d: %s = %v (%v), want %v", i, name, got, err, want)
			}
		}
	}
	if final, _ := outs[2].Op.Attr("final_op"); final != "Id" {
		t.Errorf("Sum's final_op = %v, want Id", final)
	}
	ar.MeanPacked(s, s.Const([]float32{1}), s.Const([]float64{2}))
	if err := s.Err(); err == nil || !strings.Contains(err.Error(), "one dtype per pack") {
		t.Errorf("packed all-reduce of float and double: error %v, want one naming the dtypes", err)
	}
	g = graphs.NewGraph(tf.Float, 1)
	s = g.Root()
	ar.Mean(s, s.Const([]bool{true}))
	if err := s.Err(); err == nil || !strings.Contains(err.Error(), "Const/Const: DT_BOOL cannot be reduced") {
		t.Errorf("all-reduce of a bool: error %v, want one naming the dtype", err)
	}
}

func checkFloats(t *testing.T, who string, got, want [][]float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d tensors, want %d", who, len(got), len(want))
	}
	for i := range want {
		if formatFloats(got[i]) != formatFloats(want[i]) {
			t.Errorf("%s: tensor %d = %v, want %v", who, i, got[i], want[i])
		}
	}
}

func testBinary(t testing.TB) string {
	t.Helper()
	self, err := executable()
	if err != nil {
		t.Fatal(err)
	}
	return self
}

// waitBounded waits for cmd, killing it (and failing the test) after limit.
func waitBounded(t testing.TB, cmd *exec.Cmd, limit time.Duration) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(limit):
		cmd.Process.Kill()
		<-done
		t.Fatalf("%s did not exit within %v", cmd.Path, limit)
		return nil
	}
}

// TestAllReduceWorkerKilled: two worker processes step every 200 ms; one is killed after
// its second step. The other stops within the bound (exit 1), naming the dead task. Both
// ways: the non-leader killed, the leader killed.
func TestAllReduceWorkerKilled(t *testing.T) {
	for _, victim := range []int{1, 0} {
		t.Run(fmt.Sprintf("worker %d killed", victim), func(t *testing.T) {
			c := newCluster(t, 0, 2, Task{Job: JobWorker})
			var cmds [2]*exec.Cmd
			var outs [2]*syncBuffer
			for i := range 2 {
				cmd := exec.Command(testBinary(t))
				cmd.Env = childEnv(c, Task{Job: JobWorker, Index: i},
					envChildRuns+"=1000", envChildPause+"=200ms", envChildBound+"=5s", envChildTimeout+"=2s")
				outs[i] = &syncBuffer{}
				cmd.Stdout, cmd.Stderr = outs[i], outs[i]
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				cmds[i] = cmd
			}
			survivor := 1 - victim
			deadline := time.Now().Add(20 * time.Second)
			for strings.Count(outs[victim].String(), "mean: 1.5 15\n") < 2 {
				if time.Now().After(deadline) {
					cmds[0].Process.Kill()
					cmds[1].Process.Kill()
					t.Fatalf("no two steps within 20 s; outputs:\n%s\n%s", outs[0], outs[1])
				}
				time.Sleep(20 * time.Millisecond)
			}
			cmds[victim].Process.Kill()
			killed := time.Now()
			cmds[victim].Wait()
			err := waitBounded(t, cmds[survivor], 20*time.Second)
			took := time.Since(killed)
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 {
				t.Fatalf("worker %d ended with %v, want exit 1; output:\n%s", survivor, err, outs[survivor])
			}
			want := fmt.Sprintf("unreachable: /job:worker/task:%d (%s)", victim, c.Jobs[JobWorker][victim])
			if !strings.Contains(outs[survivor].String(), want) {
				t.Errorf("worker %d's output does not say %q:\n%s", survivor, want, outs[survivor])
			}
			t.Logf("worker %d stopped %v after worker %d was killed: %s", survivor, took.Round(time.Millisecond), victim, lastLine(outs[survivor].String()))
		})
	}
}

// syncBuffer is a strings.Builder safe for a child's writes and the test's reads.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
