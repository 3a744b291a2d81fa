package graphs_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
)

// biasGradient builds y = layer(x, b) in dtype on the CPU, and runs the gradient of
// Σ y·r for b (b and r fed as float32, r cast to dtype), as float32 values.
func biasGradient(t *testing.T, dtype tf.DataType, xShape []int64, b []float32, r *tf.Tensor,
	layer func(s *graphs.Scope, x, b tf.Output) tf.Output) (*graphs.Graph, []float32) {
	t.Helper()
	g := newCPUGraph(tf.Float, 1)
	s := g.Root()
	x := s.Placeholder("x", tf.Float, xShape...)
	bp := s.Placeholder("b", tf.Float, int64(len(b)))
	rs := r.Shape()
	rp := s.Placeholder("r", tf.Float, rs...)
	y := layer(s, s.CastTo(x, dtype), s.CastTo(bp, dtype))
	loss := op.Sum(s.Op("loss"), s.CastTo(op.Mul(s.Op("Mul"), y, s.CastTo(rp, dtype)), tf.Float),
		s.Const([]int32{0, 1, 2, 3}[:len(rs)]))
	grads, err := s.Gradients(loss, []tf.Output{bp})
	if err != nil {
		t.Fatal(err)
	}
	bt, err := graphs.NewTensor(b, int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	xt, err := graphs.NewTensor(make([]float32, product(xShape)), xShape...)
	if err != nil {
		t.Fatal(err)
	}
	out := runConv(t, g, map[tf.Output]*tf.Tensor{x: xt, bp: bt, rp: r}, grads[0])
	return g, graphs.Flat(out[0]).([]float32)
}

func product(v []int64) int64 {
	n := int64(1)
	for _, d := range v {
		n *= d
	}
	return n
}

// bf16Round is v rounded to bfloat16 (to nearest even).
func bf16Round(v float64) float32 {
	b := math.Float32bits(float32(v))
	return math.Float32frombits((b + 0x7FFF + (b>>16)&1) &^ 0xFFFF)
}

// In bfloat16 a bias's gradient is the sum of the output gradient over every axis but the
// last, rounded to bfloat16 once: for Scope.BiasAdd (a Dense layer's 2-D output and a
// 4-D one) and for Conv2DBias (a conv layer's). TensorFlow 2.18's CPU BiasAddGrad sums in
// bfloat16: 12,544 ones would sum to 256 there, and sums of values of mean 0.3 came out
// 70–90% off. In float32 the graphs keep BiasAdd and BiasAddGrad.
func TestBiasGradientSumsInFloat32(t *testing.T) {
	const channels = 16
	bias := make([]float32, channels)
	for i := range bias {
		bias[i] = float32(i) / 8
	}
	dense := func(s *graphs.Scope, x, b tf.Output) tf.Output { return s.BiasAdd(x, b) }
	conv := func(s *graphs.Scope, x, b tf.Output) tf.Output {
		w := s.CastTo(op.Reshape(s.Op("w"), s.Const(make([]float32, 3*3*1*channels)), s.Const([]int32{3, 3, 1, channels})), x.DataType())
		return s.Conv2DBias(x, w, b, [2]int{2, 2}, "SAME")
	}
	for _, c := range []struct {
		name   string
		x, y   []int64 // the layer's input and output shapes
		layer  func(s *graphs.Scope, x, b tf.Output) tf.Output
		biasOp string // the forward op that adds the bias in bfloat16
	}{
		{"dense", []int64{4096, channels}, []int64{4096, channels}, dense, "AddV2"},
		{"4-D", []int64{64, 14, 14, channels}, []int64{64, 14, 14, channels}, dense, "AddV2"},
		{"conv2d", []int64{64, 28, 28, 1}, []int64{64, 14, 14, channels}, conv, "BiasAdd"},
	} {
		rows := product(c.y) / channels
		ones := make([]float32, product(c.y))
		for i := range ones {
			ones[i] = 1
		}
		rng := rand.New(rand.NewPCG(3, uint64(rows)))
		shifted := make([]float32, len(ones))
		for i := range shifted {
			shifted[i] = bf16Round(rng.NormFloat64() + 0.3) // values bfloat16 holds exactly
		}
		for _, in := range []struct {
			name string
			r    []float32
		}{{"ones", ones}, {"normal_mean_0.3", shifted}} {
			t.Run(fmt.Sprintf("%s/%s", c.name, in.name), func(t *testing.T) {
				r, err := graphs.NewTensor(in.r, c.y...)
				if err != nil {
					t.Fatal(err)
				}
				exact := make([]float64, channels)
				for i, v := range in.r {
					exact[i%channels] += float64(v)
				}
				g, got := biasGradient(t, tf.Bfloat16, c.x, bias, r, c.layer)
				for ch, v := range got {
					want := bf16Round(exact[ch])
					// Summed in float32, the sum may round to the neighbour of the exact sum's
					// rounding: one bfloat16 step (2⁻⁷ relative) at most.
					if d := math.Abs(float64(v - want)); d > math.Abs(float64(want))*0x1p-7 {
						t.Fatalf("bias gradient [%d] = %g, want %g (the sum of %d values rounded to bfloat16)", ch, v, want, rows)
					}
					if in.name == "ones" && v != float32(rows) {
						t.Fatalf("bias gradient [%d] = %g, want %d exactly", ch, v, rows)
					}
				}
				if hasOp(g, "BiasAddGrad", "") {
					t.Error("the bfloat16 graph holds a BiasAddGrad")
				}
				if !hasOp(g, c.biasOp, "") {
					t.Errorf("the bfloat16 graph holds no %s", c.biasOp)
				}
				g32, got32 := biasGradient(t, tf.Float, c.x, bias, r, c.layer)
				if !hasOp(g32, "BiasAddGrad", "") {
					t.Error("the float32 graph holds no BiasAddGrad")
				}
				for ch, v := range got32 {
					if d := math.Abs(float64(v) - exact[ch]); d > 1e-4*math.Abs(exact[ch])+1e-3 {
						t.Fatalf("float32 bias gradient [%d] = %g, want %g", ch, v, exact[ch])
					}
				}
			})
		}
	}
}

// On a GPU, TensorFlow's kernels sum in float32, and bfloat16 keeps BiasAdd and its
// BiasAddGrad (the graph is only built here).
func TestBiasAddOnGPUKeepsBiasAdd(t *testing.T) {
	g := graphs.NewGraph(tf.Float, 1)
	g.SetPlatform(gpuPlatform)
	s := g.Root()
	x := s.CastTo(s.Placeholder("x", tf.Float, -1, 8), tf.Bfloat16)
	b := s.Placeholder("b", tf.Float, 8)
	y := s.BiasAdd(x, s.CastTo(b, tf.Bfloat16))
	loss := op.Sum(s.Op("loss"), s.CastTo(y, tf.Float), s.Const([]int32{0, 1}))
	if _, err := s.Gradients(loss, []tf.Output{b}); err != nil {
		t.Fatal(err)
	}
	if !hasOp(g, "BiasAdd", "") || !hasOp(g, "BiasAddGrad", "") || hasOp(g, "AddV2", "BiasAdd") {
		t.Error("want BiasAdd and BiasAddGrad on a GPU")
	}
}
