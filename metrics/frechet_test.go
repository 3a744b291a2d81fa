package metrics

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func gaussian(mean []float64, cov []float64) Gaussian {
	return Gaussian{Mean: mean, Cov: mat.NewSymDense(len(mean), cov)}
}

// Cases computed by hand.
func TestFrechetDistanceByHand(t *testing.T) {
	cases := []struct {
		name string
		a, b Gaussian
		want float64
	}{
		// Same covariance: only the means count: |(3,4)|² = 25.
		{"shifted", gaussian([]float64{0, 0}, []float64{1, 0, 0, 1}), gaussian([]float64{3, 4}, []float64{1, 0, 0, 1}), 25},
		// Diagonal covariances: Σ (σ1 − σ2)²: diag(1, 4) vs diag(4, 9): (1−2)² + (2−3)² = 2.
		{"diagonal", gaussian([]float64{0, 0}, []float64{1, 0, 0, 4}), gaussian([]float64{0, 0}, []float64{4, 0, 0, 9}), 2},
		// Both: mean shift 1 plus 1-D (√2 − √8)² = 2.
		{"both_1d", gaussian([]float64{1}, []float64{2}), gaussian([]float64{2}, []float64{8}), 1 + 2},
		// Identical: 0.
		{"identical", gaussian([]float64{1, 2}, []float64{2, 1, 1, 2}), gaussian([]float64{1, 2}, []float64{2, 1, 1, 2}), 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := FrechetDistance(tc.a, tc.b)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got-tc.want) > 1e-9 {
				t.Errorf("distance %.12g, want %g", got, tc.want)
			}
		})
	}
}

// Non-commuting covariances: compare with the 2×2 closed form
// Tr(√M) = √(tr M + 2√det M) for M = Σ1Σ2 (whose eigenvalues are real and non-negative).
func TestFrechetDistanceNonCommuting(t *testing.T) {
	a := gaussian([]float64{0, 0}, []float64{2, 1, 1, 2})
	b := gaussian([]float64{0, 0}, []float64{1, 0, 0, 3})
	// Σ1Σ2 = [[2,3],[1,6]]: trace 8, det 9.
	traceSqrt := math.Sqrt(8 + 2*math.Sqrt(9))
	want := 4 + 4 - 2*traceSqrt
	got, err := FrechetDistance(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got-want) > 1e-9 {
		t.Errorf("distance %.12g, want %.12g", got, want)
	}
}

func TestFitAndEntropy(t *testing.T) {
	g, err := Fit([]float64{1, 2, 3, 4, 5, 6}, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	if g.Mean[0] != 3 || g.Mean[1] != 4 || g.Cov.At(0, 0) != 4 || g.Cov.At(0, 1) != 4 {
		t.Errorf("mean %v cov %v, want (3,4) and all 4", g.Mean, mat.Formatted(g.Cov))
	}
	if _, err := Fit([]float64{1, 2}, 1, 2); err == nil {
		t.Error("Fit of one vector succeeded")
	}
	// Two samples of one distribution are close; of shifted ones, far.
	rng := rand.New(rand.NewPCG(1, 2))
	draw := func(shift float64) Gaussian {
		x := make([]float64, 2000*3)
		for i := range x {
			x[i] = rng.NormFloat64() + shift
		}
		g, _ := Fit(x, 2000, 3)
		return g
	}
	same, _ := FrechetDistance(draw(0), draw(0))
	far, _ := FrechetDistance(draw(0), draw(1))
	if same > 0.05 || math.Abs(far-3) > 0.3 {
		t.Errorf("same %.4f (want ≈ 0), shifted by 1 in 3 dims %.4f (want ≈ 3)", same, far)
	}
	if h := LabelEntropy([]int{0, 1, 2, 3, 0, 1, 2, 3}, 4); math.Abs(h-math.Log(4)) > 1e-12 {
		t.Errorf("uniform entropy %v, want log 4", h)
	}
	if h := LabelEntropy([]int{2, 2, 2}, 4); h != 0 {
		t.Errorf("collapsed entropy %v, want 0", h)
	}
}
