package builders

import (
	"math/rand/v2"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/internal/gradcheck"
)

// Every activation by name, and the activation layers' ops with their arguments, against
// central finite differences in float64 (inputs in [−4, 4], across relu6's and
// hard_sigmoid's bends; a draw exactly on a kink would fail, none is within the step).
func TestActivationGradientsNumeric(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 5))
	x := func() []gradcheck.Param { return []gradcheck.Param{gradcheck.Random("x", rng, 4, 3, 2, 4)} }
	out := []int64{3, 2, 4}
	type gradCase struct {
		name   string
		params []gradcheck.Param
		build  func(s *graphs.Scope, in []tf.Output) tf.Output
	}
	var cases []gradCase
	for _, a := range Activations {
		cases = append(cases, gradCase{"activation_" + a, x(), func(s *graphs.Scope, in []tf.Output) tf.Output {
			return activate(s, a, in[0])
		}})
	}
	six, two := 6.0, 2.0
	cases = append(cases,
		gradCase{"relu_max_6", x(), func(s *graphs.Scope, in []tf.Output) tf.Output { return reluOp(s, in[0], &six, 0, 0) }},
		gradCase{"relu_slope", x(), func(s *graphs.Scope, in []tf.Output) tf.Output { return reluOp(s, in[0], nil, 0.1, 0) }},
		gradCase{"relu_threshold", x(), func(s *graphs.Scope, in []tf.Output) tf.Output { return reluOp(s, in[0], nil, 0, 1) }},
		gradCase{"relu_max_slope_threshold", x(), func(s *graphs.Scope, in []tf.Output) tf.Output {
			return reluOp(s, in[0], &two, 0.3, 0.5)
		}},
		gradCase{"elu_alpha_half", x(), func(s *graphs.Scope, in []tf.Output) tf.Output { return eluOp(s, in[0], 0.5) }},
		gradCase{"prelu_shared_axis_1", append(x(), gradcheck.Random("alpha", rng, 1, 1, 4)), func(s *graphs.Scope, in []tf.Output) tf.Output {
			return preluOp(s, in[0], in[1])
		}},
		gradCase{"softmax_axis_1", x(), func(s *graphs.Scope, in []tf.Output) tf.Output {
			l := NewSoftmax("softmax", 1)
			if _, err := l.Build(s, Shape{2, 4}); err != nil {
				s.Fail("%v", err)
			}
			return l.Call(in[0], true)
		}},
	)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			worst, err := gradcheck.Check(tc.params, func(s *graphs.Scope, in []tf.Output) tf.Output {
				return gradcheck.Project(s, tc.build(s, in), out, 11)
			}, gradcheck.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("worst relative error %.2g", worst)
		})
	}
}
