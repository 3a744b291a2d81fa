package kerasfile

import (
	"archive/zip"
	"encoding/json"
	"io"
	"testing"
)

// FuzzConvert feeds arbitrary JSON as a model's config.json to the converter: it reports
// problems or converts, never panics.
//
//	go test ./kerasfile -run '^$' -fuzz FuzzConvert -fuzztime 60s
func FuzzConvert(f *testing.F) {
	for _, name := range []string{"cnn", "two_inputs", "text", "table", "unsupported"} {
		ms, err := zipMembers("testdata/" + name + ".keras")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(ms[configMember])
	}
	f.Add([]byte(`{"class_name": "Functional", "config": {"layers": [{"class_name": "Dense", "name": "d", "config": {"units": 2}, "inbound_nodes": [[["x", 0, 0, {}]]]}], "input_layers": [["x", 0, 0]], "output_layers": [["d", 0, 0]]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var raw map[string]any
		if json.Unmarshal(b, &raw) != nil {
			return
		}
		c := &converter{m: &Model{Weights: map[string][]Weight{}}}
		c.model(raw)
		if len(c.problems) == 0 {
			_ = c.m.ModelYAML()
		}
	})
}

// zipMembers reads a .keras file's members (for the fuzz seeds).
func zipMembers(path string) (map[string][]byte, error) {
	z, err := zip.OpenReader(path)
	if err != nil {
		return nil, err
	}
	defer z.Close()
	out := map[string][]byte{}
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			return nil, err
		}
		out[f.Name] = b
	}
	return out, nil
}
