package configs

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// TestFitArgsErrors feeds every bad value of train.steps_per_epoch, validation_steps,
// validation_freq, initial_epoch and shuffle: batch.
func TestFitArgsErrors(t *testing.T) {
	noVal := edit(t, baseYAML, "  validation_data: test\n", "")
	with := func(text, lines string) string { return edit(t, text, "  epochs: 2\n", "  epochs: 2\n"+lines) }
	ownNoVal := `task: classifier
data: {format: csv, path: ../shared/data/tabular/diabetes.csv, label: target}
model: {layers: [{type: Dense, units: 1}]}
train: {epochs: 2, loss: mse, validation_freq: 2}
`
	tests := []struct {
		name string
		yaml string
		key  string
		want error
		also []string
	}{
		{"steps_per_epoch zero", with(baseYAML, "  steps_per_epoch: 0\n"), "train.steps_per_epoch", ErrBadValue, []string{"must be > 0", "got 0"}},
		{"steps_per_epoch negative", with(baseYAML, "  steps_per_epoch: -3\n"), "train.steps_per_epoch", ErrBadValue, []string{"got -3"}},
		{"steps_per_epoch float", with(baseYAML, "  steps_per_epoch: 2.5\n"), "train.steps_per_epoch", ErrWrongType, []string{"want an integer, got float 2.5"}},
		{"steps_per_epoch string", with(baseYAML, "  steps_per_epoch: all\n"), "train.steps_per_epoch", ErrWrongType, nil},
		{"validation_steps zero", with(baseYAML, "  validation_steps: 0\n"), "train.validation_steps", ErrBadValue, []string{"must be > 0"}},
		{"validation_steps negative", with(baseYAML, "  validation_steps: -1\n"), "train.validation_steps", ErrBadValue, nil},
		{"validation_steps string", with(baseYAML, "  validation_steps: few\n"), "train.validation_steps", ErrWrongType, nil},
		{"validation_steps without validation", with(noVal, "  validation_steps: 2\n"), "train.validation_steps", ErrBadValue,
			[]string{"does not validate", "train.validation_data: test"}},
		{"validation_freq zero", with(baseYAML, "  validation_freq: 0\n"), "train.validation_freq", ErrBadValue, []string{"must be > 0"}},
		{"validation_freq negative", with(baseYAML, "  validation_freq: -2\n"), "train.validation_freq", ErrBadValue, nil},
		{"validation_freq float", with(baseYAML, "  validation_freq: 1.5\n"), "train.validation_freq", ErrWrongType, []string{"an integer (validate every N epochs) or a list"}},
		{"validation_freq string", with(baseYAML, "  validation_freq: often\n"), "train.validation_freq", ErrWrongType, nil},
		{"validation_freq mapping", with(baseYAML, "  validation_freq: {every: 2}\n"), "train.validation_freq", ErrWrongType, nil},
		{"validation_freq list item float", with(baseYAML, "  validation_freq: [1, 1.5]\n"), "train.validation_freq[1]", ErrWrongType, nil},
		{"validation_freq empty list", with(baseYAML, "  validation_freq: []\n"), "train.validation_freq", ErrBadValue, []string{"empty list"}},
		{"validation_freq epoch 0", with(baseYAML, "  validation_freq: [0, 1]\n"), "train.validation_freq[0]", ErrBadValue, []string{"1..2"}},
		{"validation_freq epoch beyond epochs", with(baseYAML, "  validation_freq: [1, 3]\n"), "train.validation_freq[1]", ErrBadValue, []string{"epoch 3", "1..2"}},
		{"validation_freq unordered", with(baseYAML, "  validation_freq: [2, 1]\n"), "train.validation_freq[1]", ErrBadValue, []string{"increasing order"}},
		{"validation_freq twice", with(baseYAML, "  validation_freq: [1, 1]\n"), "train.validation_freq[1]", ErrBadValue, nil},
		{"validation_freq without validation", with(noVal, "  validation_freq: 2\n"), "train.validation_freq", ErrBadValue,
			[]string{"2 given, but the run does not validate"}},
		{"validation_freq list without validation", with(noVal, "  validation_freq: [2]\n"), "train.validation_freq", ErrBadValue, []string{"[2] given"}},
		{"validation_freq without validation, own data", ownNoVal, "train.validation_freq", ErrBadValue, []string{"data.validation_split"}},
		{"initial_epoch negative", with(baseYAML, "  initial_epoch: -1\n"), "train.initial_epoch", ErrBadValue, []string{"must be >= 0"}},
		{"initial_epoch at epochs", with(baseYAML, "  initial_epoch: 2\n"), "train.initial_epoch", ErrBadValue, []string{"2 >= train.epochs 2", "final epoch"}},
		{"initial_epoch beyond epochs", with(baseYAML, "  initial_epoch: 7\n"), "train.initial_epoch", ErrBadValue, nil},
		{"initial_epoch float", with(baseYAML, "  initial_epoch: 1.0\n"), "train.initial_epoch", ErrWrongType, nil},
		{"initial_epoch string", with(baseYAML, "  initial_epoch: first\n"), "train.initial_epoch", ErrWrongType, nil},
		{"shuffle batch", with(baseYAML, "  shuffle: batch\n"), "train.shuffle", ErrBadValue, []string{`"batch"`, "within each batch", "use true"}},
		{"shuffle other string", with(baseYAML, "  shuffle: yes please\n"), "train.shuffle", ErrWrongType, []string{"want true or false"}},
		{"fit args on a gan", edit(t, cganYAML, "gan:\n", "train: {steps_per_epoch: 10}\ngan:\n"), "train.steps_per_epoch", ErrBadValue,
			[]string{"task gan takes only train.callbacks"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeYAML(t, t.TempDir(), "case.yaml", tt.yaml)
			c, err := Load(path)
			if err == nil {
				t.Fatalf("Load = %+v, want an error", c.Supervised().Train)
			}
			msg := err.Error()
			t.Log(msg)
			var e *Error
			if !errors.As(err, &e) || e.Key != tt.key {
				t.Errorf("error %q: want an *Error at key %q", msg, tt.key)
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

// TestFitArgsLoad checks the values the keys load as, and Keras's defaults.
func TestFitArgsLoad(t *testing.T) {
	def := mustLoad(t, "default.yaml", baseYAML).Supervised().Train
	if def.StepsPerEpoch != nil || def.ValidationSteps != nil || def.InitialEpoch != 0 ||
		!reflect.DeepEqual(def.ValidationFreq, ValidationFreq{Every: 1}) || !def.Shuffle {
		t.Errorf("defaults: steps_per_epoch %v, validation_steps %v, initial_epoch %d, validation_freq %+v, shuffle %t; want nil, nil, 0, 1, true (Keras's fit)",
			def.StepsPerEpoch, def.ValidationSteps, def.InitialEpoch, def.ValidationFreq, def.Shuffle)
	}
	got := mustLoad(t, "set.yaml", edit(t, baseYAML, "  epochs: 2\n",
		"  epochs: 6\n  steps_per_epoch: 3\n  validation_steps: 2\n  validation_freq: [2, 5]\n  initial_epoch: 1\n  shuffle: false\n")).Supervised().Train
	if got.StepsPerEpoch == nil || *got.StepsPerEpoch != 3 || got.ValidationSteps == nil || *got.ValidationSteps != 2 ||
		got.InitialEpoch != 1 || got.Shuffle || !reflect.DeepEqual(got.ValidationFreq, ValidationFreq{Epochs: []int{2, 5}}) {
		t.Errorf("loaded %+v", got)
	}
	every := mustLoad(t, "every.yaml", edit(t, baseYAML, "  epochs: 2\n", "  epochs: 2\n  validation_freq: 3\n")).Supervised().Train.ValidationFreq
	if !reflect.DeepEqual(every, ValidationFreq{Every: 3}) {
		t.Errorf("validation_freq: 3 loads as %+v", every)
	}
}

// TestValidationFreqValidates checks which 0-based epochs validate, as Keras's
// Trainer._should_eval decides for the 1-based epoch.
func TestValidationFreqValidates(t *testing.T) {
	tests := []struct {
		f    ValidationFreq
		want []bool // epochs 0..5
	}{
		{ValidationFreq{Every: 1}, []bool{true, true, true, true, true, true}},
		{ValidationFreq{Every: 2}, []bool{false, true, false, true, false, true}},
		{ValidationFreq{Every: 3}, []bool{false, false, true, false, false, true}},
		{ValidationFreq{Epochs: []int{1, 4}}, []bool{true, false, false, true, false, false}},
	}
	for _, tt := range tests {
		for e, want := range tt.want {
			if got := tt.f.Validates(e); got != want {
				t.Errorf("%v.Validates(%d) = %t, want %t", tt.f, e, got, want)
			}
		}
	}
}
