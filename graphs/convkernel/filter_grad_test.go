package convkernel_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/graphs/convkernel"
)

func register(t testing.TB) {
	t.Helper()
	if err := convkernel.Register(); err != nil {
		t.Fatal(err)
	}
	if !convkernel.Supported() {
		t.Skip("this CPU has neither AVX-512F nor AVX2 with FMA: convkernel.Supported() is false")
	}
}

// The op name graphs builds is the one this package registers.
func TestOpName(t *testing.T) {
	if convkernel.OpConv2DBackpropFilter != graphs.OpConv2DBackpropFilter {
		t.Fatalf("convkernel registers %s; graphs builds %s", convkernel.OpConv2DBackpropFilter, graphs.OpConv2DBackpropFilter)
	}
}

// problem is one filter gradient: x [n, h, w, ci], a kh × kw filter to co channels.
type problem struct {
	x          [4]int64
	kh, kw, co int64
	strides    [2]int
	padding    string
}

func (p problem) String() string {
	return fmt.Sprintf("x%v_k%dx%d_co%d_s%v_%s", p.x, p.kh, p.kw, p.co, p.strides, p.padding)
}

// dy is the conv's output shape.
func (p problem) dy() [4]int64 {
	out := func(n, k int64, s int) int64 {
		if p.padding == "SAME" {
			return (n + int64(s) - 1) / int64(s)
		}
		return (n-k)/int64(s) + 1
	}
	return [4]int64{p.x[0], out(p.x[1], p.kh, p.strides[0]), out(p.x[2], p.kw, p.strides[1]), p.co}
}

// padding_ is the padding before x's rows and columns (SAME's smaller half).
func (p problem) paddings() (top, left int64) {
	d := p.dy()
	before := func(n, o, k int64, s int) int64 {
		if p.padding != "SAME" {
			return 0
		}
		return max((o-1)*int64(s)+k-n, 0) / 2
	}
	return before(p.x[1], d[1], p.kh, p.strides[0]), before(p.x[2], d[2], p.kw, p.strides[1])
}

// geometry is the kernel's view of p, and how many (position, tap) products land inside x.
func (p problem) geometry() (g convkernel.Geometry, taps int64) {
	d := p.dy()
	pt, pl := p.paddings()
	g = convkernel.Geometry{N: p.x[0], H: p.x[1], W: p.x[2], CI: p.x[3], OH: d[1], OW: d[2], CO: p.co, KH: p.kh, KW: p.kw,
		StrideH: int64(p.strides[0]), StrideW: int64(p.strides[1]), PadTop: pt, PadLeft: pl}
	for r := range d[1] {
		for q := range d[2] {
			for i := range p.kh {
				for j := range p.kw {
					row, col := r*g.StrideH+i-pt, q*g.StrideW+j-pl
					if row >= 0 && row < g.H && col >= 0 && col < g.W {
						taps += p.x[0]
					}
				}
			}
		}
	}
	return g, taps
}

// reference is the filter gradient in float64, and the sum of the absolute values of the
// products each element adds up (a bound for float32's rounding).
func (p problem) reference(x, dy []float32) (dw, mag []float64) {
	d := p.dy()
	ci := p.x[3]
	pt, pl := p.paddings()
	dw = make([]float64, p.kh*p.kw*ci*p.co)
	mag = make([]float64, len(dw))
	for b := int64(0); b < p.x[0]; b++ {
		for r := int64(0); r < d[1]; r++ {
			for q := int64(0); q < d[2]; q++ {
				g := dy[((b*d[1]+r)*d[2]+q)*p.co:][:p.co]
				for i := int64(0); i < p.kh; i++ {
					row := r*int64(p.strides[0]) + i - pt
					if row < 0 || row >= p.x[1] {
						continue
					}
					for j := int64(0); j < p.kw; j++ {
						col := q*int64(p.strides[1]) + j - pl
						if col < 0 || col >= p.x[2] {
							continue
						}
						xv := x[((b*p.x[1]+row)*p.x[2]+col)*ci:][:ci]
						for c := int64(0); c < ci; c++ {
							out := dw[((i*p.kw+j)*ci+c)*p.co:][:p.co]
							m := mag[((i*p.kw+j)*ci+c)*p.co:][:p.co]
							for o, gv := range g {
								v := float64(xv[c]) * float64(gv)
								out[o] += v
								m[o] += math.Abs(v)
							}
						}
					}
				}
			}
		}
	}
	return dw, mag
}

// run computes the problem's filter gradient in the kernel and in TensorFlow's
// Conv2DBackpropFilter, both in dtype (x and dy cast to it, the results back to float32).
func run(t testing.TB, p problem, x, dy []float32, dtype tf.DataType, threads int) (own, tensorflow []float32) {
	t.Helper()
	g := graphs.NewGraph(tf.Float, 1)
	s := g.Root()
	d := p.dy()
	xt, err := graphs.NewTensor(x, p.x[:]...)
	if err != nil {
		t.Fatal(err)
	}
	dyt, err := graphs.NewTensor(dy, d[:]...)
	if err != nil {
		t.Fatal(err)
	}
	xIn := op.Placeholder(s.Op("x"), tf.Float, op.PlaceholderShape(tf.MakeShape(p.x[:]...)))
	dyIn := op.Placeholder(s.Op("dy"), tf.Float, op.PlaceholderShape(tf.MakeShape(d[:]...)))
	filter := s.Const(make([]float32, p.kh*p.kw*p.x[3]*p.co))
	filter = op.Reshape(s.Op("Reshape"), filter, s.Const([]int64{p.kh, p.kw, p.x[3], p.co}))
	xc, fc, dyc := s.CastTo(xIn, dtype), s.CastTo(filter, dtype), s.CastTo(dyIn, dtype)
	mine := s.CastTo(s.OwnConv2DBackpropFilter(xc, fc, dyc, p.strides, p.padding, threads), tf.Float)
	theirs := s.CastTo(op.Conv2DBackpropFilter(s.Op("Conv2DBackpropFilter"), xc, s.Const([]int32{int32(p.kh), int32(p.kw), int32(p.x[3]), int32(p.co)}),
		dyc, []int64{1, int64(p.strides[0]), int64(p.strides[1]), 1}, p.padding), tf.Float)
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	if sh := mine.Shape(); sh.NumDimensions() != 4 || sh.Size(0) != p.kh || sh.Size(1) != p.kw || sh.Size(3) != p.co {
		t.Fatalf("the op's inferred shape is %v, want the filter's", sh)
	}
	sess, err := graphs.NewSession(g, graphs.SessionOptions{IntraOpThreads: 2, InterOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	out, err := sess.Run(map[tf.Output]*tf.Tensor{xIn: xt, dyIn: dyt}, []tf.Output{mine, theirs})
	if err != nil {
		t.Fatal(err)
	}
	return graphs.Flat(out[0]).([]float32), graphs.Flat(out[1]).([]float32)
}

func random(rng *rand.Rand, n int64) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	return v
}

// bf16 is v rounded to bfloat16 (to nearest even), as a float32.
func bf16(v float32) float32 {
	b := math.Float32bits(v)
	return math.Float32frombits((b + 0x7FFF + (b>>16)&1) &^ 0xFFFF)
}

// The kernel's gradient is the float64 reference's to float32's rounding of the sums (and,
// in bfloat16, the result's rounding to bfloat16: 2⁻⁹ relative), over strides, both
// paddings (SAME's asymmetric ones included), filters larger than the input, 1 to 128
// input and 16 to 256 output channels (tiles of 1 to 4 vectors, row tiles cut short, an
// odd number of positions to pair in bfloat16) and an empty batch. TensorFlow's
// Conv2DBackpropFilter is held to the same bound in float32, so the reference is checked
// too. float32 runs in AVX-512F's tiles where the CPU has them and in AVX2's.
func TestFilterGradMatchesReference(t *testing.T) {
	register(t)
	problems := []problem{
		{x: [4]int64{2, 9, 9, 3}, kh: 3, kw: 3, co: 16, strides: [2]int{1, 1}, padding: "SAME"},
		{x: [4]int64{3, 14, 14, 64}, kh: 5, kw: 5, co: 128, strides: [2]int{2, 2}, padding: "SAME"},
		{x: [4]int64{2, 28, 28, 1}, kh: 5, kw: 5, co: 64, strides: [2]int{2, 2}, padding: "SAME"},
		{x: [4]int64{2, 7, 7, 128}, kh: 5, kw: 5, co: 256, strides: [2]int{1, 1}, padding: "SAME"},
		{x: [4]int64{2, 15, 11, 5}, kh: 4, kw: 3, co: 32, strides: [2]int{2, 3}, padding: "VALID"},
		{x: [4]int64{1, 4, 4, 2}, kh: 5, kw: 5, co: 16, strides: [2]int{1, 1}, padding: "SAME"},
		{x: [4]int64{2, 6, 6, 7}, kh: 3, kw: 3, co: 48, strides: [2]int{2, 2}, padding: "SAME"},
		{x: [4]int64{5, 8, 8, 3}, kh: 4, kw: 4, co: 80, strides: [2]int{2, 2}, padding: "SAME"},
		{x: [4]int64{3, 9, 11, 13}, kh: 4, kw: 3, co: 48, strides: [2]int{2, 2}, padding: "VALID"},
		{x: [4]int64{0, 5, 5, 3}, kh: 3, kw: 3, co: 16, strides: [2]int{1, 1}, padding: "SAME"},
		// bfloat16 with few channels (filter_grad_few.c): chunks of 2 and 3 pairs of
		// images, the last one short and its last image paired with zeros.
		{x: [4]int64{11, 12, 12, 1}, kh: 5, kw: 5, co: 64, strides: [2]int{2, 2}, padding: "SAME"},
		{x: [4]int64{139, 6, 6, 1}, kh: 3, kw: 3, co: 16, strides: [2]int{1, 1}, padding: "SAME"},
		{x: [4]int64{7, 10, 9, 4}, kh: 3, kw: 4, co: 32, strides: [2]int{1, 2}, padding: "VALID"},
	}
	variants := []struct {
		name  string
		dtype tf.DataType
		avx2  bool // float32 in AVX2's tiles on any CPU
	}{{"float32", tf.Float, false}, {"float32_avx2", tf.Float, true}, {"bfloat16", tf.Bfloat16, false}}
	for _, v := range variants {
		dtype := v.dtype
		if dtype == tf.Bfloat16 && !convkernel.SupportedBFloat16() {
			t.Log("this CPU has no AVX512_BF16: convkernel.SupportedBFloat16() is false; bfloat16 not checked")
			continue
		}
		convkernel.ForceAVX2ForTest(v.avx2)
		defer convkernel.ForceAVX2ForTest(false)
		for _, p := range problems {
			t.Run(v.name+"/"+p.String(), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(p.x[1]), uint64(p.co)))
				d := p.dy()
				x, dy := random(rng, p.x[0]*p.x[1]*p.x[2]*p.x[3]), random(rng, d[0]*d[1]*d[2]*d[3])
				if dtype == tf.Bfloat16 { // the values the kernel sees
					for _, v := range [][]float32{x, dy} {
						for i := range v {
							v[i] = bf16(v[i])
						}
					}
				}
				want, mag := p.reference(x, dy)
				own, theirs := run(t, p, x, dy, dtype, 0)
				if len(own) != len(want) {
					t.Fatalf("%d values, want %d", len(own), len(want))
				}
				k := float64(p.x[0] * d[1] * d[2])
				worst := 0.0
				for i := range want {
					// float32 sums of k terms: each term and partial sum rounds at most 2^-24
					// relative; k·2^-24 of the terms' magnitudes bounds the error.
					bound := (k+1)*0x1p-24*mag[i] + 1e-30
					if dtype == tf.Bfloat16 {
						bound += 0x1p-8 * math.Abs(want[i])
					}
					if e := math.Abs(float64(own[i]) - want[i]); e > bound {
						t.Fatalf("dw[%d] = %g, want %g (error %g > bound %g)", i, own[i], want[i], e, bound)
					} else if mag[i] > 0 {
						worst = max(worst, e/mag[i])
					}
					if e := math.Abs(float64(theirs[i]) - want[i]); dtype == tf.Float && e > bound {
						t.Fatalf("TensorFlow's dw[%d] = %g, want %g: the reference is wrong", i, theirs[i], want[i])
					}
				}
				t.Logf("worst error relative to the terms' magnitude: %.2g", worst)
			})
		}
	}
}

// The result does not depend on the number of threads: each element is one chain of
// fused multiply-adds (in bfloat16, of pairs; with at most 4 channels, one chain per chunk
// of images, the chunks added in order) in a fixed order, whichever thread runs it;
// nor, in float32, on the tiles (AVX-512F's or AVX2's) it runs in. The problems are large
// enough for the kernel to start threads (2²¹ multiply-adds), and take its every path: 64
// input channels (a tap a group), one and three (a filter row a group, runs partly in the
// padding copied), 64 output channels (float32 reads dy in place), an odd batch (bfloat16
// pairs the last image with zeros).
func TestFilterGradThreadsBitExact(t *testing.T) {
	register(t)
	for _, p := range []problem{
		{x: [4]int64{4, 14, 14, 64}, kh: 5, kw: 5, co: 128, strides: [2]int{2, 2}, padding: "SAME"},
		{x: [4]int64{9, 28, 28, 1}, kh: 5, kw: 5, co: 64, strides: [2]int{2, 2}, padding: "SAME"},
		{x: [4]int64{9, 16, 16, 3}, kh: 5, kw: 5, co: 64, strides: [2]int{2, 2}, padding: "SAME"},
	} {
		t.Run(p.String(), func(t *testing.T) { threadsBitExact(t, p) })
	}
}

func threadsBitExact(t *testing.T, p problem) {
	geometry, taps := p.geometry()
	if taps*p.x[3]*p.co < 1<<21 {
		t.Fatalf("%d multiply-adds: too few for the kernel to start threads", taps*p.x[3]*p.co)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	d := p.dy()
	x, dy := random(rng, p.x[0]*p.x[1]*p.x[2]*p.x[3]), random(rng, d[0]*d[1]*d[2]*d[3])
	for _, bfloat16 := range []bool{false, true} {
		if bfloat16 && !convkernel.SupportedBFloat16() {
			continue
		}
		var first []float32
		for _, threads := range []int{1, 2, 3, 7} {
			got := convkernel.FilterGradForTest(geometry, x, dy, threads, bfloat16)
			if first == nil {
				first = got
				continue
			}
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(first[i]) {
					t.Fatalf("bfloat16 %v, %d threads: dw[%d] = %g, 1 thread %g", bfloat16, threads, i, got[i], first[i])
				}
			}
		}
		if !bfloat16 {
			convkernel.ForceAVX2ForTest(true)
			got := convkernel.FilterGradForTest(geometry, x, dy, 2, false)
			convkernel.ForceAVX2ForTest(false)
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(first[i]) {
					t.Fatalf("AVX2's tiles: dw[%d] = %g, AVX-512F's or the CPU's %g", i, got[i], first[i])
				}
			}
		}
	}
}

// Each handled bad input is an error naming the op and what is wrong.
func TestFilterGradBadInputs(t *testing.T) {
	register(t)
	type attrs = map[string]any
	good := attrs{"strides": []int64{1, 1}, "paddings": []int64{0, 0}}
	cases := []struct {
		name          string
		x, filter, dy []int64
		attrs         attrs
		want          string
	}{
		{"channels not a multiple of 16", []int64{1, 3, 3, 2}, []int64{1, 1, 2, 24}, []int64{1, 3, 3, 24}, good, "out_backprop has 24 channels, not a multiple of 16"},
		{"batches differ", []int64{2, 3, 3, 2}, []int64{1, 1, 2, 16}, []int64{1, 3, 3, 16}, good, "input has batch 2, out_backprop 1"},
		{"filter channels", []int64{1, 3, 3, 2}, []int64{1, 1, 3, 16}, []int64{1, 3, 3, 16}, good, "its channels must be input's 2 and out_backprop's 16"},
		{"rank 3", []int64{3, 3, 2}, []int64{1, 1, 2, 16}, []int64{1, 3, 3, 16}, good, "input, filter and out_backprop must have 4 dimensions"},
		{"threads negative", []int64{1, 3, 3, 2}, []int64{1, 1, 2, 16}, []int64{1, 3, 3, 16}, attrs{"strides": []int64{1, 1}, "paddings": []int64{0, 0}, "threads": int64(-1)}, "attribute threads is negative"},
		{"three strides", []int64{1, 3, 3, 2}, []int64{1, 1, 2, 16}, []int64{1, 3, 3, 16}, attrs{"strides": []int64{1, 1, 1}, "paddings": []int64{0, 0}}, "attribute strides has 3 values, not 2"},
		{"stride 0", []int64{1, 3, 3, 2}, []int64{1, 1, 2, 16}, []int64{1, 3, 3, 16}, attrs{"strides": []int64{0, 1}, "paddings": []int64{0, 0}}, "attribute strides is [0, 1]; each must be at least 1"},
		{"negative padding", []int64{1, 3, 3, 2}, []int64{1, 1, 2, 16}, []int64{1, 3, 3, 16}, attrs{"strides": []int64{1, 1}, "paddings": []int64{0, -1}}, "attribute paddings is [0, -1]; each must be at least 0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			refuses(t, graphs.OpConv2DBackpropFilter, [][]int64{c.x, c.filter, c.dy}, c.attrs, c.want)
		})
	}
}

// refuses builds opType on float32 zeros of the given shapes with attrs and runs it: it
// must fail with an error naming the op and holding want, when built (shape inference)
// or when run.
func refuses(t *testing.T, opType string, shapes [][]int64, attrs map[string]any, want string) {
	t.Helper()
	g := graphs.NewGraph(tf.Float, 1)
	s := g.Root()
	var in []tf.Input
	for _, shape := range shapes {
		n := int64(1)
		for _, d := range shape {
			n *= d
		}
		in = append(in, op.Reshape(s.Op("Reshape"), s.Const(make([]float32, n)), s.Const(shape)))
	}
	o := s.Op(opType).AddOperation(tf.OpSpec{Type: opType, Input: in, Attrs: attrs})
	if err := s.Err(); err != nil {
		if strings.Contains(err.Error(), want) {
			return // refused when built (shape inference): named already
		}
		t.Fatal(err)
	}
	sess, err := graphs.NewSession(g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	_, err = sess.Run(nil, []tf.Output{o.Output(0)})
	if err == nil || !strings.Contains(err.Error(), opType+": ") || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v, want %s: …%s", err, opType, want)
	}
}

// benchProblems are the DCGANs' filter gradients at batch 256.
var benchProblems = []problem{
	// dcgan_mnist's second discriminator conv, and its generator's stride-2 transposed conv
	{x: [4]int64{256, 14, 14, 64}, kh: 5, kw: 5, co: 128, strides: [2]int{2, 2}, padding: "SAME"},
	{x: [4]int64{256, 7, 7, 128}, kh: 5, kw: 5, co: 256, strides: [2]int{1, 1}, padding: "SAME"},  // its stride-1 transposed conv
	{x: [4]int64{256, 28, 28, 1}, kh: 5, kw: 5, co: 64, strides: [2]int{2, 2}, padding: "SAME"},   // its first conv, one channel
	{x: [4]int64{256, 16, 16, 64}, kh: 5, kw: 5, co: 128, strides: [2]int{2, 2}, padding: "SAME"}, // dcgan_cifar's
	{x: [4]int64{256, 32, 32, 3}, kh: 5, kw: 5, co: 64, strides: [2]int{2, 2}, padding: "SAME"},   // its first conv, three channels
	{x: [4]int64{256, 8, 8, 128}, kh: 5, kw: 5, co: 256, strides: [2]int{1, 1}, padding: "SAME"},
}

// BenchmarkKernelAlone times the kernel's C function on benchProblems without TensorFlow
// (no session, no other threads), on 1 thread and on every CPU, and reports GFLOP/s of
// the taps inside x, as BenchmarkFilterGrad does.
func BenchmarkKernelAlone(b *testing.B) {
	for _, bfloat16 := range []bool{false, true} {
		if bfloat16 && !convkernel.SupportedBFloat16() || !bfloat16 && !convkernel.Supported() {
			continue
		}
		for _, p := range benchProblems {
			g, taps := p.geometry()
			for _, threads := range []int{1, 0} {
				name := map[bool]string{false: "float32", true: "bfloat16"}[bfloat16] + "/" + p.String() + fmt.Sprintf("/threads_%d", threads)
				b.Run(name, func(b *testing.B) {
					run := convkernel.KernelForBenchmark(g, threads, bfloat16)
					run()
					for b.Loop() {
						run()
					}
					b.ReportMetric(float64(2*taps*p.x[3]*p.co)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			}
		}
	}
}

// BenchmarkFilterGrad times the kernel against TensorFlow's Conv2DBackpropFilter on the
// DCGANs' filter gradients at batch 256, in float32 and bfloat16, with TensorFlow's default
// threads (the CPUs, 2 here), and reports GFLOP/s as graphs.CountFLOPs counts the
// gradient's FLOPs (the taps inside x; those on SAME padding's zeros are not counted).
func BenchmarkFilterGrad(b *testing.B) {
	register(b)
	for _, dtype := range []tf.DataType{tf.Float, tf.Bfloat16} {
		if dtype == tf.Bfloat16 && !convkernel.SupportedBFloat16() {
			continue
		}
		for _, p := range benchProblems {
			d := p.dy()
			rng := rand.New(rand.NewPCG(3, 4))
			x, dy := random(rng, p.x[0]*p.x[1]*p.x[2]*p.x[3]), random(rng, d[0]*d[1]*d[2]*d[3])
			forms := []string{"tensorflow", "own"}
			if dtype == tf.Float {
				forms = append(forms, "own_avx2") // AVX2's tiles, as on a CPU without AVX-512
			}
			for _, form := range forms {
				b.Run(graphs.DTypeName(dtype)+"/"+p.String()+"/"+form, func(b *testing.B) {
					convkernel.ForceAVX2ForTest(form == "own_avx2")
					defer convkernel.ForceAVX2ForTest(false)
					sess, target, flops := session(b, p, x, dy, dtype, form)
					defer sess.Close()
					for b.Loop() {
						if _, err := sess.Run(nil, nil, target); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(flops)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			}
		}
	}
}

// session builds one form of the problem's filter gradient in dtype, x and dy in variables
// (so that grappler does not fold the op into a constant), and returns the session and the
// target to run.
func session(b *testing.B, p problem, x, dy []float32, dtype tf.DataType, form string) (*graphs.Session, *tf.Operation, int64) {
	g := graphs.NewGraph(tf.Float, 1)
	s := g.Root()
	d := p.dy()
	var inits []*tf.Operation
	variable := func(name string, v []float32, shape []int64) tf.Output {
		vs := s.Sub(name)
		h := op.VarHandleOp(vs.Op("VarHandleOp"), dtype, tf.MakeShape(shape...), op.VarHandleOpSharedName(vs.Path()))
		value := vs.CastTo(op.Reshape(vs.Op("Reshape"), vs.Const(v), vs.Const(shape)), dtype)
		inits = append(inits, op.AssignVariableOp(vs.Op("AssignVariableOp"), h, value))
		return op.ReadVariableOp(vs.Op("ReadVariableOp"), h, dtype)
	}
	xv, dyv := variable("x", x, p.x[:]), variable("dy", dy, d[:])
	var out tf.Output
	if form != "tensorflow" {
		filter := op.Reshape(s.Op("Reshape"), s.Const(make([]float32, p.kh*p.kw*p.x[3]*p.co)), s.Const([]int64{p.kh, p.kw, p.x[3], p.co}))
		out = s.OwnConv2DBackpropFilter(xv, s.CastTo(filter, dtype), dyv, p.strides, p.padding, 0)
	} else {
		out = op.Conv2DBackpropFilter(s.Op("Conv2DBackpropFilter"), xv, s.Const([]int32{int32(p.kh), int32(p.kw), int32(p.x[3]), int32(p.co)}),
			dyv, []int64{1, int64(p.strides[0]), int64(p.strides[1]), 1}, p.padding)
	}
	if err := s.Err(); err != nil {
		b.Fatal(err)
	}
	flops, err := graphs.CountFLOPs(g, nil, graphs.StepRun{Targets: []*tf.Operation{out.Op}})
	if err != nil {
		b.Fatal(err)
	}
	sess, err := graphs.NewSession(g, graphs.SessionOptions{})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := sess.Run(nil, nil, inits...); err != nil {
		b.Fatal(err)
	}
	if _, err := sess.Run(nil, nil, out.Op); err != nil {
		b.Fatal(err)
	}
	return sess, out.Op, flops.Total
}
