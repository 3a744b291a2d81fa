package graphs_test

import (
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/core/framework/step_stats_go_proto"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
)

// A traced run computes what an untraced one does, hands TensorFlow's statistics of
// every op it ran to the tracer, and a profile of them credits the MatMul with its
// counted FLOPs (under its own type, or oneDNN's _MklMatMul). Trace(nil) stops tracing.
func TestSessionTrace(t *testing.T) {
	g := graphs.NewGraph(tf.Float, 1)
	s := g.Root()
	x := s.Placeholder("x", tf.Float, -1, 3)
	k := s.NewVariable("k", tf.Float, []int64{3, 4}, graphs.GlorotUniform{}, true)
	y := op.Relu(s.Op("Relu"), op.MatMul(s.Op("MatMul"), x, k.Value()))
	step := s.NewVariable("step", tf.Float, nil, graphs.Zeros{}, false)
	bump := op.AssignAddVariableOp(s.Op("Bump"), step.Handle(), s.Const(float32(1)))
	sess, err := graphs.StartSession(g, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	xs, err := tf.NewTensor([][]float32{{1, -2, 3}, {0.5, 4, -1}, {2, 2, 2}, {-1, 0, 1}, {3, 1, -2}})
	if err != nil {
		t.Fatal(err)
	}
	feeds := map[tf.Output]*tf.Tensor{x: xs}
	want, err := sess.Run(feeds, []tf.Output{y}, bump)
	if err != nil {
		t.Fatal(err)
	}
	var runs []*step_stats_go_proto.StepStats
	sess.Trace(func(st *step_stats_go_proto.StepStats) { runs = append(runs, st) })
	got, err := sess.Run(feeds, []tf.Output{y}, bump)
	if err != nil {
		t.Fatal(err)
	}
	sess.Trace(nil)
	if _, err := sess.Run(feeds, []tf.Output{y}, bump); err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 {
		t.Fatalf("%d traced runs, want 1", len(runs))
	}
	w, gv := graphs.Value(want[0]).([][]float32), graphs.Value(got[0]).([][]float32)
	for i := range w {
		for j := range w[i] {
			if w[i][j] != gv[i][j] {
				t.Fatalf("traced run: y[%d][%d] = %v, untraced %v", i, j, gv[i][j], w[i][j])
			}
		}
	}
	if v, err := sess.Scalar(step); err != nil || v != 3 {
		t.Errorf("the target ran %v times (%v), want 3", v, err)
	}

	flops, err := graphs.CountFLOPs(g, map[tf.Output][]int64{x: {5, 3}}, graphs.StepRun{Fetches: []tf.Output{y}, Targets: []*tf.Operation{bump}})
	if err != nil {
		t.Fatal(err)
	}
	p := graphs.NewProfile(runs, 1, flops)
	var mm *graphs.OpTime
	for i, op := range p.Ops {
		if op.Name == "MatMul/MatMul" { // type MatMul, or _MklMatMul with oneDNN on
			mm = &p.Ops[i]
		}
	}
	if mm == nil || mm.FLOPs != 120 || mm.Runs != 1 || mm.Nanos <= 0 {
		t.Fatalf("profile's MatMul %+v, want one run of 120 FLOPs (ops %+v)", mm, p.Ops)
	}
	if p.Unmatched != 0 || p.WallNanos <= 0 || p.OpNanos() <= 0 {
		t.Errorf("profile %+v: want every counted op found and positive times", p)
	}
	var b strings.Builder
	if err := p.Write(&b, 5); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "MatMul | 1 |") {
		t.Errorf("profile table lacks the MatMul row:\n%s", b.String())
	}
}

// NewProfile finds a counted op in the fused op grappler made of it (named after the
// last op it absorbed) by its inputs (a fed one named by the executor's _arg_ node), sums ops by type, and reports counted FLOPs no
// executed op stands for.
func TestNewProfileFused(t *testing.T) {
	node := func(name, label string, start, end int64) *step_stats_go_proto.NodeExecStats {
		return &step_stats_go_proto.NodeExecStats{NodeName: name, TimelineLabel: label,
			AllStartNanos: 1000, OpStartRelNanos: start, OpEndRelNanos: end, AllEndRelNanos: end}
	}
	run := &step_stats_go_proto.StepStats{DevStats: []*step_stats_go_proto.DeviceStepStats{{NodeStats: []*step_stats_go_proto.NodeExecStats{
		node("d/lrelu/LeakyRelu", "d/lrelu/LeakyRelu = _FusedConv2D(_arg_x_0_3, d/conv/ReadVariableOp, d/conv/bias)", 0, 4000),
		node("d/bn", "d/bn = FusedBatchNormV3(d/lrelu/LeakyRelu, a, b, c, d)", 4000, 5000),
		node("g/conv/Conv2D", "g/conv/Conv2D = Conv2D(z:0, g/k)", 5000, 7000),
	}}}}
	counted := graphs.FLOPs{
		ByOp:   map[string]int64{"d/conv/Conv2D": 8000, "g/conv/Conv2D": 2000, "pruned/MatMul": 10},
		Inputs: map[string][]string{"d/conv/Conv2D": {"x", "d/conv/ReadVariableOp"}, "g/conv/Conv2D": {"z", "g/k"}, "pruned/MatMul": {"a", "b"}},
	}
	p := graphs.NewProfile([]*step_stats_go_proto.StepStats{run, run}, 2, counted)
	if p.WallNanos != 2*7000 || p.OpNanos() != 2*7000 || p.Unmatched != 10 || len(p.UnmatchedOps) != 1 {
		t.Errorf("wall %d, op time %d, unmatched %d; want 14000, 14000, 10", p.WallNanos, p.OpNanos(), p.Unmatched)
	}
	want := map[string]graphs.OpTime{
		"_FusedConv2D":     {Type: "_FusedConv2D", Runs: 2, Nanos: 8000, FLOPs: 16000},
		"FusedBatchNormV3": {Type: "FusedBatchNormV3", Runs: 2, Nanos: 2000},
		"Conv2D":           {Type: "Conv2D", Runs: 2, Nanos: 4000, FLOPs: 4000},
	}
	types := p.ByType()
	if len(types) != len(want) || types[0].Type != "_FusedConv2D" {
		t.Fatalf("by type %+v, want %v, the fused conv first", types, want)
	}
	for _, got := range types {
		if got != want[got.Type] {
			t.Errorf("%s: %+v, want %+v", got.Type, got, want[got.Type])
		}
	}
}

// Write says when ops ran side by side (their summed time well above the runs' spans),
// and not when they ran one at a time.
func TestProfileSaysSideBySide(t *testing.T) {
	node := func(name string, start, end int64) *step_stats_go_proto.NodeExecStats {
		return &step_stats_go_proto.NodeExecStats{NodeName: name, TimelineLabel: name + " = MatMul(a, b)",
			AllStartNanos: 1000 + start, OpStartRelNanos: 0, OpEndRelNanos: end - start, AllEndRelNanos: end - start}
	}
	for _, tc := range []struct {
		name       string
		secondFrom int64 // the second op's start; the first runs over [0, 4000)
		want       bool
	}{
		{"one at a time", 4000, false},
		{"side by side", 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run := &step_stats_go_proto.StepStats{DevStats: []*step_stats_go_proto.DeviceStepStats{{NodeStats: []*step_stats_go_proto.NodeExecStats{
				node("left", 0, 4000), node("right", tc.secondFrom, tc.secondFrom+4000),
			}}}}
			var b strings.Builder
			if err := graphs.NewProfile([]*step_stats_go_proto.StepStats{run}, 1, graphs.FLOPs{}).Write(&b, 5); err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(b.String(), "ran side by side"); got != tc.want {
				t.Errorf("report says side by side: %v, want %v:\n%s", got, tc.want, b.String())
			}
			if tc.want && !strings.Contains(b.String(), "op time 2.00× the spans") {
				t.Errorf("report does not give the ratio 2.00:\n%s", b.String())
			}
		})
	}
}
