package configs

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// csvYAML is a binary classifier on a CSV table with named classes.
const csvYAML = `name: table
task: classifier
data: {format: csv, path: t.csv, label: y, feature_columns: [a, b], class_names: [benign, malignant]}
model: {layers: [{type: Dense, units: 1, activation: sigmoid}]}
train: {epochs: 1}
`

// twoFoldersYAML is a two-class image folder (classes known from class_names) with a
// Dense(2, softmax) output and sparse_categorical_crossentropy: Keras's label_mode int.
const twoFoldersYAML = `name: two
task: classifier
data: {format: image_directory, path: photos, image_size: [8, 8], class_names: [cats, dogs]}
model: {layers: [{type: Flatten}, {type: Dense, units: 2, activation: softmax}]}
train: {epochs: 1, loss: sparse_categorical_crossentropy}
`

// Valid pairings of label_mode, output and loss load; without label_mode the mode is the
// loss's.
func TestLabelModePairings(t *testing.T) {
	tests := []struct {
		name, yaml, mode string
	}{
		{"two-class softmax, int implied", twoFoldersYAML, LabelModeInt},
		{"two-class softmax, int", edit(t, twoFoldersYAML, "class_names:", "label_mode: int, class_names:"), LabelModeInt},
		{"two-class softmax, binary labels", edit(t, twoFoldersYAML, "class_names:", "label_mode: binary, class_names:"), LabelModeBinary},
		{"one-hot, categorical_crossentropy", edit(t, twoFoldersYAML, "class_names:", "label_mode: categorical, class_names:",
			"loss: sparse_categorical_crossentropy", "loss: categorical_crossentropy"), LabelModeCategorical},
		{"categorical implied by categorical_crossentropy", edit(t, twoFoldersYAML, "loss: sparse_categorical_crossentropy", "loss: categorical_crossentropy"),
			LabelModeCategorical},
		{"one sigmoid per class on one-hot labels", edit(t, twoFoldersYAML, "class_names:", "label_mode: categorical, class_names:",
			"activation: softmax", "activation: sigmoid", "loss: sparse_categorical_crossentropy", "loss: binary_crossentropy"), LabelModeCategorical},
		{"int labels, one sigmoid, binary_crossentropy", edit(t, csvYAML, "label: y,", "label: y, label_mode: int,"), LabelModeInt},
		{"binary implied", csvYAML, LabelModeBinary},
		{"csv regression has no mode", edit(t, csvYAML, ", class_names: [benign, malignant]", "", "activation: sigmoid", "activation: linear",
			"epochs: 1", "epochs: 1, loss: mse"), ""},
		{"regression on a folder takes the ids", edit(t, twoFoldersYAML, "units: 2, activation: softmax", "units: 1",
			"loss: sparse_categorical_crossentropy", "loss: mse, metrics: [mae]"), LabelModeInt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustLoad(t, "c.yaml", tt.yaml)
			if got := c.LabelMode(); got != tt.mode {
				t.Errorf("LabelMode() = %q, want %q", got, tt.mode)
			}
		})
	}
}

// Every label and weight key refuses what cannot apply, naming the key and what to change.
func TestLabelsAndWeightsErrors(t *testing.T) {
	withCW := func(text, cw string) string {
		return edit(t, text, "train: {epochs: 1", "train: {epochs: 1, class_weight: "+cw)
	}
	tests := []struct {
		name, yaml, key string
		want            error
		also            []string
	}{
		{"unknown label_mode", edit(t, csvYAML, "label: y,", "label: y, label_mode: onehot,"),
			"data.label_mode", ErrBadValue, []string{`unknown "onehot" (valid: int, categorical, binary)`}},
		{"label_mode with a built-in data set", `name: m
task: classifier
data: {dataset: mnist, label_mode: categorical}
model: {layers: [{type: Flatten}, {type: Dense, units: 10, activation: softmax}]}
train: {epochs: 1, loss: categorical_crossentropy}
`, "data.label_mode", ErrBadValue, []string{"only with data.format"}},
		{"int with categorical_crossentropy", edit(t, twoFoldersYAML, "class_names:", "label_mode: int, class_names:",
			"loss: sparse_categorical_crossentropy", "loss: categorical_crossentropy"),
			"data.label_mode", ErrBadValue, []string{"int with train.loss: categorical_crossentropy", "use label_mode: categorical or loss: sparse_categorical_crossentropy"}},
		{"binary with categorical_crossentropy", edit(t, twoFoldersYAML, "class_names:", "label_mode: binary, class_names:",
			"loss: sparse_categorical_crossentropy", "loss: categorical_crossentropy"),
			"data.label_mode", ErrBadValue, []string{"0/1 labels", "use label_mode: categorical"}},
		{"categorical with sparse_categorical_crossentropy", edit(t, twoFoldersYAML, "class_names:", "label_mode: categorical, class_names:"),
			"data.label_mode", ErrBadValue, []string{"use label_mode: int or loss: categorical_crossentropy"}},
		{"binary with 3 classes", edit(t, twoFoldersYAML, "class_names: [cats, dogs]", "label_mode: binary, class_names: [cats, dogs, birds]",
			"units: 2", "units: 3"),
			"data.label_mode", ErrBadValue, []string{"exactly 2 classes", "has 3"}},
		{"int with binary_crossentropy on 3 classes", edit(t, csvYAML, "label: y,", "label: y, label_mode: int,", "[benign, malignant]", "[a1, a2, a3]"),
			"data.label_mode", ErrBadValue, []string{"use loss: sparse_categorical_crossentropy"}},
		{"label_mode on a csv regression", edit(t, csvYAML, ", class_names: [benign, malignant]", ", label_mode: int", "activation: sigmoid", "activation: linear",
			"epochs: 1", "epochs: 1, loss: mse"),
			"data.label_mode", ErrBadValue, []string{"regression loss takes the label column \"y\" as real numbers", "remove data.label_mode"}},
		{"categorical with too few units", edit(t, twoFoldersYAML, "class_names: [cats, dogs]", "label_mode: categorical, class_names: [cats, dogs, birds]",
			"loss: sparse_categorical_crossentropy", "loss: categorical_crossentropy"),
			"model.layers[1].units", ErrBadValue, []string{"exactly 3 units"}},
		{"categorical with too many units", edit(t, twoFoldersYAML, "class_names:", "label_mode: categorical, class_names:",
			"units: 2", "units: 3", "loss: sparse_categorical_crossentropy", "loss: categorical_crossentropy"),
			"model.layers[1].units", ErrBadValue, []string{"exactly 2 units"}},
		{"label_mode in a gan", `name: g
task: gan
data: {format: image_directory, path: faces, image_size: [8, 8], label_mode: int}
gan:
  epochs: 1
  noise_dim: 4
  generator: {layers: [{type: Dense, units: 192}, {type: Reshape, target_shape: [8, 8, 3]}]}
  discriminator: {layers: [{type: Flatten}, {type: Dense, units: 1}]}
`, "data.label_mode", ErrBadValue, []string{"without labels"}},

		{"sample_weight on a folder", edit(t, twoFoldersYAML, "class_names:", "sample_weight: w, class_names:"),
			"data.sample_weight", ErrBadValue, []string{"column of a CSV table", "train.class_weight"}},
		{"sample_weight with a built-in data set", `name: m
task: classifier
data: {dataset: mnist, sample_weight: w}
model: {layers: [{type: Flatten}, {type: Dense, units: 10, activation: softmax}]}
train: {epochs: 1, loss: sparse_categorical_crossentropy}
`, "data.sample_weight", ErrBadValue, []string{"only with data.format"}},
		{"sample_weight is the label", edit(t, csvYAML, "label: y,", "label: y, sample_weight: y,"),
			"data.sample_weight", ErrBadValue, []string{"label or a feature"}},
		{"sample_weight is a feature", edit(t, csvYAML, "label: y,", "label: y, sample_weight: a,"),
			"data.sample_weight", ErrBadValue, []string{"label or a feature"}},
		{"sample_weight not a string", edit(t, csvYAML, "label: y,", "label: y, sample_weight: [w],"),
			"data.sample_weight", ErrWrongType, nil},
		{"sample_weight with class_weight", withCW(edit(t, csvYAML, "label: y,", "label: y, sample_weight: w,"), "{0: 1, 1: 2}"),
			"train.class_weight", ErrBadValue, []string{"set only one"}},

		{"class_weight on a regression", withCW(edit(t, csvYAML, ", class_names: [benign, malignant]", "", "activation: sigmoid", "activation: linear",
			"epochs: 1", "epochs: 1, loss: mse"), "{0: 2}"),
			"train.class_weight", ErrBadValue, []string{"regression loss", "data.sample_weight"}},
		{"class_weight unknown class name", withCW(csvYAML, "{benign: 1, cancer: 3}"),
			"train.class_weight", ErrBadValue, []string{`unknown class "cancer"`, "classes: benign, malignant"}},
		{"class_weight index out of range", withCW(csvYAML, "{2: 3}"),
			"train.class_weight", ErrBadValue, []string{"class index 2", "2 classes, 0..1"}},
		{"class_weight negative index", withCW(csvYAML, "{-1: 3}"),
			"train.class_weight", ErrBadValue, []string{"class index -1"}},
		{"class_weight a class twice", withCW(csvYAML, "{1: 3, malignant: 2}"),
			"train.class_weight", ErrBadValue, []string{"both weigh class 1"}},
		{"class_weight negative", withCW(csvYAML, "{1: -3}"),
			"train.class_weight.1", ErrBadValue, []string{">= 0"}},
		{"class_weight not a number", withCW(csvYAML, "{1: heavy}"),
			"train.class_weight.1", ErrWrongType, nil},
		{"class_weight not a mapping", withCW(csvYAML, "[1, 2]"),
			"train.class_weight", ErrWrongType, nil},
		{"class_weight by name without names", `name: m
task: classifier
data: {dataset: mnist}
model: {layers: [{type: Flatten}, {type: Dense, units: 10, activation: softmax}]}
train: {epochs: 1, loss: sparse_categorical_crossentropy, class_weight: {seven: 2}}
`, "train.class_weight", ErrBadValue, []string{"no names", "index 0..9"}},
		{"class_weight ambiguous name", withCW(edit(t, csvYAML, "[benign, malignant]", "[Benign, benign]"), "{benign: 2}"),
			"train.class_weight", ErrBadValue, []string{"differ only in case"}},

		{"unknown weighted metric", edit(t, csvYAML, "epochs: 1", "epochs: 1, weighted_metrics: [accuracy, f1]"),
			"train.weighted_metrics[1]", ErrBadValue, []string{`unknown "f1"`}},
		{"weighted metric against the loss", edit(t, csvYAML, "epochs: 1", "epochs: 1, weighted_metrics: [sparse_categorical_accuracy]"),
			"train.weighted_metrics[0]", ErrBadValue, []string{"binary_accuracy"}},
		{"weighted metric twice", edit(t, csvYAML, "epochs: 1", "epochs: 1, weighted_metrics: [accuracy, accuracy]"),
			"train.weighted_metrics[1]", ErrBadValue, []string{"given twice"}},
		{"weighted r2_score", edit(t, csvYAML, ", class_names: [benign, malignant]", "", "activation: sigmoid", "activation: linear",
			"epochs: 1", "epochs: 1, loss: mse, weighted_metrics: [r2_score]"),
			"train.weighted_metrics[0]", ErrBadValue, []string{"not implemented"}},
		{"weighted top-k accuracy", edit(t, twoFoldersYAML, "loss: sparse_categorical_crossentropy", "loss: sparse_categorical_crossentropy, weighted_metrics: [sparse_top_k_categorical_accuracy]"),
			"train.weighted_metrics[0]", ErrBadValue, []string{"not implemented"}},
		{"weighted_metrics not a list", edit(t, csvYAML, "epochs: 1", "epochs: 1, weighted_metrics: accuracy"),
			"train.weighted_metrics", ErrWrongType, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(writeYAML(t, t.TempDir(), "c.yaml", tt.yaml))
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

// class_weight resolves to one weight per class index: by index, by name (any case, as
// YAML keys arrive lower-cased), 1 for the classes left out; a weighted metric also
// listed in metrics is logged as weighted_<name>.
func TestClassWeights(t *testing.T) {
	c := mustLoad(t, "c.yaml", edit(t, csvYAML, "[benign, malignant]", "[Benign, Malignant]",
		"epochs: 1", "epochs: 1, class_weight: {Malignant: 4.5}, metrics: [accuracy], weighted_metrics: [accuracy, AUC]"))
	w, err := c.Supervised().Train.ClassWeight.Weights(c.Data.ClassNames, 2)
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{1, 4.5}; !slices.Equal(w, want) {
		t.Errorf("weights %v, want %v", w, want)
	}
	if !c.Weighted() {
		t.Error("Weighted() = false with class_weight")
	}
	for metric, want := range map[string]string{MetricAccuracy: "weighted_accuracy", MetricAUC: "auc"} {
		if got := c.Supervised().Train.WeightedMetricLogName(metric); got != want {
			t.Errorf("WeightedMetricLogName(%s) = %q, want %q", metric, got, want)
		}
	}
	byIndex := ClassWeight{"0": 0.5, "2": 3}
	w, err = byIndex.Weights(nil, 3)
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{0.5, 1, 3}; !slices.Equal(w, want) {
		t.Errorf("by index: weights %v, want %v", w, want)
	}
	// A class name that is a number different from its index: the key is the index.
	w, err = ClassWeight{"1": 7}.Weights([]string{"1", "0"}, 2)
	if err != nil || !slices.Equal(w, []float64{1, 7}) {
		t.Errorf("numeric names: %v, %v; want index 1 weighed", w, err)
	}
}

// multiYAML is a multi-label table: three 0/1 label columns, one sigmoid each.
const multiYAML = `name: tags
task: classifier
data: {format: csv, path: t.csv, label: [cat, dog, bird]}
model: {layers: [{type: Dense, units: 3, activation: sigmoid}]}
train: {epochs: 1, loss: binary_crossentropy}
`

// Several label columns: a multi-label classification with the 0/1 losses, or several
// regression targets; everything else is refused naming the key.
func TestSeveralLabelColumns(t *testing.T) {
	c := mustLoad(t, "m.yaml", multiYAML)
	if !c.MultiLabel() || c.Data.LabelWidth() != 3 || c.LabelMode() != LabelModeBinary {
		t.Errorf("MultiLabel %v, LabelWidth %d, LabelMode %q; want true, 3, binary", c.MultiLabel(), c.Data.LabelWidth(), c.LabelMode())
	}
	reg := mustLoad(t, "r.yaml", edit(t, multiYAML, "[cat, dog, bird]", "[y1, y2]", "units: 3, activation: sigmoid", "units: 2", "loss: binary_crossentropy", "loss: mse"))
	if reg.MultiLabel() || reg.Data.LabelWidth() != 2 {
		t.Errorf("regression: MultiLabel %v, LabelWidth %d; want false, 2", reg.MultiLabel(), reg.Data.LabelWidth())
	}
	one := mustLoad(t, "o.yaml", csvYAML)
	if one.Data.LabelWidth() != 1 || one.MultiLabel() {
		t.Errorf("one label column: LabelWidth %d, MultiLabel %v", one.Data.LabelWidth(), one.MultiLabel())
	}
	tests := []struct {
		name, yaml, key string
		want            error
		also            []string
	}{
		{"sparse loss", edit(t, multiYAML, "loss: binary_crossentropy", "loss: sparse_categorical_crossentropy"),
			"train.loss", ErrBadValue, []string{"multi-label", "binary_crossentropy"}},
		{"label_mode int", edit(t, multiYAML, "label: [cat, dog, bird]", "label: [cat, dog, bird], label_mode: int"),
			"data.label_mode", ErrBadValue, []string{"use label_mode: binary"}},
		{"class_names", edit(t, multiYAML, "label: [cat, dog, bird]", "label: [cat, dog, bird], class_names: [a, b, c]"),
			"data.class_names", ErrBadValue, []string{"the columns are the classes"}},
		{"class_weight", edit(t, multiYAML, "epochs: 1,", "epochs: 1, class_weight: {0: 2},"),
			"train.class_weight", ErrBadValue, []string{"data.sample_weight"}},
		{"units", edit(t, multiYAML, "units: 3", "units: 2"),
			"model.layers[0].units", ErrBadValue, []string{"3 label columns (cat, dog, bird)", "one output unit each"}},
		{"regression units", edit(t, multiYAML, "units: 3, activation: sigmoid", "units: 1", "loss: binary_crossentropy", "loss: mse"),
			"model.layers[0].units", ErrBadValue, []string{"3 label columns"}},
		{"empty list", edit(t, multiYAML, "[cat, dog, bird]", "[]"), "data.label", ErrWrongType, nil},
		{"a number", edit(t, multiYAML, "[cat, dog, bird]", "[cat, 3]"), "data.label[1]", ErrWrongType, nil},
		{"empty name", edit(t, multiYAML, "[cat, dog, bird]", `[cat, "", bird]`), "data.label[1]", ErrBadValue, []string{"empty"}},
		{"twice", edit(t, multiYAML, "[cat, dog, bird]", "[cat, dog, cat]"), "data.label[2]", ErrBadValue, []string{"given twice"}},
		{"a feature", edit(t, multiYAML, "label: [cat, dog, bird]", "label: [cat, dog, bird], feature_columns: [x, dog]"),
			"data.feature_columns[1]", ErrBadValue, []string{"the target"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(writeYAML(t, t.TempDir(), "c.yaml", tt.yaml))
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
	// One label column keeps its fingerprint whether written as a name or a list of one.
	if a, b := one.Fingerprint(), mustLoad(t, "l.yaml", edit(t, csvYAML, "label: y,", "label: [y],")).Fingerprint(); a != b {
		t.Error("label: y and label: [y] have different fingerprints")
	}
}

// The shipped CSV configs keep the fingerprints they had before data.label took a list
// (and before label_mode, sample_weight, class_weight existed), measured at 01c9b9b.
func TestCSVFingerprintsUnchanged(t *testing.T) {
	for path, want := range map[string]string{
		"breast_cancer.yaml":       "3e67c809cc43ae9edf2e3180af981bcd666860bea66bb23f2d266746c789b838",
		"diabetes_regression.yaml": "6bbf0c40b5b6de8932c2cc0399ad6fd22687ba75a8acc2e419a612d9f4268cf9",
		"wine.yaml":                "d3f57e64409895432180610e0e2feb86e9108d7e5f7855d750fbd3d62926df79",
	} {
		c, err := Load(path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if got := c.Fingerprint(); got != want {
			t.Errorf("%s: fingerprint %s, want %s\n%s", path, got, want, c.ModelDefinition())
		}
	}
}
