package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/classifier"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/runner"
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

// An imported image model: predict -images feeds the model the pixels scaled to [0, 1]
// (x/255), as the guide says: its probabilities equal the restored model's on x/255.
func TestImportPredictImages(t *testing.T) {
	dir := t.TempDir()
	run := filepath.Join(dir, "run")
	if code, _, stderr := runCLI(t, "import", filepath.Join(kerasTestdata, "cnn.keras"), "-out", run); code != 0 {
		t.Fatalf("import: exit %d: %s", code, stderr)
	}
	config := filepath.Join(run, "cnn.yaml")
	// A 12×12 gray image, and the model's input for it.
	img := image.NewGray(image.Rect(0, 0, 12, 12))
	x := make([]float32, 144)
	for i := range x {
		img.Pix[i] = uint8(i * 7 % 256)
		x[i] = float32(img.Pix[i]) / 255
	}
	pngPath := filepath.Join(dir, "x.png")
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pngPath, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCLI(t, "predict", "-config", config, "-run", run, "-images", pngPath)
	if code != 0 {
		t.Fatalf("predict: exit %d: %s", code, stderr)
	}
	var r struct {
		Probabilities []float64 `json:"probabilities"`
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &r); err != nil || len(r.Probabilities) != 5 {
		t.Fatalf("predict printed %q (%v)", out, err)
	}
	cfg, err := configs.Load(config)
	if err != nil {
		t.Fatal(err)
	}
	c, err := classifier.FromConfig(cfg, builders.Shape{12, 12, 1}, false, cfg.Seed, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := checkpoints.RestoreLatest(c.Graph(), c.Session(), runner.CheckpointOptions(cfg, run)); err != nil {
		t.Fatal(err)
	}
	want, err := c.Predict(&classifier.Dataset{Floats: x, Shape: builders.Shape{12, 12, 1}, Labels: []float32{0}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	for k := range want {
		if d := math.Abs(r.Probabilities[k] - want[k]); d > 1e-5 {
			t.Errorf("class %d: predict %g, the model on x/255 %g", k, r.Probabilities[k], want[k])
		}
	}
}
