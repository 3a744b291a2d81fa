package graphs

import (
	"math"
	"math/rand/v2"
)

// GlorotNormal draws from a normal truncated at two standard deviations whose standard
// deviation after truncation is sqrt(2 / (fan_in + fan_out)) (Keras "glorot_normal":
// VarianceScaling(scale 1, mode "fan_avg", "truncated_normal"); Glorot & Bengio 2010).
type GlorotNormal struct{}

func (GlorotNormal) Values(shape []int64, rng *rand.Rand) ([]float64, error) {
	in, out := fans(shape)
	// Keras divides by max(1, fan); the stddev is corrected for the truncation at 2σ.
	std := math.Sqrt(1/math.Max(1, (in+out)/2)) / 0.87962566103423978
	return fill(shape, func() float64 {
		for {
			x := rng.NormFloat64()
			if math.Abs(x) <= 2 {
				return std * x
			}
		}
	}), nil
}
