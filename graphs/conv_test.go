package graphs_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/internal/gradcheck"
)

// convCase is one transposed-convolution geometry: the forward conv's input
// [batch, h, w, cin], its filter [kh, kw, cin, cout], stride and padding.
type convCase struct {
	h, w, cin, kh, kw, cout, stride int64
	padding                         string
}

func (c convCase) String() string {
	return fmt.Sprintf("%dx%dx%d_k%dx%d_to%d_s%d_%s", c.h, c.w, c.cin, c.kh, c.kw, c.cout, c.stride, c.padding)
}

// out is the forward conv's output length along an axis of length n.
func (c convCase) out(n, k int64) int64 {
	if c.padding == "SAME" {
		return (n + c.stride - 1) / c.stride
	}
	return (n-k)/c.stride + 1
}

// Odd and even kernels, strides 1–3, SAME and VALID, lengths the stride does and does not
// divide: every case of the phase plan.
var convCases = []convCase{
	{7, 7, 4, 5, 5, 3, 1, "SAME"},
	{7, 6, 4, 5, 5, 3, 1, "VALID"},
	{6, 6, 3, 5, 5, 2, 2, "SAME"},
	{7, 9, 3, 5, 3, 2, 2, "SAME"},
	{9, 11, 3, 4, 3, 2, 2, "VALID"},
	{10, 11, 2, 3, 3, 3, 3, "SAME"},
	{10, 11, 2, 3, 2, 3, 3, "VALID"},
	{1, 12, 4, 1, 5, 3, 1, "VALID"}, // Conv1D's shape
}

// hasOp reports whether g holds an op of the given type whose name contains part.
func hasOp(g *graphs.Graph, opType, part string) bool {
	for _, o := range g.TF().Operations() {
		if o.Type() == opType && strings.Contains(o.Name(), part) {
			return true
		}
	}
	return false
}

// The sub-pixel form gives Conv2DBackpropInput's values (float32, every geometry) and is
// the form taken: a DepthToSpace (or, at stride 1, a sub-pixel Conv2D) and no
// Conv2DBackpropInput in the graph.
func TestConv2DTransposeSubPixelMatchesKernel(t *testing.T) {
	defer graphs.SetTransposedConvMinChannels(1)()
	for _, c := range convCases {
		t.Run(c.String(), func(t *testing.T) {
			const batch = 2
			oh, ow := c.out(c.h, c.kh), c.out(c.w, c.kw)
			rng := rand.New(rand.NewPCG(uint64(c.h*c.w), uint64(c.stride)))
			dy := randomTensor(t, rng, batch, oh, ow, c.cout)
			w := randomTensor(t, rng, c.kh, c.kw, c.cin, c.cout)

			g := newCPUGraph(tf.Float, 1)
			s := g.Root()
			dyIn := s.Placeholder("dy", tf.Float, batch, oh, ow, c.cout)
			wIn := s.Placeholder("w", tf.Float, c.kh, c.kw, c.cin, c.cout)
			fast := s.Conv2DTranspose(dyIn, wIn, [3]int64{c.h, c.w, c.cin}, [2]int{int(c.stride), int(c.stride)}, c.padding)
			want := op.Conv2DBackpropInput(s.Op("Conv2DBackpropInput"), s.Const([]int32{batch, int32(c.h), int32(c.w), int32(c.cin)}),
				wIn, dyIn, []int64{1, c.stride, c.stride, 1}, c.padding)
			if !hasOp(g, "Conv2D", "sub_pixel") {
				t.Fatal("no sub-pixel Conv2D in the graph")
			}
			if n := countOps(g, "Conv2DBackpropInput"); n != 1 {
				t.Fatalf("%d Conv2DBackpropInput ops, want only the reference", n)
			}
			got := runConv(t, g, map[tf.Output]*tf.Tensor{dyIn: dy, wIn: w}, fast, want)
			a, b := graphs.Value(got[0]).([][][][]float32), graphs.Value(got[1]).([][][][]float32)
			if len(a) != batch || len(a[0]) != int(c.h) || len(a[0][0]) != int(c.w) || len(a[0][0][0]) != int(c.cin) {
				t.Fatalf("shape %v, want [%d %d %d %d]", got[0].Shape(), batch, c.h, c.w, c.cin)
			}
			worst := 0.0
			for n := range a {
				for i := range a[n] {
					for j := range a[n][i] {
						for k := range a[n][i][j] {
							worst = math.Max(worst, math.Abs(float64(a[n][i][j][k]-b[n][i][j][k])))
						}
					}
				}
			}
			if worst > 1e-5 {
				t.Errorf("largest difference %.3g, want ≤ 1e-5", worst)
			}
		})
	}
}

// Finite differences (float64) of Conv2D and Conv2DTranspose in the sub-pixel form: the
// written-out gradients of x and the filter (in its batch-contracted Conv2D form), every
// geometry.
func TestConvSubPixelGradients(t *testing.T) {
	defer graphs.SetTransposedConvMinChannels(1)()
	defer graphs.SetBatchContractedAnyStride(true)()
	for _, c := range convCases {
		oh, ow := c.out(c.h, c.kh), c.out(c.w, c.kw)
		st := [2]int{int(c.stride), int(c.stride)}
		rng := rand.New(rand.NewPCG(uint64(c.cin), uint64(c.kh*c.kw)))
		filter := gradcheck.Random("w", rng, 0.5, c.kh, c.kw, c.cin, c.cout)
		t.Run("Conv2D_"+c.String(), func(t *testing.T) {
			ps := []gradcheck.Param{gradcheck.Random("x", rng, 1, 2, c.h, c.w, c.cin), filter}
			worst, err := gradcheck.Check(ps, func(s *graphs.Scope, in []tf.Output) tf.Output {
				y := s.Conv2D(in[0], in[1], st, c.padding)
				// The written-out gradient: CustomGradient's cut, not the registry's kernel.
				if !hasOp(s.Graph(), "StopGradient", "") {
					s.Fail("Conv2D did not take the sub-pixel gradient")
				}
				return gradcheck.Project(s, y, []int64{2, oh, ow, c.cout}, 3)
			}, gradcheck.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("worst relative error %.2g", worst)
		})
		t.Run("Conv2DTranspose_"+c.String(), func(t *testing.T) {
			ps := []gradcheck.Param{gradcheck.Random("x", rng, 1, 2, oh, ow, c.cout), filter}
			worst, err := gradcheck.Check(ps, func(s *graphs.Scope, in []tf.Output) tf.Output {
				y := s.Conv2DTranspose(in[0], in[1], [3]int64{c.h, c.w, c.cin}, st, c.padding)
				return gradcheck.Project(s, y, []int64{2, c.h, c.w, c.cin}, 5)
			}, gradcheck.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("worst relative error %.2g", worst)
		})
	}
}

// Which form runs: with the default threshold, an image-sized result (3 channels) or
// unequal strides keep TensorFlow's kernel; 64 channels take the sub-pixel form. The FLOP
// count is the transposed convolution's either way: its forward conv's taps inside the
// 8×8 result, 17 per axis at stride 2 (4, 5, 5, 3) and 34 at stride 1 (3, 4, 5, 5, 5, 5,
// 4, 3), not the sub-pixel kernel's.
func TestConv2DTransposeFormAndFLOPs(t *testing.T) {
	tests := []struct {
		name     string
		cin      int64
		strides  [2]int
		gpu      bool
		subPixel bool
		taps     int64 // inside the result, rows × columns
	}{
		{"64 channels", 64, [2]int{2, 2}, false, true, 17 * 17},
		{"3 channels", 3, [2]int{2, 2}, false, false, 17 * 17},
		{"64 channels at stride 1", 64, [2]int{1, 1}, false, true, 34 * 34},
		{"unequal strides", 64, [2]int{1, 2}, false, false, 34 * 17},
		{"64 channels on a GPU", 64, [2]int{2, 2}, true, false, 17 * 17},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const h, w, k, cout = 8, 8, 5, 16
			oh, ow := (h+int64(tt.strides[0])-1)/int64(tt.strides[0]), (w+int64(tt.strides[1])-1)/int64(tt.strides[1])
			g := newCPUGraph(tf.Float, 1)
			if tt.gpu {
				g.SetPlatform(gpuPlatform)
			}
			s := g.Root()
			x := s.Placeholder("x", tf.Float, -1, oh, ow, cout)
			filter := s.Placeholder("w", tf.Float, k, k, tt.cin, cout)
			y := s.Conv2DTranspose(x, filter, [3]int64{h, w, tt.cin}, tt.strides, "SAME")
			if got := hasOp(g, "Conv2D", "sub_pixel"); got != tt.subPixel {
				t.Errorf("sub-pixel form %v, want %v", got, tt.subPixel)
			}
			if got := countOps(g, "Conv2DBackpropInput") == 1; got == tt.subPixel {
				t.Errorf("Conv2DBackpropInput present %v, want %v", got, !tt.subPixel)
			}
			got, err := graphs.CountFLOPs(g, map[tf.Output][]int64{x: {3, oh, ow, cout}, filter: {k, k, tt.cin, cout}}, graphs.StepRun{Fetches: []tf.Output{y}})
			if err != nil {
				t.Fatal(err)
			}
			if want := 2 * 3 * tt.cin * cout * tt.taps; got.Total != want {
				t.Errorf("%d FLOPs, want 2·batch·cin·cout·taps = %d", got.Total, want)
			}
		})
	}
}

// Which kernels a Conv2D layer's gradients use, by dtype, stride and channels: TensorFlow's
// backprop kernels only where they measured as fast (float32, few channels; the filter
// gradient at stride 2), none in bfloat16; on a GPU always TensorFlow's.
func TestConv2DGradientKernels(t *testing.T) {
	tests := []struct {
		name             string
		dtype            tf.DataType
		cin, stride      int64
		gpu              bool
		wantBPI, wantBPF bool
	}{
		{"float32 64 channels stride 1", tf.Float, 64, 1, false, false, false},
		{"float32 64 channels stride 2", tf.Float, 64, 2, false, false, true},
		{"float32 3 channels stride 2", tf.Float, 3, 2, false, true, true},
		{"bfloat16 3 channels stride 2", tf.Bfloat16, 3, 2, false, false, false},
		// On a GPU, cuDNN's kernels, whatever the CPU measurements say.
		{"GPU float32 64 channels stride 1", tf.Float, 64, 1, true, true, true},
		{"GPU bfloat16 3 channels stride 2", tf.Bfloat16, 3, 2, true, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newCPUGraph(tf.Float, 1)
			if tt.gpu {
				g.SetPlatform(gpuPlatform)
			}
			s := g.Root()
			x := s.Placeholder("x", tf.Float, -1, 8, 8, tt.cin)
			w := s.NewVariable("w", tf.Float, []int64{5, 5, tt.cin, 16}, graphs.Zeros{}, true)
			xc, wc := x, w.Value()
			if tt.dtype != tf.Float {
				xc, wc = op.Cast(s.Op("Cast"), x, tt.dtype), op.Cast(s.Op("Cast"), wc, tt.dtype)
			}
			y := op.Cast(s.Op("Cast"), s.Conv2D(xc, wc, [2]int{int(tt.stride), int(tt.stride)}, "SAME"), tf.Float)
			loss := op.Sum(s.Op("Sum"), op.Square(s.Op("Square"), y), s.Const([]int32{0, 1, 2, 3}))
			if _, err := s.Gradients(loss, []tf.Output{x, w.Value()}); err != nil {
				t.Fatal(err)
			}
			if got := countOps(g, "Conv2DBackpropInput") > 0; got != tt.wantBPI {
				t.Errorf("Conv2DBackpropInput in the graph: %v, want %v", got, tt.wantBPI)
			}
			if got := countOps(g, "Conv2DBackpropFilter") > 0; got != tt.wantBPF {
				t.Errorf("Conv2DBackpropFilter in the graph: %v, want %v", got, tt.wantBPF)
			}
		})
	}
}

func countOps(g *graphs.Graph, opType string) int {
	n := 0
	for _, o := range g.TF().Operations() {
		if o.Type() == opType {
			n++
		}
	}
	return n
}

func randomTensor(t *testing.T, rng *rand.Rand, shape ...int64) *tf.Tensor {
	t.Helper()
	n := int64(1)
	for _, d := range shape {
		n *= d
	}
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(2*rng.Float64() - 1)
	}
	tt, err := graphs.NewTensor(v, shape...)
	if err != nil {
		t.Fatal(err)
	}
	return tt
}

func runConv(t *testing.T, g *graphs.Graph, feeds map[tf.Output]*tf.Tensor, fetches ...tf.Output) []*tf.Tensor {
	t.Helper()
	sess, err := graphs.NewSession(g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	out, err := sess.Run(feeds, fetches)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
