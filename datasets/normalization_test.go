package datasets

import (
	"math"
	"slices"
	"testing"
)

func TestAdaptNormalizationAndNormalize(t *testing.T) {
	// Three features over four rows: a varying one, a constant one, and one
	// whose variations (±2e-8) vanish when written as float32.
	rows := []float32{
		1, 10, 5,
		2, 10, 5,
		3, 10, 5 + 2e-8,
		6, 10, 5 - 2e-8,
	}
	mean, variance, err := AdaptNormalization(rows, 4, 3)
	if err != nil {
		t.Fatal(err)
	}
	// Feature 0: mean 3, population variance (4+1+0+9)/4 = 3.5 (numpy's
	// var, ddof=0, as Keras's adapt). float32(5±2e-8) rounds to 5, so
	// feature 2 is constant too.
	if want := []float64{3, 10, 5}; !slices.Equal(mean, want) {
		t.Errorf("mean %v, want %v", mean, want)
	}
	if want := []float64{3.5, 0, 0}; !slices.Equal(variance, want) {
		t.Errorf("variance %v, want %v", variance, want)
	}
	out, err := Normalize(rows, 3, mean, variance)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		want := (float64(rows[i*3]) - 3) / math.Sqrt(3.5)
		if got := out[i*3]; math.Abs(float64(got)-want) > 1e-6 {
			t.Errorf("row %d feature 0 = %v, want %v", i, got, want)
		}
		if out[i*3+1] != 0 || out[i*3+2] != 0 {
			t.Errorf("row %d constant features = %v %v, want 0 (divided by epsilon, not by 0)", i, out[i*3+1], out[i*3+2])
		}
	}
}

func TestNormalizeEpsilonFloor(t *testing.T) {
	// variance 1e-16: sqrt is 1e-8 < epsilon, so Keras divides by 1e-7.
	out, err := Normalize([]float32{1}, 1, []float64{0}, []float64{1e-16})
	if err != nil {
		t.Fatal(err)
	}
	if want := float32(1) / float32(1e-7); out[0] != want {
		t.Errorf("got %v, want %v", out[0], want)
	}
}

func TestNormalizationErrors(t *testing.T) {
	if _, _, err := AdaptNormalization([]float32{1, 2, 3}, 2, 2); err == nil {
		t.Error("AdaptNormalization accepted 3 values for 2×2")
	} else {
		checkErr(t, err, ErrInvalidArgument, "3 values for 2 rows of 2 features")
	}
	_, _, err := AdaptNormalization(nil, 0, 2)
	checkErr(t, err, ErrInvalidArgument, "n, d > 0")
	_, err = Normalize([]float32{1, 2, 3}, 2, []float64{0, 0}, []float64{1, 1})
	checkErr(t, err, ErrInvalidArgument, "multiple of d")
	_, err = Normalize([]float32{1, 2}, 2, []float64{0}, []float64{1, 1})
	checkErr(t, err, ErrInvalidArgument, "1 means")
	_, err = Normalize([]float32{1}, 1, []float64{0}, []float64{-1})
	checkErr(t, err, ErrInvalidArgument, "variance -1")
}
