package builders

import (
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/internal/gradcheck"
)

// MaxPooling2D and AveragePooling2D: Keras's compute_pooling_output_shape.
func TestPooling2DShapes(t *testing.T) {
	maxPool := func(pool, strides [2]int, padding string) *MaxPooling2D {
		m := NewMaxPooling2D("max_pooling2d")
		m.PoolSize, m.Strides, m.Padding = pool, strides, padding
		return m
	}
	avgPool := func(pool, strides [2]int, padding string) *AveragePooling2D {
		a := NewAveragePooling2D("average_pooling2d", pool)
		a.Strides, a.Padding = strides, padding
		return a
	}
	checkShapes(t, []shapeCase{
		{"max_default", NewMaxPooling2D("max_pooling2d"), Shape{28, 28, 32}, Shape{14, 14, 32}, 0},
		{"max_default_odd", NewMaxPooling2D("max_pooling2d"), Shape{5, 7, 3}, Shape{2, 3, 3}, 0},
		{"max_same_odd", maxPool([2]int{2, 2}, [2]int{}, "same"), Shape{5, 7, 3}, Shape{3, 4, 3}, 0},
		{"max_3x3_s1_valid", maxPool([2]int{3, 3}, [2]int{1, 1}, "valid"), Shape{5, 6, 2}, Shape{3, 4, 2}, 0},
		{"max_3x2_s2x1_same", maxPool([2]int{3, 2}, [2]int{2, 1}, "same"), Shape{5, 6, 2}, Shape{3, 6, 2}, 0},
		{"avg_2x2", avgPool([2]int{2, 2}, [2]int{}, "valid"), Shape{28, 28, 32}, Shape{14, 14, 32}, 0},
		{"avg_3x3_s2_same", avgPool([2]int{3, 3}, [2]int{2, 2}, "same"), Shape{5, 6, 2}, Shape{3, 3, 2}, 0},
	})
}

func TestPooling2DBuildErrors(t *testing.T) {
	bad := NewMaxPooling2D("max_pooling2d")
	bad.Padding = "causal"
	zero := NewAveragePooling2D("average_pooling2d", [2]int{0, 2})
	cases := []struct {
		name  string
		layer Layer
		in    Shape
		want  string
	}{
		{"rank", NewMaxPooling2D("max_pooling2d"), Shape{5, 3}, "(None, height, width, channels)"},
		{"padding", bad, Shape{4, 4, 1}, `padding "causal", want one of valid, same`},
		{"pool_size", zero, Shape{4, 4, 1}, "pool_size [0 2], want positive integers"},
		{"too_small", NewAveragePooling2D("average_pooling2d", [2]int{3, 3}), Shape{2, 4, 1}, "at least as large as pool_size"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := graphs.NewGraph(tf.Float, 1)
			_, err := tc.layer.Build(g.Root(), tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestPooling2DGradients(t *testing.T) {
	p := gradParams(25)
	layer := func(l Layer, in Shape) func(s *graphs.Scope, x []tf.Output) tf.Output {
		return func(s *graphs.Scope, x []tf.Output) tf.Output {
			if _, err := l.Build(s, in); err != nil {
				s.Fail("%v", err)
			}
			return l.Call(x[0], true)
		}
	}
	maxSame := NewMaxPooling2D("max_pooling2d")
	maxSame.PoolSize, maxSame.Strides, maxSame.Padding = [2]int{3, 3}, [2]int{2, 2}, "same"
	avgSame := NewAveragePooling2D("average_pooling2d", [2]int{3, 2})
	avgSame.Strides, avgSame.Padding = [2]int{2, 1}, "same"
	checkGradients(t, []gradCase{
		{"max_pooling2d", []gradcheck.Param{p("x", 1, 2, 4, 5, 2)}, []int64{2, 2, 2, 2},
			layer(NewMaxPooling2D("max_pooling2d"), Shape{4, 5, 2}), gradcheck.Options{}},
		{"max_pooling2d_same_3x3_s2", []gradcheck.Param{p("x", 1, 1, 5, 5, 2)}, []int64{1, 3, 3, 2},
			layer(maxSame, Shape{5, 5, 2}), gradcheck.Options{}},
		{"average_pooling2d", []gradcheck.Param{p("x", 1, 2, 4, 5, 2)}, []int64{2, 2, 2, 2},
			layer(NewAveragePooling2D("average_pooling2d", [2]int{2, 2}), Shape{4, 5, 2}), gradcheck.Options{}},
		{"average_pooling2d_same_3x2_s2x1", []gradcheck.Param{p("x", 1, 1, 5, 4, 2)}, []int64{1, 3, 4, 2},
			layer(avgSame, Shape{5, 4, 2}), gradcheck.Options{}},
	})
}
