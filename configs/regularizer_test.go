package configs

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// regYAML is a small classifier whose Dense layer the tests below give regularizers.
const regYAML = `task: classifier
data: {dataset: mnist}
model:
  layers:
    - {type: Flatten}
    - {type: Dense, units: 10, activation: softmax, REG}
train: {epochs: 1, loss: sparse_categorical_crossentropy}
`

func TestRegularizerSpellings(t *testing.T) {
	tests := []struct {
		yaml string
		key  string
		want Regularizer
	}{
		{"kernel_regularizer: l2", "kernel_regularizer", Regularizer{L2: 0.01}},
		{"kernel_regularizer: L1", "kernel_regularizer", Regularizer{L1: 0.01}},
		{"bias_regularizer: {l2: 1.0e-4}", "bias_regularizer", Regularizer{L2: 1e-4}},
		{"kernel_regularizer: {l1: 1.0e-5, l2: 1.0e-4}", "kernel_regularizer", Regularizer{L1: 1e-5, L2: 1e-4}},
		{"kernel_regularizer: {type: L2, l2: 0.5}", "kernel_regularizer", Regularizer{L2: 0.5}},
		{"kernel_regularizer: {type: l2}", "kernel_regularizer", Regularizer{L2: 0.01}},
		{"activity_regularizer: {type: L1L2, l1: 1, l2: 2}", "activity_regularizer", Regularizer{L1: 1, L2: 2}},
		{"activity_regularizer: {class_name: l1_l2, l1: 0.1}", "activity_regularizer", Regularizer{L1: 0.1}},
		{"use_bias: false, bias_regularizer: l2", "bias_regularizer", Regularizer{L2: 0.01}}, // Keras too accepts it, and it penalizes nothing
	}
	for _, tt := range tests {
		t.Run(tt.yaml, func(t *testing.T) {
			c := mustLoad(t, "r.yaml", strings.Replace(regYAML, "REG", tt.yaml, 1))
			if got := c.Supervised().Model.Layers[1].Regularizer(tt.key); got != tt.want {
				t.Errorf("%s = %+v, want %+v", tt.key, got, tt.want)
			}
		})
	}
}

func TestRegularizerErrors(t *testing.T) {
	tests := []struct {
		yaml string
		want []string
	}{
		{"kernel_regularizer: {l2: -0.1}", []string{"model.layers[1].kernel_regularizer", "l2 -0.1", "non-negative"}},
		{"kernel_regularizer: {l1: -1, l2: 0.1}", []string{"l1 -1", "non-negative"}},
		{"kernel_regularizer: l3", []string{`unknown regularizer "l3"`, "L1, L2, L1L2"}},
		{"bias_regularizer: {type: orthogonal}", []string{`unknown regularizer "orthogonal"`, "L1, L2, L1L2"}},
		{"kernel_regularizer: l1_l2", []string{"needs its factors", "{l1: 0.01, l2: 0.01}"}},
		{"kernel_regularizer: {l3: 1}", []string{`unknown regularizer key "l3"`, "type, l1, l2"}},
		{"kernel_regularizer: {type: L2, l1: 0.1}", []string{"L2 regularizer has no l1"}},
		{"kernel_regularizer: {l2: big}", []string{"l2: want a number"}},
		{"kernel_regularizer: {}", []string{"needs l1 or l2"}},
		{"kernel_regularizer: 3", []string{"want a regularizer"}},
	}
	for _, tt := range tests {
		t.Run(tt.yaml, func(t *testing.T) {
			_, err := Load(writeYAML(t, t.TempDir(), "r.yaml", strings.Replace(regYAML, "REG", tt.yaml, 1)))
			if !errors.Is(err, ErrBadValue) {
				t.Fatalf("err %v, want ErrBadValue", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// Set takes a Regularizer as is; Validate checks its range.
func TestRegularizerSetValidate(t *testing.T) {
	l, _ := NewLayer(LayerDense)
	if err := l.Set("units", 3); err != nil {
		t.Fatal(err)
	}
	if err := l.Set("kernel_regularizer", Regularizer{L2: -1}); err != nil {
		t.Fatal(err)
	}
	if err := l.Validate(); !errors.Is(err, ErrBadValue) || !strings.Contains(err.Error(), "non-negative") {
		t.Errorf("Validate: %v, want a negative-factor error", err)
	}
	if err := l.Set("kernel_regularizer", "l1"); err != nil || l.Regularizer("kernel_regularizer") != (Regularizer{L1: 0.01}) {
		t.Errorf("Set l1: %v, %+v", err, l.Regularizer("kernel_regularizer"))
	}
}

// An unset regularizer, or one spelt out as none ({l2: 0}), leaves the fingerprint as it
// was before regularizers existed; a set one changes it.
func TestRegularizerFingerprint(t *testing.T) {
	base := mustLoad(t, "r.yaml", strings.Replace(regYAML, ", REG", "", 1)).Fingerprint()
	if got := mustLoad(t, "r.yaml", strings.Replace(regYAML, "REG", "kernel_regularizer: {l2: 0}", 1)).Fingerprint(); got != base {
		t.Errorf("a zero regularizer changed the fingerprint")
	}
	if got := mustLoad(t, "r.yaml", strings.Replace(regYAML, "REG", "kernel_regularizer: l2", 1)).Fingerprint(); got == base {
		t.Errorf("kernel_regularizer: l2 left the fingerprint unchanged")
	}
	if got := mustLoad(t, "r.yaml", strings.Replace(regYAML, "REG", "activity_regularizer: l2", 1)).Fingerprint(); got == mustLoad(t, "r.yaml", strings.Replace(regYAML, "REG", "kernel_regularizer: l2", 1)).Fingerprint() {
		t.Errorf("kernel and activity regularizers fingerprint alike")
	}
}

func TestRegularizerRefusedInGAN(t *testing.T) {
	raw, err := os.ReadFile("gan_mnist.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ old, new, path string }{
		{"{type: Dense, units: 1}", "{type: Dense, units: 1, kernel_regularizer: l2}", "gan.discriminator.layers[7].kernel_regularizer"},
		{"{type: Dense, units: 12544, use_bias: false}", "{type: Dense, units: 12544, use_bias: false, activity_regularizer: {l1: 0.1}}", "gan.generator.layers[0].activity_regularizer"},
	} {
		_, err := Load(writeYAML(t, t.TempDir(), "g.yaml", edit(t, string(raw), tt.old, tt.new)))
		if !errors.Is(err, ErrBadValue) || !strings.Contains(err.Error(), tt.path) || !strings.Contains(err.Error(), "not supported in a GAN") {
			t.Errorf("%s: %v, want a GAN regularizer error at %s", tt.new, err, tt.path)
		}
	}
}
