package gradcheck_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/internal/gradcheck"
)

// The checker itself must catch a wrong gradient: a custom op computing x² whose backward
// claims 3x instead of 2x fails, and the right one passes.
func TestCheckCatchesWrongGradient(t *testing.T) {
	for _, tc := range []struct {
		name   string
		factor float64
		ok     bool
	}{{"right", 2, true}, {"wrong", 3, false}} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			_, err := gradcheck.Check([]gradcheck.Param{gradcheck.Random("x", rng, 1, 5)},
				func(s *graphs.Scope, in []tf.Output) tf.Output {
					var x tf.Output
					y := s.CustomGradient("Square", in, func(s *graphs.Scope, cut []tf.Output) []tf.Output {
						x = cut[0]
						return []tf.Output{op.Square(s.Op("Square"), cut[0])}
					}, func(s *graphs.Scope, d []tf.Output) []tf.Output {
						return []tf.Output{op.Mul(s.Op("Mul"), d[0], op.Mul(s.Op("Mul"), x, s.Scalar(tc.factor)))}
					})
					return gradcheck.Project(s, y[0], []int64{5}, 3)
				}, gradcheck.Options{})
			if tc.ok && err != nil {
				t.Fatal(err)
			}
			if !tc.ok && (err == nil || !strings.Contains(err.Error(), "analytic")) {
				t.Fatalf("err = %v, want a mismatch", err)
			}
		})
	}
}
