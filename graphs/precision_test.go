package graphs

import (
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

func TestSetComputeDType(t *testing.T) {
	for _, tc := range []struct {
		graph   tf.DataType
		compute tf.DataType
		err     string
	}{
		{tf.Float, tf.Float, ""},
		{tf.Float, tf.Bfloat16, ""},
		{tf.Double, tf.Double, ""}, // gradient checks keep float64 throughout
		{tf.Double, tf.Bfloat16, "needs float32 variables"},
		{tf.Float, tf.Half, "cannot compute in"},
	} {
		g := NewGraph(tc.graph, 1)
		err := g.SetComputeDType(tc.compute)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%v graph, %v: err %v, want %q", tc.graph, tc.compute, err, tc.err)
			}
			if g.ComputeDType() != tc.graph {
				t.Errorf("%v graph, %v refused: computes in %v, want %v unchanged", tc.graph, tc.compute, g.ComputeDType(), tc.graph)
			}
			continue
		}
		if err != nil || g.ComputeDType() != tc.compute || g.DType() != tc.graph || g.Mixed() != (tc.compute != tc.graph) {
			t.Errorf("%v graph, %v: err %v, compute %v, dtype %v; want compute %v", tc.graph, tc.compute, err, g.ComputeDType(), g.DType(), tc.compute)
		}
	}
}

// In a bfloat16 scope: a float32 variable is read through one shared Cast whose gradient is
// float32, Scalar and the random draws are bfloat16 (the draws are the float32 stream's,
// rounded), and CastTo leaves integer tensors alone.
func TestBFloat16Scope(t *testing.T) {
	g := NewGraph(tf.Float, 3)
	if err := g.SetComputeDType(tf.Bfloat16); err != nil {
		t.Fatal(err)
	}
	root := g.Root()
	v := root.Sub("layer").NewVariable("kernel", tf.Float, []int64{2}, Constant{Value: 1.5}, true)
	bs := root.Sub("model").WithDType(g.ComputeDType())
	r1, r2 := bs.Read(v), bs.Sub("other").Read(v)
	if r1 != r2 || r1.DataType() != tf.Bfloat16 || root.Read(v) != v.Value() {
		t.Errorf("reads: %v and %v (%v); float32 read %v, want the variable's value", r1, r2, r1.DataType(), root.Read(v))
	}
	if dt := bs.Scalar(0.5).DataType(); dt != tf.Bfloat16 {
		t.Errorf("Scalar in a bfloat16 scope: %v", dt)
	}
	if ids := root.Const([]int32{1}); bs.CastTo(ids, tf.Bfloat16) != ids {
		t.Error("CastTo cast int32 ids")
	}
	shape := root.Const([]int32{64})
	u16 := bs.Sub("draw").RandomUniform(shape)
	// The same call site in a float32 graph draws the same stream.
	g32 := NewGraph(tf.Float, 3)
	g32.Root().Sub("layer").NewVariable("kernel", tf.Float, []int64{2}, Constant{Value: 1.5}, true)
	u32 := g32.Root().Sub("model").Sub("draw").RandomUniform(g32.Root().Const([]int32{64}))
	if u16.DataType() != tf.Bfloat16 || u32.DataType() != tf.Float {
		t.Fatalf("draws: %v and %v", u16.DataType(), u32.DataType())
	}
	loss := op.Sum(root.Op("Sum"), op.Cast(root.Op("Cast"), op.Mul(root.Op("Mul"), r1, r1), tf.Float), root.Const([]int32{0}))
	grads, err := root.Gradients(loss, []tf.Output{v.Value()})
	if err != nil {
		t.Fatal(err)
	}
	if grads[0].DataType() != tf.Float {
		t.Errorf("gradient of the float32 variable is %v", grads[0].DataType())
	}
	u16f := op.Cast(root.Op("Cast"), u16, tf.Float)
	s, err := NewSession(g, SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.InitVariables(); err != nil {
		t.Fatal(err)
	}
	out, err := s.Run(nil, []tf.Output{grads[0], u16f})
	if err != nil {
		t.Fatal(err)
	}
	if got := Float64s(out[0]); got[0] != 3 || got[1] != 3 { // d/dv Σ v² = 2v = 3
		t.Errorf("gradient %v, want [3 3]", got)
	}
	s32, err := NewSession(g32, SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s32.Close()
	if err := s32.InitVariables(); err != nil {
		t.Fatal(err)
	}
	out32, err := s32.Run(nil, []tf.Output{u32})
	if err != nil {
		t.Fatal(err)
	}
	a, b := Float64s(out[1]), Float64s(out32[0])
	for i := range a {
		if d := a[i] - b[i]; d > b[i]/128 || -d > b[i]/128 { // bfloat16's rounding: within 2⁻⁸ relative
			t.Fatalf("draw %d: bfloat16 %v, float32 %v: not the same stream", i, a[i], b[i])
		}
	}
}
