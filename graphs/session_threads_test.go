package graphs_test

import (
	"slices"
	"strings"
	"testing"
	"time"

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
	// A first session with two inter-op threads (were the pool still shared, it would be
	// the size this one asks for, or larger: LocalPlatform's, a thread per core).
	g1, feeds1, targets1 := twoChains(t)
	wide, err := graphs.NewSession(g1, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer wide.Close()
	if _, err := wide.Run(feeds1, nil, targets1...); err != nil {
		t.Fatal(err)
	}

	g2, feeds2, targets2 := twoChains(t)
	narrow, err := graphs.NewSession(g2, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer narrow.Close()
	if _, err := narrow.Run(feeds2, nil, targets2...); err != nil { // warm-up
		t.Fatal(err)
	}
	if pair := sideBySide(t, narrow, feeds2, targets2); pair != "" {
		t.Errorf("with one inter-op thread %s ran side by side", pair)
	}
}

// twoChains is a graph of two independent chains of four 512×512 products of a fed x
// (each product milliseconds on one thread; the chains scale x apart, or grappler would
// merge them), with the feed and the chains' sums to run.
func twoChains(t *testing.T) (*graphs.Graph, map[tf.Output]*tf.Tensor, []*tf.Operation) {
	t.Helper()
	const n = 512
	vals := make([][]float32, n)
	for i := range vals {
		vals[i] = make([]float32, n)
		for j := range vals[i] {
			vals[i][j] = 0.001
		}
	}
	feed, err := tf.NewTensor(vals)
	if err != nil {
		t.Fatal(err)
	}
	g := graphs.NewGraph(tf.Float, 1)
	s := g.Root()
	x := s.Placeholder("x", tf.Float, n, n)
	var targets []*tf.Operation
	for i, name := range []string{"left", "right"} {
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
	return g, map[tf.Output]*tf.Tensor{x: feed}, targets
}

// sideBySide runs targets three times traced and reports two of the products that ran at
// once, or "".
func sideBySide(t *testing.T, sess *graphs.Session, feeds map[tf.Output]*tf.Tensor, targets []*tf.Operation) string {
	t.Helper()
	var runs []*step_stats_go_proto.StepStats
	sess.Trace(func(st *step_stats_go_proto.StepStats) { runs = append(runs, st) })
	defer sess.Trace(nil)
	for range 3 {
		if _, err := sess.Run(feeds, nil, targets...); err != nil {
			t.Fatal(err)
		}
	}
	type span struct {
		name       string
		start, end int64
	}
	for i, st := range runs {
		var big []span
		for _, d := range st.DevStats {
			for _, n := range d.NodeStats {
				if strings.Contains(n.NodeName, "_matmul") { // the products, whatever the CPU's speed
					big = append(big, span{n.NodeName, n.AllStartMicros, n.AllStartMicros + n.AllEndRelMicros})
				}
			}
		}
		if len(big) < 8 {
			t.Fatalf("run %d: %d products traced, want 8", i, len(big))
		}
		for a := range big {
			for b := a + 1; b < len(big); b++ {
				x, y := big[a], big[b]
				if x.start+50 < y.end && y.start+50 < x.end { // 50 µs of slack for touching stamps
					return x.name + " and " + y.name
				}
			}
		}
	}
	return ""
}

// A session with ThreadLayouts runs one op at a time in FormInterOpOne, whatever its
// default pool; SetThreadLayout refuses an unknown layout, and FormInterOpOne without
// ThreadLayouts.
func TestSetThreadLayout(t *testing.T) {
	g, feeds, targets := twoChains(t)
	sess, err := graphs.NewSession(g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 2, ThreadLayouts: true})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if got := sess.ThreadLayout(); got != graphs.FormInterOpDefault {
		t.Errorf("a new session's layout %s, want %s", got, graphs.FormInterOpDefault)
	}
	if err := sess.SetThreadLayout(graphs.FormInterOpOne); err != nil {
		t.Fatal(err)
	}
	if _, err := sess.Run(feeds, nil, targets...); err != nil { // warm-up
		t.Fatal(err)
	}
	if pair := sideBySide(t, sess, feeds, targets); pair != "" {
		t.Errorf("layout %s: %s ran side by side", graphs.FormInterOpOne, pair)
	}
	if err := sess.SetThreadLayout("inter_op_3"); err == nil || !strings.Contains(err.Error(), `"inter_op_3"`) {
		t.Errorf("an unknown layout: error %v", err)
	}
	if sess.ThreadLayout() != graphs.FormInterOpOne {
		t.Errorf("a refused layout changed the session's to %s", sess.ThreadLayout())
	}

	plain, err := graphs.NewSession(g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	if err := plain.SetThreadLayout(graphs.FormInterOpOne); err == nil || !strings.Contains(err.Error(), "ThreadLayouts") {
		t.Errorf("%s without ThreadLayouts: error %v", graphs.FormInterOpOne, err)
	}
}

// ChooseThreadLayout times both layouts in the session (the rule's first) and sets the
// faster; the same graph built again takes the cache's winner, nothing timed; the timed
// steps' updates are undone. A session without ThreadLayouts keeps the default, nothing
// timed.
func TestChooseThreadLayout(t *testing.T) {
	build := func() (*graphs.Graph, *graphs.Variable, *tf.Operation) {
		g := graphs.NewGraph(tf.Float, 1)
		s := g.Root()
		v := s.NewVariable("v", tf.Float, []int64{3}, graphs.Ones{}, true)
		bump := op.AssignAddVariableOp(s.Op("Bump"), v.Handle(), s.Const([]float32{1, 2, 3}))
		if err := s.Err(); err != nil {
			t.Fatal(err)
		}
		return g, v, bump
	}
	cache := mapCache{}
	for _, tc := range []struct {
		name, win, want, source string
		layouts                 bool
		wantTimed               int
	}{
		{"measured", graphs.FormInterOpOne, graphs.FormInterOpOne, graphs.SourceMeasured, true, 2},
		{"cached", graphs.FormInterOpDefault, graphs.FormInterOpOne, graphs.SourceCache, true, 0},
		{"no layouts", graphs.FormInterOpOne, graphs.FormInterOpDefault, "", false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, v, bump := build()
			var timed []string
			a := &graphs.Autotune{Batch: 1, Cache: cache, Measure: func(c graphs.Candidate) (time.Duration, error) {
				if c.Round == 0 {
					timed = append(timed, c.Form)
				}
				if _, err := c.Time(); err != nil {
					return 0, err
				}
				if c.Form == tc.win {
					return time.Millisecond, nil
				}
				return 2 * time.Millisecond, nil
			}}
			g.SetAutotune(a)
			sess, err := graphs.StartSessionWith(g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 2, ThreadLayouts: tc.layouts})
			if err != nil {
				t.Fatal(err)
			}
			defer sess.Close()
			form, err := g.ChooseThreadLayout("test", sess, func() error {
				_, err := sess.Run(nil, nil, bump)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if form != tc.want || sess.ThreadLayout() != tc.want {
				t.Errorf("chose %s, session's layout %s, want %s", form, sess.ThreadLayout(), tc.want)
			}
			if len(timed) != tc.wantTimed || (tc.wantTimed > 0 && timed[0] != graphs.FormInterOpDefault) {
				t.Errorf("timed %q in the first round, want %d layouts, the rule's first", timed, tc.wantTimed)
			}
			var sources []string
			for _, c := range a.Choices() {
				sources = append(sources, c.Source)
			}
			if tc.source == "" && len(sources) != 0 || tc.source != "" && (len(sources) != 1 || sources[0] != tc.source) {
				t.Errorf("choices from %q, want %q", sources, tc.source)
			}
			got, err := sess.Get(v)
			if err != nil {
				t.Fatal(err)
			}
			if vals := graphs.Value(got[0]).([]float32); !slices.Equal(vals, []float32{1, 1, 1}) {
				t.Errorf("v = %v after the choice, want its initial [1 1 1]", vals)
			}
		})
	}
}
