package graphs_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tfrun/tfrun/graphs"
)

// The two VarianceScaling initializers configs accepts beyond initializers.go, against
// Keras's definitions (keras/src/initializers/random_initializers.py: GlorotNormal is
// VarianceScaling(1, "fan_avg", "truncated_normal"), HeUniform VarianceScaling(2,
// "fan_in", "uniform"); fans as compute_fans).
func TestInitializerVarianceScaling(t *testing.T) {
	for _, c := range []struct {
		name  string
		init  graphs.Initializer
		shape []int64
		// std is the distribution's standard deviation, bound its largest |x|.
		std, bound float64
		stdRelTol  float64
	}{
		{"glorot_normal dense [200,300]", graphs.GlorotNormal{}, []int64{200, 300},
			math.Sqrt(2.0 / 500), 2 * math.Sqrt(2.0/500) / 0.87962566103423978, 0.02},
		{"glorot_normal conv2d [3,3,32,64]", graphs.GlorotNormal{}, []int64{3, 3, 32, 64},
			math.Sqrt(2.0 / (9*32 + 9*64)), 2 * math.Sqrt(2.0/(9*32+9*64)) / 0.87962566103423978, 0.03},
		{"he_uniform dense [200,300]", graphs.HeUniform{}, []int64{200, 300},
			math.Sqrt(2.0 / 200), math.Sqrt(6.0 / 200), 0.02},
		{"he_uniform conv2d [3,3,32,64]", graphs.HeUniform{}, []int64{3, 3, 32, 64},
			math.Sqrt(2.0 / (9 * 32)), math.Sqrt(6.0 / (9 * 32)), 0.03},
	} {
		t.Run(c.name, func(t *testing.T) {
			vals, err := c.init.Values(c.shape, rand.New(rand.NewPCG(3, 5)))
			if err != nil {
				t.Fatal(err)
			}
			n := 1
			for _, d := range c.shape {
				n *= int(d)
			}
			if len(vals) != n {
				t.Fatalf("len: got %d, want %d", len(vals), n)
			}
			var sum, sq, maxAbs float64
			for _, x := range vals {
				sum += x
				maxAbs = math.Max(maxAbs, math.Abs(x))
			}
			mean := sum / float64(n)
			for _, x := range vals {
				sq += (x - mean) * (x - mean)
			}
			std := math.Sqrt(sq / float64(n))
			if math.Abs(std-c.std) > c.stdRelTol*c.std {
				t.Errorf("std: got %g, want %g ± %.0f%%", std, c.std, 100*c.stdRelTol)
			}
			if se := c.std / math.Sqrt(float64(n)); math.Abs(mean) > 5*se {
				t.Errorf("mean: got %g, want 0 ± %g", mean, 5*se)
			}
			if maxAbs > c.bound || maxAbs < 0.98*c.bound {
				t.Errorf("max |x|: got %g, want in [0.98, 1]·%g", maxAbs, c.bound)
			}
		})
	}
}
