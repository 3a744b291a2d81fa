package datasets

import "math"

// window is a rectangle of an image: rows y0..y0+height-1, columns
// x0..x0+width-1.
type window struct {
	y0, x0, height, width int
}

// cropWindow is the centred crop of keras.preprocessing.image.smart_resize
// (keras/src/utils/image_utils.py) for an h×w image and a th×tw target: the
// largest window with the target's aspect ratio. It follows the branch
// image_dataset_from_directory runs (tensor shapes, so float32 arithmetic):
//
//	crop_height = int32(float32(w*th) / tw), clipped to [1, h]
//	crop_width  = int32(float32(h*tw) / th), clipped to [1, w]
//	start       = int32(float32(size - crop) / 2) on each axis
func cropWindow(h, w, th, tw int) window {
	ch := int(float32(w*th) / float32(tw))
	ch = max(min(h, ch), 1)
	cw := int(float32(h*tw) / float32(th))
	cw = max(min(w, cw), 1)
	return window{
		y0:     int(float32(h-ch) / 2),
		x0:     int(float32(w-cw) / 2),
		height: ch,
		width:  cw,
	}
}

// lerpIndex is one output coordinate's two source coordinates and the weight
// of the upper one (TensorFlow's CachedInterpolation).
type lerpIndex struct {
	lower, upper int
	lerp         float32
}

// interpolationWeights computes, for each of outSize output coordinates, the
// source coordinates and weight of TensorFlow's ResizeBilinear with
// half_pixel_centers=True (tensorflow/core/kernels/image/resize_bilinear_op.cc,
// compute_interpolation_weights with HalfPixelScaler), in float32 like it:
//
//	scale = in / out
//	src   = (i + 0.5) * scale - 0.5
//	lower = max(floor(src), 0), upper = min(ceil(src), in-1), lerp = src - floor(src)
func interpolationWeights(outSize, inSize int) []lerpIndex {
	scale := float32(inSize) / float32(outSize)
	ws := make([]lerpIndex, outSize)
	for i := range ws {
		// The explicit conversions round each step to float32 and keep the
		// compiler from fusing the multiply and add, as TensorFlow's kernel
		// (built without FMA contraction) computes it.
		src := float32(float32(float32(i)+0.5)*scale) - 0.5
		floor := float32(math.Floor(float64(src)))
		ws[i] = lerpIndex{
			lower: max(int(floor), 0),
			upper: min(int(math.Ceil(float64(src))), inSize-1),
			lerp:  src - floor,
		}
	}
	return ws
}

// resizeBilinear resizes the window win of src (8-bit pixels, stride pixels
// per row, c channels) to outH×outW float32 pixels as
// tf.image.resize(method="bilinear", antialias=False) does, including its
// shortcut of copying a window that already has the output size.
func resizeBilinear(src []uint8, stride, c int, win window, outH, outW int) []float32 {
	out := make([]float32, outH*outW*c)
	at := func(y, x int) int { return ((win.y0+y)*stride + win.x0 + x) * c }
	if win.height == outH && win.width == outW {
		for y := 0; y < outH; y++ {
			row := src[at(y, 0) : at(y, 0)+outW*c]
			for i, v := range row {
				out[y*outW*c+i] = float32(v)
			}
		}
		return out
	}
	ys := interpolationWeights(outH, win.height)
	xs := interpolationWeights(outW, win.width)
	for y, wy := range ys {
		for x, wx := range xs {
			tl, tr := at(wy.lower, wx.lower), at(wy.lower, wx.upper)
			bl, br := at(wy.upper, wx.lower), at(wy.upper, wx.upper)
			dst := out[(y*outW+x)*c:]
			for k := 0; k < c; k++ {
				dst[k] = lerp2(float32(src[tl+k]), float32(src[tr+k]), float32(src[bl+k]), float32(src[br+k]), wx.lerp, wy.lerp)
			}
		}
	}
	return out
}

// lerp2 is TensorFlow's compute_lerp: interpolate along x on the top and
// bottom rows, then along y, each product rounded to float32 before the add.
func lerp2(topLeft, topRight, bottomLeft, bottomRight, xLerp, yLerp float32) float32 {
	top := topLeft + float32((topRight-topLeft)*xLerp)
	bottom := bottomLeft + float32((bottomRight-bottomLeft)*xLerp)
	return top + float32((bottom-top)*yLerp)
}
