package configs

import "fmt"

// LayerPReLU is Keras's PReLU.
const LayerPReLU = "PReLU"

func init() {
	registerLayer(LayerSpec{
		Type:   LayerPReLU,
		Doc:    "x for x ≥ 0, alpha·x below, with alpha learnt per element (He et al. 2015)",
		Shapes: "any shape → the same",
		Args: []Arg{
			{Key: "alpha_initializer", Kind: KindString, Default: InitializerZeros, Choices: vectorInitializers(),
				Note: "orthogonal needs a matrix", Doc: "of alpha"},
			{Key: "alpha_regularizer", Kind: KindRegularizer, Default: Regularizer{}, Doc: "penalty on alpha added to the loss"},
			{Key: "shared_axes", Kind: KindInts, Optional: true, Samples: []any{[]int{1}, []int{1, 2}},
				Doc: "axes (1 is the first after the batch) along which one alpha is shared, e.g. [1, 2] for one per channel of an image (None: none)"},
		},
		OutputShape: func(l *Layer, in Shape) (Shape, error) {
			if len(in) < 1 {
				return nil, shapeErr(in, "(None, ...)")
			}
			if _, err := preluAlphaShape(l, in); err != nil {
				return nil, err
			}
			return in, nil
		},
		Example: Shape{4, 3},
		Weights: func(l *Layer, in Shape) []Tensor {
			s, _ := preluAlphaShape(l, in)
			return []Tensor{{Name: "alpha", Dims: s}}
		},
	})
}

// preluAlphaShape is the shape of PReLU's alpha for an input of shape in: in, with 1 on
// each shared axis (axis 1 is in[0]), as Keras's PReLU.build.
func preluAlphaShape(l *Layer, in Shape) (Shape, error) {
	shape := append(Shape{}, in...)
	if !l.Has("shared_axes") {
		return shape, nil
	}
	seen := map[int]bool{}
	for i, a := range l.Ints("shared_axes") {
		if a < 1 || a > len(in) {
			return nil, argErr(fmt.Sprintf("shared_axes[%d]", i), "%d: not an axis of the input %v (valid: 1 to %d; 0 is the batch)", a, in, len(in))
		}
		if seen[a] {
			return nil, argErr(fmt.Sprintf("shared_axes[%d]", i), "axis %d given twice", a)
		}
		seen[a] = true
		shape[a-1] = 1
	}
	return shape, nil
}
