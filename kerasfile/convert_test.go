package kerasfile

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/configs"
)

// A Keras 2 functional config (inbound_nodes as [[name, node, index, kwargs], ...],
// batch_input_shape) converts as Keras 3's does; a shared layer's second call becomes a
// reuse entry; a layer of several outputs and a call with keyword arguments are problems.
func TestConvertKeras2Functional(t *testing.T) {
	const cfg = `{"class_name": "Model", "config": {"name": "k2",
	  "layers": [
	    {"class_name": "InputLayer", "name": "x", "config": {"batch_input_shape": [null, 5], "dtype": "float32", "name": "x"}, "inbound_nodes": []},
	    {"class_name": "Dense", "name": "d", "config": {"name": "d", "units": 3, "activation": "relu", "use_bias": true}, "inbound_nodes": [[["x", 0, 0, {}]], [["e", 0, 0, {}]]]},
	    {"class_name": "Dense", "name": "e", "config": {"name": "e", "units": 5}, "inbound_nodes": [[["d", 0, 0, {}]]]},
	    {"class_name": "Add", "name": "sum", "config": {"name": "sum"}, "inbound_nodes": [[["d", 0, 0, {}], ["d", 1, 0, {}]]]}
	  ],
	  "input_layers": [["x", 0, 0]], "output_layers": [["sum", 0, 0]]}}`
	var raw map[string]any
	if err := json.Unmarshal([]byte(cfg), &raw); err != nil {
		t.Fatal(err)
	}
	c := &converter{m: &Model{Weights: map[string][]Weight{}}}
	c.model(raw)
	if len(c.problems) > 0 {
		t.Fatalf("problems: %v", c.problems)
	}
	want := `model:
  inputs:
    x: {shape: [5]}
  layers:
    - {name: d, type: Dense, call: x, units: 3, activation: relu}
    - {name: d_call_1, reuse: d, call: e}
    - {name: e, type: Dense, call: d, units: 5}
    - {name: sum, type: Add, call: [d, d_call_1]}
  outputs: [sum]
`
	if got := c.m.ModelYAML(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// tfrun orders the calls itself: the reuse of d on e, listed before e, loads.
	path := filepath.Join(t.TempDir(), "k2.yaml")
	full := "task: classifier\ndata: {format: csv, path: x.csv, label: [y1, y2, y3], feature_columns: [a, b, c, d, e], normalize: false}\n" +
		c.m.ModelYAML() + "train: {epochs: 1, loss: mse}\n"
	if err := os.WriteFile(path, []byte(full), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := configs.Load(path); err != nil {
		t.Errorf("the converted config does not load: %v", err)
	}

	bad := strings.Replace(cfg, `[["d", 0, 0, {}], ["d", 1, 0, {}]]`, `[["d", 0, 1, {}], ["d", 1, 0, {"mask": [1]}]]`, 1)
	raw = nil
	if err := json.Unmarshal([]byte(bad), &raw); err != nil {
		t.Fatal(err)
	}
	c = &converter{m: &Model{Weights: map[string][]Weight{}}}
	c.model(raw)
	if len(c.problems) != 1 || c.problems[0].Layer != "sum" || !strings.Contains(c.problems[0].Msg, "keyword argument mask") {
		t.Errorf("problems %v, want one about sum's keyword argument mask", c.problems)
	}
}
