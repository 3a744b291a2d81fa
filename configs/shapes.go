package configs

import (
	"fmt"
	"slices"
	"strings"
)

// Shape is a tensor shape without the batch dimension (Keras's output shape minus None).
// Images are channels-last, as Keras's default.
type Shape []int

// String prints the shape as Keras's summary does: (None, 80, 32).
func (s Shape) String() string {
	parts := []string{"None"}
	for _, d := range s {
		parts = append(parts, fmt.Sprint(d))
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// Size is the number of elements of one example of the shape (1 for Shape{}); see
// checkedSize for a shape not yet known to fit an int.
func (s Shape) Size() int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

// Int64s is the shape as the int64 dimensions TensorFlow's APIs take.
func (s Shape) Int64s() []int64 {
	out := make([]int64, len(s))
	for i, d := range s {
		out[i] = int64(d)
	}
	return out
}

// imageShapes are the image data sets' shapes (channels-last).
var imageShapes = map[string]Shape{
	DatasetMNIST:        {28, 28, 1},
	DatasetFashionMNIST: {28, 28, 1},
	DatasetCIFAR10:      {32, 32, 3},
}

// InputShape is the shape of one example of the data set a classifier trains on: IMDB's
// maxlen token ids, or an image data set's pixels. known is false for a data set whose
// shape only its files tell.
func (d Data) InputShape() (shape Shape, ids, known bool) {
	if d.Own() {
		return d.ownInputShape()
	}
	if d.Dataset == DatasetIMDB {
		return Shape{d.Maxlen}, true, d.Maxlen > 0
	}
	s, ok := imageShapes[d.Dataset]
	return slices.Clone(s), false, ok
}

// OutputShape returns the layer's output shape for an input of shape in (ids: integer
// ids rather than floats), or an error saying why the layer cannot take that input.
func (l *Layer) OutputShape(in Shape, ids bool) (Shape, error) {
	spec := l.Spec()
	switch {
	case spec == nil:
		return nil, fmt.Errorf("unknown layer type %q", l.Type)
	case spec.Merge:
		return nil, fmt.Errorf("a merge layer, called on several tensors: only in a functional model (model.inputs), or first in a conditional GAN network (Concatenate)")
	case ids && !spec.TakesIDs:
		return nil, fmt.Errorf("takes floats, but its input is integer ids (token ids or class labels); an Embedding turns ids into vectors")
	case !ids && spec.TakesIDs:
		return nil, fmt.Errorf("takes integer ids, but its input %v is floats; it can only come first, on token ids or class labels", in)
	case spec.OutputShape == nil:
		return slices.Clone(in), nil
	}
	return spec.OutputShape(l, in)
}

// stack infers the output shape of layers applied in order to an input of shape in (ids:
// integer ids); path is the list's key path and first the index of ls[0] in it. The
// output is floats unless the stack is empty.
func (c *checker) stack(path string, ls []Layer, first int, in Shape, ids bool) (Shape, bool, error) {
	for i := range ls {
		p := indexPath(path, first+i)
		out, err := ls[i].OutputShape(in, ids)
		if err != nil {
			return nil, false, c.shapeError(p, &ls[i], err)
		}
		if err := c.dimsFit(p, &ls[i], in, out); err != nil {
			return nil, false, err
		}
		in, ids = out, false
	}
	return in, ids, nil
}

// dimsFit refuses an output dimension beyond maxDim, the largest tfrun's graphs take,
// at the key it comes from (the layer's argument of that value, or the largest one),
// before a later layer trips over it.
func (c *checker) dimsFit(path string, l *Layer, in, out Shape) error {
	for i, d := range out {
		if d <= maxDim {
			continue
		}
		key := outputKeys(l, path, keyedShape{in, make([]string, len(in))}, out)[i]
		if key == "" {
			key = path
		}
		return c.bad(key, "%s output %v has a dimension of %d; tfrun's graphs take dimensions up to %d (int32)", l.Type, out, d, maxDim)
	}
	return nil
}

// shapeError reports a layer's shape error at its path (or its argument's).
func (c *checker) shapeError(path string, l *Layer, err error) error {
	if ae, ok := err.(*layerArgError); ok {
		return c.bad(join(path, ae.key), "%s", ae.msg)
	}
	return c.bad(path, "%s: %v", l.Type, err)
}

// Shape rules shared by the layer types.

// window2D is the output shape of a 2-D convolution or pooling over an image in
// ([height, width, channels]) with window k, taps d apart ({1, 1} for pooling), stride st
// and padding, with channels out channels; the argument named windowKey is blamed when
// the image is too small.
func window2D(in Shape, k, d, st [2]int, padding string, channels int, windowKey string) (Shape, error) {
	if len(in) != 3 {
		return nil, shapeErr(in, "(None, height, width, channels)")
	}
	h, w := ConvOutputLength(in[0], k[0], st[0], d[0], padding), ConvOutputLength(in[1], k[1], st[1], d[1], padding)
	if h <= 0 || w <= 0 {
		return nil, argErr(windowKey, "%v is larger than the input image %v (with padding %s)", dilated(k, d), in, padding)
	}
	return Shape{h, w, channels}, nil
}

// steps1D checks a [steps, channels] input.
func steps1D(in Shape) error {
	if len(in) != 2 || in[0] <= 0 {
		return shapeErr(in, "(None, steps, channels)")
	}
	return nil
}
