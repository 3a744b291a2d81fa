package configs

import "fmt"

// LayerDropout is Keras's Dropout.
const LayerDropout = "Dropout"

func init() {
	registerLayer(LayerSpec{
		Type:   LayerDropout,
		Doc:    "zeroes a fraction of the inputs in training, scaling the rest by 1/(1 − rate)",
		Shapes: "any shape → the same",
		Args: []Arg{
			rateArg("fraction dropped"),
			{Key: "noise_shape", Kind: KindInts, Optional: true, NullItems: true, Later: true,
				Samples: []any{[]int{-1, 1, 3}, []int{1, 4, 1}},
				Doc:     "shape of the keep/drop mask with the batch axis, broadcast over the input (tf.nn.dropout's): null (or -1) takes the input's dimension, 1 shares one draw along that axis; e.g. [null, 1, 1, channels] drops whole channels of an image. Default: one draw per value"},
		},
		OutputShape: func(l *Layer, in Shape) (Shape, error) {
			if l.Has("noise_shape") {
				if err := checkNoiseShape(l.Ints("noise_shape"), in); err != nil {
					return nil, err
				}
			}
			return in, nil
		},
		Example: Shape{4, 3},
		Kept:    func(l *Layer, in, out Shape) []Tensor { return []Tensor{{Name: "mask", Dims: in}} },
	})
}

// checkNoiseShape checks Dropout's noise_shape against the input's shape in (without the
// batch axis): one entry per axis with the batch axis, each -1 (None), 1 or the input's
// dimension.
func checkNoiseShape(ns []int, in Shape) error {
	if len(ns) != len(in)+1 {
		return argErr("noise_shape", "%s has %d entries, want %d: one per axis of the input %s with the batch axis", intsString(ns), len(ns), len(in)+1, intsString(append([]int{-1}, in...)))
	}
	for i, n := range ns {
		dim := -1
		if i > 0 {
			dim = in[i-1]
		}
		if n == -1 || n == 1 || (n == dim && n > 0) {
			continue
		}
		if i == 0 {
			return argErr("noise_shape", "%s: the batch entry must be null (one draw per example) or 1 (one for the whole batch), got %d", intsString(ns), n)
		}
		return argErr("noise_shape", "%s: entry %d is %d; want null, 1 or the input's dimension %d", intsString(ns), i, n, dim)
	}
	return nil
}

// intsString prints a noise shape or input shape as Keras's tuple, -1 as None.
func intsString(xs []int) string {
	s := "("
	for i, x := range xs {
		if i > 0 {
			s += ", "
		}
		if x < 0 {
			s += "None"
		} else {
			s += fmt.Sprint(x)
		}
	}
	return s + ")"
}
