package builders

import (
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/internal/gradcheck"
)

// GlobalMaxPooling1D, GlobalAveragePooling1D and GlobalAveragePooling2D.
func TestGlobalPoolingShapes(t *testing.T) {
	keep1 := NewGlobalMaxPooling1D("global_max_pooling1d")
	keep1.Keepdims = true
	keepAvg1 := NewGlobalAveragePooling1D("global_average_pooling1d")
	keepAvg1.Keepdims = true
	keep2 := NewGlobalAveragePooling2D("global_average_pooling2d")
	keep2.Keepdims = true
	checkShapes(t, []shapeCase{
		{"global_max_pooling1d", NewGlobalMaxPooling1D("global_max_pooling1d"), Shape{96, 64}, Shape{64}, 0},
		{"global_max_pooling1d_keepdims", keep1, Shape{96, 64}, Shape{1, 64}, 0},
		{"global_average_pooling1d", NewGlobalAveragePooling1D("global_average_pooling1d"), Shape{80, 32}, Shape{32}, 0},
		{"global_average_pooling1d_keepdims", keepAvg1, Shape{80, 32}, Shape{1, 32}, 0},
		{"global_average_pooling2d", NewGlobalAveragePooling2D("global_average_pooling2d"), Shape{7, 7, 128}, Shape{128}, 0},
		{"global_average_pooling2d_keepdims", keep2, Shape{7, 7, 128}, Shape{1, 1, 128}, 0},
	})
}

func TestGlobalPoolingGradients(t *testing.T) {
	p := gradParams(24)
	layer := func(l Layer, in Shape) func(s *graphs.Scope, x []tf.Output) tf.Output {
		return func(s *graphs.Scope, x []tf.Output) tf.Output {
			if _, err := l.Build(s, in); err != nil {
				s.Fail("%v", err)
			}
			return l.Call(x[0], true)
		}
	}
	checkGradients(t, []gradCase{
		{"global_max_pooling1d", []gradcheck.Param{p("x", 1, 2, 5, 3)}, []int64{2, 3},
			layer(NewGlobalMaxPooling1D("global_max_pooling1d"), Shape{5, 3}), gradcheck.Options{}},
		{"global_average_pooling1d", []gradcheck.Param{p("x", 1, 2, 5, 3)}, []int64{2, 3},
			layer(NewGlobalAveragePooling1D("global_average_pooling1d"), Shape{5, 3}), gradcheck.Options{}},
		{"global_average_pooling2d", []gradcheck.Param{p("x", 1, 2, 3, 4, 2)}, []int64{2, 2},
			layer(NewGlobalAveragePooling2D("global_average_pooling2d"), Shape{3, 4, 2}), gradcheck.Options{}},
	})
}
