package builders

import (
	"math"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/internal/gradcheck"
)

func TestSpatialDropout1DShapes(t *testing.T) {
	checkShapes(t, []shapeCase{
		{"sequence", NewSpatialDropout1D("spatial_dropout1d", 0.3), Shape{80, 32}, Shape{80, 32}, 0},
	})
	for _, rate := range []float64{-0.1, 1.5} {
		g := graphs.NewGraph(tf.Float, 1)
		if _, err := NewSpatialDropout1D("spatial_dropout1d", rate).Build(g.Root(), Shape{4, 2}); err == nil {
			t.Errorf("rate %v: got nil error, want one", rate)
		}
	}
}

// In training each (example, channel) is kept or dropped at every step together, the kept
// scaled by 1/(1−rate), about a rate of them dropped, a new mask each step of the
// counter; in inference the layer is the identity.
func TestSpatialDropout1DMasks(t *testing.T) {
	const batch, steps, channels, rate = 8, 6, 100, 0.3
	g := graphs.NewGraph(tf.Float, 5)
	s := g.Root()
	d := NewSpatialDropout1D("spatial_dropout1d", rate)
	if _, err := d.Build(s, Shape{steps, channels}); err != nil {
		t.Fatal(err)
	}
	x := s.Placeholder("x", tf.Float, -1, steps, channels)
	train := d.Call(x, true)
	if infer := d.Call(x, false); infer != x {
		t.Errorf("inference: got %v, want the input itself", infer.Op.Name())
	}
	advance := s.AdvanceStep(train.Op)
	sess, err := graphs.NewSession(g, graphs.SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if err := sess.InitVariables(); err != nil {
		t.Fatal(err)
	}
	ones := make([]float32, batch*steps*channels)
	for i := range ones {
		ones[i] = 1
	}
	xt, err := graphs.NewTensor(ones, batch, steps, channels)
	if err != nil {
		t.Fatal(err)
	}
	var masks [2][]float64
	for run := range masks {
		out, err := sess.Run(map[tf.Output]*tf.Tensor{x: xt}, []tf.Output{train}, advance)
		if err != nil {
			t.Fatal(err)
		}
		y := graphs.Float64s(out[0])
		dropped := 0
		for b := 0; b < batch; b++ {
			for c := 0; c < channels; c++ {
				first := y[(b*steps)*channels+c]
				if first != 0 && math.Abs(first-1/(1-rate)) > 1e-6 {
					t.Fatalf("y[%d,0,%d] = %v, want 0 or %v", b, c, first, 1/(1-rate))
				}
				for st := 1; st < steps; st++ {
					if v := y[(b*steps+st)*channels+c]; v != first {
						t.Fatalf("y[%d,%d,%d] = %v, y[%d,0,%d] = %v: a channel must be dropped at every step or none", b, st, c, v, b, c, first)
					}
				}
				if first == 0 {
					dropped++
				}
				masks[run] = append(masks[run], first)
			}
		}
		// 800 Bernoulli(0.3) draws: standard deviation 0.016.
		if frac := float64(dropped) / (batch * channels); math.Abs(frac-rate) > 0.06 {
			t.Errorf("run %d: dropped %.3f of the channels, want about %v", run, frac, rate)
		}
	}
	same := 0
	for i := range masks[0] {
		if masks[0][i] == masks[1][i] {
			same++
		}
	}
	if same == len(masks[0]) {
		t.Error("two training steps drew the same mask")
	}
}

func TestSpatialDropout1DGradients(t *testing.T) {
	p := gradParams(28)
	checkGradients(t, []gradCase{
		{"masked", []gradcheck.Param{p("x", 1, 2, 4, 3)}, []int64{2, 4, 3},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				u := s.Const([][][]float64{{{0.1, 0.5, 0.9}}, {{0.6, 0.2, 0.45}}}) // [batch, 1, channels]
				return dropoutOp(s, in[0], u, 0.4)
			}, gradcheck.Options{}},
	})
}
