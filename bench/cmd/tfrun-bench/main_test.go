package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/bench"
	"github.com/tfrun/tfrun/configs"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no model", nil, `unknown model ""`},
		{"unknown model", []string{"-model", "mnist_mlp"}, `unknown model "mnist_mlp" (valid: imdb_lstm,`},
		{"zero warmup", []string{"-model", "imdb_lstm", "-warmup", "0"}, "must be >= 1"},
		{"zero profile steps", []string{"-model", "imdb_lstm", "-profile", "p.md", "-profile-steps", "0"}, "-profile-steps must be >= 1"},
		{"arguments", []string{"-model", "imdb_lstm", "extra"}, `unexpected arguments ["extra"]`},
		{"missing config", []string{"-model", "imdb_lstm", "-config", "nope.yaml"}, "nope.yaml"},
		{"unknown precision", []string{"-model", "imdb_lstm", "-config", filepath.Join("..", "..", "..", "configs", "imdb_lstm.yaml"),
			"-precision", "mixed_float16"}, `-precision: ` + filepath.Join("..", "..", "..", "configs", "imdb_lstm.yaml") + `: precision: unknown "mixed_float16"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.args...)
			if code != 2 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tt.want)
			}
		})
	}
}

// TestModels times a few real steps of each model and checks the report, and the
// trainable parameters against Keras's model.summary() (bench/keras/*.py): imdb_lstm's
// Embedding(20000, 32) → LSTM(32) → Dense(1) has 640,000 + 8,320 + 33; the DCGAN tutorial's
// generator 2,305,472 and discriminator 212,865; with CIFAR's 8x8x256 and 3 channels,
// 2,690,048 and 228,289.
//
// It checks the FLOPs of a training step against a count by hand, per example (the
// batch here is 4). F(layer) is a layer's forward count: 2·in·out for a Dense; a
// convolution's 2·Cin·Cout·Th·Tw, Th and Tw being the taps inside the input summed over
// the output positions along each axis (Ho·kh and Wo·kw without padding; a
// Conv2DTranspose's from its forward conv, whose input is the transpose's result); an
// LSTM's 2·T·(I+U)·4U. A layer's weight gradient costs F again and its input gradient F
// again, the latter only where something below needs it (not for a first layer on data,
// nor for an Embedding's gather, whose gradient is counted nowhere: it has no products).
// For the DCGANs' 5×5 SAME convolutions, T is 29 for 7 → 7 (3, 4, 5, 5, 5, 4, 3), 34 for
// 8 → 8, and at stride 2 (one position of padding before) 32 for 14 → 7, 37 for 16 → 8,
// 67 for 28 → 14 and 77 for 32 → 16 (4, then 5s, then 3).
//
//   - imdb_lstm (fused LSTM at batch 32): LSTM T 80, I 32, U 32: F = 2·80·64·128 =
//     1,310,720, backward (BlockLSTMGradV2) 2F; Dense 32→1: F = 64, backward 2F.
//     3·1,310,720 + 3·64 = 3,932,352.
//   - imdb_cnn_lstm (fused): Conv1D 100×128 → 96×64, k 5, VALID: F = 2·96·64·5·128 =
//     7,864,320, backward 2F (the Embedding below needs the input gradient);
//     MaxPooling1D(4) → 24; LSTM T 24, I 64, U 70: F = 2·24·134·280 = 1,800,960, backward
//     2F; Dense 70→1: 140, backward 2F. 3·(7,864,320 + 1,800,960 + 140) = 28,996,260.
//   - imdb_tuned (unrolled LSTM at batch 512): T 200, I 64, U 64. Input projection
//     2·200·64·256 = 6,553,600 and recurrent products 200·2·64·256 = 6,553,600, each
//     also for its weight gradient and for its input gradient, except the first step's
//     recurrent product, its weight gradient and its input gradient (h₀ is zero, and
//     graphs.UnrolledLSTM skips them): 6·6,553,600 − 3·32,768; Dense 64→1: 3·128.
//     39,321,600 − 98,304 + 384 = 39,223,680.
//   - dcgan_mnist: generator Dense 100→12544: 2,508,800; Conv2DTranspose 7×7×256 → 128:
//     2·128·256·29·29 = 55,115,776; 7×7×128 → 14×14×64: 2·64·128·32·32 = 16,777,216;
//     14×14×64 → 28×28×1: 2·1·64·67·67 = 574,592; G = 74,976,384. Discriminator Conv2D
//     28×28×1 → 14×14×64: 574,592; 14×14×64 → 7×7×128: 16,777,216; Dense 6272→1: 12,544;
//     D = 17,364,352. A step runs G, and D on the real and the generated images: G + 2D =
//     109,705,088. The discriminator loss's gradient takes, for each of the two image
//     sets, D's weight gradients (D) and the input gradients of its second conv and Dense
//     (16,789,760): 68,308,224. The generator loss's gradient takes D's input gradients
//     (D), G's weight gradients (G) and G's input gradients but the first Dense's
//     (72,467,584): 164,808,320. Sum: 342,821,632, tfrun's count (graphs.Gradients
//     carries every gradient back once).
//   - dcgan_cifar: G: Dense 100→16384 3,276,800; 8×8×256 → 128: 2·128·256·34·34 =
//     75,759,616; → 16×16×64: 2·64·128·37·37 = 22,429,696; → 32×32×3: 2·3·64·77·77 =
//     2,276,736; G = 103,742,848. D: 32×32×3 → 16×16×64: 2,276,736; → 8×8×128:
//     22,429,696; Dense 8192→1: 16,384; D = 24,722,816. As for MNIST:
//     G + 2D + 2·(D + 22,446,080) + D + G + (G − 3,276,800) = 476,457,984.
//
// Under -precision mixed_bfloat16 the models have the same parameters and products (the
// casts are not counted) and the result says which precision ran.
func TestModels(t *testing.T) {
	tests := []struct {
		model, config string
		params        int
		flops         int64 // per example
		mixedFLOPs    int64 // per example under mixed_bfloat16, when not flops
	}{
		{"imdb_lstm", "imdb_lstm.yaml", 648353, 3932352, 0},
		{"imdb_cnn_lstm", "imdb_cnn_lstm.yaml", 2638895, 28996260, 0},
		{"imdb_tuned", "imdb_tuned.yaml", 1313089, 39223680, 0},
		{"dcgan_mnist", "gan_mnist.yaml", 2518337, 342821632, 0},
		{"dcgan_cifar", "dcgan_cifar.yaml", 2918337, 476457984, 0},
	}
	for _, precision := range []string{bench.Float32, configs.PrecisionMixedBFloat16} {
		for _, tt := range tests {
			t.Run(tt.model+"_"+precision, func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "r.json")
				code, stdout, stderr := runCLI(t, "-model", tt.model, "-config", filepath.Join("..", "..", "..", "configs", tt.config),
					"-steps", "2", "-warmup", "1", "-batch", "4", "-json", path, "-precision", precision)
				if code != 0 {
					t.Fatalf("exit %d: %s", code, stderr)
				}
				var printed bench.Result
				if err := json.Unmarshal([]byte(stdout), &printed); err != nil {
					t.Fatalf("stdout %q: %v", stdout, err)
				}
				r, err := bench.ReadResult(path)
				if err != nil {
					t.Fatal(err)
				}
				if r.TrainableParams != tt.params || printed.TrainableParams != r.TrainableParams {
					t.Errorf("trainable params %d (printed %d), want %d", r.TrainableParams, printed.TrainableParams, tt.params)
				}
				flops := tt.flops
				if precision == configs.PrecisionMixedBFloat16 && tt.mixedFLOPs != 0 {
					flops = tt.mixedFLOPs
				}
				if want := 4 * flops; r.FLOPsPerStep != want || printed.FLOPsPerStep != want {
					t.Errorf("FLOPs per step %d (printed %d), want 4·%d = %d", r.FLOPsPerStep, printed.FLOPsPerStep, flops, want)
				}
				if r.Model != tt.model || r.Steps != 2 || len(r.StepSeconds) != 2 || r.BatchSize != 4 || r.Precision != precision ||
					!(r.ExamplesPerSec > 0) || !(r.FirstStepSeconds > 0) || r.PeakRSSBytes <= 0 {
					t.Errorf("incomplete result %+v", r)
				}
			})
		}
	}
}

// TestProfile traces a DCGAN's steps (-profile): every counted FLOP of a step is found in
// an op TensorFlow ran (the discriminator's convolutions in the _FusedConv2D grappler made
// of them, or oneDNN's _MklNativeFusedConv2D), and the convolutions are listed with their
// FLOPs.
func TestProfile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "profile.md")
	code, _, stderr := runCLI(t, "-model", "dcgan_mnist", "-config", filepath.Join("..", "..", "..", "configs", "gan_mnist.yaml"),
		"-steps", "1", "-warmup", "1", "-batch", "4", "-profile", path, "-profile-steps", "2", "-profile-top", "5")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p := string(b)
	// In a test binary the thread layout is the rule's (autotuning keeps to the fixed rules).
	for _, want := range []string{"# Profile of dcgan_mnist (float32, batch 4,", "thread layout inter_op_default.", "2 steps traced:", "| op type | runs/step |", "Conv2DBackpropFilter | "} {
		if !strings.Contains(p, want) {
			t.Errorf("profile lacks %q:\n%s", want, p)
		}
	}
	if strings.Contains(p, "do not name") {
		t.Errorf("profile did not find every counted op:\n%s", p)
	}
	if n := strings.Count(p, "\n| "); n < 10 {
		t.Errorf("profile has %d table rows:\n%s", n, p)
	}
}
