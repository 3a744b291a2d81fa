package configs

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// cganFunctionalYAML is cganYAML (the old form) written as functional graphs: the same
// layers in the same order, called on named inputs.
const cganFunctionalYAML = `task: gan
data: {dataset: mnist}
gan:
  epochs: 1
  num_classes: 10
  generator:
    inputs:
      noise: {shape: [100]}
      label: {shape: [1], dtype: int32}
    layers:
      - {type: Embedding, input_dim: 10, output_dim: 50, call: label}
      - {type: Dense, units: 49}
      - {type: Reshape, target_shape: [7, 7, 1]}
      - {type: Dense, units: 6272, call: noise}
      - {type: LeakyReLU}
      - {type: Reshape, target_shape: [7, 7, 128]}
      - {type: Concatenate, call: [reshape_1, reshape]}
      - {type: Conv2DTranspose, filters: 128, kernel_size: 4}
      - {type: BatchNormalization}
      - {type: Conv2D, filters: 1, kernel_size: [7, 5], activation: tanh, padding: same}
  discriminator:
    inputs:
      image: {dtype: float32}
      label: {dtype: int32}
    layers:
      - {type: Embedding, input_dim: 10, output_dim: 50, call: label}
      - {type: Dense, units: 100}
      - {type: Reshape, target_shape: [10, 10, 1]}
      - {type: Concatenate, call: [image, reshape]}
      - {type: Conv2D, filters: 64, kernel_size: 3, strides: 2, padding: same}
      - {type: LeakyReLU, alpha: 0.2}
      - {type: Flatten}
      - {type: Dropout, rate: 0.4}
      - {type: Dense, units: 1, activation: sigmoid}
`

// The old form loads as the functional graph it meant: label → label_branch, the noise
// or image → input_branch, their Concatenate (input first), the rest; with the same
// fingerprint as that graph written out, which is the old form's (so checkpoints of
// either resume under the other).
func TestGANOldFormIsFunctional(t *testing.T) {
	old := mustLoad(t, "old.yaml", cganYAML)
	fn := mustLoad(t, "functional.yaml", cganFunctionalYAML)
	gen := old.GAN().Generator
	if !gen.Functional() || gen.LabelBranch != nil || gen.InputBranch != nil {
		t.Fatalf("the old form was not rewritten: %+v", gen)
	}
	if got := inputNames(gen.Inputs); !slices.Equal(got, []string{"label", "noise"}) {
		t.Errorf("generator inputs %v, want [label noise]", got)
	}
	if got := inputNames(old.GAN().Discriminator.Inputs); !slices.Equal(got, []string{"image", "label"}) {
		t.Errorf("discriminator inputs %v, want [image label]", got)
	}
	var calls []string
	for _, l := range gen.Layers {
		calls = append(calls, l.Type+"("+strings.Join(l.Call, ",")+")")
	}
	want := "Embedding(label) Dense() Reshape() Dense(noise) LeakyReLU() Reshape() Concatenate(reshape_1,reshape) Conv2DTranspose() BatchNormalization() Conv2D()"
	if got := strings.Join(calls, " "); got != want {
		t.Errorf("generator layers\n got %s\nwant %s", got, want)
	}
	if d := old.GAN().Discriminator.Layers[3]; !slices.Equal(d.Call, []string{"image", "reshape"}) {
		t.Errorf("discriminator's Concatenate called on %v, want [image reshape] (no input branch)", d.Call)
	}
	if old.Fingerprint() != fn.Fingerprint() {
		t.Errorf("fingerprints differ:\n old form   %s\n functional %s", old.ModelDefinition(), fn.ModelDefinition())
	}
	if !strings.Contains(string(fn.ModelDefinition()), `"label_branch":[{`) {
		t.Errorf("the functional form's definition is not the old form's: %s", fn.ModelDefinition())
	}
}

// A functional network's definition spells its inputs' defaults out: giving the label's
// shape and dtype, or the noise's dtype, or leaving them out, is the same model.
func TestGANInputDefaultsFingerprint(t *testing.T) {
	named := func(body string) string { // not the old pattern: a layer named
		return edit(t, body, "{type: Dense, units: 49}", "{name: label_dense, type: Dense, units: 49}")
	}
	base := mustLoad(t, "a.yaml", named(cganFunctionalYAML)).Fingerprint()
	spelt := mustLoad(t, "b.yaml", named(edit(t, cganFunctionalYAML, "noise: {shape: [100]}", "noise: {shape: [100], dtype: float32}",
		"image: {dtype: float32}", "image: {shape: [10, 10, 1]}"))).Fingerprint()
	if spelt != base {
		t.Error("spelling the inputs' defaults out changed the fingerprint")
	}
}

// A functional graph that is not the old two-branch pattern has a definition of its own:
// another layer order (other default names, so other variables), a layer named, the
// label concatenated first.
func TestGANFunctionalFingerprints(t *testing.T) {
	base := mustLoad(t, "functional.yaml", cganFunctionalYAML).Fingerprint()
	for _, tc := range []struct{ name, old, new string }{
		{"input branch first",
			"      - {type: Embedding, input_dim: 10, output_dim: 50, call: label}\n      - {type: Dense, units: 49}\n      - {type: Reshape, target_shape: [7, 7, 1]}\n      - {type: Dense, units: 6272, call: noise}\n      - {type: LeakyReLU}\n      - {type: Reshape, target_shape: [7, 7, 128]}\n      - {type: Concatenate, call: [reshape_1, reshape]}",
			"      - {type: Dense, units: 6272, call: noise}\n      - {type: LeakyReLU}\n      - {type: Reshape, target_shape: [7, 7, 128]}\n      - {type: Embedding, input_dim: 10, output_dim: 50, call: label}\n      - {type: Dense, units: 49}\n      - {type: Reshape, target_shape: [7, 7, 1]}\n      - {type: Concatenate, call: [reshape, reshape_1]}"},
		{"label first in the Concatenate", "call: [reshape_1, reshape]", "call: [reshape, reshape_1]"},
		{"a layer named", "{type: Dense, units: 49}", "{name: label_dense, type: Dense, units: 49}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mustLoad(t, "case.yaml", edit(t, cganFunctionalYAML, tc.old, tc.new))
			if c.Fingerprint() == base {
				t.Errorf("same fingerprint as the two-branch graph: %s", c.ModelDefinition())
			}
			if !strings.Contains(string(c.ModelDefinition()), `"generator":{"functional"`) && tc.name != "a layer named" {
				t.Errorf("read as the old form: %s", c.ModelDefinition())
			}
		})
	}
}

func TestGANNetworkErrors(t *testing.T) {
	gan := `task: gan
data: {dataset: mnist}
gan:
  epochs: 1
  generator:
    layers:
      - {type: Dense, units: 784}
      - {type: Reshape, target_shape: [28, 28, 1]}
  discriminator:
    layers:
      - {type: Flatten}
      - {type: Dense, units: 1}
`
	tests := []struct {
		name, yaml, key string
		want            error
		also            []string
	}{
		{"no label input", edit(t, cganFunctionalYAML, "      label: {dtype: int32}", "      class: {dtype: int32}", "output_dim: 50, call: label}\n      - {type: Dense, units: 100}", "output_dim: 50, call: class}\n      - {type: Dense, units: 100}"),
			"gan.discriminator.inputs", ErrBadValue, []string{"two inputs: label, the class label, and the image"}},
		{"label in an unconditional GAN", edit(t, cganFunctionalYAML, "  num_classes: 10\n", ""),
			"gan.generator.inputs.label", ErrBadValue, []string{"only for a conditional GAN"}},
		{"label of floats", edit(t, cganFunctionalYAML, "label: {dtype: int32}", "label: {dtype: float32}"),
			"gan.discriminator.inputs.label.dtype", ErrBadValue, []string{"the class label is int32"}},
		{"label of shape [2]", edit(t, cganFunctionalYAML, "label: {shape: [1], dtype: int32}", "label: {shape: [2], dtype: int32}"),
			"gan.generator.inputs.label.shape", ErrBadValue, []string{"the class label's shape is [1]"}},
		{"noise of ids", edit(t, cganFunctionalYAML, "noise: {shape: [100]}", "noise: {shape: [100], dtype: int32}"),
			"gan.generator.inputs.noise.dtype", ErrBadValue, []string{"the noise is float32"}},
		{"noise of another shape", edit(t, cganFunctionalYAML, "noise: {shape: [100]}", "noise: {shape: [64]}"),
			"gan.generator.inputs.noise.shape", ErrBadValue, []string{"[64], but gan.noise_dim gives [100]"}},
		{"image of another shape", edit(t, cganFunctionalYAML, "      image: {dtype: float32}\n", "      image: {shape: [32, 32, 3]}\n"),
			"gan.discriminator.inputs.image.shape", ErrBadValue, []string{"[32 32 3], but the generator's output gives [10 10 1]"}},
		{"Embedding smaller than num_classes", edit(t, cganFunctionalYAML, "{type: Embedding, input_dim: 10, output_dim: 50, call: label}\n      - {type: Dense, units: 100}", "{type: Embedding, input_dim: 5, output_dim: 50, call: label}\n      - {type: Dense, units: 100}"),
			"gan.discriminator.layers[0].input_dim", ErrBadValue, []string{"5 < gan.num_classes 10"}},
		{"discriminator of two values", edit(t, cganFunctionalYAML, "{type: Dense, units: 1, activation: sigmoid}", "{type: Dense, units: 2, activation: sigmoid}"),
			"gan.discriminator.layers[8]", ErrBadValue, []string{"want one logit per image (None, 1)"}},
		{"unknown tensor", edit(t, cganFunctionalYAML, "call: [reshape_1, reshape]", "call: [reshape_1, reshap]"),
			"gan.generator.layers[6].call[1]", ErrBadValue, []string{`unknown tensor "reshap"`}},
		{"outputs of a stack", edit(t, gan, "      - {type: Dense, units: 1}\n", "      - {type: Dense, units: 1}\n    outputs: [dense]\n"),
			"gan.discriminator.outputs", ErrBadValue, []string{"only for a functional graph"}},
		{"Concatenate in a stack", edit(t, gan, "      - {type: Flatten}\n", "      - {type: Concatenate}\n      - {type: Flatten}\n"),
			"gan.discriminator.layers[0].type", ErrBadValue, []string{"a merge layer"}},
		// The old form's own errors, named where the old form has them.
		{"old form: input_branch alone", edit(t, gan, "  generator:\n", "  num_classes: 10\n  generator:\n    input_branch: [{type: Flatten}]\n"),
			"gan.generator.input_branch", ErrBadValue, []string{"only with label_branch"}},
		{"old form: label_branch unconditional", edit(t, cganYAML, "  num_classes: 10\n", ""),
			"gan.generator.label_branch", ErrBadValue, []string{"only for a conditional GAN"}},
		{"old form: with inputs", edit(t, cganYAML, "  generator:\n", "  generator:\n    inputs: {noise: {shape: [100]}}\n"),
			"gan.generator.label_branch", ErrBadValue, []string{"not both"}},
		{"old form: no Concatenate", edit(t, cganYAML, "      - {type: Concatenate}\n      - {type: Conv2DTranspose", "      - {type: Conv2DTranspose"),
			"gan.generator.layers[0].type", ErrBadValue, []string{"start with Concatenate"}},
		{"old form: a call", edit(t, cganYAML, "      - {type: Dense, units: 49}", "      - {type: Dense, units: 49, call: embedding}"),
			"gan.generator.label_branch[1].call", ErrBadValue, []string{"not called by name"}},
		{"old form: error in a branch named there", edit(t, cganYAML, "[7, 7, 1]", "[7, 7, 2]"),
			"gan.generator.label_branch[2].target_shape", ErrBadValue, nil},
		{"old form: error in layers named there", edit(t, cganYAML, "{type: Dense, units: 1, activation: sigmoid}", "{type: Dense, units: 2, activation: sigmoid}"),
			"gan.discriminator.layers[5]", ErrBadValue, []string{"want one logit per image (None, 1)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeYAML(t, t.TempDir(), "case.yaml", tt.yaml)
			_, err := Load(path)
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			msg := err.Error()
			var e *Error
			if !errors.As(err, &e) || e.Key != tt.key || !errors.Is(err, tt.want) {
				t.Fatalf("error %q: want %v at %s", msg, tt.want, tt.key)
			}
			for _, s := range tt.also {
				if !strings.Contains(msg, s) {
					t.Errorf("error %q\ndoes not contain %q", msg, s)
				}
			}
		})
	}
}

// The memory estimate walks a functional GAN network as the old form's: the same terms.
func TestGANFunctionalMemory(t *testing.T) {
	old := mustLoad(t, "old.yaml", cganYAML)
	fn := mustLoad(t, "functional.yaml", cganFunctionalYAML)
	a, err := old.EstimateMemory(0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := fn.EstimateMemory(0)
	if err != nil {
		t.Fatal(err)
	}
	if a.Total() != b.Total() || a.Total() == 0 {
		t.Errorf("estimates %g (old form) and %g (functional), want equal and > 0", a.Total(), b.Total())
	}
}
