package builders

import (
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/internal/gradcheck"
)

func TestGRUShapes(t *testing.T) {
	gru := func(units int, edit func(g *GRU)) *GRU {
		g := NewGRU("gru", units)
		if edit != nil {
			edit(g)
		}
		return g
	}
	checkShapes(t, []shapeCase{
		// Keras: 3·(features·units + units·units) + 2·3·units with reset_after.
		{"gru_16", gru(16, nil), Shape{10, 32}, Shape{16}, 3*(32*16+16*16) + 2*3*16},
		{"gru_sequences", gru(8, func(g *GRU) { g.ReturnSequences = true }), Shape{5, 3}, Shape{5, 8}, 3*(3*8+8*8) + 6*8},
		{"gru_reset_before", gru(8, func(g *GRU) { g.ResetAfter = false }), Shape{5, 3}, Shape{8}, 3*(3*8+8*8) + 3*8},
		{"gru_no_bias_backwards", gru(4, func(g *GRU) { g.UseBias, g.GoBackwards, g.ReturnSequences = false, true, true }), Shape{7, 2}, Shape{7, 4}, 3 * (2*4 + 4*4)},
	})
}

func TestGRUGradients(t *testing.T) {
	p := gradParams(21)
	x := func() gradcheck.Param { return p("x", 1, 2, 4, 3) }
	gru := func(edit func(g *GRU)) *GRU {
		g := NewGRU("gru", 3)
		if edit != nil {
			edit(g)
		}
		return g
	}
	run := func(g *GRU) func(s *graphs.Scope, in []tf.Output) tf.Output {
		return func(s *graphs.Scope, in []tf.Output) tf.Output {
			var b tf.Output
			if len(in) > 3 {
				b = in[3]
			}
			return g.sequence(s, in[0], in[1], in[2], b, Shape{4, 3}, tf.Output{})
		}
	}
	checkGradients(t, []gradCase{
		{"reset_after", []gradcheck.Param{x(), p("kernel", 0.5, 3, 9), p("recurrent_kernel", 0.5, 3, 9), p("bias", 0.5, 2, 9)}, []int64{2, 3},
			run(gru(nil)), gradcheck.Options{}},
		{"reset_after_sequences", []gradcheck.Param{x(), p("kernel", 0.5, 3, 9), p("recurrent_kernel", 0.5, 3, 9), p("bias", 0.5, 2, 9)}, []int64{2, 4, 3},
			run(gru(func(g *GRU) { g.ReturnSequences = true })), gradcheck.Options{}},
		{"reset_before", []gradcheck.Param{x(), p("kernel", 0.5, 3, 9), p("recurrent_kernel", 0.5, 3, 9), p("bias", 0.5, 9)}, []int64{2, 3},
			run(gru(func(g *GRU) { g.ResetAfter = false })), gradcheck.Options{}},
		{"go_backwards_sequences", []gradcheck.Param{x(), p("kernel", 0.5, 3, 9), p("recurrent_kernel", 0.5, 3, 9), p("bias", 0.5, 2, 9)}, []int64{2, 4, 3},
			run(gru(func(g *GRU) { g.GoBackwards, g.ReturnSequences = true, true })), gradcheck.Options{}},
		{"no_bias", []gradcheck.Param{x(), p("kernel", 0.5, 3, 9), p("recurrent_kernel", 0.5, 3, 9)}, []int64{2, 3},
			run(gru(func(g *GRU) { g.UseBias = false })), gradcheck.Options{}},
		{"reset_after_float32", []gradcheck.Param{x(), p("kernel", 0.5, 3, 9), p("recurrent_kernel", 0.5, 3, 9), p("bias", 0.5, 2, 9)}, []int64{2, 3},
			run(gru(nil)), gradFloat32()},
	})
}
