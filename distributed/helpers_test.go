package distributed

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tfrun/tfrun/graphs"
	tf "github.com/wamuir/graft/tensorflow"
)

// The tests run replicas two ways: as goroutines of this process (each with its own server,
// graph and session), and as child processes (this test binary re-executed with
// envChild set, see TestMain), as a real cluster runs. Everything is on 127.0.0.1 with
// ports picked free, and bounded in time.

const (
	envChild        = "TFRUN_DISTRIBUTED_CHILD"   // "1": run one replica (childMain)
	envChildWait    = "TFRUN_DISTRIBUTED_WAIT"    // WaitForPeers bound; "0": no start barrier
	envChildBound   = "TFRUN_DISTRIBUTED_BOUND"   // the watchdog's bound
	envChildTimeout = "TFRUN_DISTRIBUTED_TIMEOUT" // the collectives' timeout
	envChildRuns    = "TFRUN_DISTRIBUTED_RUNS"    // how many steps (default 1)
	envChildPause   = "TFRUN_DISTRIBUTED_PAUSE"   // pause after each step
	envChildBench   = "TFRUN_DISTRIBUTED_BENCH"   // "<model>/<layout>": reduce a model's gradients
)

func TestMain(m *testing.M) {
	if _, set := os.LookupEnv("TF_CPP_MIN_LOG_LEVEL"); !set {
		os.Setenv("TF_CPP_MIN_LOG_LEVEL", "2") // TensorFlow's INFO and WARNING lines off
	}
	if os.Getenv(envChild) == "1" {
		os.Exit(childMain())
	}
	os.Exit(m.Run())
}

// childMain is one replica of a cluster in its own process: TF_CONFIG names the task; it
// averages [replica+1, 10*(replica+1)] and prints "mean: a b" after each step. Exit 0, 1 on
// a runtime error, 2 on a bad TF_CONFIG or a port in use, as tfrun's CLI does.
func childMain() int {
	c, ok, err := FromEnv()
	if err == nil && !ok {
		err = fmt.Errorf("%w: TF_CONFIG unset", ErrBadConfig)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	cfg := replicaConfig{
		values:  [][]float32{{float32(c.ReplicaIndex() + 1), 10 * float32(c.ReplicaIndex()+1)}},
		wait:    envDuration(envChildWait, 10*time.Second),
		bound:   envDuration(envChildBound, 20*time.Second),
		timeout: envDuration(envChildTimeout, 10*time.Second),
		runs:    envInt(envChildRuns, 1),
		pause:   envDuration(envChildPause, 0),
		each:    func(out [][]float32, _ time.Duration) { fmt.Println("mean:", formatFloats(out[0])) },
	}
	if bench := os.Getenv(envChildBench); bench != "" { // BenchmarkAllReduceProcesses
		model, layout, _ := strings.Cut(bench, "/")
		cfg.build = buildModelReduce(trainableShapes[model], layout)
		cfg.each = func(_ [][]float32, took time.Duration) { fmt.Println("took:", took.Nanoseconds()) }
	}
	r := runReplica(c, cfg)
	if r.err != nil {
		fmt.Fprintln(os.Stderr, r.err)
		if errors.Is(r.err, ErrBadConfig) || errors.Is(r.err, ErrPortInUse) {
			return 2
		}
		return 1
	}
	return 0
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return n
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return d
	}
	return def
}

// freeAddrs returns n loopback addresses whose ports were free a moment ago.
func freeAddrs(t testing.TB, n int) []string {
	t.Helper()
	var ls []net.Listener
	var addrs []string
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("picking a free port: %v", err)
		}
		ls = append(ls, l)
		addrs = append(addrs, l.Addr().String())
	}
	for _, l := range ls {
		l.Close()
	}
	return addrs
}

// newCluster builds a cluster of the given jobs on free loopback ports, seen from task.
func newCluster(t testing.TB, chiefs, workers int, task Task) *Cluster {
	t.Helper()
	addrs := freeAddrs(t, chiefs+workers)
	jobs := map[string][]string{}
	if chiefs > 0 {
		jobs[JobChief] = addrs[:chiefs]
	}
	if workers > 0 {
		jobs[JobWorker] = addrs[chiefs:]
	}
	c, err := NewCluster(jobs, task)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// replicaConfig is what one replica does.
type replicaConfig struct {
	values  [][]float32   // one input tensor per slice
	sum     bool          // Sum instead of Mean
	runs    int           // session runs of the reduction (0: 1)
	wait    time.Duration // WaitForPeers bound before running; 0: no barrier
	bound   time.Duration // the watchdog's bound
	timeout time.Duration // the collectives' timeout
	threads int
	pause   time.Duration                    // after each run
	each    func([][]float32, time.Duration) // called with each run's result and time
	subset  bool                             // every other run fetches only the first reduction
	// build, if set, replaces values and sum: it emits the reductions to run.
	build func(s *graphs.Scope, ar *AllReduce, replica int) []tf.Output
}

// replicaResult is what one replica's last run returned.
type replicaResult struct {
	task Task
	out  [][]float32
	err  error
	took time.Duration // the last run
}

// runReplica starts the task's server, builds the inputs and their all-reduce, and runs
// the graph cfg.runs times through a Watchdog.
func runReplica(c *Cluster, cfg replicaConfig) replicaResult {
	res := replicaResult{task: c.Task}
	res.err = func() error {
		srv, err := NewServer(c, ServerOptions{IntraOpThreads: max(cfg.threads, 1), InterOpThreads: 2})
		if err != nil {
			return err
		}
		defer srv.Close()
		g := graphs.NewGraph(tf.Float, 1)
		s := g.Root()
		ar := NewAllReduce(c, cfg.timeout)
		var outs []tf.Output
		if cfg.build != nil {
			outs = cfg.build(s, ar, c.ReplicaIndex())
		} else {
			var xs []tf.Output
			for _, v := range cfg.values {
				xs = append(xs, s.Const(v))
			}
			if cfg.sum {
				outs = ar.Sum(s, xs...)
			} else {
				outs = ar.Mean(s, xs...)
			}
		}
		if err := s.Err(); err != nil {
			return err
		}
		opts, err := srv.SessionOptions()
		if err != nil {
			return err
		}
		sess, err := graphs.StartSessionOn(g, opts)
		if err != nil {
			return err
		}
		if cfg.wait > 0 {
			ctx, cancel := context.WithTimeout(context.Background(), cfg.wait)
			defer cancel()
			if err := c.WaitForPeers(ctx); err != nil {
				return err
			}
		}
		w := Watchdog{Cluster: c, Bound: cfg.bound}
		for i := range max(cfg.runs, 1) {
			fetch := outs
			if cfg.subset && i%2 == 1 {
				fetch = outs[:1] // another subgraph: another collective graph key
			}
			var out []*tf.Tensor
			start := time.Now()
			err := w.Run(func() error {
				var err error
				out, err = sess.Run(nil, fetch)
				return err
			})
			res.took = time.Since(start)
			if err != nil {
				return err
			}
			res.out = res.out[:0]
			for _, o := range out {
				res.out = append(res.out, flatFloats(graphs.Value(o)))
			}
			if cfg.each != nil {
				cfg.each(res.out, res.took)
			}
			time.Sleep(cfg.pause)
		}
		// Closed only after success: Close waits for every run, also one the watchdog gave
		// up on.
		sess.Close()
		return nil
	}()
	return res
}

// runCluster runs every task of c as a goroutine (cfg(replica) says what it does) and
// returns the results in replica order, failing the test if they do not all finish
// within limit.
func runCluster(t *testing.T, c *Cluster, limit time.Duration, cfg func(replica int) replicaConfig) []replicaResult {
	t.Helper()
	tasks := c.Tasks()
	results := make(chan replicaResult, len(tasks))
	for _, task := range tasks {
		ct, err := c.ForTask(task)
		if err != nil {
			t.Fatal(err)
		}
		go func() { results <- runReplica(ct, cfg(ct.ReplicaIndex())) }()
	}
	out := make([]replicaResult, len(tasks))
	deadline := time.After(limit)
	for range tasks {
		select {
		case r := <-results:
			ct, _ := c.ForTask(r.task)
			out[ct.ReplicaIndex()] = r
		case <-deadline:
			t.Fatalf("the replicas did not finish within %v", limit)
		}
	}
	return out
}

// childEnv is the environment of a child replica for task.
func childEnv(c *Cluster, task Task, extra ...string) []string {
	ct, _ := c.ForTask(task)
	env := append(os.Environ(), envChild+"=1", EnvTFConfig+"="+ct.TFConfig())
	return append(env, extra...)
}

func formatFloats(v []float32) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = strconv.FormatFloat(float64(x), 'g', -1, 32)
	}
	return strings.Join(parts, " ")
}

// executable is the test binary, re-executed as a child replica.
func executable() (string, error) { return os.Executable() }

// flatFloats flattens a fetched float32 value of rank 0 to 2.
func flatFloats(v any) []float32 {
	switch v := v.(type) {
	case float32:
		return []float32{v}
	case []float32:
		return v
	case [][]float32:
		var out []float32
		for _, row := range v {
			out = append(out, row...)
		}
		return out
	}
	panic(fmt.Sprintf("flatFloats: %T", v))
}
