package kerasfile_test

import (
	"slices"
	"testing"

	"github.com/tfrun/tfrun/kerasfile"
)

// WeightGroups names where Keras 3's save_weights file (testdata/cnn.weights.h5, Keras
// 3.15.1) holds each layer's weights, by class and rank, and lists the groups with
// weights; a Keras 2 file (found by layer name) has none.
func TestWeightGroups(t *testing.T) {
	var refs []kerasfile.LayerRef
	for _, l := range [][2]string{{"conv1", "Conv2D"}, {"bn1", "BatchNormalization"}, {"pool1", "MaxPooling2D"},
		{"conv2", "Conv2D"}, {"relu2", "Activation"}, {"flatten", "Flatten"}, {"drop", "Dropout"},
		{"fc", "Dense"}, {"probs", "Dense"}, {"extra", "Dense"}} {
		refs = append(refs, kerasfile.LayerRef{Name: l[0], Class: l[1]})
	}
	byLayer, inFile, err := kerasfile.WeightGroups("testdata/cnn.weights.h5", refs)
	if err != nil {
		t.Fatal(err)
	}
	for layer, want := range map[string]string{"conv1": "layers/conv2d", "conv2": "layers/conv2d_1", "bn1": "layers/batch_normalization",
		"fc": "layers/dense", "probs": "layers/dense_1", "extra": "layers/dense_2"} {
		if byLayer[layer] != want {
			t.Errorf("layer %s: group %q, want %q", layer, byLayer[layer], want)
		}
	}
	if want := []string{"layers/batch_normalization", "layers/conv2d", "layers/conv2d_1", "layers/dense", "layers/dense_1"}; !slices.Equal(inFile, want) {
		t.Errorf("groups with weights %q, want %q", inFile, want)
	}
	byLayer, inFile, err = kerasfile.WeightGroups("testdata/cnn_legacy.h5", refs)
	if err != nil || byLayer != nil || inFile != nil {
		t.Errorf("a Keras 2 file: %v, %v, %v; want nil, nil, nil", byLayer, inFile, err)
	}
	if _, _, err := kerasfile.WeightGroups("testdata/missing.weights.h5", refs); err == nil {
		t.Error("a missing file: no error")
	}
}
