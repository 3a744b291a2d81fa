package builders

import (
	"math"
	"strings"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
)

// Ops the image preprocessing and augmentation layers share (Keras's
// keras/src/backend/tensorflow/image.py and keras/src/utils/image_utils.py, channels_last).

// imageUniform draws, for each example of the image batch x, k values uniform in [lo, hi),
// float32 [batch, k], from the scope's stateless stream (graphs.Scope.RandomUniform): the
// draws of step N are the same in an uninterrupted and a resumed run.
func imageUniform(s *graphs.Scope, x tf.Output, k int, lo, hi float64) tf.Output {
	fs := s.WithDType(tf.Float)
	batch := op.StridedSlice(s.Op("StridedSlice"), op.Shape(s.Op("Shape"), x), s.Const([]int32{0}), s.Const([]int32{1}), s.Const([]int32{1}))
	shape := op.ConcatV2(s.Op("ConcatV2"), []tf.Output{batch, s.Const([]int32{int32(k)})}, s.Const(int32(0)))
	// The draws hang off x's shape: StopGradient keeps the gradient walk out of them.
	u := op.StopGradient(s.Op("StopGradient"), fs.RandomUniform(shape))
	if lo == 0 && hi == 1 {
		return u
	}
	return op.AddV2(s.Op("AddV2"), op.Mul(s.Op("Mul"), u, s.Const(float32(hi-lo))), s.Const(float32(lo)))
}

// column is column i of m [batch, k], as [batch, 1].
func column(s *graphs.Scope, m tf.Output, i int) tf.Output {
	return op.StridedSlice(s.Op("StridedSlice"), m, s.Const([]int32{0, int32(i)}), s.Const([]int32{0, int32(i + 1)}),
		s.Const([]int32{1, 1}), op.StridedSliceBeginMask(1), op.StridedSliceEndMask(1))
}

// transformRows packs the [batch, 1] float32 entries a0 a1 a2 b0 b1 b2 (nil: zero) into
// ImageProjectiveTransformV3's transforms [batch, 8], the last two zero: output pixel
// (x, y) reads input point (a0·x + a1·y + a2, b0·x + b1·y + b2).
func transformRows(s *graphs.Scope, like tf.Output, entries ...tf.Output) tf.Output {
	zero := op.ZerosLike(s.Op("ZerosLike"), like)
	cols := make([]tf.Output, 0, 8)
	for _, e := range entries {
		if e.Op == nil {
			e = zero
		}
		cols = append(cols, e)
	}
	for len(cols) < 8 {
		cols = append(cols, zero)
	}
	return op.ConcatV2(s.Op("ConcatV2"), cols, s.Const(int32(1)))
}

// affineTransform is Keras's ops.image.affine_transform: ImageProjectiveTransformV3 of the
// images x [batch, h, w, c] by transforms [batch, 8], to an output of [height, width],
// with interpolation (bilinear, nearest) and fill_mode (reflect, wrap, constant, nearest)
// as Keras spells them. The kernel runs in float32 (it has no bfloat16 CPU kernel in every
// build); the result is cast back to the scope's type. Its gradient to x is TensorFlow's
// (image_ops_impl's _image_projective_transform_v3_grad, which Keras's TensorFlow backend
// gets): the output gradient moved back by the inverse transforms, constant fill 0 — the
// exact adjoint for whole-pixel shifts with nearest interpolation (RandomCrop), an
// approximation otherwise.
func affineTransform(s *graphs.Scope, x, transforms tf.Output, height, width int, interpolation, fillMode string, fillValue float64) tf.Output {
	in, err := x.Shape().ToSlice()
	if err != nil || len(in) != 4 {
		s.Fail("affine transform of a tensor of shape %v, want [batch, height, width, channels]", x.Shape())
		return tf.Output{}
	}
	interp := strings.ToUpper(interpolation)
	transform := func(c *graphs.Scope, images, transforms tf.Output, h, w int, fill string, value float64) tf.Output {
		return op.ImageProjectiveTransformV3(c.Op("ImageProjectiveTransformV3"), c.CastTo(images, tf.Float), transforms,
			c.Const([]int32{int32(h), int32(w)}), c.Const(float32(value)), interp, op.ImageProjectiveTransformV3FillMode(fill))
	}
	dtype := x.DataType()
	return s.CustomGradient("ImageProjectiveTransformV3", []tf.Output{x}, func(c *graphs.Scope, cut []tf.Output) []tf.Output {
		return []tf.Output{c.CastTo(transform(c, cut[0], transforms, height, width, strings.ToUpper(fillMode), fillValue), s.DType())}
	}, func(c *graphs.Scope, dys []tf.Output) []tf.Output {
		// The 3×3 matrices [a0 a1 a2; b0 b1 b2; c0 c1 1], inverted, flattened and divided
		// by their last entry, as TensorFlow's gradient does.
		ones := op.OnesLike(c.Op("OnesLike"), column(c, transforms, 0))
		m := op.Reshape(c.Op("Reshape"), op.ConcatV2(c.Op("ConcatV2"), []tf.Output{transforms, ones}, c.Const(int32(1))), c.Const([]int32{-1, 3, 3}))
		inv := op.Reshape(c.Op("Reshape"), op.MatrixInverse(c.Op("MatrixInverse"), m), c.Const([]int32{-1, 9}))
		inv = op.RealDiv(c.Op("RealDiv"), inv, column(c, inv, 8))
		inv = op.Slice(c.Op("Slice"), inv, c.Const([]int32{0, 0}), c.Const([]int32{-1, 8}))
		dx := transform(c, dys[0], inv, int(in[1]), int(in[2]), "CONSTANT", 0)
		return []tf.Output{c.CastTo(dx, dtype)}
	})[0]
}

// resizeImages is Keras's ops.image.resize without antialiasing (tf.image.resize):
// ResizeBilinear or ResizeNearestNeighbor with half-pixel centres, in the scope's type.
// Both have gradients. x of size [height, width] already is returned unchanged.
func resizeImages(s *graphs.Scope, x tf.Output, in Shape, height, width int, interpolation string) tf.Output {
	if in[0] == height && in[1] == width {
		return x
	}
	size := s.Const([]int32{int32(height), int32(width)})
	if interpolation == "nearest" {
		return op.ResizeNearestNeighbor(s.Op("ResizeNearestNeighbor"), x, size, op.ResizeNearestNeighborHalfPixelCenters(true))
	}
	// ResizeBilinear computes in and returns float32 whatever its input.
	y := op.ResizeBilinear(s.Op("ResizeBilinear"), x, size, op.ResizeBilinearHalfPixelCenters(true))
	return s.CastTo(y, s.DType())
}

// cropImages is x[:, top:top+height, left:left+width, :], the window clipped to the image
// (as a Python slice is); it returns the window's size too.
func cropImages(s *graphs.Scope, x tf.Output, in Shape, top, left, height, width int) (tf.Output, Shape) {
	height, width = min(height, in[0]-top), min(width, in[1]-left)
	if top == 0 && left == 0 && height == in[0] && width == in[1] {
		return x, in
	}
	y := op.Slice(s.Op("Slice"), x, s.Const([]int32{0, int32(top), int32(left), 0}), s.Const([]int32{-1, int32(height), int32(width), -1}))
	return y, Shape{height, width, in[2]}
}

// aspectCrop is the window of Keras's smart_resize (keras/src/utils/image_utils.py): the
// largest centred window of an image of shape in with the aspect ratio height:width.
func aspectCrop(in Shape, height, width int) (top, left, cropHeight, cropWidth int) {
	cropHeight = max(min(in[0], int(float64(in[1]*height)/float64(width))), 1)
	cropWidth = max(min(in[1], int(float64(in[0]*width)/float64(height))), 1)
	return int(float64(in[0]-cropHeight) / 2), int(float64(in[1]-cropWidth) / 2), cropHeight, cropWidth
}

// smartResize is Keras's smart_resize: the centred window of the output's aspect ratio,
// resized to height × width (bilinear unless interpolation says nearest).
func smartResize(s *graphs.Scope, x tf.Output, in Shape, height, width int, interpolation string) tf.Output {
	top, left, ch, cw := aspectCrop(in, height, width)
	y, cropped := cropImages(s, x, in, top, left, ch, cw)
	return resizeImages(s, y, cropped, height, width, interpolation)
}

// degreesToRadians is Keras's π/180, in float32 as Keras's convert_to_tensor makes it.
const degreesToRadians = math.Pi / 180
