package tensorboard

import (
	"fmt"
	"math"
	"sort"
	"sync"

	"github.com/wamuir/graft/tensorflow/core/framework/summary_go_proto"
)

// Bounds of TensorFlow's default histogram buckets
// (tensorflow/core/lib/histogram/histogram.cc): the positive limits start at
// bucketStart and grow by bucketGrowth while below bucketEnd.
const (
	bucketStart  = 1e-12
	bucketEnd    = 1e20
	bucketGrowth = 1.1
)

// defaultBucketLimits returns TensorFlow's default histogram bucket limits, in
// increasing order: -MaxFloat64, the negated positive limits from the largest
// down, 0, then the positive limits 1e-12, 1e-12·1.1, 1e-12·1.1², … (each
// the previous one times 1.1, in float64, while below 1e20) and MaxFloat64.
// Bucket i counts the values v with limits[i-1] <= v < limits[i].
var defaultBucketLimits = sync.OnceValue(func() []float64 {
	var pos []float64
	for v := bucketStart; v < bucketEnd; v *= bucketGrowth {
		pos = append(pos, v)
	}
	pos = append(pos, math.MaxFloat64)
	limits := make([]float64, 0, 2*len(pos)+1)
	for i := len(pos) - 1; i >= 0; i-- {
		limits = append(limits, -pos[i])
	}
	limits = append(limits, 0)
	return append(limits, pos...)
})

// newHistogram summarizes values as a HistogramProto over TensorFlow's
// default buckets. Like TensorFlow, it stores each run of consecutive empty
// buckets as one empty bucket whose limit is the run's last limit. values
// must be non-empty and finite.
func newHistogram(values []float64) (*summary_go_proto.HistogramProto, error) {
	if len(values) == 0 {
		return nil, fmt.Errorf("no values")
	}
	limits := defaultBucketLimits()
	counts := make([]float64, len(limits))
	h := &summary_go_proto.HistogramProto{
		Min: math.Inf(1),
		Max: math.Inf(-1),
		Num: float64(len(values)),
	}
	for i, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("values[%d] is %v, want a finite number", i, v)
		}
		// The first limit greater than v closes v's bucket; v =
		// MaxFloat64 goes to the last bucket.
		b := sort.Search(len(limits), func(j int) bool { return limits[j] > v })
		counts[min(b, len(limits)-1)]++
		h.Min = min(h.Min, v)
		h.Max = max(h.Max, v)
		h.Sum += v
		h.SumSquares += v * v
	}
	for i := 0; i < len(limits); {
		limit, count := limits[i], counts[i]
		i++
		if count == 0 {
			for i < len(limits) && counts[i] == 0 {
				limit = limits[i]
				i++
			}
		}
		h.BucketLimit = append(h.BucketLimit, limit)
		h.Bucket = append(h.Bucket, count)
	}
	return h, nil
}
