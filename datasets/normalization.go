package datasets

import "math"

// KerasEpsilon is keras.config.epsilon()'s default, 1e-7 (keras/src/backend/
// config.py): the smallest standard deviation Normalize divides by.
const KerasEpsilon = 1e-7

// AdaptNormalization computes what keras.layers.Normalization(axis=-1).adapt
// learns from n rows of d features (rows is row-major, n×d): the mean and the
// population variance (numpy's var, ddof=0) of each feature. Adapt it on the
// training rows only. Keras computes in the data's dtype; here the sums are in
// float64 (two passes), so results can differ from Keras's float32 ones in the
// last bits.
func AdaptNormalization(rows []float32, n, d int) (mean, variance []float64, err error) {
	const op = "adapt normalization"
	if n <= 0 || d <= 0 || len(rows) != n*d {
		return nil, nil, newError(op, "", ErrInvalidArgument, "%d values for %d rows of %d features; want n, d > 0 and n×d values", len(rows), n, d)
	}
	mean = make([]float64, d)
	variance = make([]float64, d)
	for i := range n {
		for j, v := range rows[i*d : (i+1)*d] {
			mean[j] += float64(v)
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	for i := range n {
		for j, v := range rows[i*d : (i+1)*d] {
			diff := float64(v) - mean[j]
			variance[j] += diff * diff
		}
	}
	for j := range variance {
		variance[j] /= float64(n)
	}
	return mean, variance, nil
}

// Normalize applies keras.layers.Normalization's call to rows of d features:
// (x - mean) / max(sqrt(variance), KerasEpsilon), per feature, with mean and
// variance cast to float32 first and the arithmetic in float32, as the layer
// does with its float32 weights. A constant feature (variance 0) thus becomes
// 0 rather than NaN. It returns a new slice.
func Normalize(rows []float32, d int, mean, variance []float64) ([]float32, error) {
	const op = "normalize"
	if d <= 0 || len(mean) != d || len(variance) != d || len(rows)%d != 0 {
		return nil, newError(op, "", ErrInvalidArgument, "%d values, %d means and %d variances for %d features; want d > 0 of each and a multiple of d values",
			len(rows), len(mean), len(variance), d)
	}
	m := make([]float32, d)
	std := make([]float32, d)
	for j := range d {
		if variance[j] < 0 || math.IsNaN(variance[j]) || math.IsNaN(mean[j]) {
			return nil, newError(op, "", ErrInvalidArgument, "feature %d has mean %v and variance %v; want a number and a variance >= 0", j, mean[j], variance[j])
		}
		m[j] = float32(mean[j])
		// sqrt of a float32, correctly rounded to float32 (float64 has enough
		// precision for the double rounding to be exact).
		std[j] = max(float32(math.Sqrt(float64(float32(variance[j])))), KerasEpsilon)
	}
	out := make([]float32, len(rows))
	for i := 0; i < len(rows); i += d {
		for j := range d {
			out[i+j] = (rows[i+j] - m[j]) / std[j]
		}
	}
	return out, nil
}
