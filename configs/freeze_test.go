package configs

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// freezeYAML is a functional MNIST model with a base (stem to pool, through a residual
// Add) and a head; the cases below edit it.
const freezeYAML = `task: classifier
data: {dataset: mnist}
model:
  inputs: {image: {shape: [28, 28, 1]}}
  layers:
    - {name: stem, type: Conv2D, filters: 4, kernel_size: 3, padding: same}
    - {name: conv, type: Conv2D, filters: 4, kernel_size: 3, padding: same}
    - {name: res, type: Add, call: [conv, stem]}
    - {name: pool, type: GlobalAveragePooling2D}
    - {name: hidden, type: Dense, units: 8}
    - {name: head, type: Dense, units: 10, activation: softmax}
  outputs: [head]
  BASE
train: {epochs: 1, loss: sparse_categorical_crossentropy, initial_weights: runs/x}
`

// trainable: false and model.base load, freeze the layers they name (a base: every layer
// on a path to its outputs) and change the fingerprint only when something is frozen; bad
// values fail at their key path.
func TestFreezeConfig(t *testing.T) {
	load := func(t *testing.T, text string) (*Config, error) {
		t.Helper()
		return Load(writeYAML(t, t.TempDir(), "case.yaml", text))
	}
	plain, err := load(t, strings.Replace(freezeYAML, "BASE", "", 1))
	if err != nil {
		t.Fatal(err)
	}
	if got := plain.Supervised().Train.InitialWeights; got != "runs/x" {
		t.Errorf("train.initial_weights %q, want runs/x", got)
	}
	// Without frozen layers a config's fingerprint is what it always was (the same
	// model with trainable: true spelt out).
	explicit, err := load(t, strings.Replace(strings.Replace(freezeYAML, "BASE", "base: {outputs: [pool]}", 1), "units: 8}", "units: 8, trainable: true}", 1))
	if err != nil {
		t.Fatal(err)
	}
	if plain.Fingerprint() != explicit.Fingerprint() {
		t.Errorf("trainable: true and a trainable base change the fingerprint")
	}
	for _, tt := range []struct {
		name, base, edit, editTo string
		frozen                   []bool // by entry of model.layers
	}{
		{"base", "base: {outputs: [pool], trainable: false}", "", "", []bool{true, true, true, true, false, false}},
		{"base of a branch", "base: {outputs: [conv], trainable: false}", "", "", []bool{true, true, false, false, false, false}},
		{"one layer", "", "units: 8}", "units: 8, trainable: false}", []bool{false, false, false, false, true, false}},
		{"trainable base, one layer frozen", "base: {outputs: [pool], trainable: true}", "filters: 4, kernel_size: 3, padding: same}\n    - {name: conv", "filters: 4, kernel_size: 3, padding: same, trainable: false}\n    - {name: conv", []bool{true, false, false, false, false, false}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			text := strings.Replace(freezeYAML, "BASE", tt.base, 1)
			if tt.edit != "" {
				text = strings.Replace(text, tt.edit, tt.editTo, 1)
			}
			c, err := load(t, text)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Supervised().Model.FrozenLayers(); !slices.Equal(got, tt.frozen) {
				t.Errorf("frozen %v, want %v", got, tt.frozen)
			}
			if c.Fingerprint() == plain.Fingerprint() {
				t.Errorf("freezing layers leaves the fingerprint as it was")
			}
			if !strings.Contains(string(c.ModelDefinition()), `"trainable":false`) {
				t.Errorf("the model definition does not record the frozen layers: %s", c.ModelDefinition())
			}
		})
	}
	inf, err := load(t, strings.Replace(freezeYAML, "BASE", "base: {outputs: [conv], training: false}", 1))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := inf.Supervised().Model.InferenceLayers(), []bool{true, true, false, false, false, false}; !slices.Equal(got, want) {
		t.Errorf("training: false: inference layers %v, want %v", got, want)
	}
	if inf.Fingerprint() != plain.Fingerprint() {
		t.Errorf("training: false changes the fingerprint (it changes no variable)")
	}
	// A Sequential stack's base is the named layer and every one before it.
	seq, err := load(t, `task: classifier
data: {dataset: mnist}
model:
  layers:
    - {type: Flatten}
    - {type: Dense, units: 8}
    - {type: Dense, units: 10, activation: softmax}
  base: {outputs: [dense], trainable: false}
train: {epochs: 1, loss: sparse_categorical_crossentropy}
`)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := seq.Supervised().Model.FrozenLayers(), []bool{true, true, false}; !slices.Equal(got, want) {
		t.Errorf("Sequential base: frozen %v, want %v", got, want)
	}

	for _, tt := range []struct {
		name, base, edit, editTo, key string
		want                          error
		also                          string
	}{
		{"trainable not a bool", "", "units: 8}", "units: 8, trainable: no}", "model.layers[4].trainable", ErrWrongType, "true or false"},
		{"trainable on a reuse entry", "", "outputs: [head]", "outputs: [head]\n  TAIL", "model.layers[5].trainable", ErrUnknownKey, "valid: name, reuse, call"},
		{"base unknown tensor", "base: {outputs: [pol], trainable: false}", "", "", "model.base.outputs[0]", ErrBadValue, `unknown tensor "pol"`},
		{"base on an input", "base: {outputs: [image], trainable: false}", "", "", "model.base.outputs[0]", ErrBadValue, "is a model input"},
		{"base without outputs", "base: {trainable: false}", "", "", "model.base.outputs", ErrMissingKey, ""},
		{"base empty outputs", "base: {outputs: [], trainable: false}", "", "", "model.base.outputs", ErrBadValue, "no outputs"},
		{"base training true", "base: {outputs: [pool], training: true}", "", "", "model.base.training", ErrBadValue, "only false may be given"},
		{"base unknown key", "base: {outputs: [pool], frozen: true}", "", "", "model.base.frozen", ErrUnknownKey, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			text := strings.Replace(freezeYAML, "BASE", tt.base, 1)
			if tt.edit != "" {
				text = strings.Replace(text, tt.edit, tt.editTo, 1)
			}
			if strings.Contains(text, "TAIL") { // a reuse entry after head
				text = strings.Replace(text, "    - {name: head,", "    - {name: again, reuse: hidden, call: hidden, trainable: false}\n    - {name: head,", 1)
				text = strings.Replace(text, "\n  TAIL", "", 1)
			}
			_, err := load(t, text)
			if err == nil {
				t.Fatalf("Load succeeded, want an error at %s", tt.key)
			}
			msg := err.Error()
			if !strings.Contains(msg, ": "+tt.key+": ") && !strings.Contains(msg, ": "+tt.key+".") {
				t.Errorf("error %q\ndoes not name %q", msg, tt.key)
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("error %q is not %v", msg, tt.want)
			}
			if !strings.Contains(msg, tt.also) {
				t.Errorf("error %q\ndoes not contain %q", msg, tt.also)
			}
		})
	}
}
