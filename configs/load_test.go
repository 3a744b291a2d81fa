package configs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// baseYAML is a small valid classifier that the error cases below break one way each.
const baseYAML = `task: classifier
data:
  dataset: imdb
  num_words: 1000
  maxlen: 80
model:
  layers:
    - {type: Embedding, input_dim: 1000, output_dim: 8}
    - {type: LSTM, units: 8}
    - {type: Dense, units: 1, activation: sigmoid}
train:
  epochs: 2
  validation_data: test
`

// cganYAML is a small conditional GAN in the shape of Keras's conditional GAN example.
const cganYAML = `task: gan
data: {dataset: mnist}
gan:
  epochs: 1
  num_classes: 10
  generator:
    label_branch:
      - {type: Embedding, input_dim: 10, output_dim: 50}
      - {type: Dense, units: 49}
      - {type: Reshape, target_shape: [7, 7, 1]}
    input_branch:
      - {type: Dense, units: 6272}
      - {type: LeakyReLU}
      - {type: Reshape, target_shape: [7, 7, 128]}
    layers:
      - {type: Concatenate}
      - {type: Conv2DTranspose, filters: 128, kernel_size: 4}
      - {type: BatchNormalization}
      - {type: Conv2D, filters: 1, kernel_size: [7, 5], activation: tanh, padding: same}
  discriminator:
    label_branch:
      - {type: Embedding, input_dim: 10, output_dim: 50}
      - {type: Dense, units: 100}
      - {type: Reshape, target_shape: [10, 10, 1]}
    layers:
      - {type: Concatenate}
      - {type: Conv2D, filters: 64, kernel_size: 3, strides: 2, padding: same}
      - {type: LeakyReLU, alpha: 0.2}
      - {type: Flatten}
      - {type: Dropout, rate: 0.4}
      - {type: Dense, units: 1, activation: sigmoid}
`

// writeYAML writes text to dir/name and returns its path.
func writeYAML(t *testing.T, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// mustLoad writes text to a temporary file and loads it, failing the test on error.
func mustLoad(t *testing.T, name, text string) *Config {
	t.Helper()
	c, err := Load(writeYAML(t, t.TempDir(), name, text))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

// edit returns baseYAML with each old replaced by its new (pairs), failing if old is absent.
func edit(t *testing.T, text string, oldNew ...string) string {
	t.Helper()
	for i := 0; i < len(oldNew); i += 2 {
		if !strings.Contains(text, oldNew[i]) {
			t.Fatalf("edit: %q not in YAML", oldNew[i])
		}
		text = strings.Replace(text, oldNew[i], oldNew[i+1], 1)
	}
	return text
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name   string
		yaml   string   // the file's text; "" with noFile means no file at all
		noFile bool     // load a path that does not exist
		key    string   // the key path the error must name
		want   error    // the sentinel the error must wrap
		also   []string // further substrings of the message
	}{
		{name: "unknown top-level key", yaml: baseYAML + "trian: {epochs: 1}\n",
			key: "trian", want: ErrUnknownKey, also: []string{"valid: name, task, seed, precision, data, checkpoint, model, train, gan"}},
		{name: "unknown precision", yaml: "precision: mixed_float16\n" + baseYAML,
			key: "precision", want: ErrBadValue, also: []string{`unknown "mixed_float16" (valid: float32, mixed_bfloat16)`}},
		{name: "precision not a string", yaml: "precision: [bfloat16]\n" + baseYAML,
			key: "precision", want: ErrWrongType},
		{name: "misspelt section", yaml: edit(t, baseYAML, "train:", "trian:"),
			key: "trian", want: ErrUnknownKey},
		{name: "unknown key with a dot", yaml: baseYAML + "train.epochs: 3\n",
			key: "train.epochs", want: ErrUnknownKey},
		{name: "unknown nested key", yaml: edit(t, baseYAML, "  epochs: 2\n", "  epochs: 2\n  learning_rate: 0.1\n"),
			key: "train.learning_rate", want: ErrUnknownKey},
		{name: "unknown layer key", yaml: edit(t, baseYAML, "{type: LSTM, units: 8}", "{type: LSTM, units: 8, unitz: 3}"),
			key: "model.layers[1].unitz", want: ErrUnknownKey,
			also: []string{"unknown key for LSTM (valid: type, name, units, activation, recurrent_activation"}},
		{name: "key of another layer type", yaml: edit(t, baseYAML, "{type: LSTM, units: 8}", "{type: LSTM, units: 8, filters: 3}"),
			key: "model.layers[1].filters", want: ErrUnknownKey, also: []string{"for LSTM"}},
		{name: "unknown layer type", yaml: edit(t, baseYAML, "type: Dense", "type: Densee"),
			key: "model.layers[2].type", want: ErrBadValue,
			also: []string{`unknown "Densee" (valid: ` + strings.Join(LayerTypes(), ", ") + ")"}},
		{name: "layer without type", yaml: edit(t, baseYAML, "{type: LSTM, units: 8}", "{units: 8}"),
			key: "model.layers[1].type", want: ErrMissingKey},
		{name: "layer not a mapping", yaml: edit(t, baseYAML, "{type: LSTM, units: 8}", "LSTM"),
			key: "model.layers[1]", want: ErrWrongType, also: []string{`got string "LSTM"`}},
		{name: "string for int", yaml: edit(t, baseYAML, "units: 8", `units: "abc"`),
			key: "model.layers[1].units", want: ErrWrongType, also: []string{`want an integer, got string "abc"`}},
		{name: "float for int", yaml: edit(t, baseYAML, "units: 8", "units: 1.5"),
			key: "model.layers[1].units", want: ErrWrongType, also: []string{"got float 1.5"}},
		{name: "bool for int", yaml: edit(t, baseYAML, "epochs: 2", "epochs: true"),
			key: "train.epochs", want: ErrWrongType, also: []string{"got bool true"}},
		{name: "int for bool", yaml: edit(t, baseYAML, "epochs: 2", "epochs: 2\n  shuffle: 1"),
			key: "train.shuffle", want: ErrWrongType},
		{name: "string for float", yaml: edit(t, baseYAML, "epochs: 2", "epochs: 2\n  validation_split: half"),
			key: "train.validation_split", want: ErrWrongType},
		{name: "list for section", yaml: edit(t, baseYAML, "train:\n", "checkpoint: [1, 2]\ntrain:\n"),
			key: "checkpoint", want: ErrWrongType, also: []string{"want a mapping"}},
		{name: "negative units", yaml: edit(t, baseYAML, "units: 8", "units: -3"),
			key: "model.layers[1].units", want: ErrBadValue, also: []string{"must be > 0, got -3"}},
		{name: "maxlen 0", yaml: edit(t, baseYAML, "maxlen: 80", "maxlen: 0"),
			key: "data.maxlen", want: ErrBadValue},
		{name: "maxlen missing for imdb", yaml: edit(t, baseYAML, "  maxlen: 80\n", ""),
			key: "data.maxlen", want: ErrMissingKey, also: []string{"for dataset imdb"}},
		{name: "maxlen for mnist", yaml: edit(t, baseYAML, "dataset: imdb", "dataset: mnist"),
			key: "data.num_words", want: ErrBadValue, also: []string{"only for dataset imdb"}},
		{name: "dropout rate 1.0", yaml: edit(t, baseYAML, "    - {type: LSTM", "    - {type: Dropout, rate: 1.0}\n    - {type: LSTM"),
			key: "model.layers[1].rate", want: ErrBadValue, also: []string{"must be in [0, 1), got 1"}},
		{name: "dropout without rate", yaml: edit(t, baseYAML, "    - {type: LSTM", "    - {type: Dropout}\n    - {type: LSTM"),
			key: "model.layers[1].rate", want: ErrMissingKey, also: []string{"for Dropout"}},
		{name: "unknown activation", yaml: edit(t, baseYAML, "activation: sigmoid", "activation: relux"),
			key: "model.layers[2].activation", want: ErrBadValue,
			also: []string{`unknown "relux" (valid: elu, exponential, gelu, gelu_approximate, hard_sigmoid, leaky_relu, linear, log_softmax, mish, relu, relu6, selu, sigmoid, silu, softmax, softplus, softsign, swish, tanh)`}},
		{name: "LSTM activation the fused kernel lacks", yaml: edit(t, baseYAML, "{type: LSTM, units: 8}", "{type: LSTM, units: 8, activation: relu}"),
			key: "model.layers[1].activation", want: ErrBadValue,
			also: []string{`unknown "relu" (valid: tanh)`, "GRU and SimpleRNN take any"}},
		{name: "unknown optimizer", yaml: edit(t, baseYAML, "epochs: 2", "epochs: 2\n  optimizer: {type: Adafactor}"),
			key: "train.optimizer.type", want: ErrBadValue, also: []string{`unknown "Adafactor" (valid: Adadelta, Adagrad, Adam, AdamW, Adamax, Lion, Nadam, RMSprop, SGD)`}},
		{name: "unknown optimizer by name", yaml: edit(t, baseYAML, "epochs: 2", "epochs: 2\n  optimizer: adafactor"),
			key: "train.optimizer", want: ErrBadValue},
		{name: "optimizer key of another type", yaml: edit(t, baseYAML, "epochs: 2", "epochs: 2\n  optimizer: {type: adam, rho: 0.9}"),
			key: "train.optimizer.rho", want: ErrUnknownKey, also: []string{"for Adam (valid: type, learning_rate, beta_1, beta_2, epsilon, sparse_embedding_gradients, weight_decay, clipnorm, clipvalue, global_clipnorm)"}},
		{name: "learning rate 0", yaml: edit(t, baseYAML, "epochs: 2", "epochs: 2\n  optimizer: {type: SGD, learning_rate: 0}"),
			key: "train.optimizer.learning_rate", want: ErrBadValue},
		{name: "monitor val_loss without validation",
			yaml: edit(t, baseYAML, "  validation_data: test\n", "  callbacks: [{type: EarlyStopping, monitor: val_loss}]\n"),
			key:  "train.callbacks[0].monitor", want: ErrBadValue, also: []string{"needs validation"}},
		{name: "default monitor without validation",
			yaml: edit(t, baseYAML, "  validation_data: test\n", "  callbacks: [{type: ReduceLROnPlateau}]\n"),
			key:  "train.callbacks[0].monitor", want: ErrBadValue},
		{name: "unknown monitor", yaml: edit(t, baseYAML, "validation_data: test", "validation_data: test\n  callbacks: [{type: EarlyStopping, monitor: val_acc}]"),
			key: "train.callbacks[0].monitor", want: ErrBadValue, also: []string{"valid: accuracy, loss, val_accuracy, val_loss"}},
		{name: "unknown callback", yaml: edit(t, baseYAML, "validation_data: test", "validation_data: test\n  callbacks: [{type: BackupAndRestore}]"),
			key: "train.callbacks[0].type", want: ErrBadValue, also: []string{"valid: CSVLogger, EarlyStopping, ModelCheckpoint, ReduceLROnPlateau, TensorBoard, TerminateOnNaN"}},
		{name: "unknown callback by name", yaml: edit(t, baseYAML, "validation_data: test", "validation_data: test\n  callbacks: [Tensorboard2]"),
			key: "train.callbacks[0]", want: ErrBadValue},
		{name: "ModelCheckpoint best without validation",
			yaml: edit(t, baseYAML, "  validation_data: test\n", "  callbacks: [{type: ModelCheckpoint, save_best_only: true}]\n"),
			key:  "train.callbacks[0].monitor", want: ErrBadValue, also: []string{"needs validation"}},
		{name: "TensorBoard update_freq word", yaml: edit(t, baseYAML, "validation_data: test", "validation_data: test\n  callbacks: [{type: TensorBoard, update_freq: often}]"),
			key: "train.callbacks[0].update_freq", want: ErrBadValue, also: []string{`"epoch", "batch"`}},
		{name: "TensorBoard update_freq zero", yaml: edit(t, baseYAML, "validation_data: test", "validation_data: test\n  callbacks: [{type: TensorBoard, update_freq: 0}]"),
			key: "train.callbacks[0].update_freq", want: ErrBadValue},
		{name: "TensorBoard unknown argument", yaml: edit(t, baseYAML, "validation_data: test", "validation_data: test\n  callbacks: [{type: TensorBoard, update_freq: 5, profile_batch: 2}]"),
			key: "train.callbacks[0].profile_batch", want: ErrUnknownKey},
		{name: "TensorBoard log_dir outside the run", yaml: edit(t, baseYAML, "validation_data: test", "validation_data: test\n  callbacks: [{type: TensorBoard, log_dir: ../elsewhere}]"),
			key: "train.callbacks[0].log_dir", want: ErrBadValue, also: []string{"inside the run directory"}},
		{name: "CSVLogger separator", yaml: edit(t, baseYAML, "validation_data: test", "validation_data: test\n  callbacks: [{type: CSVLogger, separator: '::'}]"),
			key: "train.callbacks[0].separator", want: ErrBadValue},
		{name: "GAN monitor val_loss", yaml: cganYAML + "train: {callbacks: [EarlyStopping]}\n",
			key: "train.callbacks[0].monitor", want: ErrBadValue, also: []string{"no validation", "gen_loss"}},
		{name: "GAN train epochs", yaml: cganYAML + "train: {epochs: 3}\n",
			key: "train.epochs", want: ErrBadValue, also: []string{"only train.callbacks"}},
		{name: "factor 1", yaml: edit(t, baseYAML, "validation_data: test", "validation_data: test\n  callbacks: [{type: ReduceLROnPlateau, factor: 1.0}]"),
			key: "train.callbacks[0].factor", want: ErrBadValue, also: []string{"(0, 1)"}},
		{name: "both validation_split and validation_data",
			yaml: edit(t, baseYAML, "validation_data: test", "validation_data: test\n  validation_split: 0.1"),
			key:  "train.validation_split", want: ErrBadValue, also: []string{"set only one"}},
		{name: "LeakyReLU with alpha and negative_slope",
			yaml: edit(t, baseYAML, "    - {type: Dense", "    - {type: LeakyReLU, alpha: 0.2, negative_slope: 0.2}\n    - {type: Dense"),
			key:  "model.layers[2].alpha", want: ErrBadValue, also: []string{"set only negative_slope"}},
		{name: "missing epochs", yaml: edit(t, baseYAML, "  epochs: 2\n", ""),
			key: "train.epochs", want: ErrMissingKey},
		{name: "missing task", yaml: edit(t, baseYAML, "task: classifier\n", ""),
			key: "task", want: ErrMissingKey},
		{name: "unknown task", yaml: edit(t, baseYAML, "task: classifier", "task: regressor"),
			key: "task", want: ErrBadValue, also: []string{"valid: classifier, gan"}},
		{name: "missing train", yaml: edit(t, baseYAML, "train:\n  epochs: 2\n  validation_data: test\n", ""),
			key: "train", want: ErrMissingKey},
		{name: "gan section for classifier", yaml: baseYAML + "gan: {epochs: 1}\n",
			key: "gan", want: ErrBadValue},
		{name: "embedding smaller than num_words", yaml: edit(t, baseYAML, "input_dim: 1000", "input_dim: 999"),
			key: "model.layers[0].input_dim", want: ErrBadValue, also: []string{"num_words"}},
		{name: "binary_crossentropy with 2 units", yaml: edit(t, baseYAML, "units: 1,", "units: 2,"),
			key: "model.layers[2].units", want: ErrBadValue},
		{name: "binary_crossentropy without sigmoid", yaml: edit(t, baseYAML, ", activation: sigmoid", ""),
			key: "model.layers[2].activation", want: ErrBadValue, also: []string{"sigmoid"}},
		{name: "duplicate layer names", yaml: edit(t, baseYAML, "{type: LSTM, units: 8}", "{type: LSTM, units: 8, name: x}",
			"{type: Dense, units: 1,", "{type: Dense, name: x, units: 1,"),
			key: "model.layers[2].name", want: ErrBadValue},
		{name: "Concatenate in a Sequential model", yaml: edit(t, baseYAML, "    - {type: Dense", "    - {type: Concatenate}\n    - {type: Dense"),
			key: "model.layers[2].type", want: ErrBadValue},
		{name: "Conv2D kernel_size of 3 entries", yaml: edit(t, cganYAML, "kernel_size: [7, 5]", "kernel_size: [7, 5, 3]"),
			key: "gan.generator.layers[3].kernel_size", want: ErrBadValue},
		{name: "Conv2D strides float", yaml: edit(t, cganYAML, "strides: 2", "strides: [2, 2.5]"),
			key: "gan.discriminator.layers[1].strides[1]", want: ErrWrongType},
		{name: "conditional GAN without label_branch", yaml: edit(t, cganYAML,
			"    label_branch:\n      - {type: Embedding, input_dim: 10, output_dim: 50}\n      - {type: Dense, units: 100}\n      - {type: Reshape, target_shape: [10, 10, 1]}\n", ""),
			key: "gan.discriminator.inputs", want: ErrMissingKey, also: []string{"give inputs {label: {shape: [1], dtype: int32}, noise or image: ...}"}},
		{name: "Reshape with two -1", yaml: edit(t, cganYAML, "[7, 7, 1]", "[-1, -1, 1]"),
			key: "gan.generator.label_branch[2].target_shape[1]", want: ErrBadValue},
		{name: "unknown GAN train step", yaml: edit(t, cganYAML, "  epochs: 1\n", "  epochs: 1\n  train_step: sequential\n"),
			key: "gan.train_step", want: ErrBadValue, also: []string{`unknown "sequential" (valid: simultaneous, alternating)`}},
		{name: "model section for gan", yaml: cganYAML + "model: {layers: [{type: Flatten}]}\n",
			key: "model", want: ErrBadValue},
		{name: "unknown key of a wrapped layer", yaml: edit(t, baseYAML, "{type: LSTM, units: 8}", "{type: Bidirectional, layer: {type: LSTM, units: 8, unitz: 3}}"),
			key: "model.layers[1].layer.unitz", want: ErrUnknownKey, also: []string{"for LSTM"}},
		{name: "wrapped layer not recurrent", yaml: edit(t, baseYAML, "{type: LSTM, units: 8}", "{type: Bidirectional, layer: {type: Dense, units: 8}}"),
			key: "model.layers[1].layer.type", want: ErrBadValue, also: []string{`"Dense" cannot be wrapped here (valid: GRU, LSTM, SimpleRNN)`}},
		{name: "Bidirectional without layer", yaml: edit(t, baseYAML, "{type: LSTM, units: 8}", "{type: Bidirectional, merge_mode: sum}"),
			key: "model.layers[1].layer", want: ErrMissingKey, also: []string{"for Bidirectional"}},
		{name: "Bidirectional merge_mode None", yaml: edit(t, baseYAML, "{type: LSTM, units: 8}", "{type: Bidirectional, merge_mode: none, layer: {type: GRU, units: 8}}"),
			key: "model.layers[1].merge_mode", want: ErrBadValue, also: []string{`unknown "none" (valid: concat, sum, mul, ave); None (two outputs) is not supported`}},
		{name: "go_backwards inside Bidirectional", yaml: edit(t, baseYAML, "{type: LSTM, units: 8}", "{type: Bidirectional, layer: {type: GRU, units: 8, go_backwards: true}}"),
			key: "model.layers[1].layer.go_backwards", want: ErrBadValue},
		{name: "wrapped layer named like another", yaml: edit(t, baseYAML, "{type: LSTM, units: 8}", "{type: Bidirectional, layer: {type: GRU, units: 8, name: x}}", "activation: sigmoid", "activation: sigmoid, name: x"),
			key: "model.layers[2].name", want: ErrBadValue, also: []string{"model.layers[1].layer"}},
		{name: "recurrent_dropout", yaml: edit(t, baseYAML, "{type: LSTM, units: 8}", "{type: LSTM, units: 8, recurrent_dropout: 0.2}"),
			key: "model.layers[1].recurrent_dropout", want: ErrBadValue, also: []string{"0.2: not supported (valid: 0); recurrent dropout is not implemented"}},
		{name: "Conv1D window longer than the reviews", yaml: edit(t, baseYAML, "{type: LSTM, units: 8}", "{type: Conv1D, filters: 4, kernel_size: 81}\n    - {type: LSTM, units: 8}"),
			key: "model.layers[1].kernel_size", want: ErrBadValue, also: []string{"81 is longer than the input's 80 steps"}},
		{name: "LSTM on a flat input", yaml: edit(t, baseYAML, "{type: LSTM, units: 8}", "{type: Flatten}\n    - {type: LSTM, units: 8}"),
			key: "model.layers[2]", want: ErrBadValue, also: []string{"LSTM: input shape (None, 640), want (None, timesteps, features)"}},
		{name: "Dense on token ids", yaml: edit(t, baseYAML, "{type: Embedding, input_dim: 1000, output_dim: 8}", "{type: Dense, units: 8}"),
			key: "model.layers[0]", want: ErrBadValue, also: []string{"Dense: takes floats, but its input is integer ids"}},
		{name: "Embedding after the first layer", yaml: edit(t, baseYAML, "{type: LSTM, units: 8}", "{type: Embedding, input_dim: 10, output_dim: 8}"),
			key: "model.layers[1]", want: ErrBadValue, also: []string{"Embedding: takes integer ids"}},
		{name: "model ending in Dropout", yaml: edit(t, baseYAML, "activation: sigmoid}", "activation: sigmoid}\n    - {type: Dropout, rate: 0.1}"),
			key: "model.layers[3].type", want: ErrBadValue, also: []string{"must end in a Dense or Activation layer with activation sigmoid"}},
		{name: "sequence output", yaml: edit(t, baseYAML, "{type: LSTM, units: 8}", "{type: LSTM, units: 8, return_sequences: true}"),
			key: "model.layers[2]", want: ErrBadValue, also: []string{"the model's output is (None, 80, 1), but binary_crossentropy needs (None, 1)"}},
		{name: "discriminator of two values", yaml: edit(t, cganYAML, "      - {type: Dense, units: 1, activation: sigmoid}", "      - {type: Dense, units: 2, activation: sigmoid}"),
			key: "gan.discriminator.layers[5]", want: ErrBadValue, also: []string{"want one logit per image (None, 1)"}},
		{name: "label branch without Embedding", yaml: edit(t, cganYAML, "      - {type: Embedding, input_dim: 10, output_dim: 50}\n      - {type: Dense, units: 49}", "      - {type: Dense, units: 49}"),
			key: "gan.generator.label_branch[0]", want: ErrBadValue, also: []string{"integer ids"}},
		{name: "Concatenate axis 1", yaml: edit(t, cganYAML, "      - {type: Concatenate}", "      - {type: Concatenate, axis: 1}"),
			key: "gan.generator.layers[0].axis", want: ErrBadValue, also: []string{"1: in the old form (label_branch) a conditional GAN network joins its branches along the last axis, -1"}},
		{name: "branches that do not join", yaml: edit(t, cganYAML, "[7, 7, 1]", "[1, 7, 7]"),
			key: "gan.generator.layers[0]", want: ErrBadValue, also: []string{"Concatenate: called on reshape_1 (None, 7, 7, 128) and reshape (None, 1, 7, 7): inputs (None, 7, 7, 128) and (None, 1, 7, 7) differ on axis 1"}},
		{name: "monitor of a metric not computed", yaml: edit(t, baseYAML, "validation_data: test", "validation_data: test\n  callbacks: [{type: EarlyStopping, monitor: val_auc}]"),
			key: "train.callbacks[0].monitor", want: ErrBadValue, also: []string{`"val_auc" needs train.metrics to include auc`}},
		{name: "unknown metric", yaml: edit(t, baseYAML, "epochs: 2", "epochs: 2\n  metrics: [accuracy, f1_score]"),
			key: "train.metrics[1]", want: ErrBadValue, also: []string{"valid: accuracy, binary_accuracy, sparse_categorical_accuracy, categorical_accuracy, AUC, Precision, Recall, mean_squared_error, mse"}},
		{name: "AUC of ten classes", yaml: edit(t, baseYAML, "epochs: 2", "epochs: 2\n  metrics: [AUC]\n  loss: sparse_categorical_crossentropy", "{type: Dense, units: 1, activation: sigmoid}", "{type: Dense, units: 2, activation: softmax}"),
			key: "train.metrics[0]", want: ErrBadValue, also: []string{"AUC needs binary labels"}},
		{name: "binary_accuracy of classes", yaml: edit(t, baseYAML, "epochs: 2", "epochs: 2\n  metrics: [binary_accuracy]\n  loss: sparse_categorical_crossentropy", "{type: Dense, units: 1, activation: sigmoid}", "{type: Dense, units: 2, activation: softmax}"),
			key: "train.metrics[0]", want: ErrBadValue, also: []string{"use sparse_categorical_accuracy"}},
		{name: "YAML syntax", yaml: "task: [classifier\n", want: ErrSyntax, also: []string{"invalid YAML: line 1"}},
		{name: "YAML duplicate key", yaml: baseYAML + "task: gan\n", want: ErrSyntax, also: []string{`"task" already defined`}},
		{name: "YAML list", yaml: "- task: classifier\n", want: ErrSyntax},
		{name: "empty file", yaml: "", key: "task", want: ErrMissingKey},
		{name: "missing file", noFile: true, want: fs.ErrNotExist, also: []string{"cannot read"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "case.yaml")
			if !tt.noFile {
				writeYAML(t, dir, "case.yaml", tt.yaml)
			}
			c, err := Load(path)
			if err == nil {
				t.Fatalf("Load = %+v, want an error", c)
			}
			msg := err.Error()
			t.Log(msg)
			prefix := path + ": "
			if tt.key != "" {
				prefix += tt.key + ": "
			}
			if !strings.HasPrefix(msg, prefix) {
				t.Errorf("error %q\ndoes not start with %q", msg, prefix)
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("error %q is not %v", msg, tt.want)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %q is a %T, want *Error", msg, err)
			}
			if e.File != path || e.Key != tt.key {
				t.Errorf("File, Key = %q, %q; want %q, %q", e.File, e.Key, path, tt.key)
			}
			for _, s := range tt.also {
				if !strings.Contains(msg, s) {
					t.Errorf("error %q\ndoes not contain %q", msg, s)
				}
			}
		})
	}
}

// TestLoadDefaults pins every default to Keras's (or, for tfrun's own settings, tfrun's).
func TestLoadDefaults(t *testing.T) {
	minimal := mustLoad(t, "minimal.yaml", `task: classifier
data: {dataset: imdb, num_words: 100, maxlen: 10}
model: {layers: [{type: Embedding, input_dim: 100, output_dim: 4}, {type: LSTM, units: 4}, {type: Dense, units: 1, activation: sigmoid}]}
train: {epochs: 1}
`)
	text := mustLoad(t, "text.yaml", `task: classifier
data: {dataset: imdb, num_words: 100, maxlen: 10}
model:
  layers:
    - {type: Embedding, input_dim: 100, output_dim: 4}
    - {type: Conv1D, filters: 4, kernel_size: 3}
    - {type: MaxPooling1D}
    - {type: LSTM, units: 4}
    - {type: Dense, units: 4}
    - {type: Dense, units: 1, activation: sigmoid}
train:
  epochs: 1
  validation_data: test
  optimizer: {type: Adam}
  callbacks: [{type: ReduceLROnPlateau}, {type: EarlyStopping}]
`)
	sgd := mustLoad(t, "sgd.yaml", edit(t, baseYAML, "epochs: 2", "epochs: 2\n  optimizer: {type: SGD}"))
	gan := mustLoad(t, "gan.yaml", cganYAML)

	m, tl := minimal.Supervised().Model.Layers, text.Supervised().Model.Layers
	rlrop, es := text.Supervised().Train.Callbacks[0], text.Supervised().Train.Callbacks[1]
	g := gan.GAN()
	// The old form, rewritten into a functional graph: the label branch, the input
	// branch, then the layers (gan_network_test.go checks the rewriting).
	gen, disc := g.Generator.Layers[6:], g.Discriminator.Layers[3:]
	tests := []struct {
		name      string
		got, want any
	}{
		{"name", minimal.Name, "minimal"},
		{"seed", minimal.Seed, int64(42)},
		{"checkpoint.every", minimal.Checkpoint.Every, 15},
		{"checkpoint.keep", minimal.Checkpoint.Keep, 5},
		{"train.batch_size", minimal.Supervised().Train.BatchSize, 32},
		{"train.shuffle", minimal.Supervised().Train.Shuffle, true},
		{"train.validation_data", minimal.Supervised().Train.ValidationData, ""},
		{"train.validation_split", minimal.Supervised().Train.ValidationSplit, 0.0},
		{"train.loss", minimal.Supervised().Train.Loss, Loss{Type: "binary_crossentropy"}},
		{"train.metrics", minimal.Supervised().Train.Metrics, []string{"accuracy"}},
		{"train.callbacks", len(minimal.Supervised().Train.Callbacks), 0},
		{"RMSprop", minimal.Supervised().Train.Optimizer, Optimizer{Type: "RMSprop", LearningRate: 0.001, Rho: 0.9, Momentum: 0, Epsilon: 1e-7}},
		{"Adam", text.Supervised().Train.Optimizer, Optimizer{Type: "Adam", LearningRate: 0.001, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-7}},
		{"SGD", sgd.Supervised().Train.Optimizer, Optimizer{Type: "SGD", LearningRate: 0.01, Momentum: 0, Nesterov: false}},
		{"ReduceLROnPlateau", rlrop, Callback{Type: "ReduceLROnPlateau", Monitor: "val_loss", Factor: 0.1, Patience: 10,
			Mode: "auto", MinDelta: 1e-4, Cooldown: 0, MinLR: 0}},
		{"EarlyStopping", es, Callback{Type: "EarlyStopping", Monitor: "val_loss", MinDelta: 0, Patience: 0, Mode: "auto",
			Baseline: nil, RestoreBestWeights: false, StartFromEpoch: 0}},
		{"LSTM", argsOf(m[1]), map[string]any{"type": "LSTM", "units": 4, "activation": "tanh", "recurrent_activation": "sigmoid", "use_bias": true,
			"unit_forget_bias": true, "dropout": 0.0, "recurrent_dropout": 0.0, "return_sequences": false}},
		{"Dense", argsOf(tl[4]), map[string]any{"type": "Dense", "units": 4, "activation": "linear", "use_bias": true,
			"kernel_initializer": "glorot_uniform", "bias_initializer": "zeros", "kernel_regularizer": Regularizer{}, "bias_regularizer": Regularizer{}, "activity_regularizer": Regularizer{}}},
		{"Conv1D", argsOf(tl[1]), map[string]any{"type": "Conv1D", "filters": 4, "kernel_size": 3, "strides": 1, "padding": "valid", "dilation_rate": 1, "activation": "linear", "use_bias": true, "kernel_regularizer": Regularizer{}, "bias_regularizer": Regularizer{}, "activity_regularizer": Regularizer{}}},
		{"MaxPooling1D", argsOf(tl[2]), map[string]any{"type": "MaxPooling1D", "pool_size": 2, "strides": 2, "padding": "valid"}},
		{"Conv2DTranspose", argsOf(gen[1]), map[string]any{"type": "Conv2DTranspose", "filters": 128, "kernel_size": [2]int{4, 4}, "strides": [2]int{1, 1},
			"padding": "valid", "activation": "linear", "use_bias": true, "kernel_regularizer": Regularizer{}, "bias_regularizer": Regularizer{}, "activity_regularizer": Regularizer{}}},
		{"BatchNormalization", argsOf(gen[2]), map[string]any{"type": "BatchNormalization", "momentum": 0.99, "epsilon": 0.001, "center": true, "scale": true, "synchronized": false}},
		{"Conv2D", argsOf(gen[3]), map[string]any{"type": "Conv2D", "filters": 1, "kernel_size": [2]int{7, 5}, "strides": [2]int{1, 1},
			"padding": "same", "dilation_rate": [2]int{1, 1}, "activation": "tanh", "use_bias": true, "kernel_regularizer": Regularizer{}, "bias_regularizer": Regularizer{}, "activity_regularizer": Regularizer{}}},
		{"LeakyReLU", argsOf(g.Generator.Layers[4]), map[string]any{"type": "LeakyReLU", "negative_slope": 0.3}},
		{"Concatenate", argsOf(gen[0]), map[string]any{"type": "Concatenate", "axis": -1}},
		{"Flatten", argsOf(disc[3]), map[string]any{"type": "Flatten"}},
		{"gan.noise_dim", g.NoiseDim, 100},
		{"gan.batch_size", g.BatchSize, 256},
		{"gan.sample_grid", g.SampleGrid, [2]int{4, 4}},
		{"gan.train_step", g.TrainStep, "simultaneous"},
		{"gan.generator_optimizer", g.GeneratorOptimizer, Optimizer{Type: "Adam", LearningRate: 0.001, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-7}},
		{"gan.discriminator_optimizer", g.DiscriminatorOptimizer, Optimizer{Type: "Adam", LearningRate: 0.001, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-7}},
		{"a gan holds its own section, no model or train", gan.Supervised() == nil && gan.Adversarial() != nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !reflect.DeepEqual(tt.got, tt.want) {
				t.Errorf("got %+v\nwant %+v", tt.got, tt.want)
			}
		})
	}
}

// TestLoadSpellings checks the spellings Keras accepts and how they are normalised.
func TestLoadSpellings(t *testing.T) {
	c := mustLoad(t, "spellings.yaml", `Task: classifier
data: {dataset: imdb, num_words: 100, maxlen: 10}
model:
  layers:
    - {TYPE: embedding, input_dim: 100, output_dim: 4}
    - {type: conv1d, filters: 4, kernel_size: 3}
    - {type: maxpooling1d, pool_size: 4}
    - {type: lstm, units: 4, return_sequences: true}
    - {type: globalmaxpooling1d}
    - {type: leakyrelu, alpha: 0.1}
    - {type: dense, units: 1}
    - {type: activation, activation: sigmoid}
train:
  epochs: 1
  optimizer: adam
  callbacks: [{type: earlystopping, monitor: loss, baseline: 0.5}]
`)
	gan := mustLoad(t, "gan.yaml", cganYAML)
	ls := c.Supervised().Model.Layers
	half := 0.5
	tests := []struct {
		name      string
		got, want any
	}{
		{"task key case-insensitive", c.Task, "classifier"},
		{"layer types in Keras spelling", []string{ls[0].Type, ls[1].Type, ls[2].Type, ls[3].Type, ls[4].Type, ls[5].Type, ls[6].Type, ls[7].Type},
			[]string{"Embedding", "Conv1D", "MaxPooling1D", "LSTM", "GlobalMaxPooling1D", "LeakyReLU", "Dense", "Activation"}},
		{"MaxPooling1D strides default to pool_size", ls[2].Int("strides"), 4},
		{"LeakyReLU alpha is negative_slope", ls[5].Float("negative_slope"), 0.1},
		{"optimizer by name", c.Supervised().Train.Optimizer.Type, "Adam"},
		{"callback type", c.Supervised().Train.Callbacks[0].Type, "EarlyStopping"},
		{"baseline set", c.Supervised().Train.Callbacks[0].Baseline, &half},
		{"int kernel_size means both", gan.GAN().Generator.Layers[7].Pair("kernel_size"), [2]int{4, 4}},
		{"int strides means both", gan.GAN().Discriminator.Layers[4].Pair("strides"), [2]int{2, 2}},
		{"Reshape target_shape", gan.GAN().Generator.Layers[5].Ints("target_shape"), []int{7, 7, 128}},
		{"conditional", gan.GAN().Conditional(), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !reflect.DeepEqual(tt.got, tt.want) {
				t.Errorf("got %+v\nwant %+v", tt.got, tt.want)
			}
		})
	}
}

// argsOf is a layer's type and arguments, for comparisons.
func argsOf(l Layer) map[string]any {
	m := l.Args()
	m["type"] = l.Type
	return m
}

// TestNewLayer checks that NewLayer's defaults are the ones Load applies.
func TestNewLayer(t *testing.T) {
	c := mustLoad(t, "base.yaml", baseYAML)
	tests := []struct {
		typ  string
		want map[string]any
	}{
		{"lstm", map[string]any{"type": "LSTM", "activation": "tanh", "recurrent_activation": "sigmoid", "use_bias": true, "unit_forget_bias": true,
			"dropout": 0.0, "recurrent_dropout": 0.0, "return_sequences": false}},
		{"Dense", map[string]any{"type": "Dense", "activation": "linear", "use_bias": true, "kernel_initializer": "glorot_uniform", "bias_initializer": "zeros", "kernel_regularizer": Regularizer{}, "bias_regularizer": Regularizer{}, "activity_regularizer": Regularizer{}}},
	}
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			got, err := NewLayer(tt.typ)
			if err != nil {
				t.Fatal(err)
			}
			if got := argsOf(got); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("NewLayer(%q) = %+v\nwant %+v", tt.typ, got, tt.want)
			}
		})
	}
	loaded := c.Supervised().Model.Layers[1]
	fresh, _ := NewLayer("LSTM")
	if err := fresh.Set("units", loaded.Int("units")); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(loaded, fresh) {
		t.Errorf("loaded LSTM %+v\n!= NewLayer + units %+v", loaded, fresh)
	}
	if _, err := NewLayer("Dence"); !errors.Is(err, ErrBadValue) {
		t.Errorf("NewLayer(Dence) error = %v, want ErrBadValue", err)
	}
}

// TestValidate checks Validate on Configs built in Go.
func TestValidate(t *testing.T) {
	good := func() *Config {
		c := mustLoad(t, "base.yaml", baseYAML)
		c.File = ""
		return c
	}
	tests := []struct {
		name   string
		change func(c *Config)
		key    string // "" means valid
	}{
		{"as loaded", func(c *Config) {}, ""},
		{"lower-case type", func(c *Config) { c.Supervised().Model.Layers[2].Type = "dense" }, "model.layers[2].type"},
		{"no layers", func(c *Config) { c.Supervised().Model.Layers = nil }, "model.layers"},
		{"zero epochs", func(c *Config) { c.Supervised().Train.Epochs = 0 }, "train.epochs"},
		{"empty name", func(c *Config) { c.Name = "" }, "name"},
		{"gan without gan section", func(c *Config) {
			c.Task = TaskGAN
			c.Supervised().Model = Model{}
			c.Data = Data{Dataset: DatasetMNIST}
		}, "gan"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := good()
			tt.change(c)
			err := c.Validate()
			var e *Error
			switch {
			case tt.key == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tt.key != "" && !errors.As(err, &e):
				t.Errorf("Validate() = %v, want an *Error at %s", err, tt.key)
			case tt.key != "" && e.Key != tt.key:
				t.Errorf("Validate() = %v, want key %s", err, tt.key)
			}
		})
	}
}

// TestRunConfigs loads every run config shipped in this directory.
func TestRunConfigs(t *testing.T) {
	paths, err := filepath.Glob("*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no *.yaml run configs found")
	}
	for _, path := range paths {
		t.Run(path, func(t *testing.T) {
			c, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if want := strings.TrimSuffix(path, ".yaml"); c.Name != want {
				t.Errorf("name = %q, want the file's base name %q", c.Name, want)
			}
		})
	}
}

// A wrapper's layer is a nested mapping, decoded and defaulted as any layer.
func TestLoadNestedLayer(t *testing.T) {
	c := mustLoad(t, "nested.yaml", edit(t, baseYAML, "{type: LSTM, units: 8}",
		"{type: bidirectional, merge_mode: ave, layer: {type: gru, units: 8, return_sequences: true, dropout: 0.25}}\n    - {type: GlobalMaxPooling1D}"))
	bi := c.Supervised().Model.Layers[1]
	inner := bi.Wrapped()
	if bi.Type != "Bidirectional" || bi.String("merge_mode") != "ave" || inner == nil {
		t.Fatalf("got %+v", bi.Args())
	}
	want := map[string]any{"type": "GRU", "units": 8, "activation": "tanh", "recurrent_activation": "sigmoid", "use_bias": true,
		"dropout": 0.25, "recurrent_dropout": 0.0, "return_sequences": true, "go_backwards": false, "reset_after": true}
	if got := argsOf(*inner); !reflect.DeepEqual(got, want) {
		t.Errorf("wrapped layer %+v\nwant %+v", got, want)
	}
	out, err := bi.OutputShape(Shape{80, 8}, false)
	if err != nil || out.String() != "(None, 80, 8)" {
		t.Errorf("output shape %v, %v; want (None, 80, 8) (ave keeps the units)", out, err)
	}
	if def := string(c.ModelDefinition()); !strings.Contains(def, `"layer":{"activation":"tanh","dropout":0.25`) {
		t.Errorf("the definition lacks the wrapped layer: %s", def)
	}
}

// train.metrics takes Keras's names in any case and monitors follow it.
func TestLoadMetrics(t *testing.T) {
	c := mustLoad(t, "metrics.yaml", edit(t, baseYAML, "validation_data: test",
		"validation_data: test\n  metrics: [auc, precision, Recall, binary_accuracy]\n  callbacks: [{type: EarlyStopping, monitor: val_auc}, {type: ReduceLROnPlateau, monitor: precision}]"))
	if got, want := c.Supervised().Train.Metrics, []string{"AUC", "Precision", "Recall", "binary_accuracy"}; !reflect.DeepEqual(got, want) {
		t.Errorf("metrics %v, want %v", got, want)
	}
	var names []string
	for _, m := range c.Supervised().Train.Metrics {
		names = append(names, MetricLogName(m))
	}
	if want := []string{"auc", "precision", "recall", "binary_accuracy"}; !reflect.DeepEqual(names, want) {
		t.Errorf("log names %v, want %v", names, want)
	}
	none := mustLoad(t, "none.yaml", edit(t, baseYAML, "epochs: 2", "epochs: 2\n  metrics: []"))
	if len(none.Supervised().Train.Metrics) != 0 {
		t.Errorf("metrics: [] gave %v", none.Supervised().Train.Metrics)
	}
}
