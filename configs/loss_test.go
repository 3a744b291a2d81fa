package configs

import (
	"errors"
	"strings"
	"testing"
)

// csvRegressionYAML is a regression on a CSV table: a real-valued label column, a linear
// Dense(1) output and mse.
const csvRegressionYAML = `task: classifier
data: {format: csv, path: t.csv, label: target}
model:
  layers:
    - {type: Dense, units: 8, activation: relu}
    - {type: Dense, units: 1}
train:
  epochs: 1
  loss: mse
  metrics: [mae]
`

// train.loss takes Keras's function names, class names and aliases, as a name or a
// mapping with the type's arguments; every argument gets Keras's default.
func TestLoadLoss(t *testing.T) {
	sigmoid := "{type: Dense, units: 1, activation: sigmoid}"
	tests := []struct {
		name, yaml string
		want       Loss
	}{
		{"alias", csvRegressionYAML, Loss{Type: LossMeanSquaredError}},
		{"class name", edit(t, csvRegressionYAML, "loss: mse", "loss: MeanAbsoluteError"), Loss{Type: LossMeanAbsoluteError}},
		{"function name upper case", edit(t, csvRegressionYAML, "loss: mse", "loss: MAPE"), Loss{Type: LossMeanAbsolutePercentageError}},
		{"msle", edit(t, csvRegressionYAML, "loss: mse", "loss: msle"), Loss{Type: LossMeanSquaredLogarithmicError}},
		{"huber default", edit(t, csvRegressionYAML, "loss: mse", "loss: huber"), Loss{Type: LossHuber, Delta: 1}},
		{"Huber delta", edit(t, csvRegressionYAML, "loss: mse", "loss: {type: Huber, delta: 2.0}"), Loss{Type: LossHuber, Delta: 2}},
		{"log_cosh", edit(t, csvRegressionYAML, "loss: mse", "loss: LogCosh"), Loss{Type: LossLogCosh}},
		{"poisson", edit(t, csvRegressionYAML, "loss: mse", "loss: poisson"), Loss{Type: LossPoisson}},
		{"cosine_similarity", edit(t, csvRegressionYAML, "loss: mse", "loss: cosine_similarity"), Loss{Type: LossCosineSimilarity}},
		{"bce from_logits", edit(t, baseYAML, "epochs: 2", "epochs: 2\n  loss: {type: BinaryCrossentropy, from_logits: true, label_smoothing: 0.1}",
			sigmoid, "{type: Dense, units: 1}"),
			Loss{Type: LossBinaryCrossentropy, FromLogits: true, LabelSmoothing: 0.1}},
		{"bce alias", edit(t, baseYAML, "epochs: 2", "epochs: 2\n  loss: bce"), Loss{Type: LossBinaryCrossentropy}},
		{"focal defaults", edit(t, baseYAML, "epochs: 2", "epochs: 2\n  loss: binary_focal_crossentropy"),
			Loss{Type: LossBinaryFocalCrossentropy, Alpha: 0.25, Gamma: 2}},
		{"focal args", edit(t, baseYAML, "epochs: 2", "epochs: 2\n  loss: {type: BinaryFocalCrossentropy, apply_class_balancing: true, alpha: 0.4, gamma: 0}"),
			Loss{Type: LossBinaryFocalCrossentropy, ApplyClassBalancing: true, Alpha: 0.4}},
		{"hinge", edit(t, baseYAML, "epochs: 2", "epochs: 2\n  loss: squared_hinge", sigmoid, "{type: Dense, units: 1, activation: tanh}"),
			Loss{Type: LossSquaredHinge}},
		{"categorical on two classes", edit(t, baseYAML, "epochs: 2", "epochs: 2\n  loss: {type: categorical_crossentropy, label_smoothing: 0.2}",
			sigmoid, "{type: Dense, units: 2, activation: softmax}"),
			Loss{Type: LossCategoricalCrossentropy, LabelSmoothing: 0.2}},
		{"kld", edit(t, baseYAML, "epochs: 2", "epochs: 2\n  loss: kld", sigmoid, "{type: Dense, units: 2, activation: softmax}"),
			Loss{Type: LossKLDivergence}},
		{"sparse from logits", edit(t, baseYAML, "epochs: 2", "epochs: 2\n  loss: {type: SparseCategoricalCrossentropy, from_logits: true}",
			sigmoid, "{type: Dense, units: 2}"),
			Loss{Type: LossSparseCategoricalCrossentropy, FromLogits: true}},
		{"mse on a softmax, as Keras allows", edit(t, baseYAML, "epochs: 2", "epochs: 2\n  loss: mse\n  metrics: [mae]", sigmoid, "{type: Dense, units: 2, activation: softmax}"),
			Loss{Type: LossMeanSquaredError}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustLoad(t, "loss.yaml", tt.yaml)
			if c.Supervised().Train.Loss != tt.want {
				t.Errorf("train.loss = %+v, want %+v", c.Supervised().Train.Loss, tt.want)
			}
		})
	}
}

// Every loss argument, every bad pairing of loss, metric, labels and output is refused at
// load time, naming the key to change.
func TestLoadLossErrors(t *testing.T) {
	sigmoid := "{type: Dense, units: 1, activation: sigmoid}"
	withLoss := func(loss string) string { return edit(t, baseYAML, "epochs: 2", "epochs: 2\n  loss: "+loss) }
	reg := func(oldNew ...string) string { return edit(t, csvRegressionYAML, oldNew...) }
	tests := []struct {
		name, yaml, key string
		want            error
		also            []string
	}{
		{"unknown name", withLoss("mean_squared_errors"), "train.loss", ErrBadValue, []string{`unknown "mean_squared_errors"`, "mean_squared_error, mean_absolute_error"}},
		{"unknown type", withLoss("{type: Dice}"), "train.loss.type", ErrBadValue, []string{`unknown "Dice"`}},
		{"no type", withLoss("{delta: 2}"), "train.loss.type", ErrMissingKey, []string{"huber"}},
		{"type not a string", withLoss("{type: 3}"), "train.loss.type", ErrWrongType, nil},
		{"a list", withLoss("[mse]"), "train.loss", ErrWrongType, []string{"{type: Huber, delta: 2.0}"}},
		{"argument of another type", reg("loss: mse", "loss: {type: mse, delta: 2}"), "train.loss.delta", ErrUnknownKey, []string{"for mean_squared_error"}},
		{"delta zero", reg("loss: mse", "loss: {type: Huber, delta: 0}"), "train.loss.delta", ErrBadValue, []string{"must be > 0"}},
		{"delta a string", reg("loss: mse", "loss: {type: Huber, delta: big}"), "train.loss.delta", ErrWrongType, nil},
		{"label_smoothing above 1", withLoss("{type: bce, label_smoothing: 1.5}"), "train.loss.label_smoothing", ErrBadValue, []string{"[0, 1]"}},
		{"label_smoothing negative", withLoss("{type: binary_focal_crossentropy, label_smoothing: -0.1}"), "train.loss.label_smoothing", ErrBadValue, nil},
		{"from_logits not a bool", withLoss("{type: bce, from_logits: yes please}"), "train.loss.from_logits", ErrWrongType, nil},
		{"alpha above 1", withLoss("{type: BinaryFocalCrossentropy, alpha: 2}"), "train.loss.alpha", ErrBadValue, []string{"[0, 1]"}},
		{"gamma negative", withLoss("{type: BinaryFocalCrossentropy, gamma: -1}"), "train.loss.gamma", ErrBadValue, []string{">= 0"}},
		{"apply_class_balancing not a bool", withLoss("{type: BinaryFocalCrossentropy, apply_class_balancing: 1}"), "train.loss.apply_class_balancing", ErrWrongType, nil},
		{"sparse has no label_smoothing", withLoss("{type: sparse_categorical_crossentropy, label_smoothing: 0.1}"), "train.loss.label_smoothing", ErrUnknownKey, nil},
		{"accuracy with a regression loss", reg("metrics: [mae]", "metrics: [mae, accuracy]"), "train.metrics[1]", ErrBadValue,
			[]string{"accuracy needs class labels", "regression loss", "use mae, mse, root_mean_squared_error or r2_score"}},
		{"AUC with a regression loss", reg("metrics: [mae]", "metrics: [AUC]"), "train.metrics[0]", ErrBadValue, nil},
		{"mae with sparse labels", edit(t, baseYAML, "epochs: 2", "epochs: 2\n  loss: sparse_categorical_crossentropy\n  metrics: [mae]", sigmoid, "{type: Dense, units: 2, activation: softmax}"),
			"train.metrics[0]", ErrBadValue, []string{"one class id"}},
		{"categorical_accuracy with bce", edit(t, baseYAML, "epochs: 2", "epochs: 2\n  metrics: [categorical_accuracy]"), "train.metrics[0]", ErrBadValue, []string{"use binary_accuracy"}},
		{"regression CSV with two output units", reg("{type: Dense, units: 1}", "{type: Dense, units: 2}"), "model.layers[1].units", ErrBadValue,
			[]string{`label column "target", one real number per row`, "1 output unit"}},
		{"regression CSV with class_names", reg("label: target", "label: target, class_names: [a, b]"), "data.class_names", ErrBadValue, []string{"regression loss"}},
		{"bce on a linear output", reg("loss: mse", "loss: binary_crossentropy", "metrics: [mae]", "metrics: [accuracy]"), "model.layers[1].activation", ErrBadValue,
			[]string{"from_logits: true"}},
		{"hinge on ten classes", strings.Replace(edit(t, baseYAML, "dataset: imdb\n  num_words: 1000\n  maxlen: 80", "dataset: mnist",
			"    - {type: Embedding, input_dim: 1000, output_dim: 8}\n    - {type: LSTM, units: 8}\n", "    - {type: Flatten}\n"), "epochs: 2", "epochs: 2\n  loss: hinge", 1),
			"train.loss", ErrBadValue, []string{"hinge needs 2 classes"}},
		{"categorical_crossentropy on own classes with one unit", reg("loss: mse", "loss: categorical_crossentropy", "metrics: [mae]", "metrics: [accuracy]"), "model.layers[1].units", ErrBadValue,
			[]string{"1, but categorical_crossentropy needs one output unit per class, >= 2"}},
		{"categorical_crossentropy with too few units", edit(t, baseYAML, "epochs: 2", "epochs: 2\n  loss: categorical_crossentropy"), "model.layers[2].units", ErrBadValue,
			[]string{">= 2 output units"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeYAML(t, t.TempDir(), "case.yaml", tt.yaml)
			c, err := Load(path)
			if err == nil {
				t.Fatalf("Load = %+v, want an error", c.Supervised().Train.Loss)
			}
			msg := err.Error()
			if prefix := path + ": " + tt.key + ": "; !strings.HasPrefix(msg, prefix) {
				t.Errorf("error %q\ndoes not start with %q", msg, prefix)
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("error %q is not %v", msg, tt.want)
			}
			for _, s := range tt.also {
				if !strings.Contains(msg, s) {
					t.Errorf("error %q\ndoes not contain %q", msg, s)
				}
			}
		})
	}
}

// Every loss type has Keras's class name and function name, distinct from every other's.
func TestLossRegistry(t *testing.T) {
	seen := map[string]string{}
	for _, name := range LossTypes() {
		s := LookupLoss(name)
		for _, n := range append([]string{s.Name, s.Class}, s.Aliases...) {
			key := strings.ToLower(n)
			if other, dup := seen[key]; dup && other != name {
				t.Errorf("%q names both %s and %s", n, other, name)
			}
			seen[key] = name
		}
		if kerasSnakeCase(s.Class) != s.Name && s.Name != LossKLDivergence {
			t.Errorf("%s: class %s's snake case is %s", s.Name, s.Class, kerasSnakeCase(s.Class))
		}
	}
}

// A regression loss without train.metrics has none (Keras's default), not tfrun's
// [accuracy], which it could not compute.
func TestLoadRegressionDefaultMetrics(t *testing.T) {
	c := mustLoad(t, "reg.yaml", edit(t, csvRegressionYAML, "  metrics: [mae]\n", ""))
	if len(c.Supervised().Train.Metrics) != 0 {
		t.Errorf("train.metrics = %v, want none", c.Supervised().Train.Metrics)
	}
}
