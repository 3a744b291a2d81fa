package gan

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/assemble"
	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/internal/runtest"
	"github.com/tfrun/tfrun/runner"
)

const tinyGAN = `task: gan
data: {dataset: mnist}
gan:
  noise_dim: 8
  batch_size: 16
  epochs: 1
  sample_grid: [2, 3]
  generator:
    layers:
      - {type: Dense, units: 32, use_bias: false}
      - {type: BatchNormalization}
      - {type: LeakyReLU}
      - {type: Reshape, target_shape: [2, 2, 8]}
      - {type: Conv2DTranspose, filters: 4, kernel_size: 3, strides: 2, padding: same, use_bias: false}
      - {type: BatchNormalization}
      - {type: LeakyReLU}
      - {type: Conv2DTranspose, filters: 1, kernel_size: 3, strides: 2, padding: same, activation: tanh}
  discriminator:
    layers:
      - {type: Conv2D, filters: 4, kernel_size: 3, strides: 2, padding: same}
      - {type: LeakyReLU}
      - {type: Dropout, rate: 0.3}
      - {type: Flatten}
      - {type: Dense, units: 1}
  generator_optimizer: {type: Adam, learning_rate: 1.0e-3}
  discriminator_optimizer: {type: Adam, learning_rate: 1.0e-3}
`

const tinyCGAN = `task: gan
data: {dataset: fashion_mnist}
gan:
  noise_dim: 8
  batch_size: 16
  epochs: 1
  num_classes: 10
  sample_grid: [10, 2]
  generator:
    inputs: {noise: {shape: [8]}, label: {shape: [1], dtype: int32}}
    layers:
      - {type: Embedding, input_dim: 10, output_dim: 5, call: label}
      - {type: Dense, units: 4}
      - {type: Reshape, target_shape: [2, 2, 1]}
      - {type: Dense, units: 32, call: noise}
      - {type: LeakyReLU, negative_slope: 0.2}
      - {type: Reshape, target_shape: [2, 2, 8]}
      - {type: Concatenate, call: [reshape_1, reshape]}
      - {type: Conv2DTranspose, filters: 4, kernel_size: 4, strides: 2, padding: same}
      - {type: LeakyReLU, negative_slope: 0.2}
      - {type: Conv2DTranspose, filters: 1, kernel_size: 4, strides: 2, padding: same, activation: tanh}
  discriminator:
    inputs: {image: {shape: [8, 8, 1]}, label: {shape: [1], dtype: int32}}
    layers:
      - {type: Embedding, input_dim: 10, output_dim: 5, call: label}
      - {type: Dense, units: 64}
      - {type: Reshape, target_shape: [8, 8, 1]}
      - {type: Concatenate, call: [image, reshape]}
      - {type: Conv2D, filters: 4, kernel_size: 3, strides: 2, padding: same}
      - {type: LeakyReLU, negative_slope: 0.2}
      - {type: Flatten}
      - {type: Dropout, rate: 0.4}
      - {type: Dense, units: 1}
`

func randomImages(n int, seed uint64) *ImageData {
	rng := rand.New(rand.NewPCG(seed, 1))
	d := &ImageData{Shape: builders.Shape{8, 8, 1}, Images: make([]float32, n*64), Labels: make([]int32, n)}
	for i := range d.Images {
		d.Images[i] = float32(2*rng.Float64() - 1)
	}
	for i := range d.Labels {
		d.Labels[i] = int32(i % 10)
	}
	return d
}

func snapshot(t *testing.T, s *graphs.Session, vars []*graphs.Variable) [][]float64 {
	t.Helper()
	ts, err := s.Get(vars...)
	if err != nil {
		t.Fatal(err)
	}
	out := make([][]float64, len(ts))
	for i, x := range ts {
		out[i] = graphs.Float64s(x)
	}
	return out
}

func changed(a, b [][]float64) []bool {
	out := make([]bool, len(a))
	for i := range a {
		for k := range a[i] {
			if a[i][k] != b[i][k] {
				out[i] = true
				break
			}
		}
	}
	return out
}

// Each optimizer's update changes its own network's weights, all of them, and nothing of
// the other network.
func TestGANStepChangesOnlyItsNetwork(t *testing.T) {
	cfg := runtest.LoadConfig(t, tinyGAN)
	data := randomImages(16, 1)
	for _, tc := range []struct {
		name         string
		step         func(m *GAN) *tf.Operation
		mine, others func(m *GAN) []*graphs.Variable
	}{
		{"generator", func(m *GAN) *tf.Operation { return m.genStep },
			func(m *GAN) []*graphs.Variable { return m.Generator.TrainableVariables() },
			func(m *GAN) []*graphs.Variable { return m.Discriminator.Variables() }},
		{"discriminator", func(m *GAN) *tf.Operation { return m.discStep },
			func(m *GAN) []*graphs.Variable { return m.Discriminator.TrainableVariables() },
			func(m *GAN) []*graphs.Variable { return m.Generator.Variables() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := NewGAN(cfg, GANOptions{ImageShape: data.Shape, Seed: 1, Threads: 1})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			idx := make([]int, 16)
			for i := range idx {
				idx[i] = i
			}
			it, _, err := data.Batch(idx)
			if err != nil {
				t.Fatal(err)
			}
			mine0, others0 := snapshot(t, m.sess, tc.mine(m)), snapshot(t, m.sess, tc.others(m))
			if _, err := m.sess.Run(map[tf.Output]*tf.Tensor{m.images: it}, nil, tc.step(m)); err != nil {
				t.Fatal(err)
			}
			mine1, others1 := snapshot(t, m.sess, tc.mine(m)), snapshot(t, m.sess, tc.others(m))
			for i, c := range changed(mine0, mine1) {
				if !c {
					t.Errorf("%s not updated", tc.mine(m)[i].Name)
				}
			}
			for i, c := range changed(others0, others1) {
				if c {
					t.Errorf("%s changed by the %s step", tc.others(m)[i].Name, tc.name)
				}
			}
		})
	}
}

// A whole train step runs both updates and BatchNorm's moving statistics; generation works.
func TestGANTrainStep(t *testing.T) {
	cfg := runtest.LoadConfig(t, tinyGAN)
	data := randomImages(32, 2)
	m, err := NewGAN(cfg, GANOptions{ImageShape: data.Shape, Seed: 1, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	mm := m.graph.Variable("generator/batch_normalization/moving_mean")
	before := snapshot(t, m.sess, []*graphs.Variable{mm})
	it, _, _ := data.Batch([]int{0, 1, 2, 3, 4, 5, 6, 7})
	r, err := m.TrainStep(it, nil)
	if err != nil {
		t.Fatal(err)
	}
	if math.IsInf(r.GenLoss, 0) || math.IsInf(r.DiscLoss, 0) || !(r.GenLoss > 0) || !(r.DiscLoss > 0) {
		t.Errorf("losses %+v", r)
	}
	if !changed(before, snapshot(t, m.sess, []*graphs.Variable{mm}))[0] {
		t.Error("BatchNorm moving mean not updated by the train step")
	}
	imgs, err := m.Generate(make([]float32, 3*8), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(imgs) != 3*64 {
		t.Fatalf("generated %d values, want %d", len(imgs), 3*64)
	}
	for _, v := range imgs {
		if v < -1 || v > 1 {
			t.Fatalf("generated value %v outside tanh's range", v)
		}
	}
}

// The conditional GAN builds, trains and generates per class.
func TestConditionalGAN(t *testing.T) {
	cfg := runtest.LoadConfig(t, tinyCGAN)
	data := randomImages(16, 3)
	m, err := NewGAN(cfg, GANOptions{ImageShape: data.Shape, Seed: 1, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	idx := []int{0, 1, 2, 3, 4, 5, 6, 7}
	it, lt, _ := data.Batch(idx)
	if _, err := m.TrainStep(it, nil); err == nil {
		t.Error("a conditional train step without labels succeeded")
	}
	if _, err := m.TrainStep(it, lt); err != nil {
		t.Fatal(err)
	}
	noise, labels, rows, cols := sampleInputs(cfg.GAN(), 1)
	if rows != 10 || cols != 2 || labels[0] != 0 || labels[19] != 9 {
		t.Fatalf("sample grid %dx%d labels %v: want one row per class", rows, cols, labels)
	}
	a, err := m.Generate(noise[:8], []int32{3})
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.Generate(noise[:8], []int32{7})
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != 64 || !changed([][]float64{f64(a)}, [][]float64{f64(b)})[0] {
		t.Error("the class label does not change the generated image")
	}
}

func f64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// Run on a slice of real MNIST writes grids, the GIF, the loss curves and the history.
func TestRunGANSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("uses MNIST")
	}
	cfg := runtest.LoadConfig(t, `task: gan
data: {dataset: mnist}
gan:
  noise_dim: 16
  batch_size: 64
  epochs: 2
  generator:
    layers:
      - {type: Dense, units: 392, use_bias: false}
      - {type: BatchNormalization}
      - {type: LeakyReLU}
      - {type: Reshape, target_shape: [7, 7, 8]}
      - {type: Conv2DTranspose, filters: 4, kernel_size: 5, strides: 2, padding: same, use_bias: false}
      - {type: BatchNormalization}
      - {type: LeakyReLU}
      - {type: Conv2DTranspose, filters: 1, kernel_size: 5, strides: 2, padding: same, use_bias: false, activation: tanh}
  discriminator:
    layers:
      - {type: Conv2D, filters: 8, kernel_size: 5, strides: 2, padding: same}
      - {type: LeakyReLU}
      - {type: Flatten}
      - {type: Dense, units: 1}
`)
	out := t.TempDir()
	var log bytes.Buffer
	err := Run(context.Background(), cfg, runner.Options{OutDir: out, Limit: 256, Threads: 2, Out: &log})
	if err != nil {
		if errors.Is(err, datasets.ErrDataSetNotFound) {
			t.Skipf("MNIST not available: %v", err)
		}
		t.Fatal(err)
	}
	// The log names the copy of MNIST that was read.
	if path, err := datasets.Locate("mnist", ""); err != nil {
		t.Error(err)
	} else if want := "Loaded mnist from " + path + ": 256 training images"; !strings.Contains(log.String(), want) {
		t.Errorf("log %q lacks %q", log.String(), want)
	}
	// The log is not a terminal: Keras's verbose=2, one line per epoch, no redraws.
	if strings.Contains(log.String(), "\r") {
		t.Errorf("the log has carriage returns (a progress bar):\n%q", log.String())
	}
	epochs := regexp.MustCompile(`(?m)^Epoch \d/2\n4/4 - \d+s - \d+(s|ms|us)/step - gen_loss: -?\d+\.\d{4} - disc_loss: -?\d+\.\d{4} - real_accuracy: \d\.\d{4} - fake_accuracy: \d\.\d{4}( - [a-z_]+: \S+)*$`).FindAllString(log.String(), -1)
	if len(epochs) != 2 || !strings.HasPrefix(epochs[0], "Epoch 1/2") || !strings.HasPrefix(epochs[1], "Epoch 2/2") {
		t.Errorf("want Epoch 1/2 and 2/2, each with one line of the GAN's metrics; the log:\n%s", log.String())
	}
	for _, f := range []string{"samples/epoch_0001.png", "samples/epoch_0002.png", "samples.gif", "losses.png", "history.json", "history.csv", "summary.txt",
		"generator.svg", "generator.dot", "discriminator.svg", "discriminator.dot"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
	// Each network's picture names its layers, as plot_model's boxes do.
	for _, net := range []string{"generator", "discriminator"} {
		dot, err := os.ReadFile(filepath.Join(out, net+".dot"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(dot), "digraph") || !strings.Contains(string(dot), "Dense") {
			t.Errorf("%s.dot is not a graph of the network's layers:\n%s", net, dot)
		}
	}
}

func containsAll(s string, subs ...string) bool {
	for _, x := range subs {
		if !contains(s, x) {
			return false
		}
	}
	return true
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

const resumeGAN = `task: gan
data: {dataset: mnist}
gan:
  noise_dim: 8
  batch_size: 32
  epochs: 2
  sample_grid: [2, 2]
  generator:
    layers:
      - {type: Dense, units: 98, use_bias: false}
      - {type: BatchNormalization}
      - {type: LeakyReLU}
      - {type: Reshape, target_shape: [7, 7, 2]}
      - {type: Conv2DTranspose, filters: 2, kernel_size: 3, strides: 2, padding: same, use_bias: false}
      - {type: BatchNormalization}
      - {type: LeakyReLU}
      - {type: Conv2DTranspose, filters: 1, kernel_size: 3, strides: 2, padding: same, activation: tanh}
  discriminator:
    layers:
      - {type: Conv2D, filters: 4, kernel_size: 3, strides: 2, padding: same}
      - {type: LeakyReLU}
      - {type: Dropout, rate: 0.3}
      - {type: Flatten}
      - {type: Dense, units: 1}
checkpoint: {every: 1}
`

// A GAN run stopped after an epoch, or in the middle of one, and resumed ends with the same
// weights (bit for bit) and history as the uninterrupted run.
func TestGANResumeEqualsUninterrupted(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on MNIST")
	}
	for _, step := range []string{configs.TrainStepSimultaneous, configs.TrainStepAlternating} {
		t.Run(step, func(t *testing.T) { testGANResume(t, runtest.LoadConfig(t, withTrainStep(resumeGAN, step))) })
	}
}

func testGANResume(t *testing.T, cfg *configs.Config) {
	run := func(ctx context.Context, dir string, edit func(*runner.Options)) error {
		o := runner.Options{OutDir: dir, Limit: 128, Threads: 1}
		if edit != nil {
			edit(&o)
		}
		return Run(ctx, cfg, o)
	}
	straight := t.TempDir()
	if err := run(context.Background(), straight, nil); err != nil {
		if errors.Is(err, datasets.ErrDataSetNotFound) {
			t.Skipf("MNIST not available: %v", err)
		}
		t.Fatal(err)
	}
	final := "ckpt-8" // 2 epochs of 4 steps
	wantData, err := os.ReadFile(filepath.Join(checkpoints.Dir(straight), final+".data-00000-of-00001"))
	if err != nil {
		t.Fatal(err)
	}
	wantHist := runtest.HistoryWithoutSeconds(t, straight)
	for _, tc := range []struct {
		name string
		stop func(t *testing.T, dir string)
	}{
		{"epoch_boundary", func(t *testing.T, dir string) {
			if err := run(context.Background(), dir, func(o *runner.Options) { o.Epochs = 1 }); err != nil {
				t.Fatal(err)
			}
		}},
		{"mid_epoch", func(t *testing.T, dir string) {
			err := run(runtest.InterruptAt(6), dir, nil)
			if err == nil || !errorsIsInterrupted(err) {
				t.Fatalf("err = %v, want an interruption", err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.stop(t, dir)
			if err := run(context.Background(), dir, func(o *runner.Options) { o.Resume = true }); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(filepath.Join(checkpoints.Dir(dir), final+".data-00000-of-00001"))
			if err != nil {
				t.Fatal(err)
			}
			if string(data) != string(wantData) {
				t.Errorf("%s differs from the uninterrupted run's", final)
			}
			if h := runtest.HistoryWithoutSeconds(t, dir); !runtest.SameHistory(h, wantHist) {
				t.Errorf("history\n got %+v\nwant %+v", h, wantHist)
			}
		})
	}
}

func errorsIsInterrupted(err error) bool { return errors.Is(err, runner.ErrInterrupted) }

// A model the loader would refuse (labels fed straight into a Dense, with no Embedding to
// turn them into floats), built from a config changed in Go, is an error, not a panic.
func TestGANBuildErrorIsAnError(t *testing.T) {
	cfg := runtest.LoadConfig(t, tinyCGAN)
	gen := &cfg.GAN().Generator
	gen.Layers = gen.Layers[1:] // the Dense is now called on the label
	gen.Layers[0].Call = []string{configs.GANLabelInput}
	_, err := NewGAN(cfg, GANOptions{ImageShape: builders.Shape{8, 8, 1}, Seed: 1})
	if err == nil || !errors.Is(err, assemble.ErrModelConfig) {
		t.Fatalf("err = %v, want an ErrModelConfig", err)
	}
}

// A Concatenate set in Go, past the loader's check, to join along an axis where its
// inputs differ is an ErrModelConfig naming the layer, not a graph that fails later.
func TestConcatenateAxis(t *testing.T) {
	cfg := runtest.LoadConfig(t, tinyCGAN)
	if err := cfg.GAN().Generator.Layers[6].Set("axis", 1); err != nil {
		t.Fatal(err)
	}
	_, err := NewGAN(cfg, GANOptions{ImageShape: builders.Shape{8, 8, 1}, Seed: 1})
	if err == nil || !errors.Is(err, assemble.ErrModelConfig) || !strings.Contains(err.Error(), "generator: concatenate: ") {
		t.Fatalf("err = %v, want an ErrModelConfig naming the generator's concatenate", err)
	}
}

// The three GAN configs build into networks with the assignment's shapes and Keras's
// parameter counts (worked out with Keras's formulas in the comments).
func TestGANConfigsShapesAndParams(t *testing.T) {
	conv := func(k, in, out int, bias bool) int { // Conv2D / Conv2DTranspose: k·k·in·out (+ out)
		n := k * k * in * out
		if bias {
			n += out
		}
		return n
	}
	bn := func(c int) int { return 4 * c } // gamma, beta, moving mean and variance
	cases := []struct {
		config     string
		image      builders.Shape
		genParams  int
		discParams int
	}{
		{"gan_mnist.yaml", builders.Shape{28, 28, 1},
			100*12544 + bn(12544) + conv(5, 256, 128, false) + bn(128) + conv(5, 128, 64, false) + bn(64) + conv(5, 64, 1, false),
			conv(5, 1, 64, true) + conv(5, 64, 128, true) + (7*7*128 + 1)},
		{"dcgan_cifar.yaml", builders.Shape{32, 32, 3},
			100*16384 + bn(16384) + conv(5, 256, 128, false) + bn(128) + conv(5, 128, 64, false) + bn(64) + conv(5, 64, 3, false),
			conv(5, 3, 64, true) + conv(5, 64, 128, true) + (8*8*128 + 1)},
		{"cgan_fashion.yaml", builders.Shape{28, 28, 1},
			// label: Embedding(10,50), Dense(49) on 50; noise: Dense(12544) on 100; then
			// Conv2DTranspose 128 (4×4) on 256+1 channels, 128 on 128, 1 (7×7) on 128.
			10*50 + (50*49 + 49) + (100*12544 + 12544) + conv(4, 257, 128, true) + conv(4, 128, 128, true) + conv(7, 128, 1, true),
			// label: Embedding(10,50), Dense(784) on 50; Conv2D 128 (3×3) on 1+1, 128 on 128; Dense(1) on 7·7·128.
			10*50 + (50*784 + 784) + conv(3, 2, 128, true) + conv(3, 128, 128, true) + (7*7*128 + 1)},
	}
	for _, tc := range cases {
		t.Run(tc.config, func(t *testing.T) {
			cfg, err := configs.Load(filepath.Join("..", "configs", tc.config))
			if err != nil {
				t.Fatal(err)
			}
			m, err := NewGAN(cfg, GANOptions{ImageShape: tc.image, Seed: 1, Threads: 1})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			if got := m.Generator.OutputShape().String(); got != tc.image.String() {
				t.Errorf("generator output %s, want %s", got, tc.image)
			}
			g, gn := builders.CountParams(m.Generator.Variables())
			d, dn := builders.CountParams(m.Discriminator.Variables())
			if g+gn != tc.genParams {
				t.Errorf("generator params %d, want %d", g+gn, tc.genParams)
			}
			if d+dn != tc.discParams {
				t.Errorf("discriminator params %d, want %d", d+dn, tc.discParams)
			}
		})
	}
}

// A layer that cannot be built is named by its config path, counting a conditional
// network's Concatenate as layers[0] as the YAML does. (Load finds such a layer first,
// naming the same path; here it is added in Go, past the loader.)
func TestGANBuildErrorNamesConfigPath(t *testing.T) {
	cfg := runtest.LoadConfig(t, tinyCGAN)
	reshape, err := configs.NewLayer("Reshape")
	if err != nil {
		t.Fatal(err)
	}
	if err := reshape.Set("target_shape", []int{5, 5, 5}); err != nil {
		t.Fatal(err)
	}
	ls := cfg.GAN().Generator.Layers
	cfg.GAN().Generator.Layers = append(append(ls[:8:8], reshape), ls[8:]...)
	_, err = NewGAN(cfg, GANOptions{ImageShape: builders.Shape{8, 8, 1}, Seed: 1})
	if err == nil || !strings.Contains(err.Error(), "generator: reshape_2: ") || !strings.Contains(err.Error(), "Reshape") {
		t.Fatalf("err = %v, want it to name the generator's reshape_2 (Reshape)", err)
	}
	body := strings.Replace(tinyCGAN,
		"      - {type: Conv2DTranspose, filters: 4, kernel_size: 4, strides: 2, padding: same}\n",
		"      - {type: Conv2DTranspose, filters: 4, kernel_size: 4, strides: 2, padding: same}\n      - {type: Reshape, target_shape: [5, 5, 5]}\n", 1)
	p := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := configs.Load(p); err == nil || !strings.Contains(err.Error(), "gan.generator.layers[8].target_shape: ") {
		t.Fatalf("Load: %v, want an error at gan.generator.layers[8].target_shape", err)
	}
}

// -resume refuses options that would not continue the same GAN training, naming them.
func TestGANResumeOptions(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on MNIST")
	}
	dir := t.TempDir()
	cfg := runtest.LoadConfig(t, resumeGAN)
	err := Run(runtest.InterruptAt(2), cfg, runner.Options{OutDir: dir, Limit: 128, Threads: 1})
	if errors.Is(err, datasets.ErrDataSetNotFound) {
		t.Skipf("MNIST not available: %v", err)
	}
	if !errorsIsInterrupted(err) {
		t.Fatalf("err = %v, want an interruption in epoch 1", err)
	}
	seed := int64(99)
	other := runtest.LoadConfig(t, strings.Replace(resumeGAN, "batch_size: 32", "batch_size: 16", 1))
	for _, tc := range []struct {
		name string
		cfg  *configs.Config
		o    runner.Options
		want []string
	}{
		{"other_limit", cfg, runner.Options{Limit: 64}, []string{"-limit 64", "-limit 128"}},
		{"other_seed", cfg, runner.Options{Limit: 128, Seed: &seed}, []string{"-seed 99", "seed 42"}},
		{"other_batch_mid_epoch", other, runner.Options{Limit: 128}, []string{"gan.batch_size 16", "batches of 32"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.o
			o.OutDir, o.Threads, o.Resume = dir, 1, true
			err := Run(context.Background(), tc.cfg, o)
			if !errors.Is(err, runner.ErrResumeOptions) || !containsAll(err.Error(), tc.want...) {
				t.Fatalf("err = %v, want ErrResumeOptions naming %q", err, tc.want)
			}
		})
	}
}

// An unconditional GAN's networks may be functional graphs too: a chain written with
// inputs builds the variables the Sequential stack does and trains a step to the same
// losses.
func TestUnconditionalFunctionalGAN(t *testing.T) {
	functional := strings.Replace(strings.Replace(tinyGAN,
		"  generator:\n    layers:\n", "  generator:\n    inputs: {z: {shape: [8]}}\n    layers:\n", 1),
		"  discriminator:\n    layers:\n", "  discriminator:\n    inputs: {image: {shape: [8, 8, 1]}}\n    layers:\n", 1)
	data := randomImages(16, 6)
	it, _, err := data.Batch([]int{0, 1, 2, 3, 4, 5, 6, 7})
	if err != nil {
		t.Fatal(err)
	}
	step := func(body string) ([]string, StepResult) {
		cfg := runtest.LoadConfig(t, body)
		m, err := NewGAN(cfg, GANOptions{ImageShape: data.Shape, Seed: 1, Threads: 1})
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		var names []string
		for _, v := range m.Weights() {
			names = append(names, v.Name)
		}
		r, err := m.TrainStep(it, nil)
		if err != nil {
			t.Fatal(err)
		}
		return names, r
	}
	seqNames, seq := step(tinyGAN)
	fnNames, fn := step(functional)
	if strings.Join(fnNames, " ") != strings.Join(seqNames, " ") {
		t.Errorf("variables\n functional %v\n sequential %v", fnNames, seqNames)
	}
	if fn != seq {
		t.Errorf("first step %+v, the Sequential stack's %+v", fn, seq)
	}
}

// A conditional GAN's networks in a config changed in Go to be unconditional, past the
// loader's check, are an ErrModelConfig: the label input would be left unfed.
func TestGANLabelInputNeedsNumClasses(t *testing.T) {
	cfg := runtest.LoadConfig(t, tinyCGAN)
	cfg.GAN().NumClasses = 0
	_, err := NewGAN(cfg, GANOptions{ImageShape: builders.Shape{8, 8, 1}, Seed: 1})
	if err == nil || !errors.Is(err, assemble.ErrModelConfig) || !strings.Contains(err.Error(), "gan.num_classes 0, but the generator takes a label true") {
		t.Fatalf("err = %v, want an ErrModelConfig naming gan.num_classes", err)
	}
}
