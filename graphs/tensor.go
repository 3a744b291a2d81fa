package graphs

import (
	"fmt"
	"runtime"

	tf "github.com/wamuir/graft/tensorflow"
)

// NewTensor returns a tensor of the given shape holding flat (row-major) data; data is a
// []float32, []float64, []int32, []int64 or []uint8, and len(data) must equal the shape's
// element count.
func NewTensor(data any, shape ...int64) (*tf.Tensor, error) {
	n := int64(1)
	for _, d := range shape {
		n *= d
	}
	var got int
	switch v := data.(type) {
	case []float32:
		got = len(v)
	case []float64:
		got = len(v)
	case []int32:
		got = len(v)
	case []int64:
		got = len(v)
	case []uint8:
		got = len(v)
	default:
		return nil, fmt.Errorf("graphs: NewTensor: unsupported data %T", data)
	}
	if int64(got) != n {
		return nil, fmt.Errorf("graphs: NewTensor: %d values for shape %v (%d elements)", got, shape, n)
	}
	if len(shape) == 0 { // graft cannot reshape to a scalar: build one
		switch v := data.(type) {
		case []float32:
			return tf.NewTensor(v[0])
		case []float64:
			return tf.NewTensor(v[0])
		case []int32:
			return tf.NewTensor(v[0])
		case []int64:
			return tf.NewTensor(v[0])
		case []uint8:
			return tf.NewTensor(v[0])
		}
	}
	t, err := tf.NewTensor(data)
	if err != nil {
		return nil, err
	}
	if len(shape) != 1 {
		if err := t.Reshape(shape); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// Value returns t's value, as t.Value does, with t kept alive until the value is copied.
//
// Use it instead of t.Value. graft's Tensor.Value copies from t's C buffer after its last
// use of t; when the caller holds t nowhere else, the garbage collector may run t's
// finalizer during the copy and free the buffer under it. The copy then reads the
// allocator's bookkeeping: in practice the first values come back as garbage, now and then.
// internal/codecheck fails on any other call of Tensor.Value in tfrun.
func Value(t *tf.Tensor) any {
	v := t.Value()
	runtime.KeepAlive(t)
	return v
}

// Flat returns a tensor's values as a flat row-major slice ([]float32, []float64, []int32,
// []int64, ...) whatever its rank.
func Flat(t *tf.Tensor) any {
	shape := t.Shape()
	if len(shape) == 1 {
		return Value(t)
	}
	n := int64(1)
	for _, d := range shape {
		n *= d
	}
	if err := t.Reshape([]int64{n}); err != nil {
		return nil
	}
	v := Value(t)
	_ = t.Reshape(shape)
	return v
}

// Float64s returns a floating-point tensor's values as a flat []float64.
func Float64s(t *tf.Tensor) []float64 {
	switch v := Flat(t).(type) {
	case []float64:
		return v
	case []float32:
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = float64(x)
		}
		return out
	case float32:
		return []float64{float64(v)}
	case float64:
		return []float64{v}
	}
	return nil
}

// Scalar64 returns a scalar floating-point tensor's value.
func Scalar64(t *tf.Tensor) float64 {
	switch v := Value(t).(type) {
	case float32:
		return float64(v)
	case float64:
		return v
	case int64:
		return float64(v)
	case int32:
		return float64(v)
	}
	return 0
}

// numElements multiplies the dimensions of shape.
func numElements(shape []int64) int {
	n := 1
	for _, d := range shape {
		n *= int(d)
	}
	return n
}

// floatsOf converts float64 values to a slice of the given dtype.
func floatsOf(dtype tf.DataType, v []float64) any {
	switch dtype {
	case tf.Float:
		out := make([]float32, len(v))
		for i, x := range v {
			out[i] = float32(x)
		}
		return out
	case tf.Double:
		return v
	case tf.Int64:
		out := make([]int64, len(v))
		for i, x := range v {
			out[i] = int64(x)
		}
		return out
	case tf.Int32:
		out := make([]int32, len(v))
		for i, x := range v {
			out[i] = int32(x)
		}
		return out
	}
	return nil
}
