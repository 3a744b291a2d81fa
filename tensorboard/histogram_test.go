package tensorboard

import (
	"math"
	"slices"
	"testing"
)

// TestDefaultBucketLimits pins the shape of TensorFlow's default buckets
// (tensorflow/core/lib/histogram/histogram.cc): 774 positive limits from
// 1e-12 growing by 1.1 while below 1e20, MaxFloat64, their negations and 0.
func TestDefaultBucketLimits(t *testing.T) {
	limits := defaultBucketLimits()
	const positive = 774
	if got, want := len(limits), 2*(positive+1)+1; got != want {
		t.Fatalf("len = %d, want %d", got, want)
	}
	mid := positive + 1
	tests := []struct {
		name string
		got  float64
		want float64
	}{
		{"first", limits[0], -math.MaxFloat64},
		{"middle", limits[mid], 0},
		{"first positive", limits[mid+1], 1e-12},
		{"second positive", limits[mid+2], 1.1000000000000002e-12},    // float64 1e-12·1.1, not the constant 1.1e-12
		{"last finite", limits[len(limits)-2], 9.920775621859783e+19}, // computed by Python's float loop
		{"last", limits[len(limits)-1], math.MaxFloat64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
	for i := 1; i < len(limits); i++ {
		if limits[i] <= limits[i-1] {
			t.Fatalf("limits[%d] = %v <= limits[%d] = %v", i, limits[i], i-1, limits[i-1])
		}
	}
	for i := range limits {
		if limits[i] != -limits[len(limits)-1-i] {
			t.Fatalf("limits[%d] = %v is not -limits[%d] = %v", i, limits[i], len(limits)-1-i, limits[len(limits)-1-i])
		}
	}
	for i := mid + 2; i < len(limits)-1; i++ {
		if limits[i] != limits[i-1]*1.1 {
			t.Fatalf("limits[%d] = %v, want limits[%d]·1.1 = %v", i, limits[i], i-1, limits[i-1]*1.1)
		}
	}
}

// referenceCounts counts values into the default buckets by a linear scan.
func referenceCounts(values []float64) []float64 {
	limits := defaultBucketLimits()
	counts := make([]float64, len(limits))
	for _, v := range values {
		b := len(limits) - 1
		for i, limit := range limits {
			if v < limit {
				b = i
				break
			}
		}
		counts[b]++
	}
	return counts
}

func TestNewHistogram(t *testing.T) {
	tests := []struct {
		name   string
		values []float64
	}{
		{"zero", []float64{0}},
		{"symmetric", []float64{-1, 1}},
		{"on a limit", []float64{1e-12, -1e-12}},
		{"spread", []float64{-3.5, -0.01, 0, 1e-13, 0.25, 0.25, 0.5, 7, 1e6}},
		{"extremes", []float64{-math.MaxFloat64, math.MaxFloat64}},
		{"weights", func() []float64 {
			v := make([]float64, 1000)
			for i := range v {
				v[i] = math.Sin(float64(i)) * 0.05
			}
			return v
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := newHistogram(tt.values)
			if err != nil {
				t.Fatal(err)
			}
			sum, sumSquares := 0.0, 0.0
			for _, v := range tt.values {
				sum += v
				sumSquares += v * v
			}
			if h.Min != slices.Min(tt.values) || h.Max != slices.Max(tt.values) ||
				h.Num != float64(len(tt.values)) || h.Sum != sum || h.SumSquares != sumSquares {
				t.Errorf("min, max, num, sum, sum_squares = %v, %v, %v, %v, %v; want %v, %v, %v, %v, %v",
					h.Min, h.Max, h.Num, h.Sum, h.SumSquares,
					slices.Min(tt.values), slices.Max(tt.values), float64(len(tt.values)), sum, sumSquares)
			}
			if len(h.Bucket) != len(h.BucketLimit) {
				t.Fatalf("%d buckets, %d limits", len(h.Bucket), len(h.BucketLimit))
			}
			// Expand the collapsed buckets again and compare with a
			// linear-scan count over all default buckets.
			limits := defaultBucketLimits()
			want := referenceCounts(tt.values)
			got := make([]float64, len(limits))
			j := 0
			for i, limit := range h.BucketLimit {
				if i > 0 && h.Bucket[i] == 0 && h.Bucket[i-1] == 0 {
					t.Errorf("buckets %d and %d are both empty, want one collapsed run", i-1, i)
				}
				k := slices.Index(limits, limit)
				if k < j {
					t.Fatalf("bucket limit %d = %v is not a default limit after index %d", i, limit, j)
				}
				if h.Bucket[i] != 0 && k != j {
					t.Fatalf("non-empty bucket %d covers default buckets %d..%d", i, j, k)
				}
				got[k] = h.Bucket[i]
				j = k + 1
			}
			if j != len(limits) {
				t.Errorf("buckets end at default bucket %d, want %d", j, len(limits))
			}
			if !slices.Equal(got, want) {
				for i := range got {
					if got[i] != want[i] {
						t.Errorf("bucket (..%v] has %v, want %v", limits[i], got[i], want[i])
					}
				}
			}
		})
	}
}

// TestNewHistogramZero spells out TensorFlow's encoding of one value 0: the
// empty buckets below it collapse into one ending at 0, those above into one
// ending at MaxFloat64.
func TestNewHistogramZero(t *testing.T) {
	h, err := newHistogram([]float64{0})
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{0, 1e-12, math.MaxFloat64}; !slices.Equal(h.BucketLimit, want) {
		t.Errorf("bucket_limit = %v, want %v", h.BucketLimit, want)
	}
	if want := []float64{0, 1, 0}; !slices.Equal(h.Bucket, want) {
		t.Errorf("bucket = %v, want %v", h.Bucket, want)
	}
}

func TestNewHistogramErrors(t *testing.T) {
	tests := []struct {
		name   string
		values []float64
		want   string
	}{
		{"empty", nil, "no values"},
		{"NaN", []float64{1, math.NaN()}, "values[1] is NaN, want a finite number"},
		{"+Inf", []float64{math.Inf(1)}, "values[0] is +Inf, want a finite number"},
		{"-Inf", []float64{0, 0, math.Inf(-1)}, "values[2] is -Inf, want a finite number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newHistogram(tt.values)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
		})
	}
}
