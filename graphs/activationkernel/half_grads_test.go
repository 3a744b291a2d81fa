package activationkernel_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/graphs/activationkernel"
)

func register(t testing.TB) {
	t.Helper()
	if err := activationkernel.Register(); err != nil {
		t.Fatal(err)
	}
}

// The op name graphs builds is the one this package registers.
func TestOpName(t *testing.T) {
	if activationkernel.OpLeakyReluGrad != graphs.OpLeakyReluGrad {
		t.Fatalf("activationkernel registers %s; graphs builds %s", activationkernel.OpLeakyReluGrad, graphs.OpLeakyReluGrad)
	}
}

// values returns n float32s for dy or y: normal draws over many magnitudes, with zeros of
// both signs, infinities, a NaN, subnormals and values that round up to the next power
// of two in the 16-bit types sprinkled in.
func values(rng *rand.Rand, n int) []float32 {
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()),
		1e-40, -1e-40, 6e-8, -6e-8, 65504, -65504, 3.3895e38, 1.00390625, 0.99999994}
	v := make([]float32, n)
	for i := range v {
		if rng.IntN(8) == 0 {
			v[i] = special[rng.IntN(len(special))]
			continue
		}
		v[i] = float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(9)-4)))
	}
	return v
}

// seluConstants are SELU's scale and scale·alpha as TensorFlow's kernels write them, in
// the 16-bit type as they round them (from float32).
func seluConstants(s *graphs.Scope, dt tf.DataType) (scale, scaleAlpha tf.Output) {
	return s.CastTo(s.Const(float32(1.0507009873554804934193349852946)), dt),
		s.CastTo(s.Const(float32(1.7580993408473768599402175208123)), dt)
}

// Each kernel's backprops are its TensorFlow counterpart's bit for bit, in bfloat16 and
// float16: over shapes around the vector widths, LeakyReLU's slopes below, at and above 1,
// and special values (NaN included) among the gradients and outputs.
func TestHalfGradsMatchTensorFlow(t *testing.T) {
	register(t)
	shapes := [][]int64{{}, {0}, {1}, {7}, {15}, {16}, {17}, {31}, {33}, {1000}, {3, 5, 7}, {2, 0, 3}, {4, 14, 14, 8}}
	type build func(s, hs *graphs.Scope, dy, y tf.Output) (tensorflow, own tf.Output)
	leaky := func(alpha float64) build {
		return func(s, hs *graphs.Scope, dy, y tf.Output) (tf.Output, tf.Output) {
			return op.LeakyReluGrad(s.Op("LeakyReluGrad"), dy, y, op.LeakyReluGradAlpha(float32(alpha))), hs.LeakyReluGrad(dy, y, alpha, true)
		}
	}
	cases := []struct {
		name  string
		build build
	}{
		{"leaky_relu_alpha=0.2", leaky(0.2)}, {"leaky_relu_alpha=0.01", leaky(0.01)}, {"leaky_relu_alpha=0.3", leaky(0.3)},
		{"leaky_relu_alpha=1", leaky(1)}, {"leaky_relu_alpha=1.7", leaky(1.7)},
		{"elu", func(s, hs *graphs.Scope, dy, y tf.Output) (tf.Output, tf.Output) {
			return op.EluGrad(s.Op("EluGrad"), dy, y), s.OwnOp(graphs.OpEluGrad, dy, y)
		}},
		{"selu", func(s, hs *graphs.Scope, dy, y tf.Output) (tf.Output, tf.Output) {
			scale, scaleAlpha := seluConstants(hs, y.DataType())
			return op.SeluGrad(s.Op("SeluGrad"), dy, y), s.OwnOp(graphs.OpSeluGrad, dy, y, scale, scaleAlpha)
		}},
	}
	rng := rand.New(rand.NewPCG(2, 6))
	for _, dtype := range []tf.DataType{tf.Bfloat16, tf.Half} {
		for _, c := range cases {
			t.Run(graphs.DTypeName(dtype)+"/"+c.name, func(t *testing.T) {
				g := graphs.NewGraph(tf.Float, 1)
				s := g.Root()
				// Placeholders of any shape (graphs' Placeholder without dimensions is a scalar).
				dyIn, yIn := op.Placeholder(s.Op("dy"), tf.Float), op.Placeholder(s.Op("y"), tf.Float)
				hs := s.WithDType(dtype)
				tfOut, own := c.build(s, hs, hs.CastTo(dyIn, dtype), hs.CastTo(yIn, dtype))
				if err := s.Err(); err != nil {
					t.Fatal(err)
				}
				if !graphs.IsOwnOp(own.Op.Type()) {
					t.Fatalf("the kernel side built %s, not one of tfrun's own ops", own.Op.Type())
				}
				fetch := []tf.Output{s.CastTo(own, tf.Float), s.CastTo(tfOut, tf.Float)}
				sess, err := graphs.NewSession(g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
				if err != nil {
					t.Fatal(err)
				}
				defer sess.Close()
				nonPositive := 0
				for _, shape := range shapes {
					n := 1
					for _, d := range shape {
						n *= int(d)
					}
					dyv, yv := values(rng, n), values(rng, n)
					dyt, err := graphs.NewTensor(dyv, shape...)
					if err != nil {
						t.Fatal(err)
					}
					yt, err := graphs.NewTensor(yv, shape...)
					if err != nil {
						t.Fatal(err)
					}
					out, err := sess.Run(map[tf.Output]*tf.Tensor{dyIn: dyt, yIn: yt}, fetch)
					if err != nil {
						t.Fatal(err)
					}
					if got, want := out[0].Shape(), out[1].Shape(); fmt.Sprint(got) != fmt.Sprint(want) {
						t.Fatalf("shape %v: backprops of shape %v, TensorFlow's %v", shape, got, want)
					}
					got, want := graphs.Float64s(out[0]), graphs.Float64s(out[1])
					for i := range want {
						if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
							t.Fatalf("shape %v: backprops[%d] = %g, TensorFlow's %g (dy %g, y %g)", shape, i, got[i], want[i], dyv[i], yv[i])
						}
						if yv[i] < 0 && dyv[i] != 0 && !math.IsInf(float64(yv[i]), 0) {
							nonPositive++
						}
					}
				}
				// The comparison is not vacuous: many outputs took the y < 0 branch.
				if nonPositive < 500 {
					t.Errorf("only %d negative outputs with a nonzero gradient", nonPositive)
				}
			})
		}
	}
}

// Bad inputs fail the run with a message naming the op and what is wrong.
func TestHalfGradsBadInputs(t *testing.T) {
	register(t)
	g := graphs.NewGraph(tf.Float, 1)
	s := g.Root()
	in := make([]tf.Output, 4) // dy, y, then the scalars
	bf := s.WithDType(tf.Bfloat16)
	cast := make([]tf.Output, len(in))
	for i := range in {
		in[i] = op.Placeholder(s.Op(fmt.Sprint("in", i)), tf.Float)
		cast[i] = bf.CastTo(in[i], tf.Bfloat16)
	}
	leaky := s.OwnOp(graphs.OpLeakyReluGrad, cast[:3]...)
	selu := s.OwnOp(graphs.OpSeluGrad, cast...)
	elu := s.OwnOp(graphs.OpEluGrad, cast[:2]...)
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	sess, err := graphs.NewSession(g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	tensor := func(v any) *tf.Tensor {
		tt, err := tf.NewTensor(v)
		if err != nil {
			t.Fatal(err)
		}
		return tt
	}
	ones := make([]int64, 65) // a 65-dimensional tensor of one value
	for i := range ones {
		ones[i] = 1
	}
	deep, err := graphs.NewTensor([]float32{1}, ones...)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		out    tf.Output
		inputs []any
		want   string
	}{
		{"shapes differ", leaky, []any{[]float32{1, 2, 3}, []float32{1, 2}, float32(0.2)}, graphs.OpLeakyReluGrad + ": gradients and outputs must have the same shape"},
		{"ranks differ", elu, []any{[][]float32{{1, 2}}, []float32{1, 2}}, graphs.OpEluGrad + ": gradients and outputs must have the same shape"},
		{"alpha not a scalar", leaky, []any{[]float32{1}, []float32{1}, []float32{0.2, 0.3}}, graphs.OpLeakyReluGrad + ": alpha must be a scalar"},
		{"scale not a scalar", selu, []any{[]float32{1}, []float32{1}, []float32{1, 1}, float32(1.7)}, graphs.OpSeluGrad + ": scale and scale_alpha must be scalars"},
		{"65 dimensions", elu, []any{deep, deep}, graphs.OpEluGrad + ": gradients have more than 64 dimensions"},
	} {
		t.Run(c.name, func(t *testing.T) {
			feeds := map[tf.Output]*tf.Tensor{}
			for i, v := range c.inputs {
				if tt, ok := v.(*tf.Tensor); ok {
					feeds[in[i]] = tt
				} else {
					feeds[in[i]] = tensor(v)
				}
			}
			_, err := sess.Run(feeds, []tf.Output{c.out})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

// BenchmarkHalfGrads times the gradients of LeakyReLU, ELU and SELU on dcgan_mnist's
// largest activation ([256, 14, 14, 64]) on one intra-op thread: TensorFlow's kernel,
// tfrun's, and for LeakyReLU the three element-wise ops tfrun builds with
// TFRUN_CUSTOM_KERNELS=0 (builders' ELU and SELU forms, not reachable from here, took 2.6
// and 4.6–4.8 ms in bfloat16 on the Zen 5 where they were written).
//
//	go test -run '^$' -bench HalfGrads ./graphs/activationkernel
func BenchmarkHalfGrads(b *testing.B) {
	register(b)
	shape := []int64{256, 14, 14, 64}
	forms := []struct {
		name  string
		build func(s *graphs.Scope, dy, y tf.Output) tf.Output
	}{
		{"leaky_relu/tensorflow", func(s *graphs.Scope, dy, y tf.Output) tf.Output {
			return op.LeakyReluGrad(s.Op("LeakyReluGrad"), dy, y, op.LeakyReluGradAlpha(0.2))
		}},
		{"leaky_relu/three_ops", func(s *graphs.Scope, dy, y tf.Output) tf.Output { return s.LeakyReluGrad(dy, y, 0.2, false) }},
		{"leaky_relu/kernel", func(s *graphs.Scope, dy, y tf.Output) tf.Output { return s.LeakyReluGrad(dy, y, 0.2, true) }},
		{"elu/tensorflow", func(s *graphs.Scope, dy, y tf.Output) tf.Output { return op.EluGrad(s.Op("EluGrad"), dy, y) }},
		{"elu/kernel", func(s *graphs.Scope, dy, y tf.Output) tf.Output { return s.OwnOp(graphs.OpEluGrad, dy, y) }},
		{"selu/tensorflow", func(s *graphs.Scope, dy, y tf.Output) tf.Output { return op.SeluGrad(s.Op("SeluGrad"), dy, y) }},
		{"selu/kernel", func(s *graphs.Scope, dy, y tf.Output) tf.Output {
			scale, scaleAlpha := seluConstants(s, y.DataType())
			return s.OwnOp(graphs.OpSeluGrad, dy, y, scale, scaleAlpha)
		}},
	}
	for _, dtype := range []tf.DataType{tf.Bfloat16, tf.Half} {
		for _, f := range forms {
			b.Run(graphs.DTypeName(dtype)+"/"+f.name, func(b *testing.B) {
				g := graphs.NewGraph(tf.Float, 1)
				s := g.Root().WithDType(dtype)
				rng := rand.New(rand.NewPCG(1, 2))
				feeds := map[tf.Output]*tf.Tensor{}
				var in [2]tf.Output
				for i := range in {
					// graft makes no bfloat16 or float16 tensors: the bits go in as uint16
					// and a Bitcast, which copies nothing, gives them their type.
					bits := s.Placeholder(fmt.Sprint("in", i), tf.Uint16, shape...)
					feeds[bits] = halfTensor(b, rng, dtype, shape)
					in[i] = op.Bitcast(s.Op("Bitcast"), bits, dtype)
				}
				out := f.build(s, in[0], in[1])
				if err := s.Err(); err != nil {
					b.Fatal(err)
				}
				sess, err := graphs.NewSession(g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
				if err != nil {
					b.Fatal(err)
				}
				defer sess.Close()
				for b.Loop() {
					if _, err := sess.Run(feeds, nil, out.Op); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// halfTensor is a uint16 tensor holding the bits of bfloat16 or float16 standard normal
// draws (bfloat16 by truncation, float16 by truncation with values below its normal range
// flushed to zero).
func halfTensor(b *testing.B, rng *rand.Rand, dtype tf.DataType, shape []int64) *tf.Tensor {
	n := 1
	for _, d := range shape {
		n *= int(d)
	}
	raw := make([]uint16, n)
	for i := 0; i < n; i++ {
		bits := math.Float32bits(float32(rng.NormFloat64()))
		var h uint16
		if dtype == tf.Bfloat16 {
			h = uint16(bits >> 16)
		} else if exp := int(bits>>23&0xFF) - 127 + 15; exp > 0 {
			h = uint16(bits>>16&0x8000 | uint32(exp)<<10 | bits>>13&0x3FF)
		}
		raw[i] = h
	}
	t, err := tf.NewTensor(raw)
	if err == nil {
		err = t.Reshape(shape)
	}
	if err != nil {
		b.Fatal(err)
	}
	return t
}
