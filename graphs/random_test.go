package graphs_test

import (
	"math"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/graphs"
)

// Each training step draws fresh random values: the streams of consecutive steps must not
// be shifted copies of each other. (Philox's counter advances one block per 4 values, so
// a step number in the counter's low word would make step s+1 repeat step s's values
// 4 places further on.)
func TestRandomStepsAreUnrelated(t *testing.T) {
	g := graphs.NewGraph(tf.Float, 7)
	s := g.Root()
	normal := s.RandomNormal(s.Const([]int32{64, 100}))
	advance := s.AdvanceStep()
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	sess := newInitializedSession(t, g)
	draw := func() []float64 {
		out, err := sess.Run(nil, []tf.Output{normal})
		if err != nil {
			t.Fatal(err)
		}
		return graphs.Float64s(out[0])
	}
	a := draw()
	if b := draw(); b[0] != a[0] || b[len(b)-1] != a[len(a)-1] {
		t.Fatal("the same step drew different values: the stream is not a function of the step")
	}
	if _, err := sess.Run(nil, nil, advance); err != nil {
		t.Fatal(err)
	}
	b := draw()
	// Correlation of b with a shifted by k values: about N(0, 1/√n) if unrelated.
	n := len(a) - 64
	for k := 0; k <= 64; k++ {
		var sab, saa, sbb float64
		for i := 0; i < n; i++ {
			sab += a[i+k] * b[i]
			saa += a[i+k] * a[i+k]
			sbb += b[i] * b[i]
		}
		if r := sab / math.Sqrt(saa*sbb); math.Abs(r) > 6/math.Sqrt(float64(n)) {
			t.Errorf("step 1's values correlate %.3f with step 0's shifted by %d", r, k)
		}
	}
}

// newInitializedSession opens a session on g with its variables initialised, closed when
// the test ends.
func newInitializedSession(t *testing.T, g *graphs.Graph) *graphs.Session {
	t.Helper()
	sess, err := graphs.NewSession(g, graphs.SessionOptions{})
	if err != nil {
		t.Fatalf("NewSession: %v", err)
	}
	t.Cleanup(func() { sess.Close() })
	if err := sess.InitVariables(); err != nil {
		t.Fatalf("InitVariables: %v", err)
	}
	return sess
}
