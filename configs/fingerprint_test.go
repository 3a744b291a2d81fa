package configs

import (
	"regexp"
	"strings"
	"testing"
)

func TestFingerprint(t *testing.T) {
	base := mustLoad(t, "base.yaml", baseYAML).Fingerprint()
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(base) {
		t.Fatalf("Fingerprint() = %q, want 64 hex digits", base)
	}
	tests := []struct {
		name   string
		oldNew []string // edits to baseYAML
		same   bool     // whether the fingerprint must stay the same
	}{
		{"epochs changed", []string{"epochs: 2", "epochs: 20"}, true},
		{"batch size changed", []string{"epochs: 2", "epochs: 2\n  batch_size: 64"}, true},
		{"optimizer changed", []string{"epochs: 2", "epochs: 2\n  optimizer: {type: Adam, learning_rate: 0.01}"}, true},
		{"callbacks added", []string{"validation_data: test", "validation_data: test\n  callbacks: [{type: EarlyStopping, patience: 3}]"}, true},
		{"checkpoint added", []string{"train:", "checkpoint: {every: 1, keep: 2}\ntrain:"}, true},
		{"seed and name changed", []string{"task: classifier", "task: classifier\nseed: 7\nname: other"}, true},
		{"default spelled out", []string{"{type: LSTM, units: 8}", "{type: lstm, units: 8, activation: tanh, use_bias: true}"}, true},
		{"units changed", []string{"{type: LSTM, units: 8}", "{type: LSTM, units: 9}"}, false},
		{"use_bias changed", []string{"{type: LSTM, units: 8}", "{type: LSTM, units: 8, use_bias: false}"}, false},
		{"layer added", []string{"    - {type: Dense", "    - {type: Dropout, rate: 0.5}\n    - {type: Dense"}, false},
		{"layer named", []string{"{type: LSTM, units: 8}", "{type: LSTM, units: 8, name: lstm}"}, false},
		{"maxlen changed", []string{"maxlen: 80", "maxlen: 81"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustLoad(t, "changed.yaml", edit(t, baseYAML, tt.oldNew...)).Fingerprint()
			if same := got == base; same != tt.same {
				t.Errorf("fingerprint same = %v, want %v (base %s, changed %s)", same, tt.same, base, got)
			}
		})
	}
}

func TestFingerprintGAN(t *testing.T) {
	base := mustLoad(t, "gan.yaml", cganYAML).Fingerprint()
	tests := []struct {
		name   string
		oldNew []string
		same   bool
	}{
		{"epochs changed", []string{"epochs: 1", "epochs: 5"}, true},
		{"sample grid changed", []string{"epochs: 1", "epochs: 1\n  sample_grid: [2, 8]"}, true},
		{"noise_dim changed", []string{"epochs: 1", "epochs: 1\n  noise_dim: 64"}, false},
		{"branch layer changed", []string{"      - {type: LeakyReLU}\n      - {type: Reshape, target_shape: [7, 7, 128]}", "      - {type: LeakyReLU, negative_slope: 0.1}\n      - {type: Reshape, target_shape: [7, 7, 128]}"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustLoad(t, "changed.yaml", edit(t, cganYAML, tt.oldNew...)).Fingerprint()
			if same := got == base; same != tt.same {
				t.Errorf("fingerprint same = %v, want %v", same, tt.same)
			}
		})
	}
}

// The shipped configs keep the fingerprints they had before the layer registry (taken
// with the flat Layer struct), so their checkpoints still resume. A config added later is
// not listed.
func TestFingerprintsStable(t *testing.T) {
	for path, want := range map[string]string{
		"cgan_fashion.yaml":       "d89fb16b7f2258067de7f329980c91e37457e0e399aec61658b18b4422661baf",
		"cifar_classifier.yaml":   "26879a8f4d8212e3fefcaf00dd7a767493c5cafd59eff86ce107a2cc757b57ca",
		"dcgan_cifar.yaml":        "0c42eb11db586a8b6addeda03ea4df2262530ad1887c59ee8b5acf51dfbd30bd",
		"fashion_classifier.yaml": "c8b5f932abd2d52cc82bce0a901443ab54ad270c2c2ce4d55d8a7cb648aeb327",
		"gan_mnist.yaml":          "7239d0fa01a4064bc7c3fa9f75ec93ab8837dd3477923bd2cc37787c0aef4bdc",
		"imdb_cnn_lstm.yaml":      "706161b062ce91d936524def4b804050eb9b1696cfada2f4b1d1312e09c76923",
		"imdb_lstm.yaml":          "6ae3a5948f24e0e1d4dfadb3e919cd495a8c1928217e92489d2adbbfc6b0cfcf",
		"imdb_lstm_dropout.yaml":  "31a076d53c461fb58e77dc7616f2cafd4916e58d6dbdf49c4704ad8e7da8ab91",
		"imdb_tuned.yaml":         "c46a4afda3205ad16c43f9819b890a6961548976b2ba0d790283afd5d066f1d2",
		"imdb_tuned_adam.yaml":    "c46a4afda3205ad16c43f9819b890a6961548976b2ba0d790283afd5d066f1d2",
		// Precision is not part of the model: the mixed run's checkpoints are imdb_tuned's.
		"imdb_tuned_mixed_bfloat16.yaml": "c46a4afda3205ad16c43f9819b890a6961548976b2ba0d790283afd5d066f1d2",
		"gan_mnist_mixed_bfloat16.yaml":  "7239d0fa01a4064bc7c3fa9f75ec93ab8837dd3477923bd2cc37787c0aef4bdc",
		"mnist_classifier.yaml":          "1e10b841f329a0a992a4380f1d5a25f239a20855c29d3497e4c66edda27fa069",
	} {
		c, err := Load(path)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		if got := c.Fingerprint(); got != want {
			t.Errorf("%s: fingerprint %s, want %s\n%s", path, got, want, c.ModelDefinition())
		}
	}
}

// A Later argument at its default stays out of the fingerprint; set, it counts.
func TestFingerprintLaterArgument(t *testing.T) {
	pooled := edit(t, baseYAML, "{type: LSTM, units: 8}", "{type: LSTM, units: 8, return_sequences: true}\n    - {type: GlobalMaxPooling1D}")
	base := mustLoad(t, "a.yaml", pooled)
	if def := string(base.ModelDefinition()); strings.Contains(def, "keepdims") {
		t.Errorf("keepdims at its default is in the definition: %s", def)
	}
	same := mustLoad(t, "b.yaml", edit(t, pooled, "{type: GlobalMaxPooling1D}", "{type: GlobalMaxPooling1D, keepdims: false}"))
	if same.Fingerprint() != base.Fingerprint() {
		t.Error("spelling out keepdims: false changed the fingerprint")
	}
}
