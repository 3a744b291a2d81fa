package main

import (
	"bufio"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/export"
	"github.com/tfrun/tfrun/graphs"
)

const predictTextYAML = `name: predict_text
task: classifier
seed: 9
data: {dataset: imdb, num_words: 2000, maxlen: 50}
model:
  layers:
    - {type: Embedding, input_dim: 2000, output_dim: 16}
    - {type: Dropout, rate: 0.2}
    - {type: LSTM, units: 8}
    - {type: Dense, units: 1, activation: sigmoid}
train: {epochs: 2, batch_size: 32, optimizer: {type: Adam, learning_rate: 0.01}}
`

const predictImageYAML = `name: predict_image
task: classifier
seed: 9
data: {dataset: mnist}
model:
  layers:
    - {type: Conv2D, filters: 4, kernel_size: 3, strides: 2, padding: same, activation: relu}
    - {type: Flatten}
    - {type: Dense, units: 10, activation: softmax}
train: {epochs: 1, batch_size: 64, loss: sparse_categorical_crossentropy, optimizer: adam}
`

// prediction is one line of tfrun predict's output.
type prediction struct {
	Text          *string   `json:"text"`
	Image         *string   `json:"image"`
	Line          int       `json:"line"`
	Probability   *float64  `json:"probability"`
	Label         string    `json:"label"`
	ClassID       *int64    `json:"class_id"`
	Probabilities []float64 `json:"probabilities"`
	Error         string    `json:"error"`
}

func parsePredictions(t *testing.T, out string) []prediction {
	t.Helper()
	var ps []prediction
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<22)
	for sc.Scan() {
		var p prediction
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			t.Fatalf("output line %q is not JSON: %v", sc.Text(), err)
		}
		ps = append(ps, p)
	}
	return ps
}

// saveConfig writes a config into dir.
func saveConfig(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// train runs tfrun on a config; it skips the test when the data set is missing.
func train(t *testing.T, config, out string, limit string) {
	t.Helper()
	code, _, stderr := runCLI(t, "-config", config, "-limit", limit, "-out", out, "-threads", "1")
	if code != 0 {
		if strings.Contains(stderr, datasets.ErrDataSetNotFound.Error()) {
			t.Skipf("data not available: %s", stderr)
		}
		t.Fatalf("training %s: exit %d: %s", config, code, stderr)
	}
}

// Train a tiny IMDB classifier, export it, and classify text with tfrun predict from the
// run and from the export, and with graft's LoadSavedModel: the same probabilities. Then
// every bad input.
func TestExportAndPredictText(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on IMDB")
	}
	dir := t.TempDir()
	config := saveConfig(t, dir, "text.yaml", predictTextYAML)
	runDir, models := filepath.Join(dir, "run"), filepath.Join(dir, "models")
	train(t, config, runDir, "400")

	code, stdout, stderr := runCLI(t, "export", "-config", config, "-run", runDir, "-out", models, "-threads", "1")
	if code != 0 {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"(text classifier) to " + filepath.Join(models, "1"), "serving_default  text string[None] → class_id int64[None], label string[None], probability float32[None]", "token_ids", "tokenize"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("export says %q, lacking %q", stdout, want)
		}
	}

	texts := []string{"A wonderful, moving film.<br /><br />Loved it!", "", "Terrible acting, boring plot; a waste of time.", "Naïve café scène — déjà vu 🎬", "ΟΔΟΣ İSTANBUL"}
	file := filepath.Join(dir, "texts.txt")
	os.WriteFile(file, []byte(strings.Join(texts, "\n")+"\n"), 0o644)

	t.Run("run_equals_savedmodel", func(t *testing.T) {
		code, out, stderr := runCLI(t, append([]string{"predict", "-config", config, "-run", runDir, "-threads", "1"}, texts...)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		got := parsePredictions(t, out)
		sm, err := tf.LoadSavedModel(filepath.Join(models, "1"), []string{"serve"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer sm.Session.Close()
		sig := sm.Signatures["serving_default"]
		in, _ := tf.NewTensor(texts)
		fetch := func(name string) tf.Output {
			n := strings.TrimSuffix(sig.Outputs[name].Name, ":0")
			return sm.Graph.Operation(n).Output(0)
		}
		res, err := sm.Session.Run(map[tf.Output]*tf.Tensor{sm.Graph.Operation(strings.TrimSuffix(sig.Inputs["text"].Name, ":0")).Output(0): in},
			[]tf.Output{fetch("probability"), fetch("label")}, nil)
		if err != nil {
			t.Fatal(err)
		}
		probs, labels := graphs.Value(res[0]).([]float32), graphs.Value(res[1]).([]string)
		if len(got) != len(texts) {
			t.Fatalf("%d lines for %d texts", len(got), len(texts))
		}
		worst := 0.0
		for i, p := range got {
			if p.Text == nil || *p.Text != texts[i] || p.Probability == nil || p.Error != "" {
				t.Fatalf("line %d: %+v", i, p)
			}
			// predict prints the float32 as the shortest decimal that reads back as it.
			d := math.Abs(float64(float32(*p.Probability)) - float64(probs[i]))
			worst = max(worst, d)
			if d > 1e-6 || p.Label != labels[i] {
				t.Errorf("%q: predict %v %s, LoadSavedModel %v %s", texts[i], *p.Probability, p.Label, probs[i], labels[i])
			}
		}
		t.Logf("tfrun predict vs LoadSavedModel: max difference %g (float32) over %d texts", worst, len(texts))

		code, out2, stderr := runCLI(t, "predict", "-model", models, "-file", file, "-threads", "1")
		if code != 0 {
			t.Fatalf("predict -model: exit %d: %s", code, stderr)
		}
		for i, p := range parsePredictions(t, out2) {
			if p.Line != i+1 || *p.Probability != *got[i].Probability || p.Label != got[i].Label {
				t.Errorf("predict -model -file line %d: %+v, predict -run: %+v", i+1, p, got[i])
			}
		}
	})
	t.Run("bad_text_answered_apart", func(t *testing.T) {
		bad := filepath.Join(dir, "bad.txt")
		long := strings.Repeat("x", maxTextBytes+1)
		os.WriteFile(bad, []byte("Great movie!\n\xff\xfe not UTF-8\r\n"+long+"\n\nawful\n"), 0o644)
		code, out, stderr := runCLI(t, "predict", "-config", config, "-run", runDir, "-file", bad)
		if code != 1 || !strings.Contains(stderr, "2 of 5 inputs could not be classified") {
			t.Errorf("exit %d, %q; want 1 and a count of the failures", code, stderr)
		}
		ps := parsePredictions(t, out)
		if len(ps) != 5 {
			t.Fatalf("%d lines, want 5: %s", len(ps), out)
		}
		if ps[0].Error != "" || ps[3].Error != "" || ps[4].Error != "" || ps[3].Probability == nil || *ps[3].Text != "" {
			t.Errorf("the good lines (and the empty one): %+v %+v %+v", ps[0], ps[3], ps[4])
		}
		if !strings.Contains(ps[1].Error, "not valid UTF-8 (byte 0 is 0xff)") || ps[1].Line != 2 {
			t.Errorf("bad bytes: %+v", ps[1])
		}
		if !strings.Contains(ps[2].Error, "longer than") || ps[2].Line != 3 {
			t.Errorf("an over-long line: %+v", ps[2])
		}
	})
	t.Run("usage_and_refusals", func(t *testing.T) {
		notModel := t.TempDir()
		cases := []struct {
			args []string
			code int
			msg  string
		}{
			{[]string{"export", "-config", config, "-run", runDir, "-out", models, "-version", "1"}, 2, "version 1 exists already; -force replaces it"},
			{[]string{"export", "-config", config, "-run", t.TempDir(), "-out", models}, 2, "no checkpoint"},
			{[]string{"export", "-config", saveConfig(t, dir, "other.yaml", strings.Replace(predictTextYAML, "units: 8", "units: 6", 1)), "-run", runDir, "-out", models}, 2, "another model: model.layers[2].units: 8 in the checkpoint, 6 now"},
			{[]string{"export", "-config", config, "-run", runDir, "-out", models, "-checkpoint", "best"}, 2, "no best checkpoint"},
			{[]string{"export", "-config", config, "-run", runDir}, 2, "usage: tfrun export"},
			{[]string{"predict", "hello"}, 2, "needs -config"},
			{[]string{"predict", "-model", models, "-run", runDir, "hello"}, 2, "-model loads an exported SavedModel"},
			{[]string{"predict", "-model", models, "-file", file, "hello"}, 2, "not both"},
			{[]string{"predict", "-model", notModel, "hello"}, 2, "no saved_model.pb"},
			{[]string{"predict", "-model", runDir, "hello"}, 2, "looks like a run directory"},
			{[]string{"predict", "-model", models, "-images", file}, 2, "classifies text, not images"},
		}
		for _, tc := range cases {
			code, _, stderr := runCLI(t, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.msg) {
				t.Errorf("tfrun %s: exit %d, %q; want %d and %q", strings.Join(tc.args, " "), code, stderr, tc.code, tc.msg)
			}
		}
	})
	t.Run("force_and_next_version", func(t *testing.T) {
		if code, _, stderr := runCLI(t, "export", "-config", config, "-run", runDir, "-out", models, "-version", "1", "-force"); code != 0 {
			t.Fatalf("-force: exit %d: %s", code, stderr)
		}
		code, out, stderr := runCLI(t, "export", "-config", config, "-run", runDir, "-out", models)
		if code != 0 || !strings.Contains(out, filepath.Join(models, "2")) {
			t.Errorf("the next export: exit %d, %q %q; want version 2", code, out, stderr)
		}
	})
}

// Image classifiers: PNG files in, one line each; an image of the wrong size, an
// unreadable one and a missing one get their error, the others are classified, as
// the SavedModel classifies them.
func TestPredictImages(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on MNIST")
	}
	dir := t.TempDir()
	config := saveConfig(t, dir, "image.yaml", predictImageYAML)
	runDir, models := filepath.Join(dir, "run"), filepath.Join(dir, "models")
	train(t, config, runDir, "256")
	if code, _, stderr := runCLI(t, "export", "-config", config, "-run", runDir, "-out", models); code != 0 {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	writePNG := func(name string, w, h int, gray bool) (string, []uint8) {
		var img image.Image
		var px []uint8
		if gray {
			g := image.NewGray(image.Rect(0, 0, w, h))
			for i := range g.Pix {
				g.Pix[i] = uint8(i * 7 % 256)
			}
			img, px = g, g.Pix
		} else {
			c := image.NewNRGBA(image.Rect(0, 0, w, h))
			for i := 0; i < w*h; i++ {
				v := color.NRGBA{uint8(i), uint8(2 * i), uint8(3 * i), 255}
				c.Set(i%w, i/w, v)
				px = append(px, color.GrayModel.Convert(v).(color.Gray).Y)
			}
			img = c
		}
		p := filepath.Join(dir, name)
		f, _ := os.Create(p)
		png.Encode(f, img)
		f.Close()
		return p, px
	}
	good, px := writePNG("good.png", 28, 28, true)
	rgb, rgbPx := writePNG("rgb.png", 28, 28, false)
	small, _ := writePNG("small.png", 20, 28, true)
	garbage := filepath.Join(dir, "garbage.png")
	os.WriteFile(garbage, []byte("not an image"), 0o644)
	missing := filepath.Join(dir, "missing.png")

	code, out, stderr := runCLI(t, "predict", "-model", models, "-images", good, small, garbage, missing, rgb)
	if code != 1 || !strings.Contains(stderr, "3 of 5 inputs") {
		t.Errorf("exit %d, %q; want 1 and 3 of 5 failed", code, stderr)
	}
	ps := parsePredictions(t, out)
	if len(ps) != 5 {
		t.Fatalf("%d lines: %s", len(ps), out)
	}
	for i, want := range map[int]string{1: "image is 20×28 pixels, the model takes 28×28", 2: "cannot read the image", 3: "no such file"} {
		if !strings.Contains(ps[i].Error, want) {
			t.Errorf("line %d: %+v, want error %q", i, ps[i], want)
		}
	}
	sm, err := export.Load(models, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer sm.Close()
	in, _ := graphs.NewTensor(append(append([]uint8{}, px...), rgbPx...), 2, 28, 28, 1)
	res, err := sm.Run(export.DefaultSignature, map[string]*tf.Tensor{export.InputImages: in})
	if err != nil {
		t.Fatal(err)
	}
	probs := graphs.Value(res[export.OutputProbability]).([]float32)
	for k, i := range []int{0, 4} {
		p := ps[i]
		if p.Error != "" || p.Probability == nil || math.Abs(*p.Probability-float64(probs[k])) > 1e-6 || len(p.Probabilities) != 10 || *p.Image != []string{good, rgb}[k] {
			t.Errorf("line %d: %+v, want probability %v", i, p, probs[k])
		}
	}
	if code, _, stderr := runCLI(t, "predict", "-model", models, "some text"); code != 2 || !strings.Contains(stderr, "give image files with -images") {
		t.Errorf("text for an image model: exit %d, %q", code, stderr)
	}
}
