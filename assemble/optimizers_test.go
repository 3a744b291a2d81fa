package assemble

import (
	"math"
	"slices"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

// Every optimizer type configs registers has a builder, and every builder a configs type.
func TestOptimizerRegistriesAgree(t *testing.T) {
	if got, want := OptimizerTypes(), configs.OptimizerTypes(); !slices.Equal(got, want) {
		t.Errorf("assemble builds %v\nconfigs registers %v", got, want)
	}
}

// Every registered type, with Keras's defaults and with weight decay and each clipping
// mode, builds under Keras's scope name and trains a variable for two steps.
func TestOptimizerBuildsEveryType(t *testing.T) {
	for _, typ := range configs.OptimizerTypes() {
		for _, mod := range []struct {
			name string
			set  func(o *configs.Optimizer)
		}{
			{"defaults", func(*configs.Optimizer) {}},
			{"weight_decay clipnorm", func(o *configs.Optimizer) { o.WeightDecay, o.Clipnorm = 0.1, 0.5 }},
			{"global_clipnorm", func(o *configs.Optimizer) { o.GlobalClipnorm = 0.5 }},
			{"clipvalue", func(o *configs.Optimizer) { o.Clipvalue = 0.1 }},
		} {
			t.Run(typ+"/"+mod.name, func(t *testing.T) {
				o, err := configs.NewOptimizer(typ)
				if err != nil {
					t.Fatal(err)
				}
				o.LearningRate = 0.1
				mod.set(&o)
				g := graphs.NewGraph(tf.Float, 1)
				s := g.Root()
				w := s.Sub("dense").NewVariable("kernel", tf.Float, []int64{3}, graphs.Constant{Value: 1}, true)
				loss := op.Sum(s.Op("Sum"), op.Square(s.Op("Square"), w.Value()), s.Const([]int32{0}))
				opt, err := Optimizer(s, o)
				if err != nil {
					t.Fatal(err)
				}
				train, err := opt.Minimize(s, loss, []*graphs.Variable{w})
				if err != nil {
					t.Fatalf("Minimize: %v", err)
				}
				// The memory estimate's slot count is what the optimizer builds: its
				// variables of the kernel's shape.
				perWeight := 0
				for _, v := range opt.Variables() {
					if slices.Equal(v.Shape, w.Shape) {
						perWeight++
					}
				}
				if perWeight != o.Slots() {
					t.Errorf("%d slot variables of the kernel's shape, configs.Optimizer.Slots says %d", perWeight, o.Slots())
				}
				if want := strings.ToLower(typ) + "/"; !strings.HasPrefix(opt.LearningRate().Name, want) {
					t.Errorf("learning rate variable %q, want it under %q", opt.LearningRate().Name, want)
				}
				sess, err := graphs.NewSession(g, graphs.SessionOptions{})
				if err != nil {
					t.Fatal(err)
				}
				defer sess.Close()
				if err := sess.InitVariables(); err != nil {
					t.Fatal(err)
				}
				for range 2 {
					if _, err := sess.Run(nil, nil, train); err != nil {
						t.Fatal(err)
					}
				}
				out, err := sess.Get(w)
				if err != nil {
					t.Fatal(err)
				}
				for _, x := range graphs.Float64s(out[0]) {
					if !(x < 1) || math.IsNaN(x) {
						t.Fatalf("kernel after two steps: %v, want each below its start, 1", graphs.Float64s(out[0]))
					}
				}
			})
		}
	}
}

// A config's options reach the optimizer: Keras refuses two clipping modes, so does
// Minimize (a config that Validate checked never has two).
func TestOptimizerPassesOptions(t *testing.T) {
	o, _ := configs.NewOptimizer(configs.OptimizerNadam)
	o.Clipnorm, o.GlobalClipnorm = 1, 1
	g := graphs.NewGraph(tf.Float, 1)
	s := g.Root()
	w := s.Sub("dense").NewVariable("kernel", tf.Float, []int64{3}, graphs.Constant{Value: 1}, true)
	opt, err := Optimizer(s, o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := opt.Minimize(s, op.Sum(s.Op("Sum"), w.Value(), s.Const([]int32{0})), []*graphs.Variable{w}); err == nil ||
		!strings.Contains(err.Error(), "only one of clipnorm") {
		t.Errorf("Minimize with clipnorm and global_clipnorm: err %v, want Keras's refusal", err)
	}
}

// sparse_embedding_gradients reaches the optimizer: a table looked up with a repeated id
// ends a step elsewhere with it than without it (its second moment is then Σg², not (Σg)²).
func TestOptimizerPassesSparseEmbeddingGradients(t *testing.T) {
	for _, typ := range []string{configs.OptimizerAdam, configs.OptimizerAdamW, configs.OptimizerRMSprop} {
		t.Run(typ, func(t *testing.T) {
			step := func(sparse bool) []float64 {
				o, err := configs.NewOptimizer(typ)
				if err != nil {
					t.Fatal(err)
				}
				o.SparseEmbeddingGradients = sparse
				g := graphs.NewGraph(tf.Float, 1)
				s := g.Root()
				table := s.Sub("embedding").NewVariable("embeddings", tf.Float, []int64{3, 2}, graphs.Constant{Value: 1}, true)
				rows := s.Gather(table, s.Const([]int32{1, 1, 2}))
				loss := op.Sum(s.Op("Sum"), op.Mul(s.Op("Mul"), rows, s.Const([][]float32{{1, 2}, {3, -1}, {1, 1}})), s.Const([]int32{0, 1}))
				opt, err := Optimizer(s, o)
				if err != nil {
					t.Fatal(err)
				}
				train, err := opt.Minimize(s, loss, []*graphs.Variable{table})
				if err != nil {
					t.Fatalf("Minimize: %v", err)
				}
				sess, err := graphs.NewSession(g, graphs.SessionOptions{})
				if err != nil {
					t.Fatal(err)
				}
				defer sess.Close()
				if err := sess.InitVariables(); err != nil {
					t.Fatal(err)
				}
				if _, err := sess.Run(nil, nil, train); err != nil {
					t.Fatal(err)
				}
				out, err := sess.Get(table)
				if err != nil {
					t.Fatal(err)
				}
				return graphs.Float64s(out[0])
			}
			dense, sparse := step(false), step(true)
			// Row 1 (elements 2, 3) is looked up twice; rows 0 and 2 at most once.
			if math.Abs(dense[2]-sparse[2]) < 1e-4 || math.Abs(dense[3]-sparse[3]) < 1e-4 {
				t.Errorf("row 1 after a step: dense %v, sparse %v; want them apart", dense[2:4], sparse[2:4])
			}
			for _, i := range []int{0, 1, 4, 5} {
				if math.Abs(dense[i]-sparse[i]) > 1e-6 {
					t.Errorf("element %d (an id looked up at most once): dense %g, sparse %g; want them equal", i, dense[i], sparse[i])
				}
			}
		})
	}
}
