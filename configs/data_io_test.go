package configs

import (
	"errors"
	"strings"
	"testing"
)

// ioYAML is a CSV feeding a functional model of two inputs and two outputs by name.
const ioYAML = `task: classifier
data:
  format: csv
  path: reviews.csv
  inputs: {numbers: [price, stars], extra: length}
  outputs: {class: sentiment, value: rating}
model:
  inputs: {numbers: {shape: [2]}, extra: {shape: [1]}}
  layers:
    - {name: join, type: Concatenate, call: [numbers, extra]}
    - {name: hidden, type: Dense, units: 8, activation: relu}
    - {name: class, type: Dense, units: 3, activation: softmax, call: hidden}
    - {name: value, type: Dense, units: 1, call: hidden}
  outputs: [class, value]
train:
  epochs: 1
  loss: {class: sparse_categorical_crossentropy, value: mse}
`

// A CSV's columns by name feed a model of several inputs and outputs.
func TestDataInputsOutputsLoad(t *testing.T) {
	c := mustLoad(t, "io.yaml", ioYAML)
	s := c.Supervised()
	if !s.Model.MultiIO() || len(c.Data.Inputs) != 2 || c.Data.Inputs[1].Name != "numbers" || len(c.Data.Inputs[1].Columns) != 2 {
		t.Errorf("multiIO %v, data.inputs %+v", s.Model.MultiIO(), c.Data.Inputs)
	}
	if g, err := s.Model.Graph(); err != nil || len(g.Inputs) != 2 || len(g.Outputs) != 2 {
		t.Errorf("graph: %v", err)
	}
	want := []string{"loss", "class_loss", "class_accuracy", "value_loss"}
	if got := s.Train.LogNames(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("log names %q, want %q", got, want)
	}
}

func TestDataInputsOutputs(t *testing.T) {
	tests := []struct {
		name, key string
		want      error
		oldNew    []string
		also      string
	}{
		{"outputs without inputs", "data.inputs", ErrMissingKey,
			[]string{"  inputs: {numbers: [price, stars], extra: length}\n", ""}, "data.outputs needs data.inputs"},
		{"shapes that do not merge", "model.layers[0]", ErrBadValue,
			[]string{"type: Concatenate, call: [numbers, extra]}", "type: Add, call: [numbers, extra]}",
				"extra: length}", "extra: [length, l2, l3]}", "extra: {shape: [1]}", "extra: {dtype: float32}"}, "Add: called on numbers (None, 2) and extra (None, 3)"},
		{"several inputs without data.inputs", "model.inputs", ErrBadValue,
			[]string{"  inputs: {numbers: [price, stars], extra: length}\n  outputs: {class: sentiment, value: rating}\n", "  label: sentiment\n"},
			"several inputs are not yet supported"},
		{"inputs without outputs", "data.outputs", ErrMissingKey,
			[]string{"  outputs: {class: sentiment, value: rating}\n", ""}, "name each output's label columns too"},
		{"label with outputs", "data.label", ErrBadValue,
			[]string{"  path: reviews.csv\n", "  path: reviews.csv\n  label: sentiment\n"}, "given with data.outputs"},
		{"feature_columns with outputs", "data.feature_columns", ErrBadValue,
			[]string{"  path: reviews.csv\n", "  path: reviews.csv\n  feature_columns: [price]\n"}, "name the model's inputs' columns in data.inputs"},
		{"a column twice", "data.outputs.value[0]", ErrBadValue,
			[]string{"value: rating}", "value: stars}"}, `"stars" is also data.inputs.numbers[1]`},
		{"sample_weight column as input", "data.inputs.extra[0]", ErrBadValue,
			[]string{"  path: reviews.csv\n", "  path: reviews.csv\n  sample_weight: length\n"}, "is data.sample_weight"},
		{"empty column", "data.inputs.numbers[0]", ErrBadValue,
			[]string{"numbers: [price, stars]", `numbers: ["", stars]`}, "empty column name"},
		{"text input of another shape", "model.inputs.extra.shape", ErrBadValue,
			[]string{"extra: length}", "extra: {text: body, num_words: 100, maxlen: 20}}"}, "gives token ids padded to maxlen 20, shape [20]"},
		{"text input as float32", "model.inputs.extra.dtype", ErrBadValue,
			[]string{"extra: length}", "extra: {text: body, num_words: 100, maxlen: 20}}", "extra: {shape: [1]}", "extra: {shape: [20], dtype: float32}"},
			"float32, but data.inputs.extra gives int32"},
		{"text without maxlen", "data.inputs.extra.maxlen", ErrBadValue,
			[]string{"extra: length}", "extra: {text: body, num_words: 100}}"}, "padded or truncated to maxlen"},
		{"text column also a label", "data.outputs.class[0]", ErrBadValue,
			[]string{"extra: length}", "extra: {text: sentiment, num_words: 100, maxlen: 20}}"}, `"sentiment" is also data.inputs.extra.text`},
		{"num_words without text", "data.inputs.extra.text", ErrMissingKey,
			[]string{"extra: length}", "extra: {num_words: 100}}"}, "num_words and maxlen are a text input's"},
		{"unknown key of a text input", "data.inputs.extra.max_len", ErrUnknownKey,
			[]string{"extra: length}", "extra: {text: body, max_len: 20}}"}, "for a text input"},
		{"inputs not a mapping", "data.inputs", ErrWrongType,
			[]string{"inputs: {numbers: [price, stars], extra: length}", "inputs: [price, stars]"}, "from the model's input names to CSV columns"},
		{"output columns not a list", "data.outputs.class", ErrWrongType,
			[]string{"class: sentiment,", "class: 3,"}, "a column name or a non-empty list"},
		{"unknown input", "data.inputs.extras", ErrBadValue,
			[]string{"extra: length}", "extras: length}"}, "not an input of the model (model.inputs: extra, numbers)"},
		{"input not fed", "data.inputs.extra", ErrMissingKey,
			[]string{"inputs: {numbers: [price, stars], extra: length}", "inputs: {numbers: [price, stars]}"}, "every input of the model is fed"},
		{"input shape not its columns'", "model.inputs.numbers.shape", ErrBadValue,
			[]string{"numbers: {shape: [2]}", "numbers: {shape: [3]}"}, "gives 2 columns, shape [2]"},
		{"unknown output", "data.outputs.values", ErrBadValue,
			[]string{"value: rating}", "values: rating}"}, "not an output of the model (outputs: class, value)"},
		{"output without columns", "data.outputs.value", ErrMissingKey,
			[]string{"outputs: {class: sentiment, value: rating}", "outputs: {class: sentiment}"}, "every output of the model has its label columns"},
		{"inputs for a Sequential stack", "data.inputs", ErrBadValue,
			[]string{"  inputs: {numbers: {shape: [2]}, extra: {shape: [1]}}\n", "",
				"    - {name: join, type: Concatenate, call: [numbers, extra]}\n", "",
				"    - {name: class, type: Dense, units: 3, activation: softmax, call: hidden}\n", "",
				"    - {name: value, type: Dense, units: 1, call: hidden}\n", "",
				"  outputs: [class, value]\n", "",
				"  loss: {class: sparse_categorical_crossentropy, value: mse}", "  loss: mse"},
			"give model.inputs"},
		{"inputs on an image folder", "data.inputs", ErrBadValue,
			[]string{"format: csv", "format: image_directory"}, "not a key of format image_directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(writeYAML(t, t.TempDir(), "case.yaml", edit(t, ioYAML, tt.oldNew...)))
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

// A text column feeds an int32 input of shape (maxlen,).
func TestDataTextInputLoads(t *testing.T) {
	c := mustLoad(t, "text.yaml", edit(t, ioYAML, "extra: length}", "extra: {text: body, num_words: 100, maxlen: 6}}",
		"extra: {shape: [1]}", "extra: {shape: [6], dtype: int32}",
		"    - {name: join, type: Concatenate, call: [numbers, extra]}",
		"    - {name: emb, type: Embedding, input_dim: 100, output_dim: 3, call: extra}\n    - {name: pool, type: GlobalAveragePooling1D}\n    - {name: join, type: Concatenate, call: [numbers, pool]}"))
	if in := c.Data.Inputs[0]; in.Name != "extra" || in.Text != "body" || in.NumWords != 100 || in.Maxlen != 6 {
		t.Errorf("text input %+v", in)
	}
}

// data.inputs and data.outputs enter the fingerprint only when given: a CSV config
// without them keeps its fingerprint.
func TestDataIOFingerprint(t *testing.T) {
	d := Data{Format: FormatCSV, Label: Columns{"y"}}
	c := &Config{Task: TaskClassifier, Data: d}
	before := string(c.ModelDefinition())
	if strings.Contains(before, `"inputs"`) || strings.Contains(before, `"outputs"`) {
		t.Errorf("definition without data.inputs names them: %s", before)
	}
	c.Data.Label = nil
	c.Data.Inputs = DataInputs{{Name: "x", Columns: []string{"a", "b"}}}
	c.Data.Outputs = DataOutputs{{Name: "head", Columns: Columns{"y"}}}
	with := string(c.ModelDefinition())
	if !strings.Contains(with, `"inputs":{"x":{"columns":["a","b"]`) || !strings.Contains(with, `"outputs":{"head":["y"]}`) {
		t.Errorf("definition with data.inputs/outputs: %s", with)
	}
	c.Data.Inputs[0].Columns = []string{"b", "a"}
	if string(c.ModelDefinition()) == with {
		t.Error("the columns' order, the input's layout, does not change the fingerprint")
	}
}
