package export

import (
	"slices"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/classifier"
	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/graphs"
)

// augmentYAML is a small CIFAR-10 classifier with preprocessing and augmentation layers
// inside the model: the data's [-1, 1] pixels rescaled to [0, 1], random flips and
// translations in training, a centre crop.
const augmentYAML = `name: tiny_augment
task: classifier
seed: 3
data: {dataset: cifar10}
model:
  layers:
    - {type: Rescaling, scale: 0.5, offset: 0.5}
    - {type: RandomFlip, mode: horizontal}
    - {type: RandomTranslation, height_factor: 0.1, width_factor: 0.1}
    - {type: CenterCrop, height: 28, width: 28}
    - {type: Conv2D, filters: 4, kernel_size: 3, strides: 2, activation: relu}
    - {type: GlobalAveragePooling2D}
    - {type: Dense, units: 10, activation: softmax}
train: {epochs: 1, batch_size: 64, loss: sparse_categorical_crossentropy, optimizer: adam}
`

// An exported model carries the inference half of its preprocessing layers: uint8 pixels
// through serving_default (and float pixels through float_images) give what the run's
// inference graph gives on the same pixels scaled as training scaled them (the random
// layers the identity, Rescaling and CenterCrop applied), the same on every call.
func TestExportCarriesPreprocessing(t *testing.T) {
	cfg, dir := trainedRun(t, augmentYAML, 256)
	_, sm := exportRun(t, cfg, dir)
	const n = 16
	shape := builders.Shape{32, 32, 3}
	raw := make([]uint8, n*32*32*3)
	for i := range raw {
		raw[i] = uint8((i*37 + i/3072*11) % 256)
	}
	c := restoredClassifier(t, cfg, dir, shape, false)
	want, err := c.Predict(&classifier.Dataset{Floats: datasets.ScaleToTanh(raw), Shape: shape, Labels: make([]float32, n)}, 64)
	if err != nil {
		t.Fatal(err)
	}
	u8, _ := graphs.NewTensor(raw, n, 32, 32, 3)
	floats := make([]float32, len(raw))
	for i, v := range raw {
		floats[i] = float32(v)
	}
	f32, _ := graphs.NewTensor(floats, n, 32, 32, 3)
	got := graphs.Flat(run(t, sm, DefaultSignature, map[string]*tf.Tensor{InputImages: u8})[OutputProbabilities]).([]float32)
	if d := maxDiff(got, want); d > 1e-6 {
		t.Errorf("SavedModel vs the run's inference graph: max difference %g", d)
	}
	again := graphs.Flat(run(t, sm, DefaultSignature, map[string]*tf.Tensor{InputImages: u8})[OutputProbabilities]).([]float32)
	if !slices.Equal(got, again) {
		t.Error("two calls on the same pixels differ: a random layer is active in serving")
	}
	gotF := graphs.Flat(run(t, sm, FloatImagesSignature, map[string]*tf.Tensor{InputImages: f32})[OutputProbabilities]).([]float32)
	if !slices.Equal(got, gotF) {
		t.Error("float_images differs from serving_default on the same pixels")
	}
}
