// Command gan trains a DCGAN on a slice of MNIST with its train step written in Go: the
// generator and the discriminator are two Sequential models, and the step — noise drawn,
// images generated, both networks called, the two losses, each network's optimizer
// minimizing its own — is graph ops, as Keras's DCGAN overrides Model.train_step
// (keras.io/examples/generative/dcgan_overriding_train_step):
//
//	d_loss = bce(1, D(x)) + bce(0, D(G(z)))    (the discriminator's Adam)
//	g_loss = bce(1, D(G(z)))                   (the generator's Adam)
//
// with bce on the discriminator's logits. It prints the losses epoch by epoch and writes
// a grid of generated digits.
//
//	go run ./examples/gan -limit 2048 -epochs 3 -out grid.png
package main

import (
	"context"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log"
	"os"
	"os/signal"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/layers"
)

// latent is the noise's size.
const latent = 64

func main() {
	dataDir := flag.String("data", "", "where to look for MNIST first")
	limit := flag.Int("limit", 2048, "training images (0: all 60,000)")
	epochs := flag.Int("epochs", 3, "epochs")
	out := flag.String("out", "grid.png", "the generated digits' grid")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if _, err := run(ctx, os.Stdout, *dataDir, *limit, *epochs, *out); err != nil {
		log.Fatal(err)
	}
}

// generator: z (latent) → 7×7×32 → 14×14×16 → 28×28×1 in [-1, 1].
func generator() (*tfrun.Model, error) {
	return tfrun.Sequential(
		layers.Dense(7*7*32),
		layers.New("LeakyReLU", layers.Arg("negative_slope", 0.2)),
		layers.New("Reshape", layers.Arg("target_shape", []int{7, 7, 32})),
		layers.New("Conv2DTranspose", layers.Arg("filters", 16), layers.Arg("kernel_size", 4), layers.Arg("strides", 2), layers.Arg("padding", "same")),
		layers.New("LeakyReLU", layers.Arg("negative_slope", 0.2)),
		layers.New("Conv2DTranspose", layers.Arg("filters", 1), layers.Arg("kernel_size", 4), layers.Arg("strides", 2), layers.Arg("padding", "same"),
			layers.Activation("tanh")),
	)
}

// discriminator: 28×28×1 → 14×14×16 → 7×7×32 → one logit (real or fake), with dropout
// to slow it down.
func discriminator() (*tfrun.Model, error) {
	return tfrun.Sequential(
		layers.Conv2D(16, 4, layers.Arg("strides", 2), layers.Arg("padding", "same")),
		layers.New("LeakyReLU", layers.Arg("negative_slope", 0.2)),
		layers.Conv2D(32, 4, layers.Arg("strides", 2), layers.Arg("padding", "same")),
		layers.New("LeakyReLU", layers.Arg("negative_slope", 0.2)),
		layers.Flatten(),
		layers.Dropout(0.3),
		layers.Dense(1),
	)
}

// bce is the binary crossentropy of logits against a constant label (0 or 1), averaged:
// tf.nn.sigmoid_cross_entropy_with_logits, max(x, 0) − x·label + log(1 + exp(−|x|)).
func bce(s *tfrun.Scope, logits tfrun.Output, label float64) tfrun.Output {
	pos := op.Maximum(s.Op("Maximum"), logits, s.Scalar(0))
	soft := op.Log1p(s.Op("Log1p"), op.Exp(s.Op("Exp"), op.Neg(s.Op("Neg"), op.Abs(s.Op("Abs"), logits))))
	l := op.AddV2(s.Op("AddV2"), op.Sub(s.Op("Sub"), pos, op.Mul(s.Op("Mul"), logits, s.Scalar(label))), soft)
	return op.Mean(s.Op("Mean"), l, s.Const([]int32{0, 1}))
}

// step is the DCGAN's train step.
func step(b *tfrun.StepBuilder) error {
	gen, err := generator()
	if err != nil {
		return err
	}
	disc, err := discriminator()
	if err != nil {
		return err
	}
	g, err := b.Network("generator", gen, latent)
	if err != nil {
		return err
	}
	d, err := b.Network("discriminator", disc, 28, 28, 1)
	if err != nil {
		return err
	}
	s := b.Scope()
	real := b.Input("images")
	fake := g.Call(b.Noise(latent), true)
	realLogits, fakeLogits := d.Call(real, true), d.Call(fake, true)
	dLoss := op.AddV2(s.Op("AddV2"), bce(s.Sub("d_real"), realLogits, 1), bce(s.Sub("d_fake"), fakeLogits, 0))
	gLoss := bce(s.Sub("g"), fakeLogits, 1)
	adam := func(lr float64) tfrun.CompileOption {
		return tfrun.Optimizer("adam", tfrun.Arg("learning_rate", lr), tfrun.Arg("beta_1", 0.5))
	}
	if err := b.Minimize(dLoss, adam(1e-4), d); err != nil {
		return err
	}
	if err := b.Minimize(gLoss, adam(4e-4), g); err != nil {
		return err
	}
	b.Log("d_loss", dLoss)
	b.Log("g_loss", gLoss)
	// The discriminator's accuracy on real and generated images (its logit's sign).
	acc := func(logits tfrun.Output, real bool) tfrun.Output {
		cmp := op.Greater(s.Op("Greater"), logits, s.Scalar(0))
		if !real {
			cmp = op.LogicalNot(s.Op("LogicalNot"), cmp)
		}
		return op.Mean(s.Op("Mean"), op.Cast(s.Op("Cast"), cmp, tf.Float), s.Const([]int32{0, 1}))
	}
	b.Log("real_accuracy", acc(realLogits, true))
	b.Log("fake_accuracy", acc(fakeLogits, false))
	return nil
}

// result is what run trained: the history and the generated digits.
type result struct {
	History *tfrun.History
	Before  tfrun.Array // the generator's digits of the same noise before training
	After   tfrun.Array
}

func run(ctx context.Context, w io.Writer, dataDir string, limit, epochs int, out string) (*result, error) {
	train, _, err := tfrun.LoadDataset(configs.Data{Dataset: configs.DatasetMNIST}, dataDir, limit)
	if err != nil {
		return nil, err
	}
	images := make([]float32, len(train.X.Floats))
	for i, v := range train.X.Floats { // [0, 1] → [-1, 1], the generator's tanh range
		images[i] = 2*v - 1
	}
	m, err := tfrun.NewCustom("dcgan", map[string][]int{"images": {28, 28, 1}}, 42, step)
	if err != nil {
		return nil, err
	}
	defer m.Close()
	noise := tfrun.Floats(make([]float32, 16*latent), latent)
	for i := range noise.Floats { // a fixed grid of latent points: a deterministic lattice
		noise.Floats[i] = float32((i*7919)%200)/100 - 1
	}
	before, err := m.Predict(ctx, "generator", noise)
	if err != nil {
		return nil, err
	}
	h, err := m.Fit(ctx, tfrun.Data{Inputs: map[string]tfrun.Array{"images": tfrun.Floats(images, 28, 28, 1)}},
		tfrun.Epochs(epochs), tfrun.BatchSize(64))
	if err != nil {
		return nil, err
	}
	for i := range h.Epochs {
		fmt.Fprintf(w, "epoch %d: d_loss %.4f, g_loss %.4f, real_accuracy %.3f, fake_accuracy %.3f\n", i+1,
			h.Metrics["d_loss"][i], h.Metrics["g_loss"][i], h.Metrics["real_accuracy"][i], h.Metrics["fake_accuracy"][i])
	}
	after, err := m.Predict(ctx, "generator", noise)
	if err != nil {
		return nil, err
	}
	if out != "" {
		if err := writeGrid(out, after); err != nil {
			return nil, err
		}
		fmt.Fprintf(w, "wrote %s\n", out)
	}
	return &result{History: h, Before: before, After: after}, nil
}

// writeGrid writes 16 generated digits as a 4×4 grid.
func writeGrid(path string, digits tfrun.Array) error {
	img := image.NewGray(image.Rect(0, 0, 4*28, 4*28))
	for k := range 16 {
		for y := range 28 {
			for x := range 28 {
				v := digits.Floats[k*28*28+y*28+x]
				img.SetGray((k%4)*28+x, (k/4)*28+y, color.Gray{Y: uint8(max(0, min(255, (v+1)*127.5)))})
			}
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
