package builders

import (
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/internal/gradcheck"
)

func TestSimpleRNNShapes(t *testing.T) {
	seq := NewSimpleRNN("simple_rnn", 8)
	seq.ReturnSequences = true
	noBias := NewSimpleRNN("simple_rnn", 5)
	noBias.UseBias = false
	checkShapes(t, []shapeCase{
		// Keras: features·units + units·units + units.
		{"simple_rnn_32", NewSimpleRNN("simple_rnn", 32), Shape{10, 16}, Shape{32}, 16*32 + 32*32 + 32},
		{"sequences", seq, Shape{5, 3}, Shape{5, 8}, 3*8 + 8*8 + 8},
		{"no_bias", noBias, Shape{5, 3}, Shape{5}, 3*5 + 5*5},
	})
}

func TestSimpleRNNGradients(t *testing.T) {
	p := gradParams(22)
	run := func(sequences, backwards bool) func(s *graphs.Scope, in []tf.Output) tf.Output {
		r := NewSimpleRNN("simple_rnn", 3)
		r.ReturnSequences, r.GoBackwards = sequences, backwards
		return func(s *graphs.Scope, in []tf.Output) tf.Output {
			return r.sequence(s, in[0], in[1], in[2], in[3], Shape{4, 2}, tf.Output{})
		}
	}
	params := func() []gradcheck.Param {
		return []gradcheck.Param{p("x", 1, 2, 4, 2), p("kernel", 0.7, 2, 3), p("recurrent_kernel", 0.7, 3, 3), p("bias", 0.5, 3)}
	}
	checkGradients(t, []gradCase{
		{"last", params(), []int64{2, 3}, run(false, false), gradcheck.Options{}},
		{"sequences_backwards", params(), []int64{2, 4, 3}, run(true, true), gradcheck.Options{}},
	})
}
