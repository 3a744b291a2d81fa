package lstmkernel_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/graphs/lstmkernel"
	"github.com/tfrun/tfrun/internal/gradcheck"
)

func register(t testing.TB) {
	t.Helper()
	if err := lstmkernel.Register(); err != nil {
		t.Fatal(err)
	}
}

// The op names graphs builds are the ones this package registers.
func TestOpNames(t *testing.T) {
	if lstmkernel.OpCell != graphs.OpLSTMCell || lstmkernel.OpCellGrad != graphs.OpLSTMCellGrad {
		t.Fatalf("lstmkernel registers %s, %s; graphs builds %s, %s", lstmkernel.OpCell, lstmkernel.OpCellGrad, graphs.OpLSTMCell, graphs.OpLSTMCellGrad)
	}
}

// The kernels against finite differences, through CustomGradient (float32, the kernels'
// widest type; tolerances as for BlockLSTMV2's check in graphs), with every step's h as
// the result and with the last step's only.
func TestKernelLSTMGradientNumeric(t *testing.T) {
	register(t)
	const steps, batch, in, units = 4, 3, 2, 3
	for _, sequences := range []bool{true, false} {
		t.Run(fmt.Sprintf("sequences=%v", sequences), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(2, 1))
			ps := []gradcheck.Param{
				gradcheck.Random("x", rng, 1, batch, steps, in),
				gradcheck.Random("w", rng, 0.5, in+units, 4*units),
				gradcheck.Random("b", rng, 0.5, 4*units),
			}
			shape := []int64{batch, units}
			if sequences {
				shape = []int64{batch, steps, units}
			}
			worst, err := gradcheck.Check(ps, func(s *graphs.Scope, in []tf.Output) tf.Output {
				h := s.KernelLSTM(in[0], in[1], in[2], steps, units, sequences)
				return gradcheck.Project(s, h, shape, 7)
			}, gradcheck.Options{DType: tf.Float, Step: 1e-2, RelTol: 2e-2, AbsTol: 1e-3})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("worst relative error %.2g", worst)
		})
	}
}

// lstmCase is one shape the kernels are compared with the unrolled cell at.
type lstmCase struct {
	steps, batch, in, units int
}

// The kernels' outputs and gradients equal the unrolled cell's (TensorFlow's Sigmoid,
// Tanh, Mul, ...), in float32 and in bfloat16. Units of 1, 3 and 37 run the row loops'
// vector remainders; one step has no recurrent product.
func TestKernelLSTMMatchesUnrolled(t *testing.T) {
	register(t)
	cases := []lstmCase{{4, 3, 2, 3}, {1, 2, 3, 1}, {6, 5, 4, 37}, {3, 17, 8, 16}}
	types := []struct {
		dtype tf.DataType
		tol   float64 // relative to 1+|reference|
	}{{tf.Float, 2e-5}, {tf.Bfloat16, 4e-2}}
	for _, dt := range types {
		for _, c := range cases {
			for _, sequences := range []bool{true, false} {
				t.Run(fmt.Sprintf("%v/%d×%d×%d→%d/sequences=%v", dt.dtype, c.steps, c.batch, c.in, c.units, sequences), func(t *testing.T) {
					got, want, err := runBoth(c, dt.dtype, 3, sequences)
					if err != nil {
						t.Fatal(err)
					}
					names := []string{"h", "dx", "dw", "db"}
					worst := 0.0
					for k := range got {
						a, b := got[k], want[k]
						if len(a) != len(b) || len(a) == 0 {
							t.Fatalf("%s: %d vs %d values", names[k], len(a), len(b))
						}
						for i := range a {
							d := math.Abs(a[i]-b[i]) / (1 + math.Abs(b[i]))
							worst = max(worst, d)
							if !(d <= dt.tol) {
								t.Fatalf("%s[%d]: kernel %.7g, unrolled %.7g", names[k], i, a[i], b[i])
							}
						}
					}
					t.Logf("worst difference %.2g", worst)
				})
			}
		}
	}
}

// runBoth builds one graph with the kernel LSTM and the unrolled one on the same random
// batch-major inputs (drawn from seed; float32 placeholders cast to dtype) and returns each
// one's h (every step's, or the last one's: sequences) and gradients of x, w and b as
// float64s, the loss a projection of h plus the last step's squares. The unrolled cell
// takes x transposed to time-major, and its h is transposed back.
func runBoth(c lstmCase, dtype tf.DataType, seed uint64, sequences bool) (got, want [][]float64, err error) {
	rng := rand.New(rand.NewPCG(uint64(c.units), seed))
	ps := []gradcheck.Param{
		gradcheck.Random("x", rng, 1, int64(c.batch), int64(c.steps), int64(c.in)),
		gradcheck.Random("w", rng, 0.5, int64(c.in+c.units), int64(4*c.units)),
		gradcheck.Random("b", rng, 0.5, int64(4*c.units)),
	}
	g := graphs.NewGraph(tf.Float, 1)
	s := g.Root()
	in := make([]tf.Output, len(ps))
	cast := make([]tf.Output, len(ps))
	feeds := map[tf.Output]*tf.Tensor{}
	for i, p := range ps {
		in[i] = s.Placeholder(p.Name, tf.Float, p.Shape...)
		cast[i] = s.CastTo(in[i], dtype)
		v := make([]float32, len(p.Values))
		for k, x := range p.Values {
			v[k] = float32(x)
		}
		tt, err := graphs.NewTensor(v, p.Shape...)
		if err != nil {
			return nil, nil, err
		}
		feeds[in[i]] = tt
	}
	shape := []int64{int64(c.batch), int64(c.units)}
	if sequences {
		shape = []int64{int64(c.batch), int64(c.steps), int64(c.units)}
	}
	loss := func(h tf.Output) tf.Output {
		h = s.CastTo(h, tf.Float)
		hl := h
		if sequences {
			hl = op.GatherV2(s.Op("GatherV2"), h, s.Const(int32(c.steps-1)), s.Const(int32(1)))
		}
		return op.AddV2(s.Op("AddV2"), gradcheck.Project(s, h, shape, 5), op.Sum(s.Op("Sum"), op.Square(s.Op("Square"), hl), s.Const([]int32{0, 1})))
	}
	perm := s.Const([]int32{1, 0, 2})
	hk := s.KernelLSTM(cast[0], cast[1], cast[2], c.steps, c.units, sequences)
	hu := s.UnrolledLSTM(op.Transpose(s.Op("Transpose"), cast[0], perm), cast[1], cast[2], c.steps, c.units)
	if sequences {
		hu = op.Transpose(s.Op("Transpose"), hu, perm)
	} else {
		hu = op.GatherV2(s.Op("GatherV2"), hu, s.Const(int32(c.steps-1)), s.Const(int32(0)))
	}
	gk, err := s.Gradients(loss(hk), in)
	if err != nil {
		return nil, nil, err
	}
	gu, err := s.Gradients(loss(hu), in)
	if err != nil {
		return nil, nil, err
	}
	sess, err := graphs.NewSession(g, graphs.SessionOptions{})
	if err != nil {
		return nil, nil, err
	}
	defer sess.Close()
	fetch := append([]tf.Output{s.CastTo(hk, tf.Float)}, gk...)
	fetch = append(append(fetch, s.CastTo(hu, tf.Float)), gu...)
	out, err := sess.Run(feeds, fetch)
	if err != nil {
		return nil, nil, err
	}
	for k := range 4 {
		got = append(got, graphs.Float64s(out[k]))
		want = append(want, graphs.Float64s(out[4+k]))
	}
	return got, want, nil
}

// One cell from zero state at extreme pre-activations: h = σ(z_o)·tanh(σ(z_i)·tanh(z_c))
// as float64 math computes it, to float32 precision, including where the activations
// saturate and around 0 (the tanh's identity range).
func TestCellActivations(t *testing.T) {
	register(t)
	zs := []float64{-1e4, -100, -88.5, -20, -9, -7.95, -3, -1, -0.01, -3e-4, 0, 1e-7, 3e-4, 0.5, 2, 7.9, 16, 50, 90, 1e4}
	n := len(zs)
	zx := make([]float32, 0, n*4*n)
	for range n { // every row the same: z_i = z_c = z_o = zs[u] at unit u
		for gate := range 4 {
			for u := range n {
				v := zs[u]
				if gate == 1 { // the forget gate meets a zero state: any value
					v = 3
				}
				zx = append(zx, float32(v))
			}
		}
	}
	g := graphs.NewGraph(tf.Float, 1)
	s := g.Root()
	x := s.Const(zx)
	x = op.Reshape(s.Op("Reshape"), x, s.Const([]int32{int32(n), int32(4 * n)}))
	zeros4 := op.ZerosLike(s.Op("ZerosLike"), x)
	zeros := op.Fill(s.Op("Fill"), s.Const([]int32{int32(n), int32(n)}), s.Const(float32(0)))
	b := op.Fill(s.Op("Fill"), s.Const([]int32{int32(4 * n)}), s.Const(float32(0)))
	cell := s.Sub("cell").Op(graphs.OpLSTMCell).AddOperation(tf.OpSpec{Type: graphs.OpLSTMCell, Input: []tf.Input{x, zeros4, b, zeros}})
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	sess, err := graphs.NewSession(g, graphs.SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	out, err := sess.Run(nil, []tf.Output{cell.Output(0), cell.Output(2)})
	if err != nil {
		t.Fatal(err)
	}
	h, gates := graphs.Float64s(out[0]), graphs.Float64s(out[1])
	sigmoid := func(z float64) float64 { return 1 / (1 + math.Exp(-z)) }
	for u, z := range zs {
		want := sigmoid(z) * math.Tanh(sigmoid(z)*math.Tanh(z))
		if d := math.Abs(h[u] - want); d > 3e-7*(1+math.Abs(want)) {
			t.Errorf("z %g: h = %.9g, want %.9g", z, h[u], want)
		}
		for gate, want := range map[int]float64{0: sigmoid(z), 2: math.Tanh(z)} {
			got := gates[gate*n+u]
			if d := math.Abs(got - want); d > 3e-7*(1+math.Abs(want)) && d > 4e-7*math.Abs(want) {
				t.Errorf("z %g: gate %d = %.9g, want %.9g", z, gate, got, want)
			}
		}
	}
}

// A call with mismatched shapes fails with a message naming the input and the shape
// wanted (the shapes are fed, so graph construction's shape inference cannot catch it).
func TestCellBadShapes(t *testing.T) {
	register(t)
	cases := []struct {
		name             string
		zx, zh, b, cPrev []int64
		want             string
	}{
		{"zh", []int64{2, 8}, []int64{2, 4}, []int64{8}, []int64{2, 2}, "zh has shape [2, 4], want [2, 8]"},
		{"bias", []int64{2, 8}, []int64{2, 8}, []int64{4}, []int64{2, 2}, "b has shape [4], want [8]"},
		{"state", []int64{2, 8}, []int64{2, 8}, []int64{8}, []int64{3, 2}, "c_prev has shape [3, 2], want [2, 2]"},
		{"gates", []int64{2, 6}, []int64{2, 6}, []int64{6}, []int64{2, 2}, "zx has shape [2, 6], want [batch, 4·units]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := graphs.NewGraph(tf.Float, 1)
			s := g.Root()
			ph := func(name string) tf.Output { return s.Placeholder(name, tf.Float, -1, -1) }
			zx, zh, cp := ph("zx"), ph("zh"), ph("c_prev")
			b := s.Placeholder("b", tf.Float, -1)
			o := s.Sub("cell").Op(graphs.OpLSTMCell).AddOperation(tf.OpSpec{Type: graphs.OpLSTMCell, Input: []tf.Input{zx, zh, b, cp}})
			if err := s.Err(); err != nil {
				t.Fatal(err)
			}
			sess, err := graphs.NewSession(g, graphs.SessionOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer sess.Close()
			zeros := func(shape []int64) *tf.Tensor {
				n := int64(1)
				for _, d := range shape {
					n *= d
				}
				tt, err := graphs.NewTensor(make([]float32, n), shape...)
				if err != nil {
					t.Fatal(err)
				}
				return tt
			}
			_, err = sess.Run(map[tf.Output]*tf.Tensor{zx: zeros(c.zx), zh: zeros(c.zh), b: zeros(c.b), cp: zeros(c.cPrev)}, []tf.Output{o.Output(0)})
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), graphs.OpLSTMCell) {
				t.Fatalf("err = %v, want one with %q", err, c.want)
			}
		})
	}
}

// Register is safe from many goroutines, and graphs using the ops run in many sessions at
// once.
func TestRegisterConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := lstmkernel.Register(); err != nil {
				errs <- err
				return
			}
			got, want, err := runBoth(lstmCase{3, 2, 2, 4}, tf.Float, uint64(i), i%2 == 0)
			if err != nil {
				errs <- fmt.Errorf("goroutine %d: %w", i, err)
				return
			}
			for k := range got {
				for j := range got[k] {
					if d := math.Abs(got[k][j] - want[k][j]); d > 2e-5*(1+math.Abs(want[k][j])) {
						errs <- fmt.Errorf("goroutine %d: output %d[%d]: kernel %g, unrolled %g", i, k, j, got[k][j], want[k][j])
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// A last-step-only KernelLSTM (no h packed, no gradient for the other steps' h) gives bit
// for bit what the sequence form gives through a GatherV2 of its last step, the form an
// LSTM layer without return_sequences used before: the same h and the same gradients of
// x, w and b, in float32 and bfloat16.
func TestKernelLSTMLastStepBitForBit(t *testing.T) {
	register(t)
	const steps, batch, in, units = 5, 4, 3, 6
	for _, dtype := range []tf.DataType{tf.Float, tf.Bfloat16} {
		t.Run(graphs.DTypeName(dtype), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(5, 8))
			ps := []gradcheck.Param{
				gradcheck.Random("x", rng, 1, batch, steps, in),
				gradcheck.Random("w", rng, 0.5, in+units, 4*units),
				gradcheck.Random("b", rng, 0.5, 4*units),
			}
			g := graphs.NewGraph(tf.Float, 1)
			s := g.Root()
			var in, cast []tf.Output
			for _, p := range ps {
				v := make([]float32, len(p.Values))
				for k, x := range p.Values {
					v[k] = float32(x)
				}
				c, err := graphs.NewTensor(v, p.Shape...)
				if err != nil {
					t.Fatal(err)
				}
				in = append(in, s.Const(c))
				cast = append(cast, s.CastTo(in[len(in)-1], dtype))
			}
			last := s.KernelLSTM(cast[0], cast[1], cast[2], steps, units, false)
			all := s.KernelLSTM(cast[0], cast[1], cast[2], steps, units, true)
			gathered := op.GatherV2(s.Op("GatherV2"), all, s.Const(int32(steps-1)), s.Const(int32(1)))
			loss := func(h tf.Output) tf.Output {
				return gradcheck.Project(s, s.CastTo(h, tf.Float), []int64{batch, units}, 3)
			}
			gl, err := s.Gradients(loss(last), in)
			if err != nil {
				t.Fatal(err)
			}
			ga, err := s.Gradients(loss(gathered), in)
			if err != nil {
				t.Fatal(err)
			}
			sess, err := graphs.NewSession(g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
			if err != nil {
				t.Fatal(err)
			}
			defer sess.Close()
			out, err := sess.Run(nil, append(append([]tf.Output{s.CastTo(last, tf.Float)}, gl...), append([]tf.Output{s.CastTo(gathered, tf.Float)}, ga...)...))
			if err != nil {
				t.Fatal(err)
			}
			names := []string{"h", "dx", "dw", "db"}
			for k, name := range names {
				// float32 → float64 is exact: equal float64 bits are equal float32 bits.
				av, bv := graphs.Float64s(out[k]), graphs.Float64s(out[len(names)+k])
				if len(av) != len(bv) || len(av) == 0 {
					t.Fatalf("%s: %d vs %d values", name, len(av), len(bv))
				}
				for i := range av {
					if math.Float64bits(av[i]) != math.Float64bits(bv[i]) {
						t.Fatalf("%s[%d]: last step only %g, gathered %g", name, i, av[i], bv[i])
					}
				}
			}
		})
	}
}
