package kerasfile_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/kerasfile"
)

// members reads the members of a .keras zip.
func members(t *testing.T, path string) map[string][]byte {
	t.Helper()
	z, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	out := map[string][]byte{}
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = b
	}
	return out
}

// writeZip writes members as a zip at path.
func writeZip(t *testing.T, path string, ms map[string][]byte) string {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, name := range []string{"metadata.json", "config.json", "model.weights.h5"} {
		if b, ok := ms[name]; ok {
			f, err := w.Create(name)
			if err != nil {
				t.Fatal(err)
			}
			f.Write(b)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoad(t *testing.T) {
	for _, tc := range []struct {
		file       string
		sequential bool
		inputs     string
		layers     int
		weights    map[string]int // weights of some layers
		yaml       []string       // lines of ModelYAML
	}{
		{file: "cnn.keras", sequential: true, inputs: "[{input (None, 12, 12, 1) float32}]", layers: 9,
			weights: map[string]int{"conv1": 2, "bn1": 4, "probs": 2},
			yaml: []string{"- {name: conv1, type: Conv2D, filters: 6, kernel_size: [3, 3], activation: relu}",
				"- {name: pool1, type: MaxPooling2D}", "- {name: drop, type: Dropout, rate: 0.3}"}},
		{file: "cnn_legacy.h5", sequential: true, inputs: "[{input (None, 12, 12, 1) float32}]", layers: 9,
			weights: map[string]int{"conv1": 2, "bn1": 4, "probs": 2}},
		{file: "two_inputs.keras", inputs: "[{a (None, 6) float32} {b (None, 6) float32}]", layers: 6,
			weights: map[string]int{"shared": 2, "hidden": 2, "out": 2},
			yaml:    []string{"- {name: shared_call_1, reuse: shared, call: b}", "- {name: cat, type: Concatenate, call: [add, shared_call_1]}", "outputs: [out]"}},
		{file: "text.keras", sequential: true, inputs: "[{input (None, 10) int32}]", layers: 3,
			weights: map[string]int{"embed": 1, "lstm": 3}},
		{file: "padded.keras", inputs: "[{image (None, 7, 7, 3) float32}]", layers: 8,
			weights: map[string]int{"norm": 3, "conv": 2, "probs": 2},
			yaml: []string{"- {name: pad, type: ZeroPadding2D, call: norm, padding: [[0, 1], [0, 1]]}",
				"- {name: drop_examples, type: Dropout, call: conv, rate: 0.2, noise_shape: [null, 1, 1, 1]}",
				"- {name: pad2, type: ZeroPadding2D, call: drop_examples, padding: [[1, 0], [2, 1]]}",
				"- {name: drop_channels, type: Dropout, call: pad2, rate: 0.3, noise_shape: [null, 1, 1, 4]}"}},
		{file: "cropped.keras", inputs: "[{image (None, 9, 8, 3) float32}]", layers: 6,
			weights: map[string]int{"conv": 2, "probs": 2},
			yaml: []string{"- {name: crop, type: Cropping2D, call: image, cropping: [[0, 1], [2, 0]]}",
				"- {name: crop2, type: Cropping2D, call: conv, cropping: [[1, 0], [0, 2]]}",
				"- {name: crop3, type: Cropping2D, call: crop2, cropping: [1, 0]}"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			m, err := kerasfile.Load(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if m.Sequential != tc.sequential || len(m.Layers) != tc.layers {
				t.Errorf("sequential %v, %d layers; want %v, %d", m.Sequential, len(m.Layers), tc.sequential, tc.layers)
			}
			if got := strings.ReplaceAll(strings.ReplaceAll(fmtInputs(m.Inputs), "\n", ""), "  ", " "); got != tc.inputs {
				t.Errorf("inputs %s, want %s", got, tc.inputs)
			}
			for name, n := range tc.weights {
				if len(m.Weights[name]) != n {
					t.Errorf("layer %s: %d weights, want %d", name, len(m.Weights[name]), n)
				}
			}
			y := m.ModelYAML()
			for _, line := range tc.yaml {
				if !strings.Contains(y, line) {
					t.Errorf("the YAML lacks %q:\n%s", line, y)
				}
			}
			if m.KerasVersion != "3.15.1" {
				t.Errorf("keras version %q", m.KerasVersion)
			}
		})
	}
}

func fmtInputs(ins []configs.Input) string {
	var s []string
	for _, in := range ins {
		s = append(s, "{"+in.Name+" "+in.Shape.String()+" "+in.DType+"}")
	}
	return "[" + strings.Join(s, " ") + "]"
}

// A model using what tfrun lacks: one error listing every problem, each naming the layer,
// its class and the argument.
func TestUnsupportedListsEverything(t *testing.T) {
	_, err := kerasfile.Load("testdata/unsupported.keras")
	var ke *kerasfile.Error
	if !errors.As(err, &ke) || !errors.Is(err, kerasfile.ErrUnsupported) {
		t.Fatalf("got %v, want a *kerasfile.Error", err)
	}
	want := []kerasfile.Problem{
		{Layer: "conv_cf", Class: "Conv2D", Arg: "data_format"},
		{Layer: "unit", Class: "UnitNormalization"},
		{Layer: "dense_nn", Class: "Dense", Arg: "kernel_constraint"},
	}
	if len(ke.Problems) != len(want) {
		t.Fatalf("%d problems, want %d:\n%v", len(ke.Problems), len(want), err)
	}
	for i, p := range ke.Problems {
		if p.Layer != want[i].Layer || p.Class != want[i].Class || p.Arg != want[i].Arg {
			t.Errorf("problem %d: %+v, want %+v", i, p, want[i])
		}
	}
	for _, s := range []string{`layer "conv_cf" (Conv2D), argument data_format: "channels_first"`, `layer "unit" (UnitNormalization): tfrun has no UnitNormalization layer`} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("the error lacks %q:\n%v", s, err)
		}
	}
}

// Bad files: errors naming what is wrong, wrapping ErrFormat (or fs.ErrNotExist), never
// a panic.
func TestBadFiles(t *testing.T) {
	dir := t.TempDir()
	good := members(t, "testdata/table.keras")
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	without := func(name string) map[string][]byte {
		m := map[string][]byte{}
		for k, v := range good {
			if k != name {
				m[k] = v
			}
		}
		return m
	}
	truncated := without("")
	truncated["model.weights.h5"] = good["model.weights.h5"][:len(good["model.weights.h5"])/2]
	badJSON := without("")
	badJSON["config.json"] = []byte(`{"class_name": "Sequential", "config": {`)
	for _, tc := range []struct {
		name, path, want string
		is               error
	}{
		{"not a zip", write("bad.keras", []byte("PK\x03\x04 this is not a zip file")), "not a readable zip", kerasfile.ErrFormat},
		{"not a model", write("text.keras", []byte("hello")), "not a zip file", kerasfile.ErrFormat},
		{"no config.json", writeZip(t, filepath.Join(dir, "noconfig.keras"), without("config.json")), "no config.json in the zip", kerasfile.ErrFormat},
		{"no weights", writeZip(t, filepath.Join(dir, "noweights.keras"), without("model.weights.h5")), "no model.weights.h5 in the zip", kerasfile.ErrFormat},
		{"bad JSON", writeZip(t, filepath.Join(dir, "badjson.keras"), badJSON), "config.json: unexpected end of JSON input", kerasfile.ErrFormat},
		{"truncated HDF5", writeZip(t, filepath.Join(dir, "truncated.keras"), truncated), "model.weights.h5", kerasfile.ErrFormat},
		{"weights only", "../internal/hdf5/testdata/model.weights.h5", "without a model_config attribute", kerasfile.ErrFormat},
		{"missing", filepath.Join(dir, "nothing.keras"), "no such file", fs.ErrNotExist},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := kerasfile.Load(tc.path)
			if !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error wrapping %v saying %q", err, tc.is, tc.want)
			}
			if !strings.Contains(err.Error(), filepath.Base(tc.path)) {
				t.Errorf("the error does not name the file: %v", err)
			}
		})
	}
}

// Every truncation of a .keras file is an error, never a panic.
func TestTruncations(t *testing.T) {
	b, err := os.ReadFile("testdata/two_inputs.keras")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for n := 0; n < len(b); n += 97 {
		p := filepath.Join(dir, "t.keras")
		if err := os.WriteFile(p, b[:n], 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := kerasfile.Load(p); err == nil {
			t.Fatalf("%d of %d bytes: no error", n, len(b))
		}
	}
	// A corrupt weights file inside an intact zip: flip bytes of model.weights.h5.
	ms := members(t, "testdata/two_inputs.keras")
	h5 := ms["model.weights.h5"]
	for off := 0; off < len(h5); off += 61 {
		c := bytes.Clone(h5)
		c[off] ^= 0xff
		ms["model.weights.h5"] = c
		p := writeZip(t, filepath.Join(dir, "c.keras"), ms)
		kerasfile.Load(p) // an error or, for a byte in a weight's values, other values: no panic
	}
}
