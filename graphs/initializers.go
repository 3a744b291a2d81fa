package graphs

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// Initializer draws a variable's initial values (row-major) for a shape. The names and
// formulas are Keras's (keras/src/initializers).
type Initializer interface {
	Values(shape []int64, rng *rand.Rand) ([]float64, error)
}

// Zeros fills with 0 (Keras "zeros").
type Zeros struct{}

// Ones fills with 1 (Keras "ones").
type Ones struct{}

// Constant fills with Value (Keras "constant").
type Constant struct{ Value float64 }

// RandomUniform draws from U[Min, Max) (Keras "random_uniform"; Keras's defaults are
// -0.05 and 0.05, the Embedding layer's default initializer).
type RandomUniform struct{ Min, Max float64 }

// RandomNormal draws from N(Mean, Stddev²) (Keras "random_normal": 0 and 0.05).
type RandomNormal struct{ Mean, Stddev float64 }

// GlorotUniform draws from U[-l, l], l = sqrt(6 / (fan_in + fan_out)) (Keras "glorot_uniform",
// the default kernel initializer).
type GlorotUniform struct{}

// HeNormal draws from a normal truncated at two standard deviations with
// stddev sqrt(2 / fan_in) (Keras "he_normal").
type HeNormal struct{}

// Orthogonal draws a random orthogonal matrix (QR of a Gaussian matrix with the signs of R's
// diagonal folded in) of the shape flattened to [prod(shape[:-1]), shape[-1]], times Gain
// (Keras "orthogonal", the LSTM recurrent kernel's default, gain 1).
type Orthogonal struct{ Gain float64 }

// Keras's defaults for the parametrised initializers.
const (
	KerasUniformMin     = -0.05
	KerasUniformMax     = 0.05
	KerasNormalStddev   = 0.05
	KerasOrthogonalGain = 1.0
)

// InitializerByName returns the Keras initializer of that name with Keras's defaults.
func InitializerByName(name string) (Initializer, error) {
	switch strings.ToLower(name) {
	case "zeros":
		return Zeros{}, nil
	case "ones":
		return Ones{}, nil
	case "glorot_uniform":
		return GlorotUniform{}, nil
	case "glorot_normal":
		return GlorotNormal{}, nil
	case "he_uniform":
		return HeUniform{}, nil
	case "he_normal":
		return HeNormal{}, nil
	case "orthogonal":
		return Orthogonal{Gain: KerasOrthogonalGain}, nil
	case "random_normal":
		return RandomNormal{Stddev: KerasNormalStddev}, nil
	case "random_uniform", "uniform":
		return RandomUniform{Min: KerasUniformMin, Max: KerasUniformMax}, nil
	}
	return nil, fmt.Errorf("unknown initializer %q (valid: glorot_normal, glorot_uniform, he_normal, he_uniform, ones, orthogonal, random_normal, random_uniform, zeros)", name)
}

func fill(shape []int64, f func() float64) []float64 {
	out := make([]float64, numElements(shape))
	for i := range out {
		out[i] = f()
	}
	return out
}

func (Zeros) Values(shape []int64, _ *rand.Rand) ([]float64, error) {
	return fill(shape, func() float64 { return 0 }), nil
}

func (Ones) Values(shape []int64, _ *rand.Rand) ([]float64, error) {
	return fill(shape, func() float64 { return 1 }), nil
}

func (c Constant) Values(shape []int64, _ *rand.Rand) ([]float64, error) {
	return fill(shape, func() float64 { return c.Value }), nil
}

func (u RandomUniform) Values(shape []int64, rng *rand.Rand) ([]float64, error) {
	return fill(shape, func() float64 { return u.Min + (u.Max-u.Min)*rng.Float64() }), nil
}

func (n RandomNormal) Values(shape []int64, rng *rand.Rand) ([]float64, error) {
	return fill(shape, func() float64 { return n.Mean + n.Stddev*rng.NormFloat64() }), nil
}

// fans computes Keras's fan_in and fan_out: for a kernel [..., in, out] the receptive
// field (product of the leading dimensions) times in and out.
func fans(shape []int64) (in, out float64) {
	switch len(shape) {
	case 0:
		return 1, 1
	case 1:
		return float64(shape[0]), float64(shape[0])
	case 2:
		return float64(shape[0]), float64(shape[1])
	}
	rf := 1.0
	for _, d := range shape[:len(shape)-2] {
		rf *= float64(d)
	}
	return float64(shape[len(shape)-2]) * rf, float64(shape[len(shape)-1]) * rf
}

func (GlorotUniform) Values(shape []int64, rng *rand.Rand) ([]float64, error) {
	in, out := fans(shape)
	limit := math.Sqrt(6 / (in + out))
	return fill(shape, func() float64 { return limit * (2*rng.Float64() - 1) }), nil
}

func (HeNormal) Values(shape []int64, rng *rand.Rand) ([]float64, error) {
	in, _ := fans(shape)
	// Keras's truncated normal: stddev corrected for the truncation at 2σ.
	std := math.Sqrt(2/in) / 0.87962566103423978
	return fill(shape, func() float64 {
		for {
			x := rng.NormFloat64()
			if math.Abs(x) <= 2 {
				return std * x
			}
		}
	}), nil
}

func (o Orthogonal) Values(shape []int64, rng *rand.Rand) ([]float64, error) {
	if len(shape) < 2 {
		return nil, fmt.Errorf("orthogonal needs a shape of rank >= 2, got %v", shape)
	}
	rows := numElements(shape[:len(shape)-1])
	cols := int(shape[len(shape)-1])
	// Orthonormalize the columns of a tall Gaussian matrix a (m×k, m >= k) by modified
	// Gram-Schmidt: this is Q of a QR with R's diagonal positive, i.e. Keras's q·sign(diag r).
	m, k := rows, cols
	if rows < cols {
		m, k = cols, rows
	}
	a := make([]float64, m*k) // column-major: column j at a[j*m:(j+1)*m]
	for i := range a {
		a[i] = rng.NormFloat64()
	}
	for j := 0; j < k; j++ {
		cj := a[j*m : (j+1)*m]
		for p := 0; p < j; p++ {
			cp := a[p*m : (p+1)*m]
			dot := 0.0
			for i := range cj {
				dot += cp[i] * cj[i]
			}
			for i := range cj {
				cj[i] -= dot * cp[i]
			}
		}
		norm := 0.0
		for _, x := range cj {
			norm += x * x
		}
		norm = math.Sqrt(norm)
		if norm == 0 {
			return nil, fmt.Errorf("orthogonal: degenerate draw")
		}
		for i := range cj {
			cj[i] /= norm
		}
	}
	out := make([]float64, rows*cols)
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			if rows >= cols { // Q is rows×cols: element (r, c) is column c, row r
				out[r*cols+c] = o.Gain * a[c*m+r]
			} else { // Q is cols×rows, transposed
				out[r*cols+c] = o.Gain * a[r*m+c]
			}
		}
	}
	return out, nil
}
