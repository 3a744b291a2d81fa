package graphs_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
)

// convBiasGrads builds y = Conv2DBias(x, w, b) in dtype with the Autotune a (on the
// platform given), and runs y and the gradients of Σ y·r for x, w and b, as float32.
func convBiasGrads(t *testing.T, p graphs.Platform, c convCase, dtype tf.DataType, a *graphs.Autotune) (g *graphs.Graph, out []*tf.Tensor) {
	t.Helper()
	const batch = 2
	oh, ow := c.out(c.h, c.kh), c.out(c.w, c.kw)
	rng := rand.New(rand.NewPCG(uint64(c.h), uint64(c.cout)))
	xv := randomTensor(t, rng, batch, c.h, c.w, c.cin)
	wv := randomTensor(t, rng, c.kh, c.kw, c.cin, c.cout)
	bv := randomTensor(t, rng, c.cout)
	rv := randomTensor(t, rng, batch, oh, ow, c.cout)

	g = graphs.NewGraph(tf.Float, 1)
	g.SetPlatform(p)
	g.SetAutotune(a)
	s := g.Root()
	x := s.Placeholder("x", tf.Float, -1, c.h, c.w, c.cin)
	w := s.Placeholder("w", tf.Float, c.kh, c.kw, c.cin, c.cout)
	b := s.Placeholder("b", tf.Float, c.cout)
	r := s.Placeholder("r", tf.Float, -1, oh, ow, c.cout)
	cast := func(o tf.Output) tf.Output { return op.Cast(s.Op("Cast"), o, dtype) }
	y := s.Conv2DBias(cast(x), cast(w), cast(b), [2]int{int(c.stride), int(c.stride)}, c.padding)
	loss := op.Sum(s.Op("Sum"), op.Cast(s.Op("Cast"), op.Mul(s.Op("Mul"), y, cast(r)), tf.Float), s.Const([]int32{0, 1, 2, 3}))
	grads, err := s.Gradients(loss, []tf.Output{x, w, b})
	if err != nil {
		t.Fatal(err)
	}
	f32 := func(o tf.Output) tf.Output { return op.Cast(s.Op("Cast"), o, tf.Float) }
	return g, runConv(t, g, map[tf.Output]*tf.Tensor{x: xv, w: wv, b: bv, r: rv}, f32(y), grads[0], grads[1], grads[2])
}

// biasChoice is a's choice of the bias gradient's form, if it made one.
func biasChoice(a *graphs.Autotune) (graphs.KernelChoice, bool) {
	for _, c := range a.Choices() {
		if strings.HasPrefix(c.Key, "BiasAddGrad ") {
			return c, true
		}
	}
	return graphs.KernelChoice{}, false
}

// A fake timer makes each form of the bias gradient win in turn, with each form of the
// filter gradient: the graph has a BiasAddGrad only when "tensorflow" wins, and the
// convolution and its gradients (x's, the filter's, the bias's) equal those of
// TensorFlow's kernels to rounding, in float32 and float64.
func TestConv2DBiasEachFormWins(t *testing.T) {
	wins := []struct {
		forms        []string
		biasAddGrad  bool
		contra       bool
		wantBiasForm string
	}{
		{[]string{graphs.FormTensorFlow}, true, false, graphs.FormTensorFlow},
		{[]string{graphs.FormSum}, false, false, graphs.FormSum},
		{[]string{graphs.FormSum, graphs.FormBatchContracted}, false, true, graphs.FormSum},
		{[]string{graphs.FormBatchContracted}, true, true, graphs.FormTensorFlow}, // the bias forms tie: TensorFlow's stays
	}
	tol := map[tf.DataType]float64{tf.Float: 1e-5, tf.Double: 1e-12}
	for _, dtype := range []tf.DataType{tf.Float, tf.Double} {
		for _, c := range []convCase{convCases[0], convCases[2], convCases[4], convCases[7]} {
			t.Run(graphs.DTypeName(dtype)+"_"+c.String(), func(t *testing.T) {
				_, want := convBiasGrads(t, cpuPlatform, c, dtype, &graphs.Autotune{Off: true})
				for _, w := range wins {
					name := strings.Join(w.forms, "+")
					f := &fakeTimer{win: map[string]bool{}}
					for _, form := range w.forms {
						f.win[form] = true
					}
					a := &graphs.Autotune{Batch: 2, Measure: f.measure}
					g, got := convBiasGrads(t, cpuPlatform, c, dtype, a)
					if has := hasOp(g, "BiasAddGrad", ""); has != w.biasAddGrad {
						t.Errorf("%s: BiasAddGrad in the graph %v, want %v", name, has, w.biasAddGrad)
					}
					if bc := hasOp(g, "Conv2D", "batch_contracted"); bc != w.contra {
						t.Errorf("%s: batch-contracted filter gradient in the graph %v, want %v", name, bc, w.contra)
					}
					ch, ok := biasChoice(a)
					wantKey := "BiasAddGrad " + graphs.DTypeName(dtype) + " x[2,"
					if !ok || !strings.HasPrefix(ch.Key, wantKey) || ch.Form != w.wantBiasForm || ch.Source != graphs.SourceMeasured || len(ch.Times) != 2 {
						t.Errorf("%s: bias choice %+v (%v), want %s… %s, measured with two times", name, ch, ok, wantKey, w.wantBiasForm)
					}
					for i, part := range []string{"y", "dx", "dw", "db"} {
						if d := maxDiff(got[i], want[i]); d > tol[dtype] {
							t.Errorf("%s: %s differs from TensorFlow's kernels' by %.3g, want ≤ %g", name, part, d, tol[dtype])
						}
					}
				}
			})
		}
	}
}

// Where nothing is measured the bias gradient is BiasAddGrad, as a plain BiasAdd's:
// without an Autotune (no choice recorded), keeping to the fixed rules, with autotuning
// off; on a GPU even when measuring (no choice offered); and a resumed run's recorded form
// wins over the measurement. bfloat16 on a CPU is a Sum, and no choice is offered either
// (TestBiasGradientSumsInFloat32).
func TestConv2DBiasUnmeasured(t *testing.T) {
	c := convCases[2]
	sumWins := func() *fakeTimer { return &fakeTimer{win: map[string]bool{graphs.FormSum: true}} }
	for _, tt := range []struct {
		name       string
		platform   graphs.Platform
		dtype      tf.DataType
		a          *graphs.Autotune
		wantSource string // "": no choice recorded
		wantForm   string
	}{
		{"no autotune", cpuPlatform, tf.Float, nil, "", ""},
		{"rules", cpuPlatform, tf.Float, &graphs.Autotune{Rules: true, Batch: 2, Measure: sumWins().measure}, graphs.SourceRules, graphs.FormTensorFlow},
		{"off", cpuPlatform, tf.Float, &graphs.Autotune{Off: true, Batch: 2, Measure: sumWins().measure}, graphs.SourceOff, graphs.FormTensorFlow},
		{"bfloat16", cpuPlatform, tf.Bfloat16, &graphs.Autotune{Batch: 2, Measure: sumWins().measure}, "", ""},
		{"gpu", gpuPlatform, tf.Float, &graphs.Autotune{Batch: 2, Measure: sumWins().measure}, "", ""},
		{"resumed", cpuPlatform, tf.Float, &graphs.Autotune{Batch: 2, Measure: sumWins().measure, Resumed: map[string]string{
			"BiasAddGrad float32 x[2,6,6,3] filter[5,5,3,2] dy[2,3,3,2] strides[2,2] SAME": graphs.FormTensorFlow}},
			graphs.SourceCheckpoint, graphs.FormTensorFlow},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g, _ := convBiasGrads(t, tt.platform, c, tt.dtype, tt.a)
			if has, want := hasOp(g, "BiasAddGrad", ""), tt.dtype != tf.Bfloat16; has != want {
				t.Errorf("BiasAddGrad in the graph %v, want %v", has, want)
			}
			if tt.a == nil {
				return
			}
			ch, ok := biasChoice(tt.a)
			if tt.wantSource == "" {
				if ok {
					t.Errorf("bias choice %+v, want none", ch)
				}
				return
			}
			if !ok || ch.Source != tt.wantSource || ch.Form != tt.wantForm {
				t.Errorf("bias choice %+v (%v), want %s from %s", ch, ok, tt.wantForm, tt.wantSource)
			}
		})
	}
}

// The bias gradient's trial runs for real: both forms timed, a winner measured.
func TestConv2DBiasTimesForReal(t *testing.T) {
	a := &graphs.Autotune{Batch: 16, Session: graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1},
		Warn: func(msg string) { t.Errorf("warning: %s", msg) }}
	g := newCPUGraph(tf.Float, 1)
	g.SetAutotune(a)
	s := g.Root()
	x := s.Placeholder("x", tf.Float, -1, 14, 14, 1)
	w := s.Placeholder("w", tf.Float, 5, 5, 1, 16)
	b := s.Placeholder("b", tf.Float, 16)
	s.Conv2DBias(x, w, b, [2]int{2, 2}, "SAME")
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	c, ok := biasChoice(a)
	const key = "BiasAddGrad float32 x[16,14,14,1] filter[5,5,1,16] dy[16,7,7,16] strides[2,2] SAME"
	if !ok || c.Key != key || c.Source != graphs.SourceMeasured || len(c.Times) != 2 || c.Times[graphs.FormTensorFlow] <= 0 || c.Times[graphs.FormSum] <= 0 {
		t.Fatalf("bias choice %+v (%v), want %q measured, both forms timed", c, ok, key)
	}
	t.Logf("%s → %s %v", c.Key, c.Form, c.Times)
}
