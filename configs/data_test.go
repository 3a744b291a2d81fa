package configs

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// ownYAML is a classifier on a folder of texts.
const ownYAML = `name: own
task: classifier
data: {format: text_directory, path: texts, num_words: 100, maxlen: 10}
model:
  layers:
    - {type: Embedding, input_dim: 100, output_dim: 4}
    - {type: GlobalAveragePooling1D}
    - {type: Dense, units: 1, activation: sigmoid}
train: {epochs: 1}
`

// imageYAML is a classifier on a folder of images (default image_size).
const imageYAML = `name: own_images
task: classifier
data: {format: image_directory, path: photos}
model: {layers: [{type: GlobalAveragePooling2D}, {type: Dense, units: 3, activation: softmax}]}
train: {epochs: 1, loss: sparse_categorical_crossentropy}
`

// TestExampleDataConfigs loads every configs/examples/*.yaml: one per data source, as the
// user guide shows them.
func TestExampleDataConfigs(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("examples", "*.yaml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no examples/*.yaml (%v)", err)
	}
	formats := map[string]bool{}
	for _, p := range paths {
		c, err := Load(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		formats[c.Data.Format] = true
	}
	for _, f := range DataFormats() {
		if !formats[f] {
			t.Errorf("no example config for data.format %s", f)
		}
	}
}

func TestOwnDataDefaults(t *testing.T) {
	c := mustLoad(t, "i.yaml", imageYAML)
	if got := c.Data.ImageSizeOrDefault(); got != [2]int{256, 256} {
		t.Errorf("image_size %v, want Keras's [256 256]", got)
	}
	if c.Data.ColorModeOrDefault() != ColorModeRGB || c.Data.ScaleFor(TaskClassifier) != ScaleUnit || c.Data.ScaleFor(TaskGAN) != ScaleTanh {
		t.Errorf("color_mode %s, scale %s / %s; want rgb, unit for a classifier, tanh for a GAN",
			c.Data.ColorModeOrDefault(), c.Data.ScaleFor(TaskClassifier), c.Data.ScaleFor(TaskGAN))
	}
	if s, ids, known := c.Data.InputShape(); !known || ids || len(s) != 3 || s[0] != 256 || s[2] != 3 {
		t.Errorf("input shape %v (ids %v, known %v), want (None, 256, 256, 3)", s, ids, known)
	}
	if c.Data.SeedOr(7) != 7 || !c.Data.ShuffleOrDefault() || !c.Data.NormalizeOrDefault() {
		t.Errorf("seed, shuffle, normalize defaults: %d %v %v", c.Data.SeedOr(7), c.Data.ShuffleOrDefault(), c.Data.NormalizeOrDefault())
	}
}

func TestOwnDataErrors(t *testing.T) {
	tests := []struct {
		name, yaml, key string
		want            error
		also            []string
	}{
		{"no dataset nor format", edit(t, ownYAML, "{format: text_directory, path: texts, num_words: 100, maxlen: 10}", "{num_words: 100, maxlen: 10}"),
			"data.dataset", ErrMissingKey, []string{"data.format", "csv, image_directory, text_directory"}},
		{"both", edit(t, ownYAML, "format: text_directory,", "dataset: imdb, format: text_directory,"),
			"data.dataset", ErrBadValue, []string{"give one"}},
		{"unknown format", edit(t, ownYAML, "text_directory", "text_folder"),
			"data.format", ErrBadValue, []string{`unknown "text_folder" (valid: csv, image_directory, text_directory)`}},
		{"no path", edit(t, ownYAML, "path: texts, ", ""), "data.path", ErrMissingKey, nil},
		{"no maxlen", edit(t, ownYAML, ", maxlen: 10", ""), "data.maxlen", ErrBadValue, []string{"pad_sequences maxlen"}},
		{"key of another format", edit(t, ownYAML, "maxlen: 10", "maxlen: 10, image_size: [8, 8]"),
			"data.image_size", ErrBadValue, []string{"not a key of format text_directory", "num_words, maxlen"}},
		{"own key with a dataset", edit(t, ownYAML, "format: text_directory, path: texts", "dataset: imdb, test_path: t"),
			"data.test_path", ErrBadValue, []string{"only with data.format"}},
		{"split out of range", edit(t, ownYAML, "path: texts", "path: texts, validation_split: 1"),
			"data.validation_split", ErrBadValue, []string{"[0, 1)"}},
		{"one class", edit(t, ownYAML, "path: texts", "path: texts, class_names: [pos]"),
			"data.class_names", ErrBadValue, []string{"2 or more"}},
		{"class twice", edit(t, ownYAML, "path: texts", "path: texts, class_names: [a, b, a]"),
			"data.class_names[2]", ErrBadValue, []string{`"a" given twice`}},
		{"seed out of range", edit(t, ownYAML, "path: texts", "path: texts, seed: -1"),
			"data.seed", ErrBadValue, nil},
		{"two validation splits", edit(t, ownYAML, "path: texts", "path: texts, validation_split: 0.1") + "",
			"", nil, nil}, // valid
		{"color mode", edit(t, imageYAML, "path: photos", "path: photos, color_mode: cmyk"),
			"data.color_mode", ErrBadValue, []string{"valid: grayscale, rgb, rgba"}},
		{"scale", edit(t, imageYAML, "path: photos", "path: photos, scale: '0-1'"),
			"data.scale", ErrBadValue, []string{"valid: unit, tanh"}},
		{"image_size", edit(t, imageYAML, "path: photos", "path: photos, image_size: [0, 8]"),
			"data.image_size", ErrBadValue, nil},
		{"image shape reaches the layers", edit(t, imageYAML, "{type: GlobalAveragePooling2D}", "{type: LSTM, units: 2}"),
			"model.layers[0]", ErrBadValue, nil},
		{"validation twice", edit(t, imageYAML, "path: photos", "path: photos, validation_split: 0.1") + "",
			"", nil, nil},
		{"csv without label", `name: c
task: classifier
data: {format: csv, path: t.csv}
model: {layers: [{type: Dense, units: 1, activation: sigmoid}]}
train: {epochs: 1}
`, "data.label", ErrMissingKey, nil},
		{"label as feature", `name: c
task: classifier
data: {format: csv, path: t.csv, label: y, feature_columns: [a, y]}
model: {layers: [{type: Dense, units: 1, activation: sigmoid}]}
train: {epochs: 1}
`, "data.feature_columns[1]", ErrBadValue, []string{"data.label"}},
		{"csv for a gan", strings.Replace(`name: g
task: gan
data: {format: csv, path: t.csv, label: y}
gan: {epochs: 1, generator: {layers: [{type: Dense, units: 4}]}, discriminator: {layers: [{type: Dense, units: 1}]}}
`, "", "", 1), "data.format", ErrBadValue, []string{"not for task gan"}},
		{"data and train validation", edit(t, ownYAML, "path: texts", "path: texts, validation_split: 0.1")[:0] +
			edit(t, edit(t, ownYAML, "path: texts", "path: texts, validation_split: 0.1"), "train: {epochs: 1}", "train: {epochs: 1, validation_split: 0.2}"),
			"train.validation_split", ErrBadValue, []string{"data.validation_split"}},
		{"validation_data test without test_path", edit(t, ownYAML, "train: {epochs: 1}", "train: {epochs: 1, validation_data: test}"),
			"train.validation_data", ErrBadValue, []string{"data.test_path"}},
		{"val_loss monitor without validation", edit(t, ownYAML, "train: {epochs: 1}", "train: {epochs: 1, callbacks: [{type: EarlyStopping, monitor: val_loss}]}"),
			"train.callbacks[0].monitor", ErrBadValue, []string{"needs validation", "data.validation_split", "data.test_path"}},
		{"ReduceLROnPlateau's default monitor without validation", edit(t, imageYAML, "train: {epochs: 1,", "train: {epochs: 1, callbacks: [ReduceLROnPlateau],"),
			"train.callbacks[0].monitor", ErrBadValue, []string{"data.validation_split"}},
		{"val_loss with data.validation_split", edit(t, edit(t, ownYAML, "path: texts", "path: texts, validation_split: 0.2"), "train: {epochs: 1}",
			"train: {epochs: 1, callbacks: [{type: EarlyStopping, monitor: val_loss}]}"), "", nil, nil}, // valid
		{"cache", edit(t, imageYAML, "path: photos", "path: photos, cache: maybe"), "data.cache", ErrWrongType, nil},
		{"cache of text", edit(t, ownYAML, "path: texts", "path: texts, cache: true"), "data.cache", ErrBadValue, []string{"not a key of format text_directory"}},
		{"binary loss on class_names of 3", edit(t, ownYAML, "path: texts", "path: texts, class_names: [a, b, c]"),
			"train.loss", ErrBadValue, []string{"sparse_categorical_crossentropy"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(writeYAML(t, t.TempDir(), "c.yaml", tt.yaml))
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Load: %v, want no error", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, tt.want) || e.Key != tt.key {
				t.Fatalf("error %v, want %v at %s", err, tt.want, tt.key)
			}
			for _, s := range tt.also {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
		})
	}
}

// TestOwnDataFingerprint: what the model sees is in the fingerprint, where the files are
// is not (a run resumes from a moved folder).
func TestOwnDataFingerprint(t *testing.T) {
	base := mustLoad(t, "o.yaml", ownYAML).Fingerprint()
	if got := mustLoad(t, "o.yaml", edit(t, ownYAML, "path: texts", "path: /elsewhere/texts")).Fingerprint(); got != base {
		t.Error("moving data.path changed the fingerprint")
	}
	if got := mustLoad(t, "o.yaml", edit(t, ownYAML, "maxlen: 10", "maxlen: 11")).Fingerprint(); got == base {
		t.Error("data.maxlen did not change the fingerprint")
	}
}
