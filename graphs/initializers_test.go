package graphs_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/graphs"
)

// Keras's fans (keras/src/initializers/random_initializers.py compute_fans): a kernel
// [..., in, out] has fan_in = in·receptive field and fan_out = out·receptive field, the
// receptive field being the product of the leading dimensions.

func initRNG() *rand.Rand { return rand.New(rand.NewPCG(7, 11)) }

// initMoments returns the mean and the (population) variance of xs.
func initMoments(xs []float64) (mean, variance float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	for _, x := range xs {
		variance += (x - mean) * (x - mean)
	}
	return mean, variance / float64(len(xs))
}

func initMaxAbs(xs []float64) float64 {
	m := 0.0
	for _, x := range xs {
		m = math.Max(m, math.Abs(x))
	}
	return m
}

func initCount(shape []int64) int {
	n := 1
	for _, d := range shape {
		n *= int(d)
	}
	return n
}

// Keras 3's defaults for the parametrised initializers.
func TestInitializerDefaults(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"KerasUniformMin", graphs.KerasUniformMin, -0.05},
		{"KerasUniformMax", graphs.KerasUniformMax, 0.05},
		{"KerasNormalStddev", graphs.KerasNormalStddev, 0.05},
		{"KerasOrthogonalGain", graphs.KerasOrthogonalGain, 1.0},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("got %g, want %g", c.got, c.want)
			}
		})
	}
}

// GlorotUniform is U[-l, l] with l = sqrt(6/(fan_in+fan_out)), so its variance is
// l²/3 = 2/(fan_in+fan_out).
func TestInitializerGlorotUniform(t *testing.T) {
	for _, c := range []struct {
		name            string
		shape           []int64
		fanIn, fanOut   float64
		varianceRelTol  float64 // several standard errors of the sample variance
		meanAbsTolSigma float64
	}{
		{"dense [200,300]", []int64{200, 300}, 200, 300, 0.03, 5},
		{"conv2d [5,5,16,32]", []int64{5, 5, 16, 32}, 5 * 5 * 16, 5 * 5 * 32, 0.05, 5},
	} {
		t.Run(c.name, func(t *testing.T) {
			vals, err := graphs.GlorotUniform{}.Values(c.shape, initRNG())
			if err != nil {
				t.Fatal(err)
			}
			if got, want := len(vals), initCount(c.shape); got != want {
				t.Fatalf("len: got %d, want %d", got, want)
			}
			limit := math.Sqrt(6 / (c.fanIn + c.fanOut))
			if got := initMaxAbs(vals); got > limit || got < 0.99*limit {
				t.Errorf("max |x|: got %g, want in [0.99, 1]·%g", got, limit)
			}
			mean, variance := initMoments(vals)
			want := limit * limit / 3
			if math.Abs(variance-want) > c.varianceRelTol*want {
				t.Errorf("variance: got %g, want %g ± %.0f%%", variance, want, 100*c.varianceRelTol)
			}
			if se := math.Sqrt(want / float64(len(vals))); math.Abs(mean) > c.meanAbsTolSigma*se {
				t.Errorf("mean: got %g, want 0 ± %g", mean, c.meanAbsTolSigma*se)
			}
		})
	}
}

// HeNormal is Keras's VarianceScaling(2, "fan_in", "truncated_normal"): a normal with
// stddev σ = sqrt(2/fan_in)/0.87962566103423978 truncated at ±2σ, whose standard deviation
// after truncation is sqrt(2/fan_in).
func TestInitializerHeNormal(t *testing.T) {
	for _, c := range []struct {
		name      string
		shape     []int64
		fanIn     float64
		stdRelTol float64
	}{
		{"dense [200,300]", []int64{200, 300}, 200, 0.02},
		{"conv2d [3,3,64,32]", []int64{3, 3, 64, 32}, 3 * 3 * 64, 0.03},
	} {
		t.Run(c.name, func(t *testing.T) {
			vals, err := graphs.HeNormal{}.Values(c.shape, initRNG())
			if err != nil {
				t.Fatal(err)
			}
			if got, want := len(vals), initCount(c.shape); got != want {
				t.Fatalf("len: got %d, want %d", got, want)
			}
			want := math.Sqrt(2 / c.fanIn)
			mean, variance := initMoments(vals)
			if std := math.Sqrt(variance); math.Abs(std-want) > c.stdRelTol*want {
				t.Errorf("std: got %g, want %g ± %.0f%%", std, want, 100*c.stdRelTol)
			}
			if se := want / math.Sqrt(float64(len(vals))); math.Abs(mean) > 5*se {
				t.Errorf("mean: got %g, want 0 ± %g", mean, 5*se)
			}
			// The cut is at two of the untruncated normal's standard deviations.
			sigma := want / 0.87962566103423978
			if got := initMaxAbs(vals); got > 2*sigma || got < 0.98*2*sigma {
				t.Errorf("max |x|: got %g, want in [0.98, 1]·2σ = %g", got, 2*sigma)
			}
		})
	}
}

// Orthogonal flattens the shape to [rows, cols] = [prod(shape[:-1]), shape[-1]]: its
// columns are orthonormal (QᵀQ = I) when rows >= cols, its rows when rows < cols; the gain
// scales Q.
func TestInitializerOrthogonal(t *testing.T) {
	for _, c := range []struct {
		name       string
		shape      []int64
		gain       float64
		rows, cols int
	}{
		{"square [8,8]", []int64{8, 8}, 1, 8, 8},
		{"tall [12,4]", []int64{12, 4}, 1, 12, 4},
		{"wide [4,12]", []int64{4, 12}, 1, 4, 12},
		{"rank 3 tall [3,3,4]", []int64{3, 3, 4}, 1, 9, 4},
		{"rank 3 wide [2,2,8]", []int64{2, 2, 8}, 1, 4, 8},
		{"lstm recurrent [16,64]", []int64{16, 64}, 1, 16, 64},
		{"gain 2 [6,3]", []int64{6, 3}, 2, 6, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			q, err := graphs.Orthogonal{Gain: c.gain}.Values(c.shape, initRNG())
			if err != nil {
				t.Fatal(err)
			}
			if got, want := len(q), c.rows*c.cols; got != want {
				t.Fatalf("len: got %d, want %d", got, want)
			}
			at := func(r, col int) float64 { return q[r*c.cols+col] }
			// The Gram matrix of the shorter side.
			n, m := c.cols, c.rows // QᵀQ: n×n, summing over m rows
			dot := func(i, j int) float64 {
				s := 0.0
				for k := 0; k < m; k++ {
					s += at(k, i) * at(k, j)
				}
				return s
			}
			if c.rows < c.cols { // QQᵀ
				n, m = c.rows, c.cols
				dot = func(i, j int) float64 {
					s := 0.0
					for k := 0; k < m; k++ {
						s += at(i, k) * at(j, k)
					}
					return s
				}
			}
			worst := 0.0
			for i := 0; i < n; i++ {
				for j := 0; j < n; j++ {
					want := 0.0
					if i == j {
						want = c.gain * c.gain
					}
					worst = math.Max(worst, math.Abs(dot(i, j)-want))
				}
			}
			if worst > 1e-10 {
				t.Errorf("Gram matrix: got max |G - gain²·I| = %g, want <= 1e-10", worst)
			}
		})
	}
}

func TestInitializerOrthogonalRejectsRankBelow2(t *testing.T) {
	for _, shape := range [][]int64{nil, {5}} {
		if _, err := (graphs.Orthogonal{Gain: 1}).Values(shape, initRNG()); err == nil {
			t.Errorf("Orthogonal shape %v: got nil error, want one", shape)
		}
	}
}

func TestInitializerRandomUniform(t *testing.T) {
	for _, c := range []struct {
		name     string
		min, max float64
	}{
		{"keras default", graphs.KerasUniformMin, graphs.KerasUniformMax},
		{"[2,3)", 2, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			vals, err := graphs.RandomUniform{Min: c.min, Max: c.max}.Values([]int64{100, 100}, initRNG())
			if err != nil {
				t.Fatal(err)
			}
			if len(vals) != 10000 {
				t.Fatalf("len: got %d, want 10000", len(vals))
			}
			lo, hi := math.Inf(1), math.Inf(-1)
			for _, x := range vals {
				lo, hi = math.Min(lo, x), math.Max(hi, x)
			}
			width := c.max - c.min
			if lo < c.min || hi >= c.max {
				t.Errorf("range: got [%g, %g], want within [%g, %g)", lo, hi, c.min, c.max)
			}
			if lo > c.min+0.01*width || hi < c.max-0.01*width {
				t.Errorf("range: got [%g, %g], want it to span nearly all of [%g, %g)", lo, hi, c.min, c.max)
			}
			mean, variance := initMoments(vals)
			wantVar := width * width / 12
			if want := (c.min + c.max) / 2; math.Abs(mean-want) > 5*math.Sqrt(wantVar/1e4) {
				t.Errorf("mean: got %g, want %g", mean, want)
			}
			if math.Abs(variance-wantVar) > 0.05*wantVar {
				t.Errorf("variance: got %g, want %g ± 5%%", variance, wantVar)
			}
		})
	}
}

func TestInitializerRandomNormal(t *testing.T) {
	vals, err := graphs.RandomNormal{Mean: 1, Stddev: graphs.KerasNormalStddev}.Values([]int64{100, 100}, initRNG())
	if err != nil {
		t.Fatal(err)
	}
	mean, variance := initMoments(vals)
	if math.Abs(mean-1) > 5*0.05/100 {
		t.Errorf("mean: got %g, want 1", mean)
	}
	if std := math.Sqrt(variance); math.Abs(std-0.05) > 0.03*0.05 {
		t.Errorf("std: got %g, want 0.05 ± 3%%", std)
	}
}

func TestInitializerConstants(t *testing.T) {
	for _, c := range []struct {
		name  string
		init  graphs.Initializer
		shape []int64
		want  float64
	}{
		{"zeros", graphs.Zeros{}, []int64{2, 3}, 0},
		{"ones", graphs.Ones{}, []int64{2, 3}, 1},
		{"constant", graphs.Constant{Value: -1.5}, []int64{4, 1, 2}, -1.5},
		{"zeros scalar", graphs.Zeros{}, nil, 0},
		{"constant scalar", graphs.Constant{Value: 0.25}, nil, 0.25},
	} {
		t.Run(c.name, func(t *testing.T) {
			vals, err := c.init.Values(c.shape, initRNG())
			if err != nil {
				t.Fatal(err)
			}
			if got, want := len(vals), initCount(c.shape); got != want {
				t.Fatalf("len: got %d, want %d", got, want)
			}
			for i, x := range vals {
				if x != c.want {
					t.Fatalf("value %d: got %g, want %g", i, x, c.want)
				}
			}
		})
	}
}

func TestInitializerByName(t *testing.T) {
	for _, c := range []struct {
		name string
		want graphs.Initializer
	}{
		{"zeros", graphs.Zeros{}},
		{"ones", graphs.Ones{}},
		{"glorot_uniform", graphs.GlorotUniform{}},
		{"he_normal", graphs.HeNormal{}},
		{"orthogonal", graphs.Orthogonal{Gain: 1}},
		{"random_normal", graphs.RandomNormal{Mean: 0, Stddev: 0.05}},
		{"random_uniform", graphs.RandomUniform{Min: -0.05, Max: 0.05}},
		{"uniform", graphs.RandomUniform{Min: -0.05, Max: 0.05}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := graphs.InitializerByName(c.name)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("got %#v, want %#v", got, c.want)
			}
		})
	}
}

func TestInitializerByNameUnknown(t *testing.T) {
	_, err := graphs.InitializerByName("glorot_unifrom")
	if err == nil {
		t.Fatal("got nil error, want one")
	}
	msg := err.Error()
	for _, want := range []string{`"glorot_unifrom"`, "glorot_uniform", "he_normal", "ones", "orthogonal",
		"random_normal", "random_uniform", "zeros"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error: got %q, want it to contain %s", msg, want)
		}
	}
}

// initGraph builds a graph with two variables, creating dense/kernel first unless
// reversed, initialises them in a session and returns their values.
func initGraph(t *testing.T, seed uint64, reversed bool) (kernel, recurrent []float64) {
	t.Helper()
	g := graphs.NewGraph(tf.Double, seed)
	s := g.Root()
	var a, b *graphs.Variable
	newA := func() {
		a = s.Sub("dense").NewVariable("kernel", tf.Double, []int64{4, 5}, graphs.GlorotUniform{}, true)
	}
	newB := func() {
		b = s.Sub("lstm").NewVariable("recurrent_kernel", tf.Double, []int64{5, 20}, graphs.Orthogonal{Gain: 1}, true)
	}
	if reversed {
		newB()
		newA()
	} else {
		newA()
		newB()
	}
	sess := newInitializedSession(t, g)
	out, err := sess.Get(a, b)
	if err != nil {
		t.Fatal(err)
	}
	return graphs.Float64s(out[0]), graphs.Float64s(out[1])
}

func initEqual(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestInitializerDeterminism(t *testing.T) {
	k0, r0 := initGraph(t, 42, false)
	if len(k0) != 20 || len(r0) != 100 {
		t.Fatalf("sizes: got %d and %d values, want 20 and 100", len(k0), len(r0))
	}
	for _, c := range []struct {
		name     string
		seed     uint64
		reversed bool
		same     bool
	}{
		{"same seed", 42, false, true},
		{"same seed, variables created in the opposite order", 42, true, true},
		{"different seed", 43, false, false},
		{"different seed, opposite order", 43, true, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			k, r := initGraph(t, c.seed, c.reversed)
			if got := initEqual(k, k0); got != c.same {
				t.Errorf("dense/kernel identical to seed 42's: got %v, want %v", got, c.same)
			}
			if got := initEqual(r, r0); got != c.same {
				t.Errorf("lstm/recurrent_kernel identical to seed 42's: got %v, want %v", got, c.same)
			}
		})
	}
}
