package graphs

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// Convolutions whose backward avoids TensorFlow's CPU Conv2DBackpropInput kernel (and, in
// bfloat16, its Conv2DBackpropFilter; see conv2DBackpropFilter).
//
// Conv2DBackpropInput is the gradient of Conv2D with respect to its input and the forward
// op of Conv2DTranspose. On this kind of machine (x86 CPU, TensorFlow 2.18's oneDNN
// kernels) it runs at a third to a half of Conv2D's speed for the DCGANs' shapes with 64 or
// more channels: 39–67 GFLOP/s against 121–145 (bench/keras/conv_kernels.py,
// docs/results/speed.md); in bfloat16 at 3–4. The same result can be had from one
// Conv2D at stride 1, the "sub-pixel" form of a transposed convolution:
//
// Along one spatial axis, with stride s, kernel length k and padding pb before the input,
// the forward conv reads x[o·s + j − pb]·w[j]; its input gradient at position i = s·q + p
// (p, the phase, in [0, s)) is Σ_t dy[q + t]·w[p + pb − s·t], over the t for which the
// filter index is in [0, k). For each phase that is a stride-1 correlation of dy with a
// sub-kernel of w, reversed. One Conv2D computes every phase at once: its kernel holds the
// s² sub-kernels side by side in its output channels (zero where a phase has fewer taps
// than the longest), and DepthToSpace interleaves the phases back into positions. At stride
// 1 the sub-kernel is the whole filter reversed and no interleaving is needed.
//
// The shorter sub-kernels' zeros are work the kernel does for nothing: a 5×5 filter at
// stride 2 runs 36 taps for 25. CountFLOPs counts the 25, less those on the padding
// (Graph.flopScale), so the FLOP count of a model is the same whichever way its
// convolutions run.
//
// Which form runs is measured on the machine at hand (autotune.go), since the winner
// differs between CPUs: on an Intel Xeon with oneDNN TensorFlow's Conv2DBackpropInput ran
// at 248–252 GFLOP/s, as fast as Conv2D (issue #26). Without an Autotune (a graph built
// through the Go API, the tests) the fixed rule measured on an AMD Zen 3 decides
// (convRules): equal strides along both axes, static shapes, and at least
// transposedConvMinChannels channels in the result (any number in bfloat16). With 64–128
// channels it ran 1.9–2.6× faster, at 32 with stride 1 2.2–2.3×; at
// 16–32 with stride 2 about even (0.84–0.97×); with an image's 1 or 3 channels TensorFlow's
// kernel was faster (the fast form 0.54–0.79×).
var transposedConvMinChannels int64 = 32

// batchContractedAnyStride makes the fixed rule (convRules) take the batch-contracted form at
// any stride in float32 and float64 too (tests set it, to check that form's strides).
var batchContractedAnyStride = false

// Conv2D is TensorFlow's Conv2D over NHWC tensors (dilation 1; padding "SAME" or "VALID").
// A 1×1 filter at a stride above 1 is a strided slice and a stride-1 conv
// (conv_strided_1x1.go).
// Its gradients take the forms convForms chooses (autotune.go): where either is not
// TensorFlow's kernel they are written out, x's as backpropInput computes it, the
// filter's as backpropFilter does; elsewhere TensorFlow's gradient registry
// differentiates it.
func (s *Scope) Conv2D(x, filter tf.Output, strides [2]int, padding string) tf.Output {
	if isStrided1x1(filter, strides) {
		return s.strided1x1Conv2D(x, filter, strides)
	}
	st := []int64{1, int64(strides[0]), int64(strides[1]), 1}
	p, ok := newConvProblem(x, filter, strides, padding)
	if !ok {
		return op.Conv2D(s.Op("Conv2D"), x, filter, st, padding)
	}
	in, flt := s.g.convForms(p)
	if in == FormTensorFlow && flt == FormTensorFlow {
		return op.Conv2D(s.Op("Conv2D"), x, filter, st, padding)
	}
	size := [3]int64{p.x[1], p.x[2], p.x[3]}
	return s.CustomGradient("Conv2D", []tf.Output{x, filter}, func(c *Scope, cut []tf.Output) []tf.Output {
		return []tf.Output{op.Conv2D(c.Op("Conv2D"), cut[0], cut[1], st, padding)}
	}, func(c *Scope, d []tf.Output) []tf.Output {
		dx := c.backpropInput(in, size, filter, d[0], strides, padding)
		dw := c.backpropFilter(flt, x, filter, d[0], strides, padding)
		return []tf.Output{dx, dw}
	})[0]
}

// Conv2DTranspose is the gradient of Conv2D with respect to its input, used as a layer:
// x [batch, h, w, c] and filter [kh, kw, out channels, c] give [batch, out...], out being
// (height, width, channels). It runs in the form convForms chooses for that
// Conv2DBackpropInput (TensorFlow's kernel or the sub-pixel form); when either form is not
// TensorFlow's its gradients are written out (a Conv2D for x, backpropFilter for the
// filter). A 1×1 filter at a stride above 1 is a stride-1 conv spread by the strides
// (conv_strided_1x1.go).
func (s *Scope) Conv2DTranspose(x, filter tf.Output, out [3]int64, strides [2]int, padding string) tf.Output {
	xs, okX := staticShape(x, 4)
	if okX && isStrided1x1(filter, strides) &&
		ceilDiv(out[0], int64(strides[0])) == xs[1] && ceilDiv(out[1], int64(strides[1])) == xs[2] {
		return s.strided1x1Conv2DTranspose(x, filter, out, strides)
	}
	st := []int64{1, int64(strides[0]), int64(strides[1]), 1}
	fs, okF := staticShape(filter, 4)
	if !okX || !okF || (padding != "SAME" && padding != "VALID") {
		return s.tfBackpropInput(out, filter, x, strides, padding)
	}
	p := convProblem{x: []int64{xs[0], out[0], out[1], out[2]}, filter: fs, dy: xs, strides: strides, padding: padding, dtype: filter.DataType()}
	in, flt := s.g.convForms(p)
	if in == FormTensorFlow && flt == FormTensorFlow {
		return s.tfBackpropInput(out, filter, x, strides, padding)
	}
	return s.CustomGradient("Conv2DTranspose", []tf.Output{x, filter}, func(c *Scope, cut []tf.Output) []tf.Output {
		return []tf.Output{c.backpropInput(in, out, cut[1], cut[0], strides, padding)}
	}, func(c *Scope, d []tf.Output) []tf.Output {
		dx := op.Conv2D(c.Op("Conv2D"), d[0], filter, st, padding)
		dw := c.backpropFilter(flt, d[0], filter, x, strides, padding)
		return []tf.Output{dx, dw}
	})[0]
}

// convOut is a conv's output length along an axis of length n (kernel k, stride s).
func convOut(n, k int64, s int, padding string) int64 {
	if padding == "SAME" {
		return ceilDiv(n, int64(s))
	}
	return (n-k)/int64(s) + 1
}

// useSubPixel is the fixed rule tfrun chose by before it measured (convRules): the
// sub-pixel form on a platform without a GPU (the measurements are CPU kernels'; on a
// GPU, cuDNN's own kernels run), equal strides, a filter of static shape, and at least
// transposedConvMinChannels channels in the input gradient, or any number in bfloat16,
// where TensorFlow's CPU Conv2DBackpropInput ran at 4 GFLOP/s against Conv2D's 135
// (bench/results.md).
func (g *Graph) useSubPixel(channels int64, dtype tf.DataType, strides [2]int) bool {
	return !g.platform.GPU() && strides[0] == strides[1] && strides[0] >= 1 &&
		(channels >= transposedConvMinChannels || dtype == tf.Bfloat16)
}

// backpropInput is Conv2DBackpropInput(input_sizes, filter, out_backprop) in the given
// form (FormSubPixel, FormOwnKernel or FormTensorFlow): size is the forward conv's input
// without the batch (height, width, channels). A form falls back to TensorFlow's kernel
// where it does not apply.
func (s *Scope) backpropInput(form string, size [3]int64, filter, dy tf.Output, strides [2]int, padding string) tf.Output {
	if form == FormOwnKernel {
		fs, okF := staticShape(filter, 4)
		ds, okD := staticShape(dy, 4)
		if okF && okD && ownInputKernelApplies(convProblem{x: []int64{ds[0], size[0], size[1], size[2]}, filter: fs, dy: ds,
			strides: strides, padding: padding, dtype: dy.DataType()}) {
			threads := 0
			if a := s.g.autotune; a != nil {
				threads = a.SessionOf(form).IntraOpThreads
			}
			return s.OwnConv2DBackpropInput(size, filter, dy, strides, padding, threads)
		}
	}
	if form == FormSubPixel {
		if y, ok := s.subPixel(size, filter, dy, strides, padding); ok {
			return y
		}
	}
	return s.tfBackpropInput(size, filter, dy, strides, padding)
}

// tfBackpropInput is TensorFlow's Conv2DBackpropInput kernel, the batch taken from dy.
func (s *Scope) tfBackpropInput(size [3]int64, filter, dy tf.Output, strides [2]int, padding string) tf.Output {
	batch := op.StridedSlice(s.Op("StridedSlice"), op.Shape(s.Op("Shape"), dy), s.Const([]int32{0}), s.Const([]int32{1}), s.Const([]int32{1}))
	sizes := op.ConcatV2(s.Op("ConcatV2"), []tf.Output{batch, s.Const([]int32{int32(size[0]), int32(size[1]), int32(size[2])})}, s.Const(int32(0)))
	return op.Conv2DBackpropInput(s.Op("Conv2DBackpropInput"), sizes, filter, dy, []int64{1, int64(strides[0]), int64(strides[1]), 1}, padding)
}

// subPixelApplies reports whether the sub-pixel form can compute this
// Conv2DBackpropInput: static shapes, equal strides and a phase plan along both axes.
func subPixelApplies(size [3]int64, fs, ds []int64, strides [2]int, padding string) bool {
	if strides[0] != strides[1] || strides[0] < 1 || fs[2] != size[2] || fs[3] != ds[3] {
		return false
	}
	_, okR := planPhases(size[0], ds[1], fs[0], strides[0], padding)
	_, okC := planPhases(size[1], ds[2], fs[1], strides[0], padding)
	return okR && okC
}

// subPixel emits the sub-pixel form of Conv2DBackpropInput (see the top of this file), or
// reports false when it does not apply.
func (s *Scope) subPixel(size [3]int64, filter, dy tf.Output, strides [2]int, padding string) (tf.Output, bool) {
	fs, okF := staticShape(filter, 4)
	ds, okD := staticShape(dy, 4)
	if !okF || !okD || !subPixelApplies(size, fs, ds, strides, padding) {
		return tf.Output{}, false
	}
	stride := strides[0]
	kh, kw, cin, cout := fs[0], fs[1], fs[2], fs[3]
	rows, _ := planPhases(size[0], ds[1], kh, stride, padding)
	cols, _ := planPhases(size[1], ds[2], kw, stride, padding)
	s = s.Sub("sub_pixel")

	// The combined kernel [rows.window, cols.window, cout, s·s·cin], gathered from the
	// filter's taps flattened to kh·kw rows plus one row of zeros.
	zero := int32(kh * kw)
	n := int64(stride)
	idx := make([]int32, 0, rows.window*cols.window*n*n)
	for u := range rows.window {
		for v := range cols.window {
			for p := range n {
				for q := range n {
					i, j := rows.tap(u, p), cols.tap(v, q)
					if i < 0 || j < 0 {
						idx = append(idx, zero)
					} else {
						idx = append(idx, int32(i*kw+j))
					}
				}
			}
		}
	}
	flat := op.Reshape(s.Op("Reshape"), filter, s.Const([]int64{kh * kw, cin, cout}))
	flat = op.Pad(s.Op("Pad"), flat, s.Const([][]int32{{0, 1}, {0, 0}, {0, 0}}))
	taps := op.Reshape(s.Op("Reshape"), s.Const(idx), s.Const([]int64{rows.window, cols.window, n, n}))
	kernel := op.GatherV2(s.Op("GatherV2"), flat, taps, s.Const(int32(0))) // [wr, wc, s, s, cin, cout]
	kernel = op.Transpose(s.Op("Transpose"), kernel, s.Const([]int32{0, 1, 5, 2, 3, 4}))
	kernel = op.Reshape(s.Op("Reshape"), kernel, s.Const([]int64{rows.window, cols.window, cout, n * n * cin}))

	conv := op.Conv2D(s.Op("Conv2D"), dy, kernel, []int64{1, 1, 1, 1}, "EXPLICIT",
		op.Conv2DExplicitPaddings([]int64{0, 0, rows.before, rows.after, cols.before, cols.after, 0, 0}))
	// CountFLOPs credits this Conv2D with the transposed convolution's own taps: those of
	// the forward conv inside its input, over this conv's, which has n·n times the
	// output channels.
	s.g.scaleFLOPs(conv.Op.Name(),
		convTaps(size[0], ds[1], kh, n, 1, rows.pad)*convTaps(size[1], ds[2], kw, n, 1, cols.pad),
		n*n*convTaps(ds[1], rows.outputs, rows.window, 1, 1, rows.before)*convTaps(ds[2], cols.outputs, cols.window, 1, 1, cols.before))
	y := conv
	if stride > 1 {
		y = op.DepthToSpace(s.Op("DepthToSpace"), y, n)
	}
	if rows.outputs*n != size[0] || cols.outputs*n != size[1] {
		y = s.cropSpatial(y, size[0], size[1])
	}
	return y, true
}

// backpropFilter is Conv2DBackpropFilter(input x, the filter's shape, out_backprop dy),
// the gradient of Conv2D(x, filter) with respect to the filter, in the given form
// (FormBatchContracted, FormOwnKernel or FormTensorFlow). A form falls back to
// TensorFlow's kernel where it does not apply.
//
// In the batch-contracted form it runs as one Conv2D with the batch as the contracted
// axis: dW[i, j, ci, co] = Σ over n, h, w of x[n, h·s + i − pad, w·s + j − pad, ci]·dy[n, h, w, co]
// is a convolution of x transposed to [ci, height, width, batch] with dy transposed to
// [dy height, dy width, batch, co] as the filter, its taps s apart (dilation s). On an AMD
// Zen 3 TensorFlow's CPU Conv2DBackpropFilter ran at 3–4 GFLOP/s in bfloat16, where this
// form ran 10–31× faster for the DCGANs' shapes; in float32 it ran 1.13–1.32× faster at
// stride 1 and 0.81–0.91× at stride 2 (bench/keras/conv_kernels.py,
// docs/results/speed.md). Its FLOP count is the same product either way.
func (s *Scope) backpropFilter(form string, x, filter, dy tf.Output, strides [2]int, padding string) tf.Output {
	xs, okX := staticShape(x, 4)
	fs, okF := staticShape(filter, 4)
	ds, okD := staticShape(dy, 4)
	if form == FormOwnKernel && okX && okF && okD &&
		ownFilterKernelApplies(convProblem{x: xs, filter: fs, dy: ds, strides: strides, padding: padding, dtype: x.DataType()}) {
		threads := 0
		if a := s.g.autotune; a != nil {
			threads = a.SessionOf(form).IntraOpThreads
		}
		return s.OwnConv2DBackpropFilter(x, filter, dy, strides, padding, threads)
	}
	if form != FormBatchContracted || !okX || !okF || !okD || !batchContractedApplies(strides, padding) {
		st := []int64{1, int64(strides[0]), int64(strides[1]), 1}
		return op.Conv2DBackpropFilter(s.Op("Conv2DBackpropFilter"), x, op.Shape(s.Op("Shape"), filter), dy, st, padding)
	}
	return s.batchContracted(x, dy, xs, fs, ds, int64(strides[0]), padding)
}

// batchContractedApplies reports whether the batch-contracted filter gradient applies:
// equal strides and SAME or VALID padding.
func batchContractedApplies(strides [2]int, padding string) bool {
	return strides[0] == strides[1] && strides[0] >= 1 && (padding == "SAME" || padding == "VALID")
}

// batchContracted emits the batch-contracted filter gradient (backpropFilter) of x
// (static shape xs but the batch) and dy (ds) for a filter of shape fs.
func (s *Scope) batchContracted(x, dy tf.Output, xs, fs, ds []int64, stride int64, padding string) tf.Output {
	s = s.Sub("batch_contracted")
	// The padded x this filter gradient reads: need = k + (dy length − 1)·stride positions
	// from the forward conv's padding before the input.
	span := func(n, o, k int64) (before, after, need int64) {
		need = k + (o-1)*stride
		if padding == "SAME" {
			before = samePadBefore(n, o, k, stride)
		}
		return before, need - n - before, need
	}
	bh, ah, nh := span(xs[1], ds[1], fs[0])
	bw, aw, nw := span(xs[2], ds[2], fs[1])
	xp := op.Pad(s.Op("Pad"), x, s.Const([][]int32{{0, 0}, {int32(bh), int32(max(ah, 0))}, {int32(bw), int32(max(aw, 0))}, {0, 0}}))
	if ah < 0 || aw < 0 {
		xp = s.cropSpatial(xp, nh, nw)
	}
	in := op.Transpose(s.Op("Transpose"), xp, s.Const([]int32{3, 1, 2, 0}))
	taps := op.Transpose(s.Op("Transpose"), dy, s.Const([]int32{1, 2, 0, 3}))
	r := op.Conv2D(s.Op("Conv2D"), in, taps, []int64{1, 1, 1, 1}, "VALID", op.Conv2DDilations([]int64{1, stride, stride, 1}))
	// It reads x padded with zeros, every tap inside: CountFLOPs credits it with the forward
	// conv's taps inside x only (the tensorflow form's count).
	s.g.scaleFLOPs(r.Op.Name(), sameTaps(xs[1], ds[1], fs[0], stride, padding)*sameTaps(xs[2], ds[2], fs[1], stride, padding),
		fs[0]*ds[1]*fs[1]*ds[2])
	return op.Transpose(s.Op("Transpose"), r, s.Const([]int32{1, 2, 0, 3}))
}

// cropSpatial keeps the first h rows and w columns of an NHWC tensor (begin and end masks
// 0b1001 keep the batch and channel axes whole).
func (s *Scope) cropSpatial(x tf.Output, h, w int64) tf.Output {
	return op.StridedSlice(s.Op("StridedSlice"), x, s.Const([]int32{0, 0, 0, 0}),
		s.Const([]int32{0, int32(h), int32(w), 0}), s.Const([]int32{1, 1, 1, 1}),
		op.StridedSliceBeginMask(9), op.StridedSliceEndMask(9))
}

// phases is the sub-pixel plan along one spatial axis of a transposed convolution: an
// input of length size (the forward conv's), out_backprop of length n, kernel k, stride.
type phases struct {
	k, stride, pad int64 // pad: the forward conv's padding before the input
	lo             int64 // the smallest offset t of dy[q + t] any phase reads
	window         int64 // offsets lo … lo+window−1
	outputs        int64 // results per phase (size/stride, rounded up)
	before, after  int64 // padding of dy for the stride-1 conv
}

// planPhases plans one axis, or reports false when the padding comes out negative (a
// geometry the forward conv does not produce).
func planPhases(size, n, k int64, stride int, padding string) (phases, bool) {
	s := int64(stride)
	p := phases{k: k, stride: s}
	switch padding {
	case "SAME":
		p.pad = samePadBefore(size, n, k, s)
	case "VALID":
	default:
		return p, false
	}
	lo, hi := int64(1)<<62, -int64(1)<<62
	for ph := range s {
		lo = min(lo, ceilDiv(ph+p.pad-k+1, s))
		hi = max(hi, floorDiv(ph+p.pad, s))
	}
	p.lo, p.window = lo, hi-lo+1
	p.outputs = ceilDiv(size, s)
	p.before = -lo
	p.after = p.outputs - 1 + hi - (n - 1)
	return p, p.before >= 0 && p.after >= 0 && p.window >= 1
}

// samePadBefore is the padding SAME puts before an input of length n that a conv with
// kernel k and stride s turns into out positions (TensorFlow puts the odd one after).
func samePadBefore(n, out, k, s int64) int64 { return max((out-1)*s+k-n, 0) / 2 }

// tap is the filter index window position u holds for phase ph, or −1 for none.
func (p phases) tap(u, ph int64) int64 {
	j := ph + p.pad - p.stride*(p.lo+u)
	if j < 0 || j >= p.k {
		return -1
	}
	return j
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func ceilDiv(a, b int64) int64 { return -floorDiv(-a, b) }

// staticShape returns o's shape when it has rank dims and every dimension but the first
// (the batch) is known.
func staticShape(o tf.Output, dims int) ([]int64, bool) {
	sh := o.Shape()
	if sh.NumDimensions() != dims {
		return nil, false
	}
	v := make([]int64, dims)
	for i := range v {
		v[i] = sh.Size(i)
		if i > 0 && v[i] < 0 {
			return nil, false
		}
	}
	return v, true
}
