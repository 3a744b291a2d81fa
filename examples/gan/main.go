// Command gan trains a DCGAN on a slice of MNIST with its train step written in Go: the
// generator and the discriminator are two Sequential models, and the step — noise drawn,
// images generated, both networks called, the two losses, each network's optimizer
// minimizing its own — is graph ops, as Keras's DCGAN overrides Model.train_step
// (keras.io/examples/generative/dcgan_overriding_train_step):
//
//	d_loss = bce(1, D(x)) + bce(0, D(G(z)))    (the discriminator's Adam)
//	g_loss = bce(1, D(G(z)))                   (the generator's Adam)
//
// with bce on the discriminator's logits, on MNIST's pixels in [-1, 1] (the generator's
// tanh range; LoadDataset scales them so). It prints the losses epoch by epoch, writes a
// grid of generated digits and, with -export, the generator as a SavedModel
// (Custom.Export) with a JSON file of noise and the generator's images for it.
//
//	go run ./examples/gan -limit 0 -epochs 5 -out grid.png   # digits in about 4 minutes on 2 cores
//	go run ./examples/gan -limit 1024 -epochs 1 -export models/generator -reference generator.json
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log"
	"math/rand/v2"
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

// options are the command's flags.
type options struct {
	dataDir       string
	limit, epochs int
	grid          string // the grid's PNG; "": none
	export        string // where the generator's SavedModel goes (a version in it); "": none
	reference     string // a JSON file of noise and the generator's images for it; "": none
}

func main() {
	var o options
	flag.StringVar(&o.dataDir, "data", "", "where to look for MNIST first")
	flag.IntVar(&o.limit, "limit", 2048, "training images (0: all 60,000)")
	flag.IntVar(&o.epochs, "epochs", 3, "epochs")
	flag.StringVar(&o.grid, "out", "grid.png", "the generated digits' grid")
	flag.StringVar(&o.export, "export", "", "export the generator as a SavedModel into this directory")
	flag.StringVar(&o.reference, "reference", "", "write noise and the generator's images for it to this JSON file")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if _, err := run(ctx, os.Stdout, o); err != nil {
		log.Fatal(err)
	}
}

// The recipe: DCGAN's (Radford et al.): BatchNormalization in the generator, LeakyReLU
// 0.2, two Adam(2e-4, β1 0.5), batch 64; the networks are small (width filters at 7×7).
const (
	width           = 32
	discriminatorLR = 2e-4
	generatorLR     = 2e-4
)

// generator: z (latent) → 7×7×width → 14×14×width/2 → 28×28×1 in [-1, 1], batch-normalized.
func generator() (*tfrun.Model, error) {
	return tfrun.Sequential(
		layers.Dense(7*7*width),
		layers.New("BatchNormalization"),
		layers.New("LeakyReLU", layers.Arg("negative_slope", 0.2)),
		layers.New("Reshape", layers.Arg("target_shape", []int{7, 7, width})),
		layers.New("Conv2DTranspose", layers.Arg("filters", width/2), layers.Arg("kernel_size", 4), layers.Arg("strides", 2), layers.Arg("padding", "same")),
		layers.New("BatchNormalization"),
		layers.New("LeakyReLU", layers.Arg("negative_slope", 0.2)),
		layers.New("Conv2DTranspose", layers.Arg("filters", 1), layers.Arg("kernel_size", 4), layers.Arg("strides", 2), layers.Arg("padding", "same"),
			layers.Activation("tanh")),
	)
}

// discriminator: 28×28×1 → 14×14×width/2 → 7×7×width → one logit (real or fake), with
// dropout to slow it down.
func discriminator() (*tfrun.Model, error) {
	return tfrun.Sequential(
		layers.Conv2D(width/2, 4, layers.Arg("strides", 2), layers.Arg("padding", "same")),
		layers.New("LeakyReLU", layers.Arg("negative_slope", 0.2)),
		layers.Conv2D(width, 4, layers.Arg("strides", 2), layers.Arg("padding", "same")),
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
	if err := b.Minimize(dLoss, adam(discriminatorLR), d); err != nil {
		return err
	}
	if err := b.Minimize(gLoss, adam(generatorLR), g); err != nil {
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
	Images  tfrun.Array // the training images, as fed
	Before  tfrun.Array // the generator's digits of the grid's noise before training
	After   tfrun.Array
	Export  string // the SavedModel's directory, if exported
}

// gridNoise is the grid's latent points: 16 draws of N(0, 1), as training draws them,
// from a fixed seed.
func gridNoise() tfrun.Array {
	rng := rand.New(rand.NewPCG(1, 2))
	noise := tfrun.Floats(make([]float32, 16*latent), latent)
	for i := range noise.Floats {
		noise.Floats[i] = float32(rng.NormFloat64())
	}
	return noise
}

func run(ctx context.Context, w io.Writer, o options) (*result, error) {
	// MNIST's pixels come in [-1, 1], (x − 127.5)/127.5, the generator's tanh range.
	train, _, err := tfrun.LoadDataset(configs.Data{Dataset: configs.DatasetMNIST}, o.dataDir, o.limit)
	if err != nil {
		return nil, err
	}
	images := tfrun.Floats(train.X.Floats, 28, 28, 1)
	m, err := tfrun.NewCustom("dcgan", map[string][]int{"images": {28, 28, 1}}, 42, step)
	if err != nil {
		return nil, err
	}
	defer m.Close()
	noise := gridNoise()
	before, err := m.Predict(ctx, "generator", noise)
	if err != nil {
		return nil, err
	}
	h, err := m.Fit(ctx, tfrun.Data{Inputs: map[string]tfrun.Array{"images": images}}, tfrun.Epochs(o.epochs), tfrun.BatchSize(64))
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
	r := &result{History: h, Images: images, Before: before, After: after}
	if o.grid != "" {
		if err := writeGrid(o.grid, after); err != nil {
			return nil, err
		}
		fmt.Fprintf(w, "wrote %s\n", o.grid)
	}
	if o.export != "" {
		if r.Export, err = m.Export("generator", o.export); err != nil {
			return nil, err
		}
		fmt.Fprintf(w, "exported the generator to %s\n", r.Export)
	}
	if o.reference != "" {
		if err := writeReference(o.reference, r.Export, noise, after); err != nil {
			return nil, err
		}
		fmt.Fprintf(w, "wrote %s\n", o.reference)
	}
	return r, nil
}

// reference is what -reference writes: the grid's noise and the generator's images for
// it, as the SavedModel's serving_default takes and returns them (x, output).
type reference struct {
	Model  string      `json:"model,omitempty"`
	Shape  []int       `json:"shape"`
	Noise  [][]float32 `json:"noise"`
	Output [][]float32 `json:"output"`
}

// writeReference writes the reference of noise and the generator's images out.
func writeReference(path, model string, noise, out tfrun.Array) error {
	ref := reference{Model: model, Shape: out.Shape}
	n, r := noise.Len(), out.Len()
	for i := range n {
		ref.Noise = append(ref.Noise, noise.Floats[i*latent:(i+1)*latent])
		ref.Output = append(ref.Output, out.Floats[i*len(out.Floats)/r:(i+1)*len(out.Floats)/r])
	}
	b, err := json.Marshal(ref)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// scale is how many screen pixels a digit's pixel takes in the grid.
const scale = 3

// writeGrid writes 16 generated digits as a 4×4 grid, each pixel scale×scale.
func writeGrid(path string, digits tfrun.Array) error {
	img := image.NewGray(image.Rect(0, 0, 4*28*scale, 4*28*scale))
	for k := range 16 {
		for y := range 28 * scale {
			for x := range 28 * scale {
				v := digits.Floats[k*28*28+(y/scale)*28+x/scale]
				img.SetGray((k%4)*28*scale+x, (k/4)*28*scale+y, color.Gray{Y: uint8(max(0, min(255, (v+1)*127.5)))})
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
