package builders

import (
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/internal/gradcheck"
)

func TestUpSampling2DShapes(t *testing.T) {
	wide := NewUpSampling2D("up_sampling2d")
	wide.Size = [2]int{1, 3}
	checkShapes(t, []shapeCase{
		{"default", NewUpSampling2D("up_sampling2d"), Shape{7, 7, 64}, Shape{14, 14, 64}, 0},
		{"1x3", wide, Shape{4, 5, 2}, Shape{4, 15, 2}, 0},
	})
}

func TestUpSampling2DBuildErrors(t *testing.T) {
	bilinear := NewUpSampling2D("up_sampling2d")
	bilinear.Interpolation = "bilinear"
	g := graphs.NewGraph(tf.Float, 1)
	if _, err := bilinear.Build(g.Root(), Shape{4, 4, 1}); err == nil {
		t.Fatal("interpolation bilinear: got nil error, want one (only nearest is implemented)")
	}
}

// Element (i·sh + a, j·sw + b) of the output is element (i, j) of the input.
func TestUpSampling2DRepeats(t *testing.T) {
	g := graphs.NewGraph(tf.Double, 1)
	s := g.Root()
	x := s.Const([][][][]float64{{{{1, 10}, {2, 20}}, {{3, 30}, {4, 40}}}}) // [1, 2, 2, 2]
	y := upSampling2DOp(s, x, Shape{2, 2, 2}, [2]int{2, 3})
	sess, err := graphs.NewSession(g, graphs.SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	out, err := sess.Run(nil, []tf.Output{y})
	if err != nil {
		t.Fatal(err)
	}
	got := graphs.Value(out[0]).([][][][]float64)[0]
	if len(got) != 4 || len(got[0]) != 6 {
		t.Fatalf("output %dx%d, want 4x6", len(got), len(got[0]))
	}
	in := [][][]float64{{{1, 10}, {2, 20}}, {{3, 30}, {4, 40}}}
	for r := range got {
		for c := range got[r] {
			for ch := range got[r][c] {
				if want := in[r/2][c/3][ch]; got[r][c][ch] != want {
					t.Fatalf("y[%d][%d][%d] = %v, want %v", r, c, ch, got[r][c][ch], want)
				}
			}
		}
	}
}

func TestUpSampling2DGradients(t *testing.T) {
	p := gradParams(26)
	checkGradients(t, []gradCase{
		{"2x3", []gradcheck.Param{p("x", 1, 2, 2, 3, 2)}, []int64{2, 4, 9, 2},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				return upSampling2DOp(s, in[0], Shape{2, 3, 2}, [2]int{2, 3})
			},
			gradcheck.Options{}},
	})
}
