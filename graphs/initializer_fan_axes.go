package graphs

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// GlorotUniformAxes is glorot_uniform as Keras 3 draws an EinsumDense kernel (the
// projections of MultiHeadAttention): EinsumDense.build gives its VarianceScaling
// initializer the einsum's input_axes and output_axes, so fan_in is the product of the
// kernel's input axes and fan_out of its output axes (compute_fans with axes), not the
// receptive-field rule GlorotUniform applies to a kernel of rank 3 or more (a
// convolution's). MultiHeadAttention's query kernel [32, 2, 32] (input axis 0) has fan_in
// 32 and fan_out 64, bound sqrt(6/96) = 0.25; the convolution rule would give 64 and
// 1024, bound 0.074.
type GlorotUniformAxes struct{ InputAxes, OutputAxes []int }

func (g GlorotUniformAxes) Values(shape []int64, rng *rand.Rand) ([]float64, error) {
	prod := func(axes []int) (float64, error) {
		n := 1.0
		for _, a := range axes {
			if a < 0 || a >= len(shape) {
				return 0, fmt.Errorf("graphs: glorot_uniform: axis %d out of range for shape %v", a, shape)
			}
			n *= float64(shape[a])
		}
		return n, nil
	}
	in, err := prod(g.InputAxes)
	if err != nil {
		return nil, err
	}
	out, err := prod(g.OutputAxes)
	if err != nil {
		return nil, err
	}
	// Keras: scale 1/max(1, (fan_in+fan_out)/2), limit sqrt(3·scale).
	limit := math.Sqrt(3 / math.Max(1, (in+out)/2))
	return fill(shape, func() float64 { return limit * (2*rng.Float64() - 1) }), nil
}
