package configs

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// twoHeadsYAML is a functional model with two outputs, class and value (several outputs
// load as far as model.outputs, which refuses them until training supports them).
const twoHeadsYAML = `task: classifier
data: {dataset: mnist}
model:
  inputs: {image: {shape: [28, 28, 1]}}
  layers:
    - {name: flat, type: Flatten, call: image}
    - {name: hidden, type: Dense, units: 8, activation: relu}
    - {name: class, type: Dense, units: 10, activation: softmax, call: hidden}
    - {name: value, type: Dense, units: 1, call: hidden}
  outputs: [class, value]
train:
  epochs: 1
  loss: {class: sparse_categorical_crossentropy, value: mse}
  loss_weights: {class: 1.0, value: 0.5}
  metrics: {class: [accuracy], value: [mae]}
`

// A model of one output takes train.loss, train.metrics and train.loss_weights by its
// output's name, as Keras's compile does: they fold into train.loss and train.metrics.
func TestCompileByOutputNameOneOutput(t *testing.T) {
	for _, tt := range []struct {
		name, yaml   string
		loss         string
		metrics      []string
		weight       float64
		monitorNames []string
	}{
		{"functional, loss mapping with arguments", edit(t, funcYAML,
			"train: {epochs: 1, loss: sparse_categorical_crossentropy}",
			"train: {epochs: 1, loss: {head: {type: SparseCategoricalCrossentropy, from_logits: false}}, loss_weights: {head: 2.5}, metrics: {head: [accuracy, SparseTopKCategoricalAccuracy]}}"),
			LossSparseCategoricalCrossentropy, []string{MetricAccuracy, MetricSparseTopKCategoricalAccuracy}, 2.5,
			[]string{"loss", "accuracy", "sparse_top_k_categorical_accuracy"}},
		{"regression loss by name: no default accuracy", edit(t, funcYAML,
			"{name: head, type: Dense, units: 10, activation: softmax}", "{name: head, type: Dense, units: 1}",
			"loss: sparse_categorical_crossentropy", "loss: {head: mse}"),
			LossMeanSquaredError, []string{}, 1, []string{"loss"}},
		{"Sequential: the last layer's default name", `task: classifier
data: {dataset: mnist}
model:
  layers:
    - {type: Flatten}
    - {type: Dense, units: 10, activation: softmax}
train: {epochs: 1, loss: {dense: sparse_categorical_crossentropy}, metrics: {dense: []}}
`, LossSparseCategoricalCrossentropy, []string{}, 1, []string{"loss"}},
		{"one loss with type is not a mapping by output", edit(t, funcYAML,
			"loss: sparse_categorical_crossentropy", "loss: {type: SparseCategoricalCrossentropy}"),
			LossSparseCategoricalCrossentropy, []string{MetricAccuracy}, 1, []string{"loss", "accuracy"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := mustLoad(t, "c.yaml", tt.yaml)
			tr := c.Supervised().Train
			if tr.Loss.Type != tt.loss || !slices.Equal(tr.Metrics, tt.metrics) {
				t.Errorf("loss %s metrics %q, want %s %q", tr.Loss.Type, tr.Metrics, tt.loss, tt.metrics)
			}
			out := tr.Outputs()
			if len(out) != 1 || tr.LossWeight(out[0]) != tt.weight {
				t.Errorf("outputs %v, weight %g, want one output weighing %g", out, tr.LossWeight(out[0]), tt.weight)
			}
			if got := tr.LogNames(); !slices.Equal(got, tt.monitorNames) {
				t.Errorf("log names %q, want %q", got, tt.monitorNames)
			}
		})
	}
}

// Several outputs' keys are resolved to the outputs' names and give Keras's log names;
// the model itself is still refused at model.outputs (training them is the next step).
func TestCompileByOutputNameSeveralOutputs(t *testing.T) {
	c := &Config{}
	c.setDefaults()
	d := &decoder{checker{file: "two.yaml"}}
	raw := map[string]any{"train": map[string]any{
		"loss":         map[string]any{"class": "sparse_categorical_crossentropy", "value": "mse"},
		"loss_weights": map[string]any{"class": 1.0, "value": 0.5},
		"metrics":      map[string]any{"class": []any{"accuracy"}, "value": []any{"MAE", "r2_score"}},
	}}
	raw, po, _, err := d.outputArgs(raw)
	if err != nil {
		t.Fatal(err)
	}
	if _, left := raw["train"].(map[string]any)["loss"]; left {
		t.Error("train.loss left in raw")
	}
	// YAML drops an empty mapping (loss: {} is no loss), but the decoder refuses one.
	if _, _, _, err := d.outputArgs(map[string]any{"train": map[string]any{"loss": map[string]any{}}}); err == nil || !strings.Contains(err.Error(), "an empty mapping") {
		t.Errorf("empty loss mapping: %v", err)
	}
	var tr Train
	tr.setDefaults()
	tr.PerOutput = po
	m := &Model{Inputs: Inputs{{Name: "image"}}, Layers: []Layer{{Name: "class"}, {Name: "value"}}, Outputs: []string{"class", "value"}}
	if err := (&checker{}).compileOutputs(m, &tr); err != nil {
		t.Fatal(err)
	}
	if tr.OutputLoss("value").Type != LossMeanSquaredError || tr.LossWeight("value") != 0.5 || tr.LossWeight("class") != 1 {
		t.Errorf("value loss %s weight %g", tr.OutputLoss("value").Type, tr.LossWeight("value"))
	}
	want := []string{"loss", "class_loss", "class_accuracy", "value_loss", "value_mae", "value_r2_score"}
	if got := tr.LogNames(); !slices.Equal(got, want) {
		t.Errorf("log names %q, want Keras's %q", got, want)
	}
	mon := trainMonitors(&tr).names
	for _, name := range []string{"val_class_accuracy", "value_loss", "val_loss"} {
		if !slices.Contains(mon, name) {
			t.Errorf("monitorable %q missing from %q", name, mon)
		}
	}
	// Default metrics per output: accuracy for a classification loss, none for a regression.
	tr.PerOutput.Metrics = nil
	want = []string{"loss", "class_loss", "class_accuracy", "value_loss"}
	if got := tr.LogNames(); !slices.Equal(got, want) {
		t.Errorf("default log names %q, want %q", got, want)
	}
	// A valid config of two outputs loads up to the refusal of several outputs.
	_, err = Load(writeYAML(t, t.TempDir(), "two.yaml", twoHeadsYAML))
	var e *Error
	if !errors.As(err, &e) || e.Key != "model.outputs" || !strings.Contains(err.Error(), "several outputs are not yet supported") {
		t.Errorf("two outputs: %v, want the model.outputs refusal", err)
	}
}

func TestCompileByOutputNameErrors(t *testing.T) {
	tests := []struct {
		name, key string
		want      error
		oldNew    []string
		also      string
	}{
		{"unknown output in loss", "train.loss.price", ErrBadValue,
			[]string{"loss: {class: sparse_categorical_crossentropy, value: mse}", "loss: {class: sparse_categorical_crossentropy, price: mse}"},
			"not an output of the model (outputs: class, value)"},
		{"loss mapping missing an output", "train.loss.value", ErrMissingKey,
			[]string{"loss: {class: sparse_categorical_crossentropy, value: mse}", "loss: {class: sparse_categorical_crossentropy}"},
			"a loss mapping names every output"},
		{"unknown loss for an output", "train.loss.value", ErrBadValue,
			[]string{"value: mse}", "value: msqe}"}, `unknown "msqe"`},
		{"loss_weights missing an output", "train.loss_weights.value", ErrMissingKey,
			[]string{"loss_weights: {class: 1.0, value: 0.5}", "loss_weights: {class: 1.0}"}, "loss_weights names every output"},
		{"loss_weights not a number", "train.loss_weights.value", ErrWrongType,
			[]string{"value: 0.5}", "value: half}"}, "want a number"},
		{"loss_weights not a mapping", "train.loss_weights", ErrWrongType,
			[]string{"loss_weights: {class: 1.0, value: 0.5}", "loss_weights: [1.0, 0.5]"}, "from output names to weights"},
		{"loss_weights unknown output", "train.loss_weights.valu", ErrBadValue,
			[]string{"value: 0.5}", "valu: 0.5}"}, "not an output of the model"},
		{"flat metrics with several outputs", "train.metrics", ErrBadValue,
			[]string{"metrics: {class: [accuracy], value: [mae]}", "metrics: [accuracy]"}, "give a mapping by output name"},
		{"metric not fitting its output's loss", "train.metrics.value[0]", ErrBadValue,
			[]string{"value: [mae]}", "value: [accuracy]}"}, "mean_squared_error is a regression loss"},
		{"unknown metric for an output", "train.metrics.class[0]", ErrBadValue,
			[]string{"class: [accuracy]", "class: [acuracy]"}, `unknown "acuracy"`},
		{"metrics of an output not a list", "train.metrics.class", ErrWrongType,
			[]string{"class: [accuracy]", "class: {a: 1}"}, "a list of metrics"},
		{"class_weight with several outputs", "train.class_weight", ErrBadValue,
			[]string{"  epochs: 1\n", "  epochs: 1\n  class_weight: {0: 1.0, 1: 2.0}\n"}, "only for a model of one output"},
		{"top-k with two ks", "train.metrics.value", ErrBadValue,
			[]string{"{class: [accuracy], value: [mae]}", "{class: [{type: SparseTopKCategoricalAccuracy, k: 2}], value: [{type: SparseTopKCategoricalAccuracy, k: 3}]}"},
			"give one k per top-k metric"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(writeYAML(t, t.TempDir(), "case.yaml", edit(t, twoHeadsYAML, tt.oldNew...)))
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
