package configs

import "fmt"

// LayerReshape is Keras's Reshape.
const LayerReshape = "Reshape"

func init() {
	registerLayer(LayerSpec{
		Type:   LayerReshape,
		Doc:    "reshapes each example",
		Shapes: "any shape → target_shape (of as many elements)",
		Args: []Arg{
			{Key: "target_shape", Kind: KindInts, Required: true, Samples: []any{[]int{3, 2}, []int{-1}, []int{1, -1}},
				Doc: "the output shape without the batch axis; one entry may be -1 (inferred)"},
		},
		Check: func(l *Layer) error {
			shape := l.Ints("target_shape")
			if len(shape) == 0 {
				return argErr("target_shape", "empty; give the output shape without the batch dimension, e.g. [7, 7, 256]")
			}
			inferred := false
			for i, d := range shape {
				switch {
				case d == -1 && !inferred:
					inferred = true
				case d == -1:
					return argErr(fmt.Sprintf("target_shape[%d]", i), "a second -1; only one dimension can be inferred")
				case d <= 0:
					return argErr(fmt.Sprintf("target_shape[%d]", i), "must be > 0 (or -1 to infer it), got %d", d)
				}
			}
			return nil
		},
		OutputShape: func(l *Layer, in Shape) (Shape, error) {
			out := l.Ints("target_shape")
			size, err := in.checkedSize()
			if err != nil {
				return nil, err
			}
			known, unknown := 1, -1
			for i, d := range out {
				if d == -1 {
					unknown = i
					continue
				}
				var ok bool
				if known, ok = mulInt(known, d); !ok {
					return nil, argErr("target_shape", "%v: its elements overflow int64: more than TensorFlow can represent", out)
				}
			}
			if unknown >= 0 {
				if size%known != 0 {
					return nil, argErr("target_shape", "%v cannot hold the %d elements of the input %v", out, size, in)
				}
				out[unknown] = size / known
			}
			if n, _ := Shape(out).checkedSize(); n != size {
				return nil, argErr("target_shape", "%v holds %d elements, the input %v has %d", out, n, in, size)
			}
			return out, nil
		},
		Example: Shape{2, 3},
	})
}
