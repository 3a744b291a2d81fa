package configs

import (
	"regexp"
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
		{"activation changed", []string{"{type: LSTM, units: 8}", "{type: LSTM, units: 8, activation: relu}"}, false},
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
		{"branch layer changed", []string{"units: 6272", "units: 6273"}, false},
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
