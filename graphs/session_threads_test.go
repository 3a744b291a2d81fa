package graphs_test

import (
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/core/framework/step_stats_go_proto"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
)

// A session's InterOpThreads holds even after another session of the process asked for
// more: with one inter-op thread two independent MatMuls run one after the other. (TensorFlow
// sizes one inter-op pool per process by its first session unless a session asks for its
// own; before tfrun asked, the second session here ran them side by side.)
func TestInterOpThreadsHonoured(t *testing.T) {
	const n = 512
	ones := make([][]float32, n)
	for i := range ones {
		ones[i] = make([]float32, n)
		for j := range ones[i] {
			ones[i][j] = 0.001
		}
	}
	feed, err := tf.NewTensor(ones)
	if err != nil {
		t.Fatal(err)
	}
	var feeds map[tf.Output]*tf.Tensor
	build := func() (*graphs.Graph, []*tf.Operation) {
		g := graphs.NewGraph(tf.Float, 1)
		s := g.Root()
		x := s.Placeholder("x", tf.Float, n, n) // fed: nothing for grappler to fold
		feeds = map[tf.Output]*tf.Tensor{x: feed}
		var targets []*tf.Operation
		for i, name := range []string{"left", "right"} {
			// 512×512 products chained four times, milliseconds each on one thread; the
			// branches scale x apart, or grappler would merge them into one.
			w := op.Mul(s.Op(name+"_scale"), x, s.Const(float32(i+1)))
			y := w
			for range 4 {
				y = op.MatMul(s.Op(name+"_matmul"), y, w)
			}
			targets = append(targets, op.Sum(s.Op(name+"_sum"), y, s.Const([]int32{0, 1})).Op)
		}
		if err := s.Err(); err != nil {
			t.Fatal(err)
		}
		return g, targets
	}

	// A first session with two inter-op threads (were the pool still shared, it would be
	// the size this one asks for, or larger: LocalPlatform's, a thread per core).
	g1, targets1 := build()
	feeds1 := feeds
	wide, err := graphs.NewSession(g1, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer wide.Close()
	if _, err := wide.Run(feeds1, nil, targets1...); err != nil {
		t.Fatal(err)
	}

	g2, targets2 := build()
	narrow, err := graphs.NewSession(g2, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer narrow.Close()
	if _, err := narrow.Run(feeds, nil, targets2...); err != nil { // warm-up
		t.Fatal(err)
	}
	var runs []*step_stats_go_proto.StepStats
	narrow.Trace(func(st *step_stats_go_proto.StepStats) { runs = append(runs, st) })
	for range 3 {
		if _, err := narrow.Run(feeds, nil, targets2...); err != nil {
			t.Fatal(err)
		}
	}
	narrow.Trace(nil)

	type span struct {
		name       string
		start, end int64
	}
	for i, st := range runs {
		var matmuls []span
		for _, d := range st.DevStats {
			for _, n := range d.NodeStats {
				if n.AllEndRelMicros < 300 {
					continue // the products only: small ops may run inline, in any thread
				}
				matmuls = append(matmuls, span{n.NodeName, n.AllStartMicros, n.AllStartMicros + n.AllEndRelMicros})
			}
		}
		if len(matmuls) < 8 {
			t.Fatalf("run %d: %d ops of 300 µs or more traced, want the 8 products", i, len(matmuls))
		}
		for a := range matmuls {
			for b := a + 1; b < len(matmuls); b++ {
				x, y := matmuls[a], matmuls[b]
				// 50 µs of slack: the stamps of one thread's consecutive ops may touch.
				if x.start+50 < y.end && y.start+50 < x.end {
					t.Fatalf("run %d: with one inter-op thread %s [%d, %d] and %s [%d, %d] µs ran side by side",
						i, x.name, x.start, x.end, y.name, y.start, y.end)
				}
			}
		}
	}
}
