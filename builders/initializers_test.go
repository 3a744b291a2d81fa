package builders

import (
	"math"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/graphs"
)

// Dense takes Keras's kernel_initializer and bias_initializer names; "" keeps Keras's
// defaults (glorot_uniform, zeros) and draws exactly what the layer drew before.
func TestDenseInitializers(t *testing.T) {
	const in, units = 300, 200
	values := func(t *testing.T, kernelInit, biasInit string) (kernel, bias []float64) {
		t.Helper()
		g := graphs.NewGraph(tf.Float, 3)
		d := NewDense("dense", units, "")
		d.KernelInitializer, d.BiasInitializer = kernelInit, biasInit
		if _, err := d.Build(g.Root(), Shape{in}); err != nil {
			t.Fatal(err)
		}
		sess, err := graphs.NewSession(g, graphs.SessionOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer sess.Close()
		if err := sess.InitVariables(); err != nil {
			t.Fatal(err)
		}
		out, err := sess.Get(d.Variables()...)
		if err != nil {
			t.Fatal(err)
		}
		return graphs.Float64s(out[0]), graphs.Float64s(out[1])
	}
	std := func(xs []float64) float64 {
		var s, sq float64
		for _, x := range xs {
			s += x
		}
		m := s / float64(len(xs))
		for _, x := range xs {
			sq += (x - m) * (x - m)
		}
		return math.Sqrt(sq / float64(len(xs)))
	}
	maxAbs := func(xs []float64) float64 {
		m := 0.0
		for _, x := range xs {
			m = math.Max(m, math.Abs(x))
		}
		return m
	}
	defK, defB := values(t, "", "")
	namedK, namedB := values(t, "glorot_uniform", "zeros")
	for i := range defK {
		if defK[i] != namedK[i] {
			t.Fatalf("kernel[%d]: default %v, glorot_uniform %v: the default must be glorot_uniform", i, defK[i], namedK[i])
		}
	}
	if maxAbs(defB) != 0 || maxAbs(namedB) != 0 {
		t.Error("default bias is not zeros")
	}
	for _, tc := range []struct {
		name       string
		std, bound float64 // of the kernel's distribution (Keras's formula)
	}{
		{"glorot_normal", math.Sqrt(2.0 / (in + units)), 2 * math.Sqrt(2.0/(in+units)) / 0.87962566103423978},
		{"he_uniform", math.Sqrt(2.0 / in), math.Sqrt(6.0 / in)},
		{"he_normal", math.Sqrt(2.0 / in), 2 * math.Sqrt(2.0/in) / 0.87962566103423978},
		{"random_uniform", 0.1 / math.Sqrt(12), 0.05},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, b := values(t, tc.name, "ones")
			if got := std(k); math.Abs(got-tc.std) > 0.03*tc.std {
				t.Errorf("kernel std %g, want %g ± 3%%", got, tc.std)
			}
			if got := maxAbs(k); got > tc.bound*(1+1e-6) || got < 0.97*tc.bound {
				t.Errorf("kernel max |x| %g, want in [0.97, 1]·%g", got, tc.bound)
			}
			for i, v := range b {
				if v != 1 {
					t.Fatalf("bias[%d] = %v, want 1 (ones)", i, v)
				}
			}
		})
	}
	g := graphs.NewGraph(tf.Float, 3)
	d := NewDense("dense", 2, "")
	d.KernelInitializer = "glorot_unifrom"
	_, err := d.Build(g.Root(), Shape{3})
	if err == nil || !strings.Contains(err.Error(), `kernel_initializer "glorot_unifrom", want one of glorot_normal, glorot_uniform, he_normal, he_uniform`) {
		t.Errorf("unknown initializer: err = %v", err)
	}
}
