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

// gradGraph computes LeakyReluGrad both ways from fed float32 dy and y, cast to dtype:
// TensorFlow's kernel and tfrun's, both cast back to float32 (exact).
type gradGraph struct {
	g                   *graphs.Graph
	dy, y               tf.Output
	tensorflow, ownGrad tf.Output
}

func newGradGraph(t testing.TB, dtype tf.DataType, alpha float64) *gradGraph {
	t.Helper()
	g := graphs.NewGraph(tf.Float, 1)
	s := g.Root()
	// Placeholders of any shape (graphs' Placeholder without dimensions is a scalar).
	m := &gradGraph{g: g, dy: op.Placeholder(s.Op("dy"), tf.Float), y: op.Placeholder(s.Op("y"), tf.Float)}
	hs := s.WithDType(dtype)
	dy, y := hs.CastTo(m.dy, dtype), hs.CastTo(m.y, dtype)
	m.tensorflow = s.CastTo(op.LeakyReluGrad(s.Op("LeakyReluGrad"), dy, y, op.LeakyReluGradAlpha(float32(alpha))), tf.Float)
	own := hs.LeakyReluGrad(dy, y, alpha, true)
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	if own.Op.Type() != graphs.OpLeakyReluGrad {
		t.Fatalf("Scope.LeakyReluGrad built %s, want %s", own.Op.Type(), graphs.OpLeakyReluGrad)
	}
	m.ownGrad = s.CastTo(own, tf.Float)
	return m
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

// The kernel's backprops are TensorFlow's bit for bit, in bfloat16 and float16, over
// shapes around the vector widths, slopes below, at and above 1, and special values.
func TestLeakyReluGradMatchesTensorFlow(t *testing.T) {
	register(t)
	shapes := [][]int64{{}, {0}, {1}, {7}, {15}, {16}, {17}, {31}, {33}, {1000}, {3, 5, 7}, {2, 0, 3}, {4, 14, 14, 8}}
	rng := rand.New(rand.NewPCG(2, 6))
	for _, dtype := range []tf.DataType{tf.Bfloat16, tf.Half} {
		for _, alpha := range []float64{0.2, 0.01, 0.3, 1, 1.7} {
			t.Run(fmt.Sprintf("%s/alpha=%g", graphs.DTypeName(dtype), alpha), func(t *testing.T) {
				m := newGradGraph(t, dtype, alpha)
				sess, err := graphs.NewSession(m.g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
				if err != nil {
					t.Fatal(err)
				}
				defer sess.Close()
				scaled := 0
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
					out, err := sess.Run(map[tf.Output]*tf.Tensor{m.dy: dyt, m.y: yt}, []tf.Output{m.ownGrad, m.tensorflow})
					if err != nil {
						t.Fatal(err)
					}
					if got, want := out[0].Shape(), out[1].Shape(); fmt.Sprint(got) != fmt.Sprint(want) {
						t.Fatalf("shape %v: backprops of shape %v, TensorFlow's %v", shape, got, want)
					}
					own, want := graphs.Float64s(out[0]), graphs.Float64s(out[1])
					for i := range want {
						if math.Float64bits(own[i]) != math.Float64bits(want[i]) {
							t.Fatalf("shape %v: backprops[%d] = %g, TensorFlow's %g (dy %g, y %g)", shape, i, own[i], want[i], dyv[i], yv[i])
						}
						if yv[i] <= 0 && own[i] != 0 && !math.IsInf(own[i], 0) && !math.IsNaN(own[i]) {
							scaled++
						}
					}
				}
				// The comparison is not vacuous: many values took the scaled branch.
				if scaled < 500 {
					t.Errorf("only %d backprops were scaled by alpha", scaled)
				}
			})
		}
	}
}

// seluConstants are SELU's scale and scale·alpha as TensorFlow's kernels write them, in
// the 16-bit type as they round them (from float32).
func seluConstants(s *graphs.Scope, dt tf.DataType) (scale, scaleAlpha tf.Output) {
	return s.CastTo(s.Const(float32(1.0507009873554804934193349852946)), dt),
		s.CastTo(s.Const(float32(1.7580993408473768599402175208123)), dt)
}

// The ELU and SELU kernels' backprops are TensorFlow's EluGrad's and SeluGrad's bit for
// bit, in bfloat16 and float16, NaN outputs included, over the same values as LeakyReLU's.
func TestEluSeluGradMatchesTensorFlow(t *testing.T) {
	register(t)
	shapes := [][]int64{{}, {0}, {1}, {17}, {33}, {1000}, {3, 5, 7}, {4, 14, 14, 8}}
	rng := rand.New(rand.NewPCG(5, 9))
	for _, dtype := range []tf.DataType{tf.Bfloat16, tf.Half} {
		for _, name := range []string{"elu", "selu"} {
			t.Run(graphs.DTypeName(dtype)+"/"+name, func(t *testing.T) {
				g := graphs.NewGraph(tf.Float, 1)
				s := g.Root()
				dyIn, yIn := op.Placeholder(s.Op("dy"), tf.Float), op.Placeholder(s.Op("y"), tf.Float)
				hs := s.WithDType(dtype)
				dy, y := hs.CastTo(dyIn, dtype), hs.CastTo(yIn, dtype)
				var want, own tf.Output
				if name == "elu" {
					want, own = op.EluGrad(s.Op("EluGrad"), dy, y), s.OwnOp(graphs.OpEluGrad, dy, y)
				} else {
					scale, scaleAlpha := seluConstants(hs, dtype)
					want, own = op.SeluGrad(s.Op("SeluGrad"), dy, y), s.OwnOp(graphs.OpSeluGrad, dy, y, scale, scaleAlpha)
				}
				fetch := []tf.Output{s.CastTo(own, tf.Float), s.CastTo(want, tf.Float)}
				if err := s.Err(); err != nil {
					t.Fatal(err)
				}
				sess, err := graphs.NewSession(g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
				if err != nil {
					t.Fatal(err)
				}
				defer sess.Close()
				negative := 0
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
					got, ref := graphs.Float64s(out[0]), graphs.Float64s(out[1])
					for i := range ref {
						if math.Float64bits(got[i]) != math.Float64bits(ref[i]) {
							t.Fatalf("shape %v: backprops[%d] = %g, TensorFlow's %g (dy %g, y %g)", shape, i, got[i], ref[i], dyv[i], yv[i])
						}
						if yv[i] < 0 && !math.IsInf(float64(yv[i]), 0) {
							negative++
						}
					}
				}
				// The comparison is not vacuous: many outputs took the y < 0 branch.
				if negative < 500 {
					t.Errorf("only %d negative outputs", negative)
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

// BenchmarkLeakyReluGrad times the gradient of dcgan_mnist's largest LeakyReLU
// ([256, 14, 14, 64]) three ways on one intra-op thread: TensorFlow's LeakyReluGrad,
// dy·max(sign(y), alpha) in three ops (where the kernel is not used) and the kernel.
//
//	go test -run '^$' -bench LeakyReluGrad ./graphs/activationkernel
func BenchmarkLeakyReluGrad(b *testing.B) {
	register(b)
	shape := []int64{256, 14, 14, 64}
	for _, dtype := range []tf.DataType{tf.Bfloat16, tf.Half} {
		for _, form := range []string{"tensorflow", "three_ops", "kernel"} {
			b.Run(graphs.DTypeName(dtype)+"/"+form, func(b *testing.B) {
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
				var out tf.Output
				switch form {
				case "tensorflow":
					out = op.LeakyReluGrad(s.Op("LeakyReluGrad"), in[0], in[1], op.LeakyReluGradAlpha(0.2))
				default:
					out = s.LeakyReluGrad(in[0], in[1], 0.2, form == "kernel")
				}
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

// BenchmarkHalfGrads times ELU's and SELU's gradients on [256, 14, 14, 64], TensorFlow's
// kernel against tfrun's, on one intra-op thread (builders' element-wise forms, used with
// TFRUN_CUSTOM_KERNELS=0, took 2.6 and 4.6–4.8 ms in bfloat16 on the Zen 5 where they were
// written).
//
//	go test -run '^$' -bench HalfGrads ./graphs/activationkernel
func BenchmarkHalfGrads(b *testing.B) {
	register(b)
	shape := []int64{256, 14, 14, 64}
	for _, dtype := range []tf.DataType{tf.Bfloat16, tf.Half} {
		for _, name := range []string{"elu", "selu"} {
			for _, form := range []string{"tensorflow", "kernel"} {
				b.Run(graphs.DTypeName(dtype)+"/"+name+"/"+form, func(b *testing.B) {
					g := graphs.NewGraph(tf.Float, 1)
					s := g.Root().WithDType(dtype)
					rng := rand.New(rand.NewPCG(1, 2))
					feeds := map[tf.Output]*tf.Tensor{}
					var in [2]tf.Output
					for i := range in {
						bits := s.Placeholder(fmt.Sprint("in", i), tf.Uint16, shape...)
						feeds[bits] = halfTensor(b, rng, dtype, shape)
						in[i] = op.Bitcast(s.Op("Bitcast"), bits, dtype)
					}
					var out tf.Output
					switch {
					case name == "elu" && form == "tensorflow":
						out = op.EluGrad(s.Op("EluGrad"), in[0], in[1])
					case name == "elu":
						out = s.OwnOp(graphs.OpEluGrad, in[0], in[1])
					case form == "tensorflow":
						out = op.SeluGrad(s.Op("SeluGrad"), in[0], in[1])
					default:
						scale, scaleAlpha := seluConstants(s, dtype)
						out = s.OwnOp(graphs.OpSeluGrad, in[0], in[1], scale, scaleAlpha)
					}
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
}
