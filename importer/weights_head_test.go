package importer

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/internal/runtest"
	"github.com/tfrun/tfrun/kerasfile"
)

// A .weights.h5 (Keras's save_weights, testdata/base.weights.h5: conv, bn, pool, probs
// Dense(3)) as train.initial_weights of a model with another head does what Keras 3's
// model.load_weights does with skip_mismatch=False, checked with keras 3.15.1: Keras 3's
// file names each layer's weights by its class and rank (layers/dense is the model's first
// Dense), not by its name, so
//   - a new head of the old head's class and shape takes the old head's weights (Keras:
//     loaded, new_head's kernel equals probs');
//   - a head of another shape is an error naming the layer, the weight and both shapes
//     (Keras: ValueError, "variable.shape=(4, 10), Received: value.shape=(4, 3)");
//   - a layer with weights the file lacks (a second Dense) is an error naming it (Keras:
//     ValueError, "Layer 'head' expected 2 variables, but received 0 variables").
func TestInitialWeightsFileOtherHead(t *testing.T) {
	headOf := func(layers string) string {
		body := strings.Replace(fineTuneYAML, "WEIGHTS", "testdata/base.weights.h5", 1)
		// Image folders (not read here) of as many classes as the head has.
		body = strings.Replace(body, "data: {dataset: fashion_mnist}", "data: {format: image_directory, path: images, image_size: [28, 28], color_mode: grayscale}", 1)
		return strings.Replace(body, "    - {name: head, type: Dense, units: 10, activation: softmax}\n  outputs: [head]\n", layers, 1)
	}
	m, err := kerasfile.Load(baseKeras)
	if err != nil {
		t.Fatal(err)
	}
	probsKernel := floatBytes(m.Weights["probs"][0].Values)
	tests := []struct {
		name, layers string
		loads        string   // a weight that loads the file's probs/kernel
		want         []string // or the error's text
	}{
		{"new head of the same shape",
			"    - {name: new_head, type: Dense, units: 3, activation: softmax}\n  outputs: [new_head]\n",
			"functional/new_head/kernel", nil},
		{"head of another shape",
			"    - {name: head, type: Dense, units: 10, activation: softmax}\n  outputs: [head]\n",
			"", []string{`layer "head" (Dense): weight /layers/dense/vars/0 is [4 3] in the file, tfrun's functional/head/kernel is [4 10]`}},
		{"a layer the file lacks",
			"    - {name: hidden, type: Dense, units: 3}\n    - {name: head, type: Dense, units: 10, activation: softmax}\n  outputs: [head]\n",
			"", []string{`layer "head" (Dense): not in the file (a Keras 3 weights file holds a layer's weights by its class and rank, not its name: this one's would be layers/dense_1; the file has layers/`, "layers/dense)", "tfrun's layer has 2 weights (functional/head/kernel [3 10], functional/head/bias [10])", "skip_mismatch=False"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := runtest.LoadConfig(t, headOf(tc.layers))
			prefix, err := checkpoints.ResolveWeights("testdata/base.weights.h5", cfg.File, filepath.Join(t.TempDir(), "scratch"))
			if tc.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				got := checkpointBytes(t, prefix)
				if !bytes.Equal(got[tc.loads], probsKernel) {
					t.Errorf("%s is not the file's probs/kernel, as Keras's load_weights makes it", tc.loads)
				}
				for name, b := range kerasBytes(t, "functional") {
					if !bytes.Equal(got[name], b) {
						t.Errorf("%s is not the Keras file's", name)
					}
				}
				return
			}
			if !errors.Is(err, checkpoints.ErrInitialWeights) || !errors.Is(err, ErrWeights) {
				t.Fatalf("err = %v, want ErrInitialWeights and ErrWeights", err)
			}
			for _, s := range tc.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
		})
	}
}

// floatBytes are values as a checkpoint holds them (little-endian float32).
func floatBytes(values []float32) []byte {
	b := make([]byte, 4*len(values))
	for j, v := range values {
		binary.LittleEndian.PutUint32(b[4*j:], math.Float32bits(v))
	}
	return b
}
