package dropoutkernel_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/graphs/dropoutkernel"
)

func register(t testing.TB) {
	t.Helper()
	if err := dropoutkernel.Register(); err != nil {
		t.Fatal(err)
	}
}

// The op name graphs builds is the one this package registers.
func TestOpName(t *testing.T) {
	if dropoutkernel.OpMask != graphs.OpDropoutMask {
		t.Fatalf("dropoutkernel registers %s; graphs builds %s", dropoutkernel.OpMask, graphs.OpDropoutMask)
	}
}

// maskGraph is one graph computing a mask both ways from fed shape, key and counter:
// TensorFlow's StatelessRandomUniformV2 (float32, cast to the mask's type), GreaterEqual,
// Cast and Mul, and the kernel.
type maskGraph struct {
	g                   *graphs.Graph
	shape, key, counter tf.Output
	tensorflow, ownMask tf.Output
}

func newMaskGraph(t testing.TB, dtype tf.DataType, rate float64) *maskGraph {
	t.Helper()
	g := graphs.NewGraph(tf.Float, 1)
	s := g.Root()
	m := &maskGraph{g: g,
		shape:   s.Placeholder("shape", tf.Int32, -1),
		key:     s.Placeholder("key", tf.Uint64, 1),
		counter: s.Placeholder("counter", tf.Uint64, 2),
	}
	u := op.StatelessRandomUniformV2(s.Op("StatelessRandomUniformV2"), m.shape, m.key, m.counter, s.Const(int32(1)))
	ms := s.WithDType(dtype)
	m.tensorflow = ms.CastTo(ms.KeepMask(ms.CastTo(u, dtype), rate), tf.Float)
	o := s.Op(graphs.OpDropoutMask).AddOperation(tf.OpSpec{Type: graphs.OpDropoutMask,
		Input: []tf.Input{m.shape, m.key, m.counter, ms.Scalar(rate), ms.Scalar(1 / (1 - rate))}})
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	m.ownMask = ms.CastTo(op.Reshape(s.Op("Reshape"), o.Output(0), m.shape), tf.Float)
	return m
}

// run feeds shape, key and counter and returns both masks as float32s (exact for
// bfloat16), or the run's error.
func (m *maskGraph) run(sess *graphs.Session, shape []int32, key uint64, counter [2]uint64, fetchTF bool) (own, want []float32, err error) {
	st, err := tf.NewTensor(shape)
	if err != nil {
		return nil, nil, err
	}
	kt, err := tf.NewTensor([]uint64{key})
	if err != nil {
		return nil, nil, err
	}
	ct, err := tf.NewTensor(counter[:])
	if err != nil {
		return nil, nil, err
	}
	feeds := map[tf.Output]*tf.Tensor{m.shape: st, m.key: kt, m.counter: ct}
	fetch := []tf.Output{op.Reshape(m.g.Root().Op("Reshape"), m.ownMask, m.g.Root().Const([]int32{-1}))}
	if fetchTF {
		fetch = append(fetch, op.Reshape(m.g.Root().Op("Reshape"), m.tensorflow, m.g.Root().Const([]int32{-1})))
	}
	out, err := sess.Run(feeds, fetch)
	if err != nil {
		return nil, nil, err
	}
	own = graphs.Value(out[0]).([]float32)
	if fetchTF {
		want = graphs.Value(out[1]).([]float32)
	}
	return own, want, nil
}

// The kernel's mask is TensorFlow's bit for bit: the draws, the comparison (in bfloat16
// after rounding the draws, for a bfloat16 mask) and the scale, at sizes around Philox's
// 4-value blocks and the kernel's 4,096-value chunks, shapes of several axes, counters
// whose low word carries into the high one within the mask, rates near 0 and 1, and rates
// 0 and below (everything kept).
func TestMaskMatchesTensorFlow(t *testing.T) {
	register(t)
	shapes := [][]int32{{0}, {1}, {3}, {4}, {5}, {7}, {63}, {64}, {65}, {1000}, {4095}, {4096}, {4097}, {3, 5, 7}, {2, 0, 3}, {17, 4099}}
	counters := [][2]uint64{{0, 0}, {0, 12}, {1<<32 - 3, 5}, {math.MaxUint64 - 9, 41}, {math.MaxUint64, math.MaxUint64}}
	rng := rand.New(rand.NewPCG(4, 2))
	for _, dtype := range []tf.DataType{tf.Float, tf.Bfloat16} {
		for _, rate := range []float64{0.3, 0.5, 1e-7, 0.999, 0, -0.5} {
			t.Run(fmt.Sprintf("%s/rate=%g", graphs.DTypeName(dtype), rate), func(t *testing.T) {
				m := newMaskGraph(t, dtype, rate)
				sess, err := graphs.NewSession(m.g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
				if err != nil {
					t.Fatal(err)
				}
				defer sess.Close()
				kept, total := 0, 0
				for _, shape := range shapes {
					for _, counter := range counters {
						key := rng.Uint64()
						own, want, err := m.run(sess, shape, key, counter, true)
						if err != nil {
							t.Fatal(err)
						}
						if len(own) != len(want) {
							t.Fatalf("shape %v: %d values, TensorFlow's %d", shape, len(own), len(want))
						}
						for i := range want {
							if math.Float32bits(own[i]) != math.Float32bits(want[i]) {
								t.Fatalf("shape %v key %#x counter %v: mask[%d] = %g, TensorFlow's %g", shape, key, counter, i, own[i], want[i])
							}
							if want[i] != 0 {
								kept++
							}
						}
						total += len(want)
					}
				}
				// The comparison is not vacuous: at rate 0.3 about 70% are kept.
				if rate == 0.3 && math.Abs(float64(kept)/float64(total)-0.7) > 0.02 {
					t.Errorf("%d of %d kept at rate 0.3", kept, total)
				}
			})
		}
	}
}

// A NaN rate, of either sign, keeps nothing in float32 and bfloat16, as a comparison with
// NaN is false. (TensorFlow's ops give NaN there, 0 times the NaN scale: not compared.)
func TestMaskNaNRate(t *testing.T) {
	register(t)
	for _, dtype := range []tf.DataType{tf.Float, tf.Bfloat16} {
		for _, rate := range []float64{math.NaN(), math.Float64frombits(0xFFF8000000000000)} {
			m := newMaskGraph(t, dtype, rate)
			sess, err := graphs.NewSession(m.g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
			if err != nil {
				t.Fatal(err)
			}
			own, _, err := m.run(sess, []int32{1000}, 7, [2]uint64{3, 0}, false)
			sess.Close()
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range own {
				if v != 0 {
					t.Fatalf("%s, rate %v (sign bit %v): mask[%d] = %g, want 0", graphs.DTypeName(dtype), rate, math.Signbit(rate), i, v)
				}
			}
		}
	}
}

// Bad inputs fail the run with a message naming the input, and no mask.
func TestMaskBadInputs(t *testing.T) {
	register(t)
	g := graphs.NewGraph(tf.Float, 1)
	s := g.Root()
	mask := func(shape, key, counter tf.Output) tf.Output {
		o := s.Op(graphs.OpDropoutMask).AddOperation(tf.OpSpec{Type: graphs.OpDropoutMask,
			Input: []tf.Input{shape, key, counter, s.Scalar(0.3), s.Scalar(1 / 0.7)}})
		return o.Output(0)
	}
	shape := s.Placeholder("shape", tf.Int32)
	key := s.Placeholder("key", tf.Uint64)
	counter := s.Placeholder("counter", tf.Uint64)
	out := mask(shape, key, counter)
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
	for _, c := range []struct {
		name                string
		shape, key, counter any
		want                string
	}{
		{"negative size", []int32{4, -2}, []uint64{1}, []uint64{0, 0}, "shape[1] is -2, a negative size"},
		{"shape not a vector", [][]int32{{4}}, []uint64{1}, []uint64{0, 0}, "shape must be an int32 vector"},
		{"two keys", []int32{4}, []uint64{1, 2}, []uint64{0, 0}, "key must be 1 uint64 values, got 2"},
		{"short counter", []int32{4}, []uint64{1}, []uint64{0}, "counter must be 2 uint64 values, got 1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := sess.Run(map[tf.Output]*tf.Tensor{shape: tensor(c.shape), key: tensor(c.key), counter: tensor(c.counter)}, []tf.Output{out})
			if err == nil || !strings.Contains(err.Error(), graphs.OpDropoutMask+": "+c.want) {
				t.Fatalf("error %v, want one containing %q", err, graphs.OpDropoutMask+": "+c.want)
			}
		})
	}
}

// BenchmarkMask times the mask of imdb_tuned's Embedding Dropout ([512, 200, 64]) both
// ways on one intra-op thread, as the model's session runs it.
//
//	go test -run '^$' -bench Mask ./graphs/dropoutkernel
func BenchmarkMask(b *testing.B) {
	register(b)
	for _, dtype := range []tf.DataType{tf.Float, tf.Bfloat16} {
		for _, form := range []string{"tensorflow", "kernel"} {
			b.Run(graphs.DTypeName(dtype)+"/"+form, func(b *testing.B) {
				m := newMaskGraph(b, dtype, 0.3)
				sess, err := graphs.NewSession(m.g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
				if err != nil {
					b.Fatal(err)
				}
				defer sess.Close()
				s := m.g.Root()
				target := m.ownMask
				if form == "tensorflow" {
					target = m.tensorflow
				}
				sum := op.Sum(s.Op("Sum"), target, s.Const([]int32{0, 1, 2}))
				feeds := map[tf.Output]*tf.Tensor{}
				for o, v := range map[tf.Output]any{m.shape: []int32{512, 200, 64}, m.key: []uint64{7}, m.counter: []uint64{0, 3}} {
					tt, err := tf.NewTensor(v)
					if err != nil {
						b.Fatal(err)
					}
					feeds[o] = tt
				}
				b.ResetTimer()
				for range b.N {
					if _, err := sess.Run(feeds, []tf.Output{sum}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
