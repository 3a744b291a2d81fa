package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/bench"
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
		{"arguments", []string{"-model", "imdb_lstm", "extra"}, `unexpected arguments ["extra"]`},
		{"missing config", []string{"-model", "imdb_lstm", "-config", "nope.yaml"}, "nope.yaml"},
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
func TestModels(t *testing.T) {
	tests := []struct {
		model, config string
		params        int
	}{
		{"imdb_lstm", "imdb_lstm.yaml", 648353},
		{"imdb_cnn_lstm", "imdb_cnn_lstm.yaml", 2638895},
		{"imdb_tuned", "imdb_tuned.yaml", 1313089},
		{"dcgan_mnist", "gan_mnist.yaml", 2518337},
		{"dcgan_cifar", "dcgan_cifar.yaml", 2918337},
	}
	for _, tt := range tests {
		t.Run(tt.model, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "r.json")
			code, stdout, stderr := runCLI(t, "-model", tt.model, "-config", filepath.Join("..", "..", "..", "configs", tt.config),
				"-steps", "2", "-warmup", "1", "-batch", "4", "-json", path)
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
			if r.Model != tt.model || r.Steps != 2 || len(r.StepSeconds) != 2 || r.BatchSize != 4 ||
				!(r.ExamplesPerSec > 0) || !(r.FirstStepSeconds > 0) || r.PeakRSSBytes <= 0 {
				t.Errorf("incomplete result %+v", r)
			}
		})
	}
}
