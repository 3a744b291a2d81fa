package configs

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// funcYAML is a functional residual model on MNIST, edited by the tests below.
const funcYAML = `task: classifier
data: {dataset: mnist}
model:
  inputs: {image: {shape: [28, 28, 1]}}
  layers:
    - {name: stem, type: Conv2D, filters: 4, kernel_size: 3, padding: same, call: image}
    - {name: conv, type: Conv2D, filters: 4, kernel_size: 3, padding: same}
    - {name: res, type: Add, call: [conv, stem]}
    - {name: pool, type: GlobalAveragePooling2D}
    - {name: head, type: Dense, units: 10, activation: softmax}
  outputs: [head]
train: {epochs: 1, loss: sparse_categorical_crossentropy}
`

func TestFunctionalLoads(t *testing.T) {
	c := mustLoad(t, "f.yaml", funcYAML)
	g, err := c.Supervised().Model.Graph()
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, n := range g.Nodes {
		order = append(order, n.Tensor)
	}
	if got := strings.Join(order, " "); got != "stem conv res pool head" {
		t.Errorf("nodes %s", got)
	}
	if l, p := c.Supervised().Model.OutputLayer(); l.Type != LayerDense || p != "model.layers[4]" {
		t.Errorf("output layer %s at %s", l.Type, p)
	}
	// Layers listed out of order, the output given first, load the same graph.
	shuffled := mustLoad(t, "s.yaml", edit(t, funcYAML,
		"    - {name: stem, type: Conv2D, filters: 4, kernel_size: 3, padding: same, call: image}\n", "",
		"    - {name: conv, type: Conv2D, filters: 4, kernel_size: 3, padding: same}",
		"    - {name: conv, type: Conv2D, filters: 4, kernel_size: 3, padding: same, call: stem}\n    - {name: stem, type: Conv2D, filters: 4, kernel_size: 3, padding: same, call: image}",
		"{name: pool, type: GlobalAveragePooling2D}", "{name: pool, type: GlobalAveragePooling2D, call: res}"))
	if g2, err := shuffled.Supervised().Model.Graph(); err != nil || g2.Nodes[0].Tensor != "stem" {
		t.Errorf("out-of-order layers: %v, %+v", err, g2)
	}
	// A layer called twice shares its weights: the estimate counts them once.
	shared := mustLoad(t, "r.yaml", edit(t, funcYAML,
		"    - {name: res, type: Add, call: [conv, stem]}",
		"    - {name: conv_again, reuse: conv, call: conv}\n    - {name: res, type: Add, call: [conv_again, stem]}"))
	if l := shared.Supervised().Model.Layers[2]; l.Type != LayerConv2D || l.Int("filters") != 4 {
		t.Errorf("reuse entry: %s, filters %d", l.Type, l.Int("filters"))
	}
	est, err := shared.EstimateMemory(0)
	if err != nil {
		t.Fatal(err)
	}
	kernels := 0
	for _, term := range est.Terms {
		if strings.Contains(term.What, "kernel") {
			kernels++
		}
	}
	if kernels != 3 { // stem, conv, head: conv_again adds none
		t.Errorf("%d kernels estimated, want 3:\n%s", kernels, est)
	}
	if shared.Fingerprint() == c.Fingerprint() {
		t.Error("a reuse entry leaves the fingerprint unchanged")
	}
}

// Every graph error names the layer (or input) and the key.
func TestFunctionalErrors(t *testing.T) {
	tests := []struct {
		name, key string
		want      error
		oldNew    []string
		also      string
	}{
		{"unknown tensor", "model.layers[2].call[1]", ErrBadValue,
			[]string{"call: [conv, stem]", "call: [conv, stme]"}, `unknown tensor "stme" (known: conv, head, image, pool, res, stem)`},
		{"unknown output", "model.outputs[0]", ErrBadValue, []string{"outputs: [head]", "outputs: [heads]"}, `unknown tensor "heads"`},
		{"cycle", "model.layers[1].call", ErrBadValue,
			[]string{"{name: conv, type: Conv2D, filters: 4, kernel_size: 3, padding: same}", "{name: conv, type: Conv2D, filters: 4, kernel_size: 3, padding: same, call: res}"},
			"a cycle: conv → res → conv"},
		{"layer not reaching an output", "model.layers[5]", ErrBadValue,
			[]string{"  outputs: [head]", "    - {name: extra, type: Dense, units: 3, call: pool}\n  outputs: [head]"},
			`"extra" (Dense) does not reach the model's outputs (head)`},
		{"input not reaching an output", "model.inputs.aux", ErrBadValue,
			[]string{"inputs: {image: {shape: [28, 28, 1]}}", "inputs: {image: {shape: [28, 28, 1]}, aux: {shape: [3]}}"},
			"does not reach the model's outputs (head)"},
		{"several inputs", "model.inputs", ErrBadValue,
			[]string{"inputs: {image: {shape: [28, 28, 1]}}", "inputs: {image: {shape: [28, 28, 1]}, aux: {shape: [28, 28, 4]}}",
				"call: [conv, stem]", "call: [conv, stem, aux]"},
			"2 inputs (aux, image): several inputs are not yet supported"},
		{"merge shapes", "model.layers[2]", ErrBadValue,
			[]string{"{name: conv, type: Conv2D, filters: 4,", "{name: conv, type: Conv2D, filters: 5,"},
			"Add: called on conv (None, 28, 28, 5) and stem (None, 28, 28, 4): inputs have incompatible shapes"},
		{"merge on one tensor too few", "model.layers[2].call", ErrBadValue,
			[]string{"{name: res, type: Add, call: [conv, stem]}", "{name: res, type: Dot, axes: 1, call: [conv]}"},
			"Dot is called on 1 tensors (conv); it takes exactly 2"},
		{"plain layer on two tensors", "model.layers[2].call", ErrBadValue,
			[]string{"{name: res, type: Add, call: [conv, stem]}", "{name: res, type: Dense, units: 4, call: [conv, stem]}"},
			"Dense is called on 2 tensors (conv, stem); it takes one"},
		{"Concatenate axis", "model.layers[2].axis", ErrBadValue,
			[]string{"{name: res, type: Add, call: [conv, stem]}", "{name: res, type: Concatenate, axis: 0, call: [conv, stem]}"},
			"not an axis of an input of rank 4 besides the batch axis 0"},
		{"duplicate name", "model.layers[1].name", ErrBadValue,
			[]string{"{name: conv, type: Conv2D", "{name: stem, type: Conv2D"}, `"stem" already names model.layers[0]`},
		{"several outputs", "model.outputs", ErrBadValue,
			[]string{"outputs: [head]", "outputs: [head, pool]"}, "several outputs are not yet supported"},
		{"input shape not the data's", "model.inputs.image.shape", ErrBadValue,
			[]string{"shape: [28, 28, 1]", "shape: [28, 28, 3]"}, "but the data's examples are [28 28 1]"},
		{"unknown reused layer", "model.layers[2].reuse", ErrBadValue,
			[]string{"{name: res, type: Add, call: [conv, stem]}", "{name: again, reuse: cnov, call: conv}\n    - {name: res, type: Add, call: [conv, stem]}"},
			`unknown layer "cnov"`},
		{"reuse with a type", "model.layers[2].type", ErrBadValue,
			[]string{"{name: res, type: Add, call: [conv, stem]}", "{name: again, reuse: conv, type: Conv2D, call: conv}\n    - {name: res, type: Add, call: [conv, stem]}"},
			"an entry with reuse calls an existing layer"},
		{"reused on another shape", "model.layers[2].call", ErrBadValue,
			[]string{"{name: res, type: Add, call: [conv, stem]}", "{name: again, reuse: stem, call: conv}\n    - {name: res, type: Add, call: [conv, stem, again]}"},
			`"stem" was built for [(None, 28, 28, 1)] (its first call, model.layers[0]); this call gives [(None, 28, 28, 4)]`},
		{"outputs without inputs", "model.outputs", ErrBadValue,
			[]string{"  inputs: {image: {shape: [28, 28, 1]}}\n", "", ", call: image}", "}",
				"call: [conv, stem]", "", "{name: pool, type: GlobalAveragePooling2D}", "{name: pool, type: GlobalAveragePooling2D}"},
			"only for a functional model"},
		{"call in a Sequential stack", "model.layers[0].call", ErrBadValue,
			[]string{"  inputs: {image: {shape: [28, 28, 1]}}\n", "", "  outputs: [head]\n", ""},
			"only a functional model's layers name the tensors"},
		{"merge layer in a Sequential stack", "model.layers[0].type", ErrBadValue,
			[]string{"  inputs: {image: {shape: [28, 28, 1]}}\n", "", "  outputs: [head]\n", "",
				"    - {name: stem, type: Conv2D, filters: 4, kernel_size: 3, padding: same, call: image}\n", "    - {type: Add}\n",
				"    - {name: res, type: Add, call: [conv, stem]}\n", ""},
			"Add is a merge layer, called on several tensors; a stack of layers has one"},
		{"input dtype", "model.inputs.image.dtype", ErrBadValue,
			[]string{"{shape: [28, 28, 1]}", "{shape: [28, 28, 1], dtype: int32}"}, "int32, but the data gives float32"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeYAML(t, t.TempDir(), "case.yaml", edit(t, funcYAML, tt.oldNew...))
			_, err := Load(path)
			if err == nil {
				t.Fatal("loaded, want an error")
			}
			var e *Error
			if !errors.As(err, &e) || e.Key != tt.key || !errors.Is(err, tt.want) {
				t.Errorf("error %v: key %q, want %q (%v)", err, e.Key, tt.key, tt.want)
			}
			if !strings.Contains(err.Error(), tt.also) {
				t.Errorf("error %q\ndoes not contain %q", err, tt.also)
			}
		})
	}
}

// A functional model's sizes are checked over the graph: a huge Dense on a branch is
// refused at its key.
func TestFunctionalSizes(t *testing.T) {
	path := writeYAML(t, t.TempDir(), "big.yaml", edit(t, funcYAML,
		"{name: head, type: Dense, units: 10, activation: softmax}",
		"{name: wide, type: Dense, units: 3000000000}\n    - {name: head, type: Dense, units: 10, activation: softmax}"))
	_, err := Load(path)
	if err == nil || !strings.Contains(err.Error(), "model.layers[4].units") {
		t.Fatalf("Load(%s) = %v, want an error at model.layers[4].units", filepath.Base(path), err)
	}
}

// What a functional model's layers are called on is part of its fingerprint; Sequential
// fingerprints are unchanged (fingerprint_test.go pins the shipped configs').
func TestFunctionalFingerprint(t *testing.T) {
	base := mustLoad(t, "a.yaml", funcYAML).Fingerprint()
	swapped := mustLoad(t, "b.yaml", edit(t, funcYAML, "call: [conv, stem]", "call: [stem, conv]")).Fingerprint()
	if swapped == base {
		t.Error("swapping an Add's inputs leaves the fingerprint unchanged")
	}
	spelled := mustLoad(t, "c.yaml", edit(t, funcYAML, "{name: conv, type: Conv2D, filters: 4, kernel_size: 3, padding: same}",
		"{name: conv, type: Conv2D, filters: 4, kernel_size: 3, padding: same, call: [stem]}")).Fingerprint()
	if spelled != base {
		t.Error("spelling out a default call changes the fingerprint")
	}
	if noOutputs := mustLoad(t, "d.yaml", edit(t, funcYAML, "  outputs: [head]\n", "")).Fingerprint(); noOutputs != base {
		t.Error("leaving out outputs (the last layer's, by default) changes the fingerprint")
	}
}
