package graphs_test

import (
	"math"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
)

// Minimize refuses what Keras's optimizer constructor refuses, naming the argument, and
// adds nothing to the graph.
func TestOptimizerOptionsRejected(t *testing.T) {
	for _, c := range []struct {
		name string
		opts graphs.OptimizerOptions
		want string
	}{
		{"clipnorm and global_clipnorm", graphs.OptimizerOptions{Clipnorm: 1, GlobalClipnorm: 1}, "only one of clipnorm, global_clipnorm and clipvalue"},
		{"clipnorm and clipvalue", graphs.OptimizerOptions{Clipnorm: 1, Clipvalue: 0.5}, "only one of clipnorm, global_clipnorm and clipvalue"},
		{"negative weight_decay", graphs.OptimizerOptions{WeightDecay: -0.1}, "weight_decay must be >= 0, got -0.1"},
		{"negative clipvalue", graphs.OptimizerOptions{Clipvalue: -1}, "clipvalue must be >= 0, got -1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := graphs.NewGraph(tf.Double, 1)
			s := g.Root()
			w := s.Sub("dense").NewVariable("kernel", tf.Double, []int64{3}, optValues(optStart), true)
			loss := op.Sum(s.Op("Sum"), w.Value(), s.Const([]int32{0}))
			opt := graphs.NewLion(s, "lion", 0.1, 0.9, 0.99)
			opt.Options = c.opts
			nvars := len(g.Variables())
			_, err := opt.Minimize(s, loss, []*graphs.Variable{w})
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "lion") {
				t.Fatalf("Minimize: err %v, want one naming lion and saying %q", err, c.want)
			}
			if got := len(g.Variables()); got != nvars {
				t.Errorf("a refused Minimize made %d variables", got-nvars)
			}
		})
	}
}

// Under mixed_bfloat16 the layers compute in bfloat16 but the variables, so the gradients
// and every optimizer's slots, stay float32: each optimizer trains such a variable.
func TestOptimizersMixedBFloat16(t *testing.T) {
	for _, c := range optCases {
		t.Run(c.name, func(t *testing.T) {
			g := graphs.NewGraph(tf.Float, 1)
			if err := g.SetComputeDType(tf.Bfloat16); err != nil {
				t.Fatal(err)
			}
			s := g.Root()
			w := s.Sub("dense").NewVariable("kernel", tf.Float, []int64{3}, optValues(optStart), true)
			bs := s.Sub("model").WithDType(g.ComputeDType())
			target := bs.CastTo(s.Const([]float32{0.5, 1, -3}), tf.Bfloat16)
			diff := op.Sub(bs.Op("Sub"), bs.Read(w), target)
			loss := op.Cast(s.Op("Cast"), op.Sum(bs.Op("Sum"), op.Square(bs.Op("Square"), diff), s.Const([]int32{0})), tf.Float)
			opt := c.newOpt(s, c.lr)
			train, err := opt.Minimize(s, loss, []*graphs.Variable{w})
			if err != nil {
				t.Fatalf("Minimize: %v", err)
			}
			for _, v := range opt.Variables()[1:] {
				if v.DType != tf.Float {
					t.Errorf("optimizer variable %s is %v, want float32", v.Name, v.DType)
				}
			}
			sess := newInitializedSession(t, g)
			for range 2 {
				if _, err := sess.Run(nil, nil, train); err != nil {
					t.Fatal(err)
				}
			}
			out, err := sess.Get(w)
			if err != nil {
				t.Fatal(err)
			}
			got := graphs.Float64s(out[0])
			for i, x := range got {
				if math.IsNaN(x) || x == optStart[i] {
					t.Errorf("kernel after two steps: %v, want every value moved from %v", got, optStart)
					break
				}
			}
		})
	}
}
