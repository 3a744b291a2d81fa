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
