package builders

import (
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/internal/gradcheck"
)

func TestLayerNormalizationShapes(t *testing.T) {
	noCenter := NewLayerNormalization("layer_normalization")
	noCenter.Center = false
	bare := NewLayerNormalization("layer_normalization")
	bare.Center, bare.Scale = false, false
	axis := NewLayerNormalization("layer_normalization")
	axis.Axis = 2 // the last axis of (None, 10, 16), counted with the batch
	checkShapes(t, []shapeCase{
		{"flat", NewLayerNormalization("layer_normalization"), Shape{16}, Shape{16}, 2 * 16},
		{"sequence", NewLayerNormalization("layer_normalization"), Shape{10, 16}, Shape{10, 16}, 2 * 16},
		{"image_no_center", noCenter, Shape{4, 4, 8}, Shape{4, 4, 8}, 8},
		{"bare", bare, Shape{10, 16}, Shape{10, 16}, 0},
		{"axis_counted_with_batch", axis, Shape{10, 16}, Shape{10, 16}, 2 * 16},
	})
	first := NewLayerNormalization("layer_normalization")
	first.Axis = 1
	g := graphs.NewGraph(tf.Float, 1)
	if _, err := first.Build(g.Root(), Shape{10, 16}); err == nil {
		t.Error("axis 1 of (None, 10, 16): got nil error, want one (only the last axis is implemented)")
	}
}

func TestLayerNormalizationGradients(t *testing.T) {
	p := gradParams(27)
	run := func(center, scale bool) func(s *graphs.Scope, in []tf.Output) tf.Output {
		return func(s *graphs.Scope, in []tf.Output) tf.Output {
			var gamma, beta tf.Output
			k := 1
			if scale {
				gamma, k = in[k], k+1
			}
			if center {
				beta = in[k]
			}
			return layerNormOp(s, in[0], gamma, beta, LayerNormEpsilon)
		}
	}
	checkGradients(t, []gradCase{
		{"flat", []gradcheck.Param{p("x", 2, 3, 5), p("gamma", 1, 5), p("beta", 1, 5)}, []int64{3, 5}, run(true, true), gradcheck.Options{}},
		{"sequence", []gradcheck.Param{p("x", 2, 2, 3, 4), p("gamma", 1, 4), p("beta", 1, 4)}, []int64{2, 3, 4}, run(true, true), gradcheck.Options{}},
		{"no_center", []gradcheck.Param{p("x", 2, 3, 5), p("gamma", 1, 5)}, []int64{3, 5}, run(false, true), gradcheck.Options{}},
		{"bare", []gradcheck.Param{p("x", 2, 3, 5)}, []int64{3, 5}, run(false, false), gradcheck.Options{}},
	})
}
