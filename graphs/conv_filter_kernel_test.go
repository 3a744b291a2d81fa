package graphs_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/graphs/convkernel"
	"github.com/tfrun/tfrun/internal/gradcheck"
)

// ownKernelCases are geometries where tfrun's own filter gradient kernel applies (16 or 32
// output channels): both groupings of its rows (a tap's channels from 12 input channels,
// a filter row below), strides 1–3, SAME and VALID.
var ownKernelCases = []convCase{
	{7, 7, 4, 5, 5, 16, 1, "SAME"},
	{6, 6, 12, 5, 5, 32, 2, "SAME"},
	{9, 11, 13, 4, 3, 16, 2, "VALID"},
	{10, 11, 2, 3, 3, 16, 3, "SAME"},
}

func registerConvKernel(t *testing.T) {
	t.Helper()
	if err := convkernel.Register(); err != nil {
		t.Fatal(err)
	}
	if !convkernel.Supported() {
		t.Skip("this CPU has neither AVX-512F nor AVX2 with FMA: convkernel.Supported() is false")
	}
}

// With Autotune.ConvFilterKernel a fake timer makes each of the filter gradient's three
// forms win in turn: tfrun's kernel is in the graph exactly when it wins, and the
// convolution's gradients have TensorFlow's kernels' values to 1e-5 whichever form runs,
// Conv2D and Conv2DTranspose. Without ConvFilterKernel the kernel is no candidate.
func TestAutotuneOwnFilterKernelWins(t *testing.T) {
	registerConvKernel(t)
	for _, transpose := range []bool{false, true} {
		for _, c := range ownKernelCases {
			name := "Conv2D_" + c.String()
			if transpose {
				name = "Conv2DTranspose_" + c.String()
			}
			t.Run(name, func(t *testing.T) {
				_, want := convGrads(t, c, transpose, &graphs.Autotune{Off: true})
				for _, win := range []string{graphs.FormTensorFlow, graphs.FormBatchContracted, graphs.FormOwnKernel} {
					f := &fakeTimer{win: map[string]bool{win: true, graphs.FormTensorFlow: win == graphs.FormTensorFlow}}
					a := &graphs.Autotune{Batch: 2, ConvFilterKernel: []tf.DataType{tf.Float}, Measure: f.measure}
					g, got := convGrads(t, c, transpose, a)
					if own := hasOp(g, graphs.OpConv2DBackpropFilter, ""); own != (win == graphs.FormOwnKernel) {
						t.Errorf("%s wins: tfrun's kernel in the graph %v", win, own)
					}
					for i, part := range []string{"y", "dx", "dw"} {
						if d := maxDiff(got[i], want[i]); d > 1e-5 {
							t.Errorf("%s wins: %s differs from TensorFlow's kernels' by %.3g, want ≤ 1e-5", win, part, d)
						}
					}
					for _, ch := range a.Choices() {
						if strings.HasPrefix(ch.Key, "Conv2DBackpropFilter") &&
							(ch.Form != win || !slices.Contains(ch.Forms, graphs.FormOwnKernel) || len(ch.Times) != len(ch.Forms)) {
							t.Errorf("%s wins: filter gradient choice %+v, want it measured among the three forms", win, ch)
						}
					}
				}
				a := &graphs.Autotune{Batch: 2, Measure: (&fakeTimer{win: map[string]bool{graphs.FormOwnKernel: true}}).measure}
				g, _ := convGrads(t, c, transpose, a)
				for _, ch := range a.Choices() {
					if slices.Contains(ch.Forms, graphs.FormOwnKernel) || hasOp(g, graphs.OpConv2DBackpropFilter, "") {
						t.Errorf("without ConvFilterKernel: choice %+v offers or runs tfrun's kernel", ch)
					}
				}
			})
		}
	}
}

// Finite differences (float32) of Conv2D and Conv2DTranspose with the filter gradient in
// tfrun's kernel, which autotuning chooses (a fake timer) for every geometry.
func TestOwnFilterKernelGradients(t *testing.T) {
	registerConvKernel(t)
	for _, c := range ownKernelCases {
		oh, ow := c.out(c.h, c.kh), c.out(c.w, c.kw)
		st := [2]int{int(c.stride), int(c.stride)}
		rng := rand.New(rand.NewPCG(uint64(c.cin), uint64(c.kh*c.kw)))
		filter := gradcheck.Random("w", rng, 0.5, c.kh, c.kw, c.cin, c.cout)
		tune := func(s *graphs.Scope) {
			f := &fakeTimer{win: map[string]bool{graphs.FormOwnKernel: true}}
			s.Graph().SetAutotune(&graphs.Autotune{Batch: 2, ConvFilterKernel: []tf.DataType{tf.Float}, Measure: f.measure})
		}
		for _, transpose := range []bool{false, true} {
			name, xShape := "Conv2D_"+c.String(), []int64{2, c.h, c.w, c.cin}
			if transpose {
				name, xShape = "Conv2DTranspose_"+c.String(), []int64{2, oh, ow, c.cout}
			}
			t.Run(name, func(t *testing.T) {
				own := false
				ps := []gradcheck.Param{gradcheck.Random("x", rng, 1, xShape...), filter}
				worst, err := gradcheck.Check(ps, func(s *graphs.Scope, in []tf.Output) tf.Output {
					tune(s)
					var y tf.Output
					var shape []int64
					if transpose {
						y, shape = s.Conv2DTranspose(in[0], in[1], [3]int64{c.h, c.w, c.cin}, st, c.padding), []int64{2, c.h, c.w, c.cin}
					} else {
						y, shape = s.Conv2D(in[0], in[1], st, c.padding), []int64{2, oh, ow, c.cout}
					}
					return gradcheck.Project(s, y, shape, 7)
				}, gradcheck.Options{DType: tf.Float, Feeds: func(g *graphs.Graph) map[tf.Output]*tf.Tensor {
					own = hasOp(g, graphs.OpConv2DBackpropFilter, "") // the graph differentiated, as it runs
					return map[tf.Output]*tf.Tensor{}
				}})
				if err != nil {
					t.Fatal(err)
				}
				if !own {
					t.Fatal("the filter gradient is not tfrun's kernel")
				}
				t.Logf("worst relative error %.2g", worst)
			})
		}
	}
}

// OwnConv2DBackpropFilter refuses, naming the op and the shapes, what its kernel does not
// compute: output channels not a multiple of 16, another dtype.
func TestOwnConv2DBackpropFilterRefuses(t *testing.T) {
	for _, tt := range []struct {
		name  string
		dtype tf.DataType
		co    int64
	}{
		{"8 channels", tf.Float, 8},
		{"float64", tf.Double, 16},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g := newCPUGraph(tf.Float, 1)
			s := g.Root()
			x := s.Placeholder("x", tt.dtype, -1, 8, 8, 4)
			w := s.Placeholder("w", tt.dtype, 3, 3, 4, tt.co)
			dy := s.Placeholder("dy", tt.dtype, -1, 8, 8, tt.co)
			s.OwnConv2DBackpropFilter(x, w, dy, [2]int{1, 1}, "SAME", 0)
			err := s.Err()
			if err == nil || !strings.Contains(err.Error(), graphs.OpConv2DBackpropFilter+": x [-1 8 8 4]") ||
				!strings.Contains(err.Error(), "output channels a multiple of 16") {
				t.Fatalf("error %v, want one naming the op, the shapes and what the kernel takes", err)
			}
		})
	}
}

// CountFLOPs credits tfrun's filter gradient kernel, and the batch-contracted form (a Conv2D
// over x padded with zeros), with what it credits TensorFlow's Conv2DBackpropFilter, in
// float32 and bfloat16: the forward conv's count.
func TestOwnFilterKernelFLOPs(t *testing.T) {
	registerConvKernel(t)
	for _, dtype := range []tf.DataType{tf.Float, tf.Bfloat16} {
		t.Run(graphs.DTypeName(dtype), func(t *testing.T) {
			counts := map[string]graphs.FLOPs{}
			for _, win := range []string{graphs.FormTensorFlow, graphs.FormBatchContracted, graphs.FormOwnKernel} {
				f := &fakeTimer{win: map[string]bool{win: true}}
				g := newCPUGraph(tf.Float, 1)
				g.SetAutotune(&graphs.Autotune{Batch: 2, ConvFilterKernel: []tf.DataType{tf.Float, tf.Bfloat16}, Measure: f.measure})
				s := g.Root()
				x := s.Placeholder("x", tf.Float, -1, 8, 8, 3)
				w := s.Placeholder("w", tf.Float, 5, 5, 3, 16)
				y := s.Conv2D(s.CastTo(x, dtype), s.CastTo(w, dtype), [2]int{2, 2}, "SAME")
				grads, err := s.Gradients(s.CastTo(y, tf.Float), []tf.Output{w})
				if err != nil {
					t.Fatal(err)
				}
				c, err := graphs.CountFLOPs(g, map[tf.Output][]int64{x: {2, 8, 8, 3}, w: {5, 5, 3, 16}}, graphs.StepRun{Fetches: grads})
				if err != nil {
					t.Fatal(err)
				}
				counts[win] = c
			}
			// 2·N·cin·cout·taps = 2·2·3·16·17·17 = 55,488 for the gradient, as for the forward
			// conv (8 → 4 at stride 2, SAME: 4, 5, 5 and 3 taps inside per axis).
			if got := counts[graphs.FormOwnKernel].ByType[graphs.OpConv2DBackpropFilter]; got != 55488 {
				t.Errorf("tfrun's kernel credited %d FLOPs (%v), want 55488", got, counts[graphs.FormOwnKernel].ByType)
			}
			for _, form := range []string{graphs.FormOwnKernel, graphs.FormBatchContracted} {
				if got, theirs := counts[form].Total, counts[graphs.FormTensorFlow].Total; got != theirs {
					t.Errorf("total %d in form %s (%v), %d with TensorFlow's kernel", got, form, counts[form].ByType, theirs)
				}
			}
			if counts[graphs.FormBatchContracted].ByType["Conv2DBackpropFilter"] != 0 {
				t.Errorf("the batch-contracted form ran TensorFlow's kernel: %v", counts[graphs.FormBatchContracted].ByType)
			}
		})
	}
}

// In bfloat16 (a CPU with AVX512_BF16), with the filter gradient in tfrun's kernel, the
// gradient of Conv2D and Conv2DTranspose with respect to the filter is TensorFlow's float32
// Conv2DBackpropFilter of the same bfloat16 values rounded to bfloat16: within half a
// bfloat16 ulp (2⁻⁸ relative) and float32's rounding.
func TestOwnFilterKernelBFloat16(t *testing.T) {
	registerConvKernel(t)
	if !convkernel.SupportedBFloat16() {
		t.Skip("this CPU has no AVX512_BF16: convkernel.SupportedBFloat16() is false")
	}
	for _, c := range ownKernelCases {
		for _, transpose := range []bool{false, true} {
			name := "Conv2D_" + c.String()
			if transpose {
				name = "Conv2DTranspose_" + c.String()
			}
			t.Run(name, func(t *testing.T) {
				const batch = 2
				oh, ow := c.out(c.h, c.kh), c.out(c.w, c.kw)
				st := [2]int{int(c.stride), int(c.stride)}
				xShape, yShape := []int64{batch, c.h, c.w, c.cin}, []int64{batch, oh, ow, c.cout}
				if transpose {
					xShape, yShape = yShape, xShape
				}
				rng := rand.New(rand.NewPCG(uint64(c.w), uint64(c.cin)))
				xv, wv, rv := randomTensor(t, rng, xShape...), randomTensor(t, rng, c.kh, c.kw, c.cin, c.cout), randomTensor(t, rng, yShape...)
				f := &fakeTimer{win: map[string]bool{graphs.FormOwnKernel: true}}
				a := &graphs.Autotune{Batch: batch, ConvFilterKernel: []tf.DataType{tf.Bfloat16}, Measure: f.measure}
				g := newCPUGraph(tf.Float, 1)
				g.SetAutotune(a)
				s := g.Root()
				x, w := s.Placeholder("x", tf.Float, xShape...), s.Placeholder("w", tf.Float, c.kh, c.kw, c.cin, c.cout)
				r := s.Placeholder("r", tf.Float, yShape...)
				xb, wb, rb := s.CastTo(x, tf.Bfloat16), s.CastTo(w, tf.Bfloat16), s.CastTo(r, tf.Bfloat16)
				var y tf.Output
				if transpose {
					y = s.Conv2DTranspose(xb, wb, [3]int64{c.h, c.w, c.cin}, st, c.padding)
				} else {
					y = s.Conv2D(xb, wb, st, c.padding)
				}
				loss := op.Sum(s.Op("Sum"), op.Mul(s.Op("Mul"), s.CastTo(y, tf.Float), r), s.Const([]int32{0, 1, 2, 3}))
				grads, err := s.Gradients(loss, []tf.Output{wb})
				if err != nil {
					t.Fatal(err)
				}
				// The filter gradient's inputs: x and the bfloat16 gradient of y, which is r.
				in, out := s.CastTo(xb, tf.Float), s.CastTo(rb, tf.Float)
				if transpose {
					in, out = out, in
				}
				want := op.Conv2DBackpropFilter(s.Op("Conv2DBackpropFilter"), in, s.Const([]int32{int32(c.kh), int32(c.kw), int32(c.cin), int32(c.cout)}),
					out, []int64{1, c.stride, c.stride, 1}, c.padding)
				if !hasOp(g, graphs.OpConv2DBackpropFilter, "") {
					t.Fatal("the filter gradient is not tfrun's kernel")
				}
				res := runConv(t, g, map[tf.Output]*tf.Tensor{x: xv, w: wv, r: rv}, s.CastTo(grads[0], tf.Float), want)
				got, ref := graphs.Float64s(res[0]), graphs.Float64s(res[1])
				for i := range ref {
					if d := math.Abs(got[i] - ref[i]); d > 0x1p-8*math.Abs(ref[i])+1e-5 {
						t.Fatalf("dw[%d] = %g, float32's %g: off by %g", i, got[i], ref[i], d)
					}
				}
			})
		}
	}
}
