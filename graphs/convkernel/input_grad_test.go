package convkernel_test

import (
	"math"
	"math/rand/v2"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/graphs/convkernel"
)

func registerInput(t testing.TB) {
	t.Helper()
	if err := convkernel.Register(); err != nil {
		t.Fatal(err)
	}
	if !convkernel.SupportedInput() {
		t.Skip("this CPU has no AVX-512F: convkernel.SupportedInput() is false")
	}
}

// The input gradient's op name graphs builds is the one this package registers.
func TestInputOpName(t *testing.T) {
	if convkernel.OpConv2DBackpropInput != graphs.OpConv2DBackpropInput {
		t.Fatalf("convkernel registers %s; graphs builds %s", convkernel.OpConv2DBackpropInput, graphs.OpConv2DBackpropInput)
	}
}

// inputReference is the input gradient in float64 (dx of p.x's shape given the filter w and
// dy), and the sum of the absolute values of the products each element adds up.
func (p problem) inputReference(w, dy []float32) (dx, mag []float64) {
	d := p.dy()
	ci := p.x[3]
	pt, pl := p.paddings()
	dx = make([]float64, p.x[0]*p.x[1]*p.x[2]*ci)
	mag = make([]float64, len(dx))
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
						at := ((b*p.x[1]+row)*p.x[2] + col) * ci
						for c := int64(0); c < ci; c++ {
							wv := w[((i*p.kw+j)*ci+c)*p.co:][:p.co]
							for o, gv := range g {
								v := float64(wv[o]) * float64(gv)
								dx[at+c] += v
								mag[at+c] += math.Abs(v)
							}
						}
					}
				}
			}
		}
	}
	return dx, mag
}

// runInput computes the problem's input gradient in the kernel and in TensorFlow's
// Conv2DBackpropInput, both in dtype (w and dy cast to it, the results back to float32).
func runInput(t testing.TB, p problem, w, dy []float32, dtype tf.DataType) (own, tensorflow []float32) {
	t.Helper()
	g := graphs.NewGraph(tf.Float, 1)
	s := g.Root()
	d := p.dy()
	wt, err := graphs.NewTensor(w, p.kh, p.kw, p.x[3], p.co)
	if err != nil {
		t.Fatal(err)
	}
	dyt, err := graphs.NewTensor(dy, d[:]...)
	if err != nil {
		t.Fatal(err)
	}
	wIn := op.Placeholder(s.Op("w"), tf.Float, op.PlaceholderShape(tf.MakeShape(p.kh, p.kw, p.x[3], p.co)))
	dyIn := op.Placeholder(s.Op("dy"), tf.Float, op.PlaceholderShape(tf.MakeShape(d[:]...)))
	wc, dyc := s.CastTo(wIn, dtype), s.CastTo(dyIn, dtype)
	mine := s.CastTo(s.OwnConv2DBackpropInput([3]int64{p.x[1], p.x[2], p.x[3]}, wc, dyc, p.strides, p.padding, 0), tf.Float)
	sizes := s.Const([]int32{int32(p.x[0]), int32(p.x[1]), int32(p.x[2]), int32(p.x[3])})
	theirs := s.CastTo(op.Conv2DBackpropInput(s.Op("Conv2DBackpropInput"), sizes, wc, dyc,
		[]int64{1, int64(p.strides[0]), int64(p.strides[1]), 1}, p.padding), tf.Float)
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	if sh := mine.Shape(); sh.NumDimensions() != 4 || sh.Size(0) != p.x[0] || sh.Size(1) != p.x[1] || sh.Size(2) != p.x[2] || sh.Size(3) != p.x[3] {
		t.Fatalf("the op's inferred shape is %v, want %v", sh, p.x)
	}
	sess, err := graphs.NewSession(g, graphs.SessionOptions{IntraOpThreads: 2, InterOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	out, err := sess.Run(map[tf.Output]*tf.Tensor{wIn: wt, dyIn: dyt}, []tf.Output{mine, theirs})
	if err != nil {
		t.Fatal(err)
	}
	return graphs.Flat(out[0]).([]float32), graphs.Flat(out[1]).([]float32)
}

// The kernel's input gradient is the float64 reference's to float32's rounding of the sums
// (and, in bfloat16, the result's rounding to bfloat16), over strides 1 to 3, both paddings
// (SAME's asymmetric ones included), filters larger than the input, 1 to 4 input channels,
// 16 to 80 output channels (a bfloat16 vector cut to 16), images of odd sizes, more taps
// than one tile (kh·kw·ci > 64) and an empty batch. TensorFlow's Conv2DBackpropInput is
// held to the same bound in float32, so the reference is checked too.
func TestInputGradMatchesReference(t *testing.T) {
	registerInput(t)
	problems := []problem{
		{x: [4]int64{3, 28, 28, 1}, kh: 5, kw: 5, co: 64, strides: [2]int{2, 2}, padding: "SAME"},
		{x: [4]int64{2, 32, 32, 3}, kh: 5, kw: 5, co: 64, strides: [2]int{2, 2}, padding: "SAME"},
		{x: [4]int64{2, 9, 11, 2}, kh: 4, kw: 3, co: 32, strides: [2]int{2, 3}, padding: "VALID"},
		{x: [4]int64{1, 7, 7, 4}, kh: 3, kw: 3, co: 48, strides: [2]int{1, 1}, padding: "SAME"},
		{x: [4]int64{2, 4, 4, 1}, kh: 5, kw: 5, co: 16, strides: [2]int{1, 1}, padding: "SAME"},
		{x: [4]int64{2, 10, 13, 3}, kh: 4, kw: 4, co: 80, strides: [2]int{3, 2}, padding: "SAME"},
		{x: [4]int64{1, 5, 37, 1}, kh: 1, kw: 3, co: 16, strides: [2]int{1, 2}, padding: "VALID"},
		{x: [4]int64{0, 5, 5, 3}, kh: 3, kw: 3, co: 16, strides: [2]int{1, 1}, padding: "SAME"},
	}
	for _, dtype := range []tf.DataType{tf.Float, tf.Bfloat16} {
		if dtype == tf.Bfloat16 && !convkernel.SupportedInputBFloat16() {
			t.Log("this CPU has no AVX512_BF16: convkernel.SupportedInputBFloat16() is false; bfloat16 not checked")
			continue
		}
		for _, p := range problems {
			t.Run(graphs.DTypeName(dtype)+"/"+p.String(), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(p.x[2]), uint64(p.co)))
				d := p.dy()
				w, dy := random(rng, p.kh*p.kw*p.x[3]*p.co), random(rng, d[0]*d[1]*d[2]*d[3])
				if dtype == tf.Bfloat16 { // the values the kernel sees
					for _, v := range [][]float32{w, dy} {
						for i := range v {
							v[i] = bf16(v[i])
						}
					}
				}
				want, mag := p.inputReference(w, dy)
				own, theirs := runInput(t, p, w, dy, dtype)
				if len(own) != len(want) {
					t.Fatalf("%d values, want %d", len(own), len(want))
				}
				k := float64(p.kh * p.kw * p.co)
				for i := range want {
					bound := (k+1)*0x1p-24*mag[i] + 1e-30
					if dtype == tf.Bfloat16 {
						bound += 0x1p-8 * math.Abs(want[i])
					}
					if e := math.Abs(float64(own[i]) - want[i]); e > bound {
						t.Fatalf("dx[%d] = %g, want %g (error %g > bound %g)", i, own[i], want[i], e, bound)
					}
					if e := math.Abs(float64(theirs[i]) - want[i]); dtype == tf.Float && e > bound {
						t.Fatalf("TensorFlow's dx[%d] = %g, want %g: the reference is wrong", i, theirs[i], want[i])
					}
				}
			})
		}
	}
}

// The result does not depend on the number of threads: a thread owns whole images.
func TestInputGradThreadsBitExact(t *testing.T) {
	registerInput(t)
	p := problem{x: [4]int64{5, 28, 28, 3}, kh: 5, kw: 5, co: 64, strides: [2]int{2, 2}, padding: "SAME"}
	g, _ := p.geometry()
	rng := rand.New(rand.NewPCG(5, 6))
	d := p.dy()
	w, dy := random(rng, p.kh*p.kw*p.x[3]*p.co), random(rng, d[0]*d[1]*d[2]*d[3])
	for _, bfloat16 := range []bool{false, true} {
		if bfloat16 && !convkernel.SupportedInputBFloat16() {
			continue
		}
		first := convkernel.InputGradForTest(g, w, dy, 1, bfloat16)
		for _, threads := range []int{2, 3, 7} {
			got := convkernel.InputGradForTest(g, w, dy, threads, bfloat16)
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(first[i]) {
					t.Fatalf("bfloat16 %v, %d threads: dx[%d] = %g, 1 thread %g", bfloat16, threads, i, got[i], first[i])
				}
			}
		}
	}
}

// Each handled bad input is an error naming the op and what is wrong.
func TestInputGradBadInputs(t *testing.T) {
	registerInput(t)
	type attrs = map[string]any
	good := func() attrs { return attrs{"strides": []int64{1, 1}, "paddings": []int64{0, 0}} }
	with := func(k string, v any) attrs { a := good(); a[k] = v; return a }
	like := []int64{0, 3, 3, 0}
	cases := []struct {
		name             string
		like, filter, dy []int64
		attrs            attrs
		want             string
	}{
		{"channels not a multiple of 16", like, []int64{1, 1, 2, 24}, []int64{1, 3, 3, 24}, good(), "out_backprop has 24 channels, not a multiple of 16"},
		{"filter channels", like, []int64{1, 1, 2, 32}, []int64{1, 3, 3, 16}, good(), "its output channels must be out_backprop's 16"},
		{"rank 3", like, []int64{1, 2, 16}, []int64{1, 3, 3, 16}, good(), "Shape must be rank 4 but is rank 3"}, // refused by the shape function
		{"threads negative", like, []int64{1, 1, 2, 16}, []int64{1, 3, 3, 16}, with("threads", int64(-1)), "attribute threads is negative"},
		{"three strides", like, []int64{1, 1, 2, 16}, []int64{1, 3, 3, 16}, with("strides", []int64{1, 1, 1}), "attribute strides has 3 values, not 2"},
		{"height 0", []int64{0, 0, 3, 0}, []int64{1, 1, 2, 16}, []int64{1, 3, 3, 16}, good(), "input_shape is [0, 0, 3, 0]: the input's height and width must be 1 to 1048576"},
		{"width too large", []int64{0, 3, 1 << 21, 0}, []int64{1, 1, 2, 16}, []int64{1, 3, 3, 16}, good(), "the input's height and width must be 1 to 1048576"},
		{"dy too tall", like, []int64{1, 1, 2, 16}, []int64{1, 4, 3, 16}, good(), "out_backprop is 4 × 3: not the output of a 1 × 1 convolution of a 3 × 3 input at strides [1, 1] and paddings [0, 0]"},
		{"padding past the filter", like, []int64{3, 3, 2, 16}, []int64{1, 3, 3, 16}, with("paddings", []int64{3, 1}), "not the output of a 3 × 3 convolution"},
		{"negative padding", like, []int64{1, 1, 2, 16}, []int64{1, 3, 3, 16}, with("paddings", []int64{-1, 0}), "attribute paddings is [-1, 0]; each must be at least 0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			refuses(t, graphs.OpConv2DBackpropInput, [][]int64{c.like, c.filter, c.dy}, c.attrs, c.want)
		})
	}
}

// BenchmarkInputGrad times the kernel against TensorFlow's Conv2DBackpropInput on the
// DCGANs' gradients to their images (1 and 3 channels) at batch 256, as BenchmarkFilterGrad
// does (GFLOP/s of the taps inside x).
func BenchmarkInputGrad(b *testing.B) {
	registerInput(b)
	problems := []problem{
		{x: [4]int64{256, 28, 28, 1}, kh: 5, kw: 5, co: 64, strides: [2]int{2, 2}, padding: "SAME"},
		{x: [4]int64{256, 32, 32, 3}, kh: 5, kw: 5, co: 64, strides: [2]int{2, 2}, padding: "SAME"},
	}
	for _, dtype := range []tf.DataType{tf.Float, tf.Bfloat16} {
		if dtype == tf.Bfloat16 && !convkernel.SupportedInputBFloat16() {
			continue
		}
		for _, p := range problems {
			_, taps := p.geometry()
			d := p.dy()
			rng := rand.New(rand.NewPCG(7, 8))
			w, dy := random(rng, p.kh*p.kw*p.x[3]*p.co), random(rng, d[0]*d[1]*d[2]*d[3])
			for _, form := range []string{"tensorflow", "own"} {
				b.Run(graphs.DTypeName(dtype)+"/"+p.String()+"/"+form, func(b *testing.B) {
					g := graphs.NewGraph(tf.Float, 1)
					s := g.Root()
					// Variables, not constants: grappler would fold the whole gradient away.
					var inits []*tf.Operation
					variable := func(name string, v []float32, shape []int64) tf.Output {
						vs := s.Sub(name)
						h := op.VarHandleOp(vs.Op("VarHandleOp"), dtype, tf.MakeShape(shape...), op.VarHandleOpSharedName(vs.Path()))
						value := vs.CastTo(op.Reshape(vs.Op("Reshape"), vs.Const(v), vs.Const(shape)), dtype)
						inits = append(inits, op.AssignVariableOp(vs.Op("AssignVariableOp"), h, value))
						return op.ReadVariableOp(vs.Op("ReadVariableOp"), h, dtype)
					}
					wv, dyv := variable("w", w, []int64{p.kh, p.kw, p.x[3], p.co}), variable("dy", dy, d[:])
					var out tf.Output
					if form == "own" {
						out = s.OwnConv2DBackpropInput([3]int64{p.x[1], p.x[2], p.x[3]}, wv, dyv, p.strides, p.padding, 0)
					} else {
						out = op.Conv2DBackpropInput(s.Op("Conv2DBackpropInput"), s.Const([]int32{int32(p.x[0]), int32(p.x[1]), int32(p.x[2]), int32(p.x[3])}),
							wv, dyv, []int64{1, int64(p.strides[0]), int64(p.strides[1]), 1}, p.padding)
					}
					if err := s.Err(); err != nil {
						b.Fatal(err)
					}
					sess, err := graphs.NewSession(g, graphs.SessionOptions{})
					if err != nil {
						b.Fatal(err)
					}
					defer sess.Close()
					if _, err := sess.Run(nil, nil, inits...); err != nil {
						b.Fatal(err)
					}
					if _, err := sess.Run(nil, nil, out.Op); err != nil {
						b.Fatal(err)
					}
					for b.Loop() {
						if _, err := sess.Run(nil, nil, out.Op); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(2*taps*p.x[3]*p.co)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			}
		}
	}
}
