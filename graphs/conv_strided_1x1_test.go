package graphs_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/internal/gradcheck"
)

// strided1x1Case is a 1×1 convolution's geometry: input [h, w, cin], cout filters, strides.
type strided1x1Case struct {
	h, w, cin, cout int64
	strides         [2]int
	padding         string
}

func (c strided1x1Case) String() string {
	return fmt.Sprintf("%dx%dx%d_to%d_s%dx%d_%s", c.h, c.w, c.cin, c.cout, c.strides[0], c.strides[1], c.padding)
}

// Lengths the strides do and do not divide, unequal strides, one stride of 1 (Conv1D's
// shape), and single channels (the case oneDNN's kernel corrupts the heap on).
var strided1x1Cases = []strided1x1Case{
	{6, 6, 3, 2, [2]int{2, 2}, "SAME"},
	{5, 7, 1, 1, [2]int{2, 2}, "VALID"},
	{5, 7, 2, 3, [2]int{2, 3}, "SAME"},
	{1, 9, 4, 2, [2]int{1, 2}, "VALID"},
	{7, 4, 2, 1, [2]int{3, 1}, "SAME"},
}

func ceil(n int64, s int) int64 { return (n + int64(s) - 1) / int64(s) }

// The slice-and-spread forms give the values of TensorFlow's forward kernels (Conv2D and
// Conv2DBackpropInput, which are not the faulty ones), and no strided convolution is left
// in the graph, gradients included.
func TestStrided1x1MatchesKernels(t *testing.T) {
	for _, c := range strided1x1Cases {
		t.Run(c.String(), func(t *testing.T) {
			const batch = 2
			oh, ow := ceil(c.h, c.strides[0]), ceil(c.w, c.strides[1])
			rng := rand.New(rand.NewPCG(uint64(c.h*c.w), uint64(c.cin)))
			x := randomTensor(t, rng, batch, c.h, c.w, c.cin)
			w := randomTensor(t, rng, 1, 1, c.cin, c.cout)
			dy := randomTensor(t, rng, batch, oh, ow, c.cout)
			st := []int64{1, int64(c.strides[0]), int64(c.strides[1]), 1}

			g := newCPUGraph(tf.Float, 1)
			s := g.Root()
			xIn := s.Placeholder("x", tf.Float, batch, c.h, c.w, c.cin)
			wIn := s.Placeholder("w", tf.Float, 1, 1, c.cin, c.cout)
			dyIn := s.Placeholder("dy", tf.Float, batch, oh, ow, c.cout)
			conv := s.Conv2D(xIn, wIn, c.strides, c.padding)
			// The transposed conv of dy back to x's size, with the same filter.
			transposed := s.Conv2DTranspose(dyIn, wIn, [3]int64{c.h, c.w, c.cin}, c.strides, c.padding)
			loss := op.Add(s.Op("Add"),
				op.Sum(s.Op("Sum"), op.Mul(s.Op("Mul"), conv, dyIn), s.Const([]int32{0, 1, 2, 3})),
				op.Sum(s.Op("Sum_1"), op.Mul(s.Op("Mul_1"), transposed, xIn), s.Const([]int32{0, 1, 2, 3})))
			if _, err := s.Gradients(loss, []tf.Output{xIn, wIn, dyIn}); err != nil {
				t.Fatal(err)
			}
			for _, o := range g.TF().Operations() {
				switch o.Type() {
				case "Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter":
					strides, err := o.Attr("strides")
					if err != nil {
						t.Fatal(err)
					}
					if v := strides.([]int64); v[1] != 1 || v[2] != 1 {
						t.Errorf("%s %s has strides %v; want stride 1 only", o.Type(), o.Name(), v)
					}
				}
			}
			refConv := op.Conv2D(s.Op("ref_Conv2D"), xIn, wIn, st, c.padding)
			refTransposed := op.Conv2DBackpropInput(s.Op("ref_Conv2DBackpropInput"),
				s.Const([]int32{batch, int32(c.h), int32(c.w), int32(c.cin)}), wIn, dyIn, st, c.padding)
			got := runConv(t, g, map[tf.Output]*tf.Tensor{xIn: x, wIn: w, dyIn: dy}, conv, refConv, transposed, refTransposed)
			for i, name := range []string{"Conv2D", "Conv2DTranspose"} {
				a, b := graphs.Value(got[2*i]).([][][][]float32), graphs.Value(got[2*i+1]).([][][][]float32)
				if fmt.Sprint(got[2*i].Shape()) != fmt.Sprint(got[2*i+1].Shape()) {
					t.Fatalf("%s: shape %v, kernel's %v", name, got[2*i].Shape(), got[2*i+1].Shape())
				}
				worst := 0.0
				for n := range a {
					for i := range a[n] {
						for j := range a[n][i] {
							for k := range a[n][i][j] {
								worst = math.Max(worst, math.Abs(float64(a[n][i][j][k]-b[n][i][j][k])))
							}
						}
					}
				}
				if worst > 1e-6 {
					t.Errorf("%s: largest difference from the kernel %.3g, want ≤ 1e-6", name, worst)
				}
			}
		})
	}
}

// Finite differences (float64) of both forms, x and the filter.
func TestStrided1x1Gradients(t *testing.T) {
	for _, c := range strided1x1Cases {
		oh, ow := ceil(c.h, c.strides[0]), ceil(c.w, c.strides[1])
		rng := rand.New(rand.NewPCG(uint64(c.cin), uint64(c.cout)))
		filter := gradcheck.Random("w", rng, 0.5, 1, 1, c.cin, c.cout)
		t.Run("Conv2D_"+c.String(), func(t *testing.T) {
			ps := []gradcheck.Param{gradcheck.Random("x", rng, 1, 2, c.h, c.w, c.cin), filter}
			worst, err := gradcheck.Check(ps, func(s *graphs.Scope, in []tf.Output) tf.Output {
				y := s.Conv2D(in[0], in[1], c.strides, c.padding)
				return gradcheck.Project(s, y, []int64{2, oh, ow, c.cout}, 3)
			}, gradcheck.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("worst relative error %.2g", worst)
		})
		t.Run("Conv2DTranspose_"+c.String(), func(t *testing.T) {
			ps := []gradcheck.Param{gradcheck.Random("x", rng, 1, 2, oh, ow, c.cout), filter}
			worst, err := gradcheck.Check(ps, func(s *graphs.Scope, in []tf.Output) tf.Output {
				y := s.Conv2DTranspose(in[0], in[1], [3]int64{c.h, c.w, c.cin}, c.strides, c.padding)
				return gradcheck.Project(s, y, []int64{2, c.h, c.w, c.cin}, 5)
			}, gradcheck.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("worst relative error %.2g", worst)
		})
	}
}
