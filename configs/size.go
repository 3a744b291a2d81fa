package configs

import (
	"fmt"
	"math"
	"math/bits"
)

// maxDim is the largest dimension tfrun's graphs take: the builders write shapes into
// int32 constants (Reshape targets, Tile multiples, Fill dims), as Keras's own graphs
// mostly do.
const maxDim = math.MaxInt32

// mulInt returns a·b for a, b >= 0, and false when the product does not fit an int64
// (TensorFlow counts a tensor's elements in an int64: tensor_shape.cc's "Encountered
// overflow when multiplying").
func mulInt(a, b int) (int, bool) {
	if a < 0 || b < 0 {
		return 0, false
	}
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi != 0 || lo > math.MaxInt64 {
		return 0, false
	}
	return int(lo), true
}

// addInt returns a+b for a, b >= 0, and false on int64 overflow.
func addInt(a, b int) (int, bool) {
	if a < 0 || b < 0 || a > math.MaxInt64-b {
		return 0, false
	}
	return a + b, true
}

// product returns the product of dims, and false on int64 overflow or a negative dim.
func product(dims ...int) (int, bool) {
	n := 1
	for _, d := range dims {
		var ok bool
		if n, ok = mulInt(n, d); !ok {
			return 0, false
		}
	}
	return n, true
}

// checkedSize is s.size(), or an error when the element count overflows int64.
func (s Shape) checkedSize() (int, error) {
	n, ok := product(s...)
	if !ok {
		return 0, fmt.Errorf("the elements of %v overflow int64: more than TensorFlow can represent", s)
	}
	return n, nil
}

// formatBytes prints a byte count with binary prefixes up to GiB (as free(1) and the
// memory a machine reports), decimal ones beyond (1.6 PB reads better than 1.4 PiB).
func formatBytes(b float64) string {
	switch {
	case b < 1<<10:
		return fmt.Sprintf("%.0f B", b)
	case b < 1<<20:
		return fmt.Sprintf("%.1f KiB", b/(1<<10))
	case b < 1<<30:
		return fmt.Sprintf("%.1f MiB", b/(1<<20))
	case b < 1e12:
		return fmt.Sprintf("%.1f GiB", b/(1<<30))
	}
	for _, u := range []struct {
		unit string
		size float64
	}{{"EB", 1e18}, {"PB", 1e15}, {"TB", 1e12}} {
		if b >= u.size {
			if b >= 1e21 {
				return fmt.Sprintf("%.2g %s", b/u.size, u.unit)
			}
			return fmt.Sprintf("%.1f %s", b/u.size, u.unit)
		}
	}
	return fmt.Sprintf("%.1f TB", b/1e12)
}
