// Package metrics computes scores from numbers a model produced, without TensorFlow: the
// GAN quality scores tfrun reports, the Fréchet distance between two sets of feature
// vectors (the formula of the Fréchet Inception Distance, Heusel et al. 2017, applied in a
// small classifier's feature space) and the entropy of a label distribution; and the
// results of Keras's confusion-matrix metrics (AUC, Precision, Recall) from their counts.
package metrics

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Gaussian is the mean and covariance of a set of feature vectors.
type Gaussian struct {
	Mean []float64
	Cov  *mat.SymDense
}

// Fit estimates the mean and the (unbiased, n−1) covariance of n feature vectors of
// dimension d stored row-major in x.
func Fit(x []float64, n, d int) (Gaussian, error) {
	if n < 2 || d < 1 || len(x) != n*d {
		return Gaussian{}, fmt.Errorf("metrics: %d values for %d vectors of %d features (need at least 2 vectors)", len(x), n, d)
	}
	mean := make([]float64, d)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			mean[j] += x[i*d+j]
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	cov := mat.NewSymDense(d, nil)
	row := make([]float64, d)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			row[j] = x[i*d+j] - mean[j]
		}
		cov.SymRankOne(cov, 1, mat.NewVecDense(d, row))
	}
	cov.ScaleSym(1/float64(n-1), cov)
	return Gaussian{Mean: mean, Cov: cov}, nil
}

// FrechetDistance is the squared Fréchet (2-Wasserstein) distance between two Gaussians:
// |μ1 − μ2|² + Tr(Σ1 + Σ2 − 2(Σ1Σ2)^½). The trace of (Σ1Σ2)^½ is computed as the trace of
// (Σ1^½ Σ2 Σ1^½)^½, a symmetric positive semi-definite matrix, from eigenvalues.
func FrechetDistance(a, b Gaussian) (float64, error) {
	d := len(a.Mean)
	if len(b.Mean) != d {
		return 0, fmt.Errorf("metrics: feature dimensions differ: %d and %d", d, len(b.Mean))
	}
	diff := 0.0
	for j := range a.Mean {
		diff += (a.Mean[j] - b.Mean[j]) * (a.Mean[j] - b.Mean[j])
	}
	sqrtA, err := sqrtSym(a.Cov)
	if err != nil {
		return 0, err
	}
	var m mat.Dense
	m.Mul(sqrtA, b.Cov)
	m.Mul(&m, sqrtA)
	sym := mat.NewSymDense(d, nil)
	for i := 0; i < d; i++ {
		for j := i; j < d; j++ {
			sym.SetSym(i, j, (m.At(i, j)+m.At(j, i))/2)
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(sym, false) {
		return 0, fmt.Errorf("metrics: eigendecomposition failed")
	}
	traceSqrt := 0.0
	for _, v := range eig.Values(nil) {
		traceSqrt += math.Sqrt(math.Max(v, 0))
	}
	return diff + mat.Trace(a.Cov) + mat.Trace(b.Cov) - 2*traceSqrt, nil
}

// sqrtSym returns the symmetric square root of a positive semi-definite matrix.
func sqrtSym(s *mat.SymDense) (*mat.Dense, error) {
	var eig mat.EigenSym
	if !eig.Factorize(s, true) {
		return nil, fmt.Errorf("metrics: eigendecomposition failed")
	}
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	d := len(vals)
	root := mat.NewDiagDense(d, nil)
	for i, v := range vals {
		root.SetDiag(i, math.Sqrt(math.Max(v, 0)))
	}
	var out mat.Dense
	out.Mul(&vecs, root)
	out.Mul(&out, vecs.T())
	return &out, nil
}

// LabelEntropy is the entropy (nats) of the distribution of labels in [0, k): log k when
// every class is equally frequent, 0 when one class has them all (mode collapse).
func LabelEntropy(labels []int, k int) float64 {
	counts := make([]float64, k)
	for _, l := range labels {
		if l >= 0 && l < k {
			counts[l]++
		}
	}
	h := 0.0
	for _, c := range counts {
		if c > 0 {
			p := c / float64(len(labels))
			h -= p * math.Log(p)
		}
	}
	return h
}
