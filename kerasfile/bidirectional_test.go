package kerasfile

import (
	"encoding/json"
	"strings"
	"testing"
)

// The backward layer Keras 3 saves in every Bidirectional's config (here the config of a
// keras.layers.Bidirectional(LSTM(64)) saved by Keras 3.15.1, trimmed) is the automatic
// copy tfrun's Bidirectional computes; any other backward layer is not.
func TestAutomaticBackward(t *testing.T) {
	const forward = `{"class_name": "LSTM", "module": "keras.layers", "config": {"name": "forward_lstm", "units": 64,
		"go_backwards": false, "return_sequences": false, "activation": "tanh",
		"kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}, "shared_object_id": 139949361321936}},
		"build_config": {"input_shape": [null, 200, 64]}}`
	const auto = `{"class_name": "LSTM", "module": "keras.layers", "config": {"name": "backward_lstm", "units": 64,
		"go_backwards": true, "return_sequences": false, "activation": "tanh",
		"kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}, "shared_object_id": 139949361323280}},
		"build_config": {"input_shape": [null, 200, 64]}}`
	tests := []struct {
		name, backward string
		want           bool
	}{
		{"Keras's automatic copy", auto, true},
		{"other units", replace(auto, `"units": 64`, `"units": 32`), false},
		{"not reversed", replace(auto, `"go_backwards": true`, `"go_backwards": false`), false},
		{"another class", replace(auto, `"class_name": "LSTM"`, `"class_name": "GRU"`), false},
		{"another activation", replace(auto, `"activation": "tanh"`, `"activation": "relu"`), false},
		{"not a layer", `"lstm"`, false},
	}
	var f any
	if err := json.Unmarshal([]byte(forward), &f); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b any
			if err := json.Unmarshal([]byte(tt.backward), &b); err != nil {
				t.Fatal(err)
			}
			if got := automaticBackward(f, b); got != tt.want {
				t.Errorf("automaticBackward = %v, want %v", got, tt.want)
			}
		})
	}
}

// replace is s with its one old replaced by new (a table entry's edit of a config).
func replace(s, old, new string) string {
	if !strings.Contains(s, old) {
		panic("no " + old + " to replace")
	}
	return strings.Replace(s, old, new, 1)
}
