package graphs_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/graphs"
)

// GlorotUniformAxes takes its fans from the axes given, as Keras 3's compute_fans(shape,
// input_axes, output_axes): MultiHeadAttention's query kernel [32, 2, 32] draws within
// sqrt(6/(32+64)) = 0.25 (GlorotUniform's receptive-field fans would give 0.074), its
// output kernel [2, 32, 32] within sqrt(6/(64+32)); an axis outside the shape is an error.
func TestGlorotUniformAxes(t *testing.T) {
	for _, c := range []struct {
		name    string
		init    graphs.GlorotUniformAxes
		shape   []int64
		bound   float64
		wantErr string
	}{
		{"query [32,2,32]", graphs.GlorotUniformAxes{InputAxes: []int{0}, OutputAxes: []int{1, 2}}, []int64{32, 2, 32}, 0.25, ""},
		{"attention_output [2,32,32]", graphs.GlorotUniformAxes{InputAxes: []int{0, 1}, OutputAxes: []int{2}}, []int64{2, 32, 32}, 0.25, ""},
		{"query [16,4,8]", graphs.GlorotUniformAxes{InputAxes: []int{0}, OutputAxes: []int{1, 2}}, []int64{16, 4, 8}, math.Sqrt(6.0 / 48), ""},
		{"bad axis", graphs.GlorotUniformAxes{InputAxes: []int{3}, OutputAxes: []int{1}}, []int64{2, 3, 4}, 0, "axis 3 out of range"},
	} {
		t.Run(c.name, func(t *testing.T) {
			vals, err := c.init.Values(c.shape, rand.New(rand.NewPCG(1, 2)))
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want one saying %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var maxAbs, sq float64
			for _, x := range vals {
				maxAbs = math.Max(maxAbs, math.Abs(x))
				sq += x * x
			}
			std := math.Sqrt(sq / float64(len(vals)))
			if maxAbs > c.bound || maxAbs < 0.99*c.bound {
				t.Errorf("max |x| %g, want in [0.99, 1]·%g", maxAbs, c.bound)
			}
			if want := c.bound / math.Sqrt(3); math.Abs(std/want-1) > 0.05 {
				t.Errorf("std %g, want %g ± 5%%", std, want)
			}
		})
	}
}
