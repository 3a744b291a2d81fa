package builders

import (
	"math"
	"math/rand/v2"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/internal/gradcheck"
)

// The synchronized path computes the fused kernel's statistics and output (one process:
// the cross-replica sum is the identity), flat and 4-D, float32.
func TestBatchNormSyncMatchesFused(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for _, shape := range [][]int64{{6, 4}, {5, 3, 2, 4}} {
		g := graphs.NewGraph(tf.Float, 1)
		s := g.Root()
		n := int64(1)
		for _, d := range shape {
			n *= d
		}
		vals := make([]float32, n)
		for i := range vals {
			vals[i] = float32(3*rng.NormFloat64() + 1)
		}
		xt, err := graphs.NewTensor(vals, shape...)
		if err != nil {
			t.Fatal(err)
		}
		x := s.Const(xt)
		gamma, beta := s.Const([]float32{1.5, 0.5, 2, 1}), s.Const([]float32{0, 1, -1, 0.25})
		fy, fm, fv := batchNormTrainOp(s, x, gamma, beta, 1e-3, len(shape) == 2)
		sy, sm, sv := batchNormSyncOp(s, x, gamma, beta, 1e-3)
		if err := s.Err(); err != nil {
			t.Fatal(err)
		}
		sess, err := graphs.NewSession(g, graphs.SessionOptions{})
		if err != nil {
			t.Fatal(err)
		}
		out, err := sess.Run(nil, []tf.Output{fy, fm, fv, sy, sm, sv})
		sess.Close()
		if err != nil {
			t.Fatal(err)
		}
		for i, name := range []string{"y", "mean", "variance"} {
			want, got := graphs.Float64s(out[i]), graphs.Float64s(out[3+i])
			for k := range want {
				if math.Abs(got[k]-want[k]) > 1e-5*math.Max(1, math.Abs(want[k])) {
					t.Fatalf("%v: %s[%d] = %.7g, the fused kernel gives %.7g", shape, name, k, got[k], want[k])
				}
			}
		}
	}
}

// The synchronized path's gradient, numerically: in one process, and on a replica whose
// cross-replica sum adds two identical replicas (2x; its gradient is then 2·upstream, the
// sum of both replicas' upstream gradients), which checks that the gradient flows
// through the all-reduce as the cross-replica sum of the upstream gradients.
func TestBatchNormSyncGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	p := func(name string, scale float64, shape ...int64) gradcheck.Param {
		return gradcheck.Random(name, rng, scale, shape...)
	}
	twice := func(s *graphs.Scope, xs []tf.Output) []tf.Output {
		out := make([]tf.Output, len(xs))
		for i, x := range xs {
			out[i] = op.Mul(s.Op("Mul"), x, s.Scalar(2))
		}
		return out
	}
	replicaFeeds := func(rows int) func(g *graphs.Graph) map[tf.Output]*tf.Tensor {
		return func(g *graphs.Graph) map[tf.Output]*tf.Tensor {
			f, err := g.ReplicaFeeds(2*rows, 0, rows)
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
	}
	for _, tc := range []struct {
		name    string
		params  []gradcheck.Param
		replica bool
		feeds   func(g *graphs.Graph) map[tf.Output]*tf.Tensor
	}{
		{"flat", []gradcheck.Param{p("x", 2, 6, 4), p("gamma", 1, 4), p("beta", 1, 4)}, false, nil},
		{"4d", []gradcheck.Param{p("x", 2, 3, 2, 2, 3), p("gamma", 1, 3), p("beta", 1, 3)}, false, nil},
		{"flat, two replicas", []gradcheck.Param{p("x", 2, 6, 4), p("gamma", 1, 4), p("beta", 1, 4)}, true, replicaFeeds(6)},
		{"4d, two replicas", []gradcheck.Param{p("x", 2, 3, 2, 2, 3), p("gamma", 1, 3), p("beta", 1, 3)}, true, replicaFeeds(3)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := tc.params[0].Shape
			worst, err := gradcheck.Check(tc.params, func(s *graphs.Scope, in []tf.Output) tf.Output {
				if tc.replica {
					s.Graph().SetReplica(twice)
				}
				y, mean, variance := batchNormSyncOp(s, in[0], in[1], in[2], 1e-3)
				// The statistics' own gradients are checked too.
				stats := op.AddV2(s.Op("AddV2"), op.Sum(s.Op("Sum"), mean, s.Const(int32(0))), op.Sum(s.Op("Sum"), variance, s.Const(int32(0))))
				return op.AddV2(s.Op("AddV2"), gradcheck.Project(s, y, out, 11), stats)
			}, gradcheck.Options{Feeds: tc.feeds})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("worst relative error %.2g", worst)
		})
	}
}
