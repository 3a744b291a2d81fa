package builders

import (
	"math"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

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
