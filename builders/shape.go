package builders

// Int64s is the shape as the int64 dimensions TensorFlow's APIs take.
func (s Shape) Int64s() []int64 {
	out := make([]int64, len(s))
	for i, d := range s {
		out[i] = int64(d)
	}
	return out
}
