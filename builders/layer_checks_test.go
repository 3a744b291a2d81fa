package builders

import (
	"math/rand/v2"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/internal/gradcheck"
)

// Shared table runners for the layers' tests: output shapes and parameter counts against
// Keras's formulas, and gradients against central finite differences.

type shapeCase struct {
	name   string
	layer  Layer
	in     Shape
	out    Shape
	params int // Keras's formula, written out
}

func checkShapes(t *testing.T, cases []shapeCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := graphs.NewGraph(tf.Float, 1)
			out, err := tc.layer.Build(g.Root(), tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if out.String() != tc.out.String() {
				t.Errorf("output shape %v, want %v", out, tc.out)
			}
			tr, nt := CountParams(tc.layer.Variables())
			if tr+nt != tc.params {
				t.Errorf("params %d, want %d", tr+nt, tc.params)
			}
			// The op graph agrees with the declared shape.
			x := g.Root().Placeholder("x", tf.Float, append([]int64{-1}, int64s(tc.in)...)...)
			y := tc.layer.Call(x, true)
			if err := g.Root().Err(); err != nil {
				t.Fatal(err)
			}
			got, err := y.Shape().ToSlice()
			if err != nil {
				t.Fatalf("output of unknown rank: %v", err)
			}
			if want := append([]int64{-1}, int64s(tc.out)...); !sameDims(got, want) {
				t.Errorf("graph output shape %v, want %v", got, want)
			}
		})
	}
}

func int64s(s Shape) []int64 {
	out := make([]int64, len(s))
	for i, d := range s {
		out[i] = int64(d)
	}
	return out
}

func sameDims(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

type gradCase struct {
	name   string
	params []gradcheck.Param
	out    []int64
	build  func(s *graphs.Scope, in []tf.Output) tf.Output
	opts   gradcheck.Options
}

// checkGradients differentiates Σ y·w (fixed random w) with Scope.Gradients for every
// param and compares with central differences (float64 unless the case says otherwise).
func checkGradients(t *testing.T, cases []gradCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			worst, err := gradcheck.Check(tc.params, func(s *graphs.Scope, in []tf.Output) tf.Output {
				return gradcheck.Project(s, tc.build(s, in), tc.out, 11)
			}, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("worst relative error %.2g", worst)
		})
	}
}

// gradParams returns a Param maker drawing from a fixed stream.
func gradParams(seed uint64) func(name string, scale float64, shape ...int64) gradcheck.Param {
	rng := rand.New(rand.NewPCG(seed, seed))
	return func(name string, scale float64, shape ...int64) gradcheck.Param {
		return gradcheck.Random(name, rng, scale, shape...)
	}
}

// gradFloat32 is the check for kernels that exist only in float32.
func gradFloat32() gradcheck.Options {
	return gradcheck.Options{DType: tf.Float, Step: 1e-2, RelTol: 2e-2, AbsTol: 2e-3}
}
