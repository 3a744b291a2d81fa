package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const kerasTestdata = "../../kerasfile/testdata"

// tfrun import of a Keras table model, then predict and export on the run directory as on
// a trained run: predict gives Keras's probabilities, export a features signature.
func TestImportPredictExport(t *testing.T) {
	dir := t.TempDir()
	run := filepath.Join(dir, "run")
	code, out, stderr := runCLI(t, "import", filepath.Join(kerasTestdata, "table.keras"), "-out", run)
	if code != 0 {
		t.Fatalf("import: exit %d: %s", code, stderr)
	}
	config := filepath.Join(run, "table.yaml")
	if !strings.Contains(out, "Imported") || !strings.Contains(out, config) {
		t.Errorf("import says %q", out)
	}
	var g struct {
		Inputs  map[string][2]json.RawMessage `json:"inputs"`
		Outputs [][2]json.RawMessage          `json:"outputs"`
	}
	b, err := os.ReadFile(filepath.Join(kerasTestdata, "table.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	var x, want []float64
	json.Unmarshal(g.Inputs["input"][1], &x)
	json.Unmarshal(g.Outputs[0][1], &want)
	var rows []string
	for i := 0; i < len(x); i += 4 {
		var f []string
		for _, v := range x[i : i+4] {
			f = append(f, strconv.FormatFloat(v, 'g', -1, 32))
		}
		rows = append(rows, strings.Join(f, ","))
	}
	args := append([]string{"predict", "-config", config, "-run", run}, rows...)
	code, out, stderr = runCLI(t, args...)
	if code != 0 {
		t.Fatalf("predict: exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != len(rows) {
		t.Fatalf("predict printed %d lines for %d rows:\n%s", len(lines), len(rows), out)
	}
	for i, line := range lines {
		var r struct {
			Probabilities []float64 `json:"probabilities"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil || len(r.Probabilities) != 3 {
			t.Fatalf("line %d: %q (%v)", i, line, err)
		}
		for k, p := range r.Probabilities {
			if d := math.Abs(p - want[3*i+k]); d > 1e-4 {
				t.Errorf("row %d class %d: %g, Keras %g", i, k, p, want[3*i+k])
			}
		}
	}
	code, out, stderr = runCLI(t, "export", "-config", config, "-run", run, "-out", filepath.Join(dir, "models"))
	if code != 0 {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, "serving_default  features float32[None, 4] → ") {
		t.Errorf("export says %q, want a features signature", out)
	}
}

// Bad Keras files and bad usage exit 2 with a message naming what is wrong.
func TestImportBadFiles(t *testing.T) {
	dir := t.TempDir()
	z, err := zip.OpenReader(filepath.Join(kerasTestdata, "table.keras"))
	if err != nil {
		t.Fatal(err)
	}
	ms := map[string][]byte{}
	for _, f := range z.File {
		r, _ := f.Open()
		ms[f.Name], _ = io.ReadAll(r)
		r.Close()
	}
	z.Close()
	rezip := func(name string, change func(map[string][]byte)) string {
		c := map[string][]byte{}
		for k, v := range ms {
			c[k] = v
		}
		change(c)
		var buf bytes.Buffer
		w := zip.NewWriter(&buf)
		for _, k := range []string{"metadata.json", "config.json", "model.weights.h5"} {
			if v, ok := c[k]; ok {
				f, _ := w.Create(k)
				f.Write(v)
			}
		}
		w.Close()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	badZip := filepath.Join(dir, "bad.keras")
	os.WriteFile(badZip, []byte("PK\x03\x04 not a zip"), 0o644)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"bad zip", []string{badZip}, "not a readable zip"},
		{"no config.json", []string{rezip("noconfig.keras", func(c map[string][]byte) { delete(c, "config.json") })}, "no config.json in the zip"},
		{"truncated HDF5", []string{rezip("trunc.keras", func(c map[string][]byte) { c["model.weights.h5"] = c["model.weights.h5"][:4000] })}, "model.weights.h5"},
		{"wrong shape", []string{rezip("shape.keras", func(c map[string][]byte) {
			c["config.json"] = bytes.Replace(c["config.json"], []byte(`"units": 8`), []byte(`"units": 9`), 1)
		})}, `layer "hidden" (Dense): weight /layers/dense/vars/0 is [4 8] in the file, tfrun's sequential/hidden/kernel is [4 9]`},
		{"unsupported", []string{filepath.Join(kerasTestdata, "unsupported.keras")}, "3 problems"},
		{"weights without -config", []string{filepath.Join(kerasTestdata, "cnn.weights.h5")}, "a .weights.h5 file holds weights only"},
		{"missing file", []string{filepath.Join(dir, "none.keras")}, "no such file"},
		{"no -out", nil, "usage: tfrun import"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"import"}, tc.args...)
			if tc.args != nil {
				args = append(args, "-out", filepath.Join(dir, "run_"+strings.ReplaceAll(tc.name, " ", "_")))
			}
			code, _, stderr := runCLI(t, args...)
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tc.want)
			}
		})
	}
}
