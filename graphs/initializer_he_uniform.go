package graphs

import (
	"math"
	"math/rand/v2"
)

// HeUniform draws from U[-l, l], l = sqrt(6 / fan_in) (Keras "he_uniform":
// VarianceScaling(scale 2, mode "fan_in", "uniform"), l = sqrt(3·scale/fan_in); He et al.
// 2015).
type HeUniform struct{}

func (HeUniform) Values(shape []int64, rng *rand.Rand) ([]float64, error) {
	in, _ := fans(shape)
	limit := math.Sqrt(6 / math.Max(1, in))
	return fill(shape, func() float64 { return limit * (2*rng.Float64() - 1) }), nil
}
