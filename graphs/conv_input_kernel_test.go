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

// ownInputCases are geometries where tfrun's own input gradient kernel applies (1 to 4
// input channels, 16 or 32 output channels): strides 1–3, SAME and VALID, odd sizes.
var ownInputCases = []convCase{
	{8, 8, 1, 5, 5, 16, 2, "SAME"},
	{9, 7, 3, 5, 5, 32, 2, "SAME"},
	{9, 11, 4, 4, 3, 16, 2, "VALID"},
	{10, 11, 2, 3, 3, 16, 3, "SAME"},
	{7, 7, 3, 3, 3, 16, 1, "SAME"},
}

func registerInputKernel(t *testing.T) {
	t.Helper()
	if err := convkernel.Register(); err != nil {
		t.Fatal(err)
	}
	if !convkernel.SupportedInput() {
		t.Skip("this CPU has no AVX-512F: convkernel.SupportedInput() is false")
	}
}

// With Autotune.ConvInputKernel a fake timer makes each of the input gradient's forms win
// in turn: tfrun's kernel is in the graph exactly when it wins (Conv2D's gradient, and
// Conv2DTranspose's output), and the convolution and its gradients have TensorFlow's
// kernels' values to 1e-5 whichever form runs. Without ConvInputKernel the kernel is no
// candidate.
func TestAutotuneOwnInputKernelWins(t *testing.T) {
	registerInputKernel(t)
	for _, transpose := range []bool{false, true} {
		for _, c := range ownInputCases {
			name := "Conv2D_" + c.String()
			if transpose {
				name = "Conv2DTranspose_" + c.String()
			}
			t.Run(name, func(t *testing.T) {
				_, want := convGrads(t, c, transpose, &graphs.Autotune{Off: true})
				for _, win := range []string{graphs.FormTensorFlow, graphs.FormSubPixel, graphs.FormOwnKernel} {
					f := &fakeTimer{win: map[string]bool{win: true}}
					a := &graphs.Autotune{Batch: 2, ConvInputKernel: []tf.DataType{tf.Float}, Measure: f.measure}
					g, got := convGrads(t, c, transpose, a)
					if own := hasOp(g, graphs.OpConv2DBackpropInput, ""); own != (win == graphs.FormOwnKernel) {
						t.Errorf("%s wins: tfrun's kernel in the graph %v", win, own)
					}
					for i, part := range []string{"y", "dx", "dw"} {
						if d := maxDiff(got[i], want[i]); d > 1e-5 {
							t.Errorf("%s wins: %s differs from TensorFlow's kernels' by %.3g, want ≤ 1e-5", win, part, d)
						}
					}
					found := false
					for _, ch := range a.Choices() {
						if strings.HasPrefix(ch.Key, "Conv2DBackpropInput") {
							found = true
							if ch.Form != win || !slices.Contains(ch.Forms, graphs.FormOwnKernel) || len(ch.Times) != len(ch.Forms) {
								t.Errorf("%s wins: input gradient choice %+v, want it measured among every form", win, ch)
							}
						}
					}
					if !found {
						t.Errorf("%s wins: no input gradient choice among %+v", win, a.Choices())
					}
				}
				a := &graphs.Autotune{Batch: 2, Measure: (&fakeTimer{win: map[string]bool{graphs.FormOwnKernel: true}}).measure}
				g, _ := convGrads(t, c, transpose, a)
				for _, ch := range a.Choices() {
					if slices.Contains(ch.Forms, graphs.FormOwnKernel) || hasOp(g, graphs.OpConv2DBackpropInput, "") {
						t.Errorf("without ConvInputKernel: choice %+v offers or runs tfrun's kernel", ch)
					}
				}
			})
		}
	}
}

// Finite differences (float32) of Conv2D and Conv2DTranspose with the input gradient in
// tfrun's kernel, which autotuning chooses (a fake timer): Conv2D's gradient with respect
// to x, and Conv2DTranspose's output, whose gradient is TensorFlow's Conv2D.
func TestOwnInputKernelGradients(t *testing.T) {
	registerInputKernel(t)
	for _, c := range ownInputCases {
		oh, ow := c.out(c.h, c.kh), c.out(c.w, c.kw)
		st := [2]int{int(c.stride), int(c.stride)}
		rng := rand.New(rand.NewPCG(uint64(c.cin), uint64(c.kh*c.kw)))
		filter := gradcheck.Random("w", rng, 0.5, c.kh, c.kw, c.cin, c.cout)
		tune := func(s *graphs.Scope) {
			f := &fakeTimer{win: map[string]bool{graphs.FormOwnKernel: true}}
			s.Graph().SetAutotune(&graphs.Autotune{Batch: 2, ConvInputKernel: []tf.DataType{tf.Float}, Measure: f.measure})
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
					own = hasOp(g, graphs.OpConv2DBackpropInput, "")
					return map[tf.Output]*tf.Tensor{}
				}})
				if err != nil {
					t.Fatal(err)
				}
				if !own {
					t.Fatal("the input gradient is not tfrun's kernel")
				}
				t.Logf("worst relative error %.2g", worst)
			})
		}
	}
}

// OwnConv2DBackpropInput refuses, naming the op and the shapes, what its kernel does not
// compute or is not meant for: more than 4 input channels, output channels not a multiple
// of 16, another dtype.
func TestOwnConv2DBackpropInputRefuses(t *testing.T) {
	for _, tt := range []struct {
		name        string
		dtype       tf.DataType
		cin, cout   int64
		wantInError string
	}{
		{"five input channels", tf.Float, 5, 16, "[5 5 5 16]"},
		{"24 output channels", tf.Float, 1, 24, "[5 5 1 24]"},
		{"float64", tf.Double, 1, 16, "float64"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g := newCPUGraph(tf.Float, 1)
			s := g.Root()
			w := s.Placeholder("w", tt.dtype, 5, 5, tt.cin, tt.cout)
			dy := s.Placeholder("dy", tt.dtype, -1, 4, 4, tt.cout)
			s.OwnConv2DBackpropInput([3]int64{8, 8, tt.cin}, w, dy, [2]int{2, 2}, "SAME", 0)
			err := s.Err()
			if err == nil || !strings.Contains(err.Error(), graphs.OpConv2DBackpropInput) || !strings.Contains(err.Error(), tt.wantInError) {
				t.Fatalf("err = %v, want one naming %s and %s", err, graphs.OpConv2DBackpropInput, tt.wantInError)
			}
		})
	}
}

// CountFLOPs credits tfrun's input gradient kernel with what it credits TensorFlow's
// Conv2DBackpropInput and the sub-pixel form, in float32 and bfloat16: the forward conv's
// count.
func TestOwnInputKernelFLOPs(t *testing.T) {
	registerInputKernel(t)
	for _, dtype := range []tf.DataType{tf.Float, tf.Bfloat16} {
		t.Run(graphs.DTypeName(dtype), func(t *testing.T) {
			counts := map[string]graphs.FLOPs{}
			for _, win := range []string{graphs.FormTensorFlow, graphs.FormSubPixel, graphs.FormOwnKernel} {
				f := &fakeTimer{win: map[string]bool{win: true}}
				g := newCPUGraph(tf.Float, 1)
				g.SetAutotune(&graphs.Autotune{Batch: 2, ConvInputKernel: []tf.DataType{tf.Float, tf.Bfloat16}, Measure: f.measure})
				s := g.Root()
				x := s.Placeholder("x", tf.Float, -1, 8, 8, 3)
				w := s.Placeholder("w", tf.Float, 5, 5, 3, 16)
				y := s.Conv2D(s.CastTo(x, dtype), s.CastTo(w, dtype), [2]int{2, 2}, "SAME")
				grads, err := s.Gradients(s.CastTo(y, tf.Float), []tf.Output{x})
				if err != nil {
					t.Fatal(err)
				}
				c, err := graphs.CountFLOPs(g, map[tf.Output][]int64{x: {2, 8, 8, 3}, w: {5, 5, 3, 16}}, graphs.StepRun{Fetches: grads})
				if err != nil {
					t.Fatal(err)
				}
				counts[win] = c
			}
			// 2·N·cin·cout·taps = 2·2·3·16·17·17 = 55,488, as for the forward conv.
			if got := counts[graphs.FormOwnKernel].ByType[graphs.OpConv2DBackpropInput]; got != 55488 {
				t.Errorf("tfrun's kernel credited %d FLOPs (%v), want 55488", got, counts[graphs.FormOwnKernel].ByType)
			}
			for _, form := range []string{graphs.FormOwnKernel, graphs.FormSubPixel} {
				if got, theirs := counts[form].Total, counts[graphs.FormTensorFlow].Total; got != theirs {
					t.Errorf("total %d in form %s (%v), %d with TensorFlow's kernel", got, form, counts[form].ByType, theirs)
				}
			}
		})
	}
}

// A Conv2DTranspose to 3 channels in tfrun's kernel, its batch unknown until run, feeds a
// Conv2D: the op's output has its static shape, so the Conv2D after it is counted (with
// the batch fed) as after TensorFlow's kernel.
func TestOwnInputKernelShapeFlows(t *testing.T) {
	registerInputKernel(t)
	counts := map[string]int64{}
	for _, win := range []string{graphs.FormTensorFlow, graphs.FormOwnKernel} {
		f := &fakeTimer{win: map[string]bool{win: true}}
		g := newCPUGraph(tf.Float, 1)
		g.SetAutotune(&graphs.Autotune{Batch: 2, ConvInputKernel: []tf.DataType{tf.Float}, Measure: f.measure})
		s := g.Root()
		z := s.Placeholder("z", tf.Float, -1, 4, 4, 16)
		w := s.Placeholder("w", tf.Float, 5, 5, 3, 16)
		img := s.Conv2DTranspose(z, w, [3]int64{8, 8, 3}, [2]int{2, 2}, "SAME")
		if sh := img.Shape(); sh.NumDimensions() != 4 || sh.Size(1) != 8 || sh.Size(2) != 8 || sh.Size(3) != 3 {
			t.Fatalf("%s: Conv2DTranspose's shape %v, want [?, 8, 8, 3]", win, sh)
		}
		y := s.Conv2D(img, w, [2]int{2, 2}, "SAME")
		if own := hasOp(g, graphs.OpConv2DBackpropInput, ""); own != (win == graphs.FormOwnKernel) {
			t.Fatalf("%s wins: tfrun's kernel in the graph %v", win, own)
		}
		c, err := graphs.CountFLOPs(g, map[tf.Output][]int64{z: {2, 4, 4, 16}, w: {5, 5, 3, 16}}, graphs.StepRun{Fetches: []tf.Output{y}})
		if err != nil {
			t.Fatalf("%s: %v", win, err)
		}
		counts[win] = c.Total
	}
	if counts[graphs.FormOwnKernel] != counts[graphs.FormTensorFlow] || counts[graphs.FormTensorFlow] == 0 {
		t.Errorf("FLOPs %v: want the same nonzero count with either kernel", counts)
	}
}

// In bfloat16 (a CPU with AVX512_BF16), with the input gradient in tfrun's kernel,
// Conv2DTranspose's output and Conv2D's gradient with respect to x are TensorFlow's
// float32 Conv2DBackpropInput of the same bfloat16 values rounded to bfloat16: within half
// a bfloat16 ulp (2⁻⁸ relative) and float32's rounding.
func TestOwnInputKernelBFloat16(t *testing.T) {
	registerInputKernel(t)
	if !convkernel.SupportedInputBFloat16() {
		t.Skip("this CPU has no AVX512_BF16: convkernel.SupportedInputBFloat16() is false")
	}
	for _, c := range ownInputCases {
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
				a := &graphs.Autotune{Batch: batch, ConvInputKernel: []tf.DataType{tf.Bfloat16}, Measure: f.measure}
				g := newCPUGraph(tf.Float, 1)
				g.SetAutotune(a)
				s := g.Root()
				x, w := s.Placeholder("x", tf.Float, xShape...), s.Placeholder("w", tf.Float, c.kh, c.kw, c.cin, c.cout)
				r := s.Placeholder("r", tf.Float, yShape...)
				xb, wb, rb := s.CastTo(x, tf.Bfloat16), s.CastTo(w, tf.Bfloat16), s.CastTo(r, tf.Bfloat16)
				// The input gradient tfrun's kernel computes: Conv2DTranspose's output from x,
				// or Conv2D's gradient with respect to x from the gradient of y, which is r.
				var got, dy tf.Output
				sizes := []int32{batch, int32(c.h), int32(c.w), int32(c.cin)}
				if transpose {
					got, dy = s.Conv2DTranspose(xb, wb, [3]int64{c.h, c.w, c.cin}, st, c.padding), xb
				} else {
					y := s.Conv2D(xb, wb, st, c.padding)
					loss := op.Sum(s.Op("Sum"), op.Mul(s.Op("Mul"), s.CastTo(y, tf.Float), r), s.Const([]int32{0, 1, 2, 3}))
					grads, err := s.Gradients(loss, []tf.Output{xb})
					if err != nil {
						t.Fatal(err)
					}
					got, dy = grads[0], rb
				}
				want := op.Conv2DBackpropInput(s.Op("Conv2DBackpropInput"), s.Const(sizes), s.CastTo(wb, tf.Float), s.CastTo(dy, tf.Float),
					[]int64{1, c.stride, c.stride, 1}, c.padding)
				if !hasOp(g, graphs.OpConv2DBackpropInput, "") {
					t.Fatal("the input gradient is not tfrun's kernel")
				}
				res := runConv(t, g, map[tf.Output]*tf.Tensor{x: xv, w: wv, r: rv}, s.CastTo(got, tf.Float), want)
				own, ref := graphs.Float64s(res[0]), graphs.Float64s(res[1])
				for i := range ref {
					if d := math.Abs(own[i] - ref[i]); d > 0x1p-8*math.Abs(ref[i])+1e-5 {
						t.Fatalf("element %d = %g, float32's %g: off by %g", i, own[i], ref[i], d)
					}
				}
			})
		}
	}
}
