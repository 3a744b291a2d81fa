package builders

import (
	"math"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

// After known batches the moving statistics are Keras's: m ← 0.99·m + 0.01·mean and
// v ← 0.99·v + 0.01·(biased variance); inference then normalises with them.
func TestBatchNormalizationMovingStatistics(t *testing.T) {
	g := graphs.NewGraph(tf.Float, 1)
	s := g.Root()
	bn := NewBatchNormalization("batch_normalization")
	if _, err := bn.Build(s, Shape{2}); err != nil {
		t.Fatal(err)
	}
	x := s.Placeholder("x", tf.Float, -1, 2)
	yTrain := bn.Call(x, true)
	yInfer := bn.Call(x, false)
	sess, err := graphs.NewSession(g, graphs.SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if err := sess.InitVariables(); err != nil {
		t.Fatal(err)
	}
	batches := [][]float32{{1, 10, 2, 20, 3, 30, 6, 60}, {0, -1, 4, 1, 8, 3, 0, 5}}
	wantMean, wantVar := []float64{0, 0}, []float64{1, 1}
	for _, b := range batches {
		xt, _ := graphs.NewTensor(b, 4, 2)
		if _, err := sess.Run(map[tf.Output]*tf.Tensor{x: xt}, []tf.Output{yTrain}, bn.Updates()...); err != nil {
			t.Fatal(err)
		}
		for c := 0; c < 2; c++ {
			mean, sq := 0.0, 0.0
			for r := 0; r < 4; r++ {
				mean += float64(b[2*r+c]) / 4
			}
			for r := 0; r < 4; r++ {
				d := float64(b[2*r+c]) - mean
				sq += d * d / 4
			}
			wantMean[c] = 0.99*wantMean[c] + 0.01*mean
			wantVar[c] = 0.99*wantVar[c] + 0.01*sq
		}
	}
	got, err := sess.Get(g.Variable("batch_normalization/moving_mean"), g.Variable("batch_normalization/moving_variance"))
	if err != nil {
		t.Fatal(err)
	}
	gm, gv := graphs.Float64s(got[0]), graphs.Float64s(got[1])
	for c := 0; c < 2; c++ {
		if math.Abs(gm[c]-wantMean[c]) > 1e-5 || math.Abs(gv[c]-wantVar[c]) > 1e-4 {
			t.Errorf("channel %d: moving mean %.6f var %.6f, want %.6f %.6f", c, gm[c], gv[c], wantMean[c], wantVar[c])
		}
	}
	xt, _ := graphs.NewTensor([]float32{1, 2}, 1, 2)
	out, err := sess.Run(map[tf.Output]*tf.Tensor{x: xt}, []tf.Output{yInfer})
	if err != nil {
		t.Fatal(err)
	}
	y := graphs.Float64s(out[0])
	for c, xv := range []float64{1, 2} {
		want := (xv - wantMean[c]) / math.Sqrt(wantVar[c]+1e-3)
		if math.Abs(y[c]-want) > 1e-4 {
			t.Errorf("inference channel %d: %.6f, want %.6f", c, y[c], want)
		}
	}
}

// The assignment's MNIST DCGAN generator and discriminator: Keras's shapes and counts.
func TestGANLayerShapes(t *testing.T) {
	g := graphs.NewGraph(tf.Float, 1)
	gen := NewSequential("generator",
		func() Layer { d := NewDense("dense", 7*7*256, ""); d.UseBias = false; return d }(),
		NewBatchNormalization("batch_normalization"), NewLeakyReLU("leaky_re_lu", 0.3),
		NewReshape("reshape", 7, 7, 256),
		func() Layer {
			c := NewConv2DTranspose("conv2d_transpose", 128, [2]int{5, 5}, [2]int{1, 1}, "same")
			c.UseBias = false
			return c
		}(),
		NewBatchNormalization("batch_normalization_1"), NewLeakyReLU("leaky_re_lu_1", 0.3),
		func() Layer {
			c := NewConv2DTranspose("conv2d_transpose_1", 64, [2]int{5, 5}, [2]int{2, 2}, "same")
			c.UseBias = false
			return c
		}(),
		NewBatchNormalization("batch_normalization_2"), NewLeakyReLU("leaky_re_lu_2", 0.3),
		func() Layer {
			c := NewConv2DTranspose("conv2d_transpose_2", 1, [2]int{5, 5}, [2]int{2, 2}, "same")
			c.UseBias, c.Activation = false, "tanh"
			return c
		}(),
	)
	if err := gen.Build(g.Root(), Shape{100}); err != nil {
		t.Fatal(err)
	}
	if got := gen.OutputShape().String(); got != "(None, 28, 28, 1)" {
		t.Errorf("generator output %s, want (None, 28, 28, 1)", got)
	}
	tr, nt := CountParams(gen.Variables())
	// Keras: 1,254,400 + 50,176 (BN: 4·12544) + 819,200 + 512 + 204,800 + 256 + 1,600
	if tr+nt != 2330944 || nt != 2*(12544+128+64) {
		t.Errorf("generator params %d (non-trainable %d), want 2,330,944 (25,472), as the TensorFlow DCGAN tutorial reports", tr+nt, nt)
	}
	disc := NewSequential("discriminator",
		func() Layer { return NewConv2D("conv2d", 64, [2]int{5, 5}, [2]int{2, 2}, "same") }(),
		NewLeakyReLU("leaky_re_lu", 0.3), NewDropout("dropout", 0.3),
		NewConv2D("conv2d_1", 128, [2]int{5, 5}, [2]int{2, 2}, "same"),
		NewLeakyReLU("leaky_re_lu_1", 0.3), NewDropout("dropout_1", 0.3),
		NewFlatten("flatten"), NewDense("dense", 1, ""),
	)
	if err := disc.Build(g.Root(), Shape{28, 28, 1}); err != nil {
		t.Fatal(err)
	}
	tr, _ = CountParams(disc.Variables())
	// Keras: 1,664 + 204,928 + 6,273
	if tr != 212865 {
		t.Errorf("discriminator params %d, want 212,865", tr)
	}
}

// Two training calls in one step (a GAN's discriminator on real, then on generated
// images) update the moving statistics one after the other, as Keras's two calls do.
func TestBatchNormalizationTwoCallsChain(t *testing.T) {
	g := graphs.NewGraph(tf.Float, 1)
	s := g.Root()
	bn := NewBatchNormalization("batch_normalization")
	if _, err := bn.Build(s, Shape{1}); err != nil {
		t.Fatal(err)
	}
	a := s.Placeholder("a", tf.Float, -1, 1)
	b := s.Placeholder("b", tf.Float, -1, 1)
	ya, yb := bn.Call(a, true), bn.Call(b, true)
	sess, err := graphs.NewSession(g, graphs.SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if err := sess.InitVariables(); err != nil {
		t.Fatal(err)
	}
	at, _ := graphs.NewTensor([]float32{1, 3}, 2, 1)  // mean 2
	bt, _ := graphs.NewTensor([]float32{9, 11}, 2, 1) // mean 10
	for i := 0; i < 5; i++ {                          // the result must not depend on the order TensorFlow picks
		if err := sess.Set([]*graphs.Variable{g.Variable("batch_normalization/moving_mean")}, []*tf.Tensor{mustScalarVec(t, 0)}); err != nil {
			t.Fatal(err)
		}
		if _, err := sess.Run(map[tf.Output]*tf.Tensor{a: at, b: bt}, []tf.Output{ya, yb}, bn.Updates()...); err != nil {
			t.Fatal(err)
		}
		got, _ := sess.Get(g.Variable("batch_normalization/moving_mean"))
		want := 0.99*(0.99*0+0.01*2) + 0.01*10
		if v := graphs.Float64s(got[0])[0]; math.Abs(v-want) > 1e-6 {
			t.Fatalf("moving mean %.6f, want %.6f (the two updates in sequence)", v, want)
		}
	}
}

func mustScalarVec(t *testing.T, v float32) *tf.Tensor {
	t.Helper()
	x, err := graphs.NewTensor([]float32{v}, 1)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// Under mixed_bfloat16 a BatchNormalization that is not the model's last layer runs
// FusedBatchNormV3 and its gradient on the bfloat16 x itself (float32 statistics inside),
// (T bfloat16: no Cast of x, y or their gradients around it, y the kernel's own): Keras's cast up and back down as
// separate ops took 2.5–3× as long on the DCGANs' shapes. Its y and x gradient are the
// ones of that Keras way (x cast up, the float32 kernel, y cast down) to one bfloat16
// rounding, and the moving statistics are updated in float32.
func TestBatchNormalizationMixedBFloat16(t *testing.T) {
	g := graphs.NewGraph(tf.Float, 5)
	if err := SetPrecision(g, configs.PrecisionMixedBFloat16); err != nil {
		t.Fatal(err)
	}
	root := g.Root()
	ms := modelScope(root.Sub("model"))
	bn := NewBatchNormalization("batch_normalization")
	if _, err := bn.Build(layerScope(ms, bn, false), Shape{4, 4, 3}); err != nil {
		t.Fatal(err)
	}
	vals, r := make([]float32, 6*4*4*3), make([]float32, 6*4*4*3)
	for i := range vals {
		vals[i] = float32(3*math.Sin(1.7*float64(i)+0.3) + 1)
		r[i] = float32(math.Cos(1.3*float64(i) + 0.1))
	}
	xb := root.CastTo(root.Const(vals), tf.Bfloat16)
	xb = op.Reshape(root.Op("Reshape"), xb, root.Const([]int32{6, 4, 4, 3}))
	before := map[string]bool{}
	for _, o := range g.TF().Operations() {
		before[o.Name()] = true
	}
	y := callLayer(ms, bn, xb, true)
	rb := op.Reshape(root.Op("Reshape"), root.CastTo(root.Const(r), tf.Bfloat16), root.Const([]int32{6, 4, 4, 3}))
	loss := op.Sum(root.Op("Sum"), root.CastTo(op.Mul(root.Op("Mul"), y, rb), tf.Float), root.Const([]int32{0, 1, 2, 3}))
	grads, err := root.Gradients(loss, []tf.Output{xb})
	if err != nil {
		t.Fatal(err)
	}
	if !root.Ok(y) || y.DataType() != tf.Bfloat16 || grads[0].DataType() != tf.Bfloat16 {
		t.Fatalf("y %v, x gradient %v; want bfloat16 (err %v)", y.DataType(), grads[0].DataType(), root.Err())
	}
	var kernels int
	for _, o := range g.TF().Operations() {
		if before[o.Name()] {
			continue
		}
		switch o.Type() {
		case "FusedBatchNormV3", "FusedBatchNormGradV3":
			kernels++
			if dt, err := o.Attr("T"); err != nil || dt != tf.Bfloat16 {
				t.Errorf("%s %s: T %v (%v), want bfloat16", o.Type(), o.Name(), dt, err)
			}
		}
	}
	if kernels != 2 || y.Op.Type() != "FusedBatchNormV3" {
		t.Errorf("%d FusedBatchNormV3/FusedBatchNormGradV3 ops, want 2; y from a %s", kernels, y.Op.Type())
	}
	// The Keras way: x cast up, the float32 kernel, y cast down.
	x32 := root.CastTo(xb, tf.Float)
	empty := root.Const([]float32{})
	y32, _, _, r1, r2, r3 := op.FusedBatchNormV3(root.Op("ref"), x32, bn.gamma.Value(), bn.beta.Value(), empty, empty,
		op.FusedBatchNormV3Epsilon(float32(bn.Epsilon)), op.FusedBatchNormV3IsTraining(true))
	dx32, _, _, _, _ := op.FusedBatchNormGradV3(root.Op("ref_grad"), root.CastTo(rb, tf.Float), x32, bn.gamma.Value(), r1, r2, r3,
		op.FusedBatchNormGradV3Epsilon(float32(bn.Epsilon)), op.FusedBatchNormGradV3IsTraining(true))
	sess, err := graphs.NewSession(g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if err := sess.InitVariables(); err != nil {
		t.Fatal(err)
	}
	out, err := sess.Run(nil, []tf.Output{root.CastTo(y, tf.Float), root.CastTo(grads[0], tf.Float),
		root.CastTo(root.CastTo(y32, tf.Bfloat16), tf.Float), root.CastTo(root.CastTo(dx32, tf.Bfloat16), tf.Float)}, bn.Updates()...)
	if err != nil {
		t.Fatal(err)
	}
	for k, name := range []string{"y", "x gradient"} {
		got, want := graphs.Value(out[k]).([][][][]float32), graphs.Value(out[k+2]).([][][][]float32)
		worst := 0.0
		for i := range want {
			for j := range want[i] {
				for l := range want[i][j] {
					for c := range want[i][j][l] {
						d := math.Abs(float64(got[i][j][l][c] - want[i][j][l][c]))
						worst = max(worst, d/max(math.Abs(float64(want[i][j][l][c])), 1e-3))
					}
				}
			}
		}
		if worst > 1.0/128 { // one bfloat16 rounding (2⁻⁸ relative spacing) either way
			t.Errorf("%s: worst relative difference %.3g from the float32 kernel's, want ≤ 1/128", name, worst)
		}
	}
	for _, v := range []*graphs.Variable{bn.mean, bn.vari} {
		if v.DType != tf.Float {
			t.Errorf("%s is %v, want float32", v.Name, v.DType)
		}
	}
}
