package builders

import (
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/internal/gradcheck"
)

func TestBidirectionalShapes(t *testing.T) {
	bi := func(l Layer, mode string) *Bidirectional {
		b := NewBidirectional("bidirectional", l)
		if mode != "" {
			b.MergeMode = mode
		}
		return b
	}
	seqLSTM := NewLSTM("lstm", 4)
	seqLSTM.ReturnSequences = true
	seqGRU := NewGRU("gru", 4)
	seqGRU.ReturnSequences = true
	lstm := 4 * (4*(3+4) + 4)
	gru := 3*(3*4+4*4) + 6*4
	rnn := 3*4 + 4*4 + 4
	checkShapes(t, []shapeCase{
		{"lstm_concat", bi(NewLSTM("lstm", 4), ""), Shape{5, 3}, Shape{8}, 2 * lstm},
		{"lstm_sequences_concat", bi(seqLSTM, ""), Shape{5, 3}, Shape{5, 8}, 2 * lstm},
		{"gru_sequences_sum", bi(seqGRU, "sum"), Shape{5, 3}, Shape{5, 4}, 2 * gru},
		{"simple_rnn_mul", bi(NewSimpleRNN("simple_rnn", 4), "mul"), Shape{5, 3}, Shape{4}, 2 * rnn},
		{"gru_ave", bi(NewGRU("gru", 4), "ave"), Shape{5, 3}, Shape{4}, 2 * gru},
	})
}

// Keras names the copies forward_<name> and backward_<name> inside the wrapper's scope.
func TestBidirectionalWeightNames(t *testing.T) {
	g := graphs.NewGraph(tf.Float, 1)
	b := NewBidirectional("bidirectional", NewGRU("gru", 2))
	if _, err := b.Build(g.Root(), Shape{3, 2}); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range b.Variables() {
		names = append(names, v.Name)
	}
	want := "bidirectional/forward_gru/kernel bidirectional/forward_gru/recurrent_kernel bidirectional/forward_gru/bias " +
		"bidirectional/backward_gru/kernel bidirectional/backward_gru/recurrent_kernel bidirectional/backward_gru/bias"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("variables\n got %s\nwant %s", got, want)
	}
	if b.Forward().Name() != "forward_gru" || b.Backward().Name() != "backward_gru" {
		t.Errorf("copies %q, %q, want forward_gru, backward_gru", b.Forward().Name(), b.Backward().Name())
	}
}

func TestBidirectionalBuildErrors(t *testing.T) {
	backwards := NewGRU("gru", 2)
	backwards.GoBackwards = true
	cases := []struct {
		name  string
		layer *Bidirectional
		want  string
	}{
		{"merge_mode", func() *Bidirectional {
			b := NewBidirectional("bidirectional", NewGRU("gru", 2))
			b.MergeMode = "max"
			return b
		}(),
			`merge_mode "max", want one of concat, sum, mul, ave`},
		{"not_recurrent", NewBidirectional("bidirectional", NewDense("dense", 2, "")), `layer "Dense", want an LSTM, GRU or SimpleRNN`},
		{"go_backwards", NewBidirectional("bidirectional", backwards), "go_backwards"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := graphs.NewGraph(tf.Float, 1)
			_, err := tc.layer.Build(g.Root(), Shape{3, 2})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestBidirectionalGradients(t *testing.T) {
	p := gradParams(23)
	// params: x, then forward kernel, recurrent, bias, then backward's.
	rnnParams := func(kw, rw, bw []int64) []gradcheck.Param {
		return []gradcheck.Param{p("x", 1, 2, 3, 2),
			p("forward_kernel", 0.5, kw...), p("forward_recurrent_kernel", 0.5, rw...), p("forward_bias", 0.5, bw...),
			p("backward_kernel", 0.5, kw...), p("backward_recurrent_kernel", 0.5, rw...), p("backward_bias", 0.5, bw...)}
	}
	in := Shape{3, 2}
	gru := func(sequences bool, mode string) func(s *graphs.Scope, in []tf.Output) tf.Output {
		g := NewGRU("gru", 2)
		g.ReturnSequences = sequences
		return func(s *graphs.Scope, w []tf.Output) tf.Output {
			return bidirectionalOp(s, w[0],
				func(x tf.Output) tf.Output { return g.sequence(s.Sub("forward"), x, w[1], w[2], w[3], in, tf.Output{}) },
				func(x tf.Output) tf.Output {
					return g.sequence(s.Sub("backward"), x, w[4], w[5], w[6], in, tf.Output{})
				}, mode, sequences)
		}
	}
	rnn := func(sequences bool, mode string) func(s *graphs.Scope, in []tf.Output) tf.Output {
		r := NewSimpleRNN("simple_rnn", 2)
		r.ReturnSequences = sequences
		return func(s *graphs.Scope, w []tf.Output) tf.Output {
			return bidirectionalOp(s, w[0],
				func(x tf.Output) tf.Output { return r.sequence(s.Sub("forward"), x, w[1], w[2], w[3], in, tf.Output{}) },
				func(x tf.Output) tf.Output {
					return r.sequence(s.Sub("backward"), x, w[4], w[5], w[6], in, tf.Output{})
				}, mode, sequences)
		}
	}
	lstm := func(sequences, fused bool, mode string) func(s *graphs.Scope, in []tf.Output) tf.Output {
		return func(s *graphs.Scope, w []tf.Output) tf.Output {
			return bidirectionalOp(s, w[0],
				func(x tf.Output) tf.Output {
					return lstmOp(s.Sub("forward"), x, w[1], w[2], w[3], 3, 2, sequences, fused)
				},
				func(x tf.Output) tf.Output {
					return lstmOp(s.Sub("backward"), x, w[4], w[5], w[6], 3, 2, sequences, fused)
				}, mode, sequences)
		}
	}
	gruW := func() []gradcheck.Param { return rnnParams([]int64{2, 6}, []int64{2, 6}, []int64{2, 6}) }
	rnnW := func() []gradcheck.Param { return rnnParams([]int64{2, 2}, []int64{2, 2}, []int64{2}) }
	lstmW := func() []gradcheck.Param { return rnnParams([]int64{2, 8}, []int64{2, 8}, []int64{8}) }
	checkGradients(t, []gradCase{
		{"gru_concat", gruW(), []int64{2, 4}, gru(false, "concat"), gradcheck.Options{}},
		{"gru_sequences_sum", gruW(), []int64{2, 3, 2}, gru(true, "sum"), gradcheck.Options{}},
		{"simple_rnn_sequences_mul", rnnW(), []int64{2, 3, 2}, rnn(true, "mul"), gradcheck.Options{}},
		{"lstm_unrolled_ave", lstmW(), []int64{2, 2}, lstm(false, false, "ave"), gradcheck.Options{}},
		{"lstm_unrolled_sequences_concat", lstmW(), []int64{2, 3, 4}, lstm(true, false, "concat"), gradcheck.Options{}},
		{"lstm_fused_sequences_concat", lstmW(), []int64{2, 3, 4}, lstm(true, true, "concat"), gradFloat32()},
	})
}
