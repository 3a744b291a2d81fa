package builders

import (
	"fmt"
	"math"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/graphs/lstmkernel"
	"github.com/tfrun/tfrun/internal/gradcheck"
)

// With Keras's noise_shape (None, 1, 1, channels), in training each (example, channel) of
// an image is kept or dropped at every pixel together, the kept scaled by 1/(1−rate),
// about a rate of them dropped, a new mask each step; with (1, height, width, channels)
// every example gets the same mask. In inference the layer is the identity.
func TestDropoutNoiseShape(t *testing.T) {
	const batch, h, w, c, rate = 6, 3, 4, 50, 0.3
	for _, tc := range []struct {
		name  string
		noise []int
		// shared reports whether elements (b, i, j, k) and (b2, i2, j2, k2) share a draw.
		shared func(b, i, j, k, b2, i2, j2, k2 int) bool
	}{
		{"channels", []int{-1, 1, 1, c}, func(b, i, j, k, b2, i2, j2, k2 int) bool { return b == b2 && k == k2 }},
		{"examples", []int{-1, 1, 1, 1}, func(b, i, j, k, b2, i2, j2, k2 int) bool { return b == b2 }},
		{"batch", []int{1, h, w, c}, func(b, i, j, k, b2, i2, j2, k2 int) bool { return i == i2 && j == j2 && k == k2 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := graphs.NewGraph(tf.Float, 5)
			s := g.Root()
			d := NewDropout("dropout", rate)
			d.NoiseShape = tc.noise
			if _, err := d.Build(s, Shape{h, w, c}); err != nil {
				t.Fatal(err)
			}
			x := s.Placeholder("x", tf.Float, -1, h, w, c)
			train := d.Call(x, true)
			if infer := d.Call(x, false); infer != x {
				t.Errorf("inference: got %v, want the input itself", infer.Op.Name())
			}
			advance := s.AdvanceStep(train.Op)
			sess, err := graphs.NewSession(g, graphs.SessionOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer sess.Close()
			if err := sess.InitVariables(); err != nil {
				t.Fatal(err)
			}
			ones := make([]float32, batch*h*w*c)
			for i := range ones {
				ones[i] = 1
			}
			xt, err := graphs.NewTensor(ones, batch, h, w, c)
			if err != nil {
				t.Fatal(err)
			}
			at := func(b, i, j, k int) int { return ((b*h+i)*w+j)*c + k }
			var runs [2][]float64
			for run := range runs {
				out, err := sess.Run(map[tf.Output]*tf.Tensor{x: xt}, []tf.Output{train}, advance)
				if err != nil {
					t.Fatal(err)
				}
				y := graphs.Float64s(out[0])
				runs[run] = y
				dropped := 0
				for b := range batch {
					for i := range h {
						for j := range w {
							for k := range c {
								v := y[at(b, i, j, k)]
								if v != 0 && math.Abs(v-1/(1-rate)) > 1e-6 {
									t.Fatalf("y[%d,%d,%d,%d] = %v, want 0 or %v", b, i, j, k, v, 1/(1-rate))
								}
								if v == 0 {
									dropped++
								}
								// Compare with the first element sharing the draw: every
								// element of a group must be equal.
								for _, o := range [][4]int{{0, 0, 0, k}, {b, 0, 0, 0}, {0, i, j, k}, {b, 0, 0, k}} {
									if tc.shared(b, i, j, k, o[0], o[1], o[2], o[3]) && y[at(o[0], o[1], o[2], o[3])] != v {
										t.Fatalf("y[%d,%d,%d,%d] = %v, y%v = %v: they share one draw", b, i, j, k, v, o, y[at(o[0], o[1], o[2], o[3])])
									}
								}
							}
						}
					}
				}
				// At least 50 independent Bernoulli(0.3) draws in each case.
				if frac := float64(dropped) / float64(len(y)); math.Abs(frac-rate) > 0.2 {
					t.Errorf("run %d: dropped %.3f of the values, want about %v", run, frac, rate)
				}
			}
			same := true
			for i := range runs[0] {
				same = same && runs[0][i] == runs[1][i]
			}
			if same {
				t.Error("two training steps drew the same mask")
			}
		})
	}
}

// A noise_shape that does not fit the input fails at build, naming the argument.
func TestDropoutNoiseShapeErrors(t *testing.T) {
	for _, noise := range [][]int{{-1, 1}, {-1, 2, 1, 1}, {4, 1, 1, 1}, {-1, 0, 1, 1}} {
		g := graphs.NewGraph(tf.Float, 5)
		d := NewDropout("dropout", 0.3)
		d.NoiseShape = noise
		if _, err := d.Build(g.Root(), Shape{3, 4, 5}); err == nil || !strings.Contains(err.Error(), "noise_shape") {
			t.Errorf("noise_shape %v: error %v, want one naming noise_shape", noise, err)
		}
	}
}

func TestDropoutNoiseShapeGradients(t *testing.T) {
	p := gradParams(29)
	checkGradients(t, []gradCase{
		{"examples_and_channels", []gradcheck.Param{p("x", 1, 2, 3, 2, 3)}, []int64{2, 3, 2, 3},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				u := s.Const([][][][]float64{{{{0.1, 0.5, 0.9}}}, {{{0.6, 0.2, 0.45}}}}) // [batch, 1, 1, channels]
				return dropoutOp(s, in[0], u, 0.4)
			}, gradcheck.Options{}},
	})
}

// Dropout's mask from tfrun's own kernel (graphs/dropoutkernel) is TensorFlow's ops' bit
// for bit, over three steps of the draw stream, with and without a noise shape, in
// float32 and in a bfloat16 layer (a mixed_bfloat16 policy's); TFRUN_CUSTOM_KERNELS=0
// builds TensorFlow's ops instead.
func TestDropoutOwnKernelSameMask(t *testing.T) {
	const batch, steps, c = 5, 7, 9
	for _, dtype := range []tf.DataType{tf.Float, tf.Bfloat16} {
		for _, noise := range [][]int{nil, {-1, 1, c}} {
			t.Run(fmt.Sprintf("%s/noise=%v", graphs.DTypeName(dtype), noise), func(t *testing.T) {
				run := func(off bool) (outs [][]float64, own int) {
					if off {
						t.Setenv(lstmkernel.EnvVar, "0")
					}
					g := graphs.NewGraph(tf.Float, 11)
					s := g.Root().WithDType(dtype)
					d := NewDropout("dropout", 0.4)
					d.NoiseShape = noise
					if _, err := d.Build(s, Shape{steps, c}); err != nil {
						t.Fatal(err)
					}
					x := s.Placeholder("x", tf.Float, -1, steps, c)
					y := s.CastTo(d.Call(s.CastTo(x, dtype), true), tf.Float)
					advance := s.AdvanceStep(y.Op)
					for _, o := range g.TF().Operations() {
						if o.Type() == graphs.OpDropoutMask {
							own++
						}
					}
					sess, err := graphs.NewSession(g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
					if err != nil {
						t.Fatal(err)
					}
					defer sess.Close()
					if err := sess.InitVariables(); err != nil {
						t.Fatal(err)
					}
					vals := make([]float32, batch*steps*c)
					for i := range vals {
						vals[i] = float32(i%13) - 6.5
					}
					xt, err := graphs.NewTensor(vals, batch, steps, c)
					if err != nil {
						t.Fatal(err)
					}
					for range 3 {
						out, err := sess.Run(map[tf.Output]*tf.Tensor{x: xt}, []tf.Output{y}, advance)
						if err != nil {
							t.Fatal(err)
						}
						outs = append(outs, graphs.Float64s(out[0])) // exact: float32 → float64
					}
					return outs, own
				}
				got, own := run(false)
				want, none := run(true)
				if own != 1 || none != 0 {
					t.Fatalf("%d %s ops with the kernel on, %d off; want 1 and 0", own, graphs.OpDropoutMask, none)
				}
				dropped := 0
				for step := range want {
					for i := range want[step] {
						if math.Float64bits(got[step][i]) != math.Float64bits(want[step][i]) {
							t.Fatalf("step %d: y[%d] = %g with tfrun's kernel, %g with TensorFlow's ops", step, i, got[step][i], want[step][i])
						}
						if want[step][i] == 0 {
							dropped++
						}
					}
				}
				if dropped == 0 {
					t.Fatal("nothing dropped: the comparison says nothing")
				}
			})
		}
	}
}
