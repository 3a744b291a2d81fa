package configs

import (
	"errors"
	"strings"
	"testing"
)

// TestIssue22ArgumentErrors fills the load-time error cases of issue 22's arguments the
// per-topic tests (optimizer_test.go, loss_test.go, regularizer_test.go) leave out: a
// wrong type or an out-of-range value for each optimizer, loss and regularizer argument
// not fed elsewhere, and an argument given to a type that does not take it.
func TestIssue22ArgumentErrors(t *testing.T) {
	withLoss := func(loss string) string { return edit(t, baseYAML, "epochs: 2", "epochs: 2\n  loss: "+loss) }
	reg := func(loss string) string { return edit(t, csvRegressionYAML, "loss: mse", "loss: "+loss) }
	withReg := func(r string) string { return strings.Replace(regYAML, "REG", r, 1) }
	for _, c := range []struct {
		name, yaml, key string
		want            error
		also            string
	}{
		{"clipnorm a string", withOptimizer(t, "{type: Adam, clipnorm: big}"), "train.optimizer.clipnorm", ErrWrongType, ""},
		{"clipvalue a list", withOptimizer(t, "{type: SGD, clipvalue: [1]}"), "train.optimizer.clipvalue", ErrWrongType, ""},
		{"global_clipnorm a bool", withOptimizer(t, "{type: Lion, global_clipnorm: true}"), "train.optimizer.global_clipnorm", ErrWrongType, ""},
		{"AdamW beta_1 negative", withOptimizer(t, "{type: AdamW, beta_1: -0.1}"), "train.optimizer.beta_1", ErrBadValue, "[0, 1)"},
		{"AdamW epsilon 0", withOptimizer(t, "{type: AdamW, epsilon: 0}"), "train.optimizer.epsilon", ErrBadValue, "> 0"},
		{"Adagrad learning_rate 0", withOptimizer(t, "{type: Adagrad, learning_rate: 0}"), "train.optimizer.learning_rate", ErrBadValue, "> 0"},
		{"Adagrad initial_accumulator_value a string", withOptimizer(t, "{type: Adagrad, initial_accumulator_value: low}"), "train.optimizer.initial_accumulator_value", ErrWrongType, ""},
		{"Adadelta rho negative", withOptimizer(t, "{type: Adadelta, rho: -0.5}"), "train.optimizer.rho", ErrBadValue, "[0, 1)"},
		{"Adamax epsilon 0", withOptimizer(t, "{type: Adamax, epsilon: 0}"), "train.optimizer.epsilon", ErrBadValue, "> 0"},
		{"Nadam beta_1 1", withOptimizer(t, "{type: Nadam, beta_1: 1}"), "train.optimizer.beta_1", ErrBadValue, "[0, 1)"},
		{"Lion weight_decay negative", withOptimizer(t, "{type: Lion, weight_decay: -0.1}"), "train.optimizer.weight_decay", ErrBadValue, ">= 0"},
		{"nesterov on Adam", withOptimizer(t, "{type: Adam, nesterov: true}"), "train.optimizer.nesterov", ErrUnknownKey, "for Adam"},
		{"SGD momentum negative", withOptimizer(t, "{type: SGD, momentum: -0.9, nesterov: true}"), "train.optimizer.momentum", ErrBadValue, "[0, 1)"},
		{"Huber delta negative", reg("{type: Huber, delta: -1}"), "train.loss.delta", ErrBadValue, "> 0"},
		{"focal gamma a string", withLoss("{type: BinaryFocalCrossentropy, gamma: high}"), "train.loss.gamma", ErrWrongType, ""},
		{"focal alpha negative", withLoss("{type: BinaryFocalCrossentropy, apply_class_balancing: true, alpha: -0.25}"), "train.loss.alpha", ErrBadValue, "[0, 1]"},
		{"categorical label_smoothing above 1", withLoss("{type: categorical_crossentropy, label_smoothing: 2}"), "train.loss.label_smoothing", ErrBadValue, "[0, 1]"},
		{"sparse from_logits a string", withLoss("{type: sparse_categorical_crossentropy, from_logits: maybe}"), "train.loss.from_logits", ErrWrongType, ""},
		{"from_logits on mse", reg("{type: mse, from_logits: true}"), "train.loss.from_logits", ErrUnknownKey, "for mean_squared_error"},
		{"delta on log_cosh", reg("{type: log_cosh, delta: 1}"), "train.loss.delta", ErrUnknownKey, ""},
		{"unknown metric", edit(t, baseYAML, "epochs: 2", "epochs: 2\n  metrics: [r2]"), "train.metrics[0]", ErrBadValue, "r2_score"},
		{"activity_regularizer negative", withReg("activity_regularizer: {l1: -0.01}"), "model.layers[1].activity_regularizer", ErrBadValue, "non-negative"},
		{"bias_regularizer l2 a string", withReg("bias_regularizer: {l2: much}"), "model.layers[1].bias_regularizer", ErrBadValue, "want a number"},
		{"kernel_regularizer on Flatten", strings.Replace(regYAML, "{type: Flatten}", "{type: Flatten, kernel_regularizer: l2}", 1), "model.layers[0].kernel_regularizer", ErrUnknownKey, "for Flatten"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(writeYAML(t, t.TempDir(), "case.yaml", c.yaml))
			t.Log(err)
			var e *Error
			if !errors.As(err, &e) || !strings.HasPrefix(e.Key, c.key) || !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.also) {
				t.Errorf("error %v; want %v at %s containing %q", err, c.want, c.key, c.also)
			}
		})
	}
}
