package tfrun_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tfrun/tfrun"
	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/export"
	"github.com/tfrun/tfrun/internal/runtest"
	"github.com/tfrun/tfrun/layers"
	"github.com/tfrun/tfrun/runner"
)

// fitRun trains the config body as tfrun -config does (its kind's runner.Kind), on limit
// examples per split (0: all), and exports the run as tfrun export does: the config, the
// run directory and the SavedModel's directory. It skips the test when the config's data
// set is not on this machine.
func fitRun(t *testing.T, body string, limit int) (cfg *configs.Config, run, model string) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := configs.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	kind, err := runner.LookupKind(cfg.Task)
	if err != nil {
		t.Fatal(err)
	}
	run = filepath.Join(dir, "run")
	err = kind.Run(context.Background(), cfg, runner.Options{Limit: limit, OutDir: run, Threads: 1, Out: io.Discard, Verbose: runner.VerboseSilent})
	if errors.Is(err, datasets.ErrDataSetNotFound) {
		t.Skipf("data not available: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	m, err := export.Build(cfg, export.Options{RunDir: run, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if model, err = m.Write(filepath.Join(dir, "models"), export.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	return cfg, run, model
}

// predictors opens the run's checkpoint (RunPredictor) and its SavedModel (LoadPredictor).
func predictors(t *testing.T, cfg *configs.Config, run, model string) map[string]*tfrun.Predictor {
	t.Helper()
	o := tfrun.PredictorOptions{Threads: 1, Batch: 4}
	fromRun, err := tfrun.RunPredictor(cfg, run, "latest", o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fromRun.Close() })
	fromModel, err := tfrun.LoadPredictor(model, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fromModel.Close() })
	return map[string]*tfrun.Predictor{"run": fromRun, "savedmodel": fromModel}
}

// jsonLine is one line PredictLines writes for a text, image or table model.
type jsonLine struct {
	Line          int       `json:"line"`
	Text          *string   `json:"text"`
	Image         *string   `json:"image"`
	Row           *string   `json:"row"`
	ClassID       *int64    `json:"class_id"`
	Probability   *float32  `json:"probability"`
	Label         *string   `json:"label"`
	Probabilities []float32 `json:"probabilities"`
	Prediction    *float32  `json:"prediction"`
	Predictions   []float32 `json:"predictions"`
	Error         string    `json:"error"`
}

func decodeLines[T any](t *testing.T, out string) []T {
	t.Helper()
	var ls []T
	for _, s := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var l T
		if err := json.Unmarshal([]byte(s), &l); err != nil {
			t.Fatalf("output line %q: %v", s, err)
		}
		ls = append(ls, l)
	}
	return ls
}

// sameAsLine checks that the Go-level prediction p is the JSON line l, number for number.
func sameAsLine(t *testing.T, what string, p tfrun.Prediction, l jsonLine) {
	t.Helper()
	switch {
	case p.Err != nil:
		if l.Error != p.Err.Error() {
			t.Errorf("%s: Go error %q, line error %q", what, p.Err, l.Error)
		}
	case p.Values != nil:
		got := l.Predictions
		if l.Prediction != nil {
			got = []float32{*l.Prediction}
		}
		if !slices.Equal(got, p.Values) || l.Error != "" {
			t.Errorf("%s: Go values %v, line %+v", what, p.Values, l)
		}
	default:
		if l.Probability == nil || *l.Probability != p.Probability || *l.ClassID != p.ClassID || *l.Label != p.Label || !slices.Equal(l.Probabilities, p.Probabilities) {
			t.Errorf("%s: Go %+v, line %+v", what, p, l)
		}
	}
}

// closeTo reports whether two predictions of one input by two predictors agree within
// tol (the run's graph and the SavedModel's are the same ops, pruned), and raises *worst
// to their largest difference.
func closeTo(a, b tfrun.Prediction, tol float64, worst *float64) bool {
	near := func(x, y []float32) bool {
		if len(x) != len(y) {
			return false
		}
		ok := true
		for i := range x {
			d := math.Abs(float64(x[i] - y[i]))
			*worst = max(*worst, d)
			ok = ok && d <= tol
		}
		return ok
	}
	return (a.Err == nil) == (b.Err == nil) && a.ClassID == b.ClassID && a.Label == b.Label &&
		near([]float32{a.Probability}, []float32{b.Probability}) && near(a.Probabilities, b.Probabilities) && near(a.Values, b.Values)
}

const predictorTextYAML = `name: predictor_text
task: classifier
seed: 9
data: {dataset: imdb, num_words: 2000, maxlen: 50}
model:
  layers:
    - {type: Embedding, input_dim: 2000, output_dim: 16}
    - {type: LSTM, units: 8}
    - {type: Dense, units: 1, activation: sigmoid}
train: {epochs: 1, batch_size: 32, optimizer: {type: Adam, learning_rate: 0.01}}
`

// A text classifier: PredictTexts predicts what PredictLines and PredictArgs print, from
// the run and from its SavedModel; each bad text gets its error and the others are still
// predicted; the other kinds' methods and a cancelled context are refused.
func TestPredictorText(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on IMDB")
	}
	cfg, run, model := fitRun(t, predictorTextYAML, 300)
	long := strings.Repeat("x", tfrun.MaxTextBytes+1)
	texts := []string{"A wonderful, moving film. Loved it!", "", "\xff\xfe not UTF-8", "Terrible acting, boring plot.", long, "Naïve café scène — déjà vu 🎬"}
	bad := map[int]string{2: "text is not valid UTF-8 (byte 0 is 0xff)", 4: "text longer than 1048576 bytes"}
	ctx := context.Background()
	got := map[string][]tfrun.Prediction{}
	for name, pr := range predictors(t, cfg, run, model) {
		if pr.Input() != tfrun.PredictorText || pr.Regression() {
			t.Errorf("%s: input %v, regression %v; want text, false", name, pr.Input(), pr.Regression())
		}
		ps, err := pr.PredictTexts(ctx, texts)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got[name] = ps
		for i, p := range ps {
			want, isBad := bad[i]
			switch {
			case isBad && (!errors.Is(p.Err, tfrun.ErrBadInput) || !strings.Contains(p.Err.Error(), want)):
				t.Errorf("%s: text %d: err %v, want ErrBadInput with %q", name, i, p.Err, want)
			case !isBad && (p.Err != nil || p.Probability < 0 || p.Probability > 1 || p.Label != []string{"negative", "positive"}[p.ClassID]):
				t.Errorf("%s: text %d: %+v", name, i, p)
			}
		}

		// The line-oriented path: the same numbers, line by line; the over-long line is
		// refused by the reader.
		var out bytes.Buffer
		failed, total, err := pr.PredictLines(ctx, strings.NewReader(strings.Join(texts, "\r\n")+"\n"), &out)
		if err != nil || failed != 2 || total != len(texts) {
			t.Fatalf("%s: PredictLines: %d of %d failed, %v; want 2 of %d", name, failed, total, err, len(texts))
		}
		lines := decodeLines[jsonLine](t, out.String())
		for i, l := range lines {
			if l.Line != i+1 || l.Text == nil {
				t.Errorf("%s: line %d: %+v", name, i+1, l)
			}
			if i == 4 {
				if l.Error != "line longer than 1048576 bytes" || *l.Text != "" {
					t.Errorf("%s: the over-long line: %+v", name, l)
				}
				continue
			}
			sameAsLine(t, fmt.Sprintf("%s line %d", name, i+1), ps[i], l)
		}
		out.Reset()
		failed, total, err = pr.PredictArgs(ctx, texts[:4], &out)
		if err != nil || failed != 1 || total != 4 {
			t.Fatalf("%s: PredictArgs: %d of %d failed, %v", name, failed, total, err)
		}
		for i, l := range decodeLines[jsonLine](t, out.String()) {
			if l.Line != 0 || l.Text == nil || (i != 2 && *l.Text != texts[i]) {
				t.Errorf("%s: argument %d: %+v", name, i+1, l)
			}
			sameAsLine(t, fmt.Sprintf("%s argument %d", name, i+1), ps[i], l)
		}

		refused := []struct {
			call string
			f    func() error
		}{
			{"PredictImageFiles", func() error { _, err := pr.PredictImageFiles(ctx, []string{"a.png"}); return err }},
			{"PredictRows", func() error { _, err := pr.PredictRows(ctx, [][]float32{{1}}); return err }},
			{"PredictNamed", func() error { _, err := pr.PredictNamed(ctx, []map[string]any{{"x": 1.0}}); return err }},
		}
		for _, r := range refused {
			if err := r.f(); !errors.Is(err, tfrun.ErrUnsuitableModel) || !strings.Contains(err.Error(), "takes text inputs") {
				t.Errorf("%s: %s on a text model: %v, want ErrUnsuitableModel", name, r.call, err)
			}
		}
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := pr.PredictTexts(cancelled, texts); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: PredictTexts with a cancelled context: %v", name, err)
		}
		if _, _, err := pr.PredictLines(cancelled, strings.NewReader("good\n"), &out); !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "predict stopped after 0 inputs") {
			t.Errorf("%s: PredictLines with a cancelled context: %v", name, err)
		}
	}
	worst := 0.0
	for i := range texts {
		a, b := got["run"][i], got["savedmodel"][i]
		if !closeTo(a, b, 1e-6, &worst) {
			t.Errorf("text %d: from the run %+v, from the SavedModel %+v", i, a, b)
		}
	}
	t.Logf("run vs SavedModel: max difference %g over %d texts", worst, len(texts))
}

const predictorImageYAML = `name: predictor_image
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

// writeTestPNG writes a w×h PNG, gray or RGB, into dir.
func writeTestPNG(t *testing.T, dir, name string, w, h int, gray bool) string {
	t.Helper()
	var img image.Image
	if gray {
		g := image.NewGray(image.Rect(0, 0, w, h))
		for i := range g.Pix {
			g.Pix[i] = uint8(i * 7 % 256)
		}
		img = g
	} else {
		c := image.NewNRGBA(image.Rect(0, 0, w, h))
		for i := 0; i < w*h; i++ {
			c.Set(i%w, i/w, color.NRGBA{uint8(i), uint8(2 * i), uint8(3 * i), 255})
		}
		img = c
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// decodePNG reads a PNG file as an image.Image.
func decodePNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// An image classifier: PredictImageFiles predicts what PredictLines prints for the same
// paths, and PredictImages for the images decoded in Go; a missing file, one that is no
// image, a nil image and one of another size get their errors.
func TestPredictorImages(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on MNIST")
	}
	cfg, run, model := fitRun(t, predictorImageYAML, 256)
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.png")
	if err := os.WriteFile(garbage, []byte("not an image"), 0o644); err != nil {
		t.Fatal(err)
	}
	paths := []string{
		writeTestPNG(t, dir, "gray.png", 28, 28, true),
		writeTestPNG(t, dir, "small.png", 20, 28, true),
		garbage,
		filepath.Join(dir, "missing.png"),
		writeTestPNG(t, dir, "rgb.png", 28, 28, false),
	}
	bad := []struct {
		i    int
		want string
		is   error
	}{
		{1, "the png image is 20×28 pixels, the model takes 28×28", tfrun.ErrBadInput},
		{2, "cannot read the image", tfrun.ErrBadInput},
		{3, "no such file", os.ErrNotExist},
	}
	ctx := context.Background()
	got := map[string][]tfrun.Prediction{}
	for name, pr := range predictors(t, cfg, run, model) {
		if h, w, c := pr.ImageSize(); pr.Input() != tfrun.PredictorImages || h != 28 || w != 28 || c != 1 {
			t.Errorf("%s: input %v of %d×%d×%d, want images of 28×28×1", name, pr.Input(), h, w, c)
		}
		ps, err := pr.PredictImageFiles(ctx, paths)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got[name] = ps
		for _, b := range bad {
			if err := ps[b.i].Err; !errors.Is(err, tfrun.ErrBadInput) || !errors.Is(err, b.is) || !strings.Contains(err.Error(), b.want) {
				t.Errorf("%s: %s: err %v, want %q (%v)", name, paths[b.i], err, b.want, b.is)
			}
		}
		for _, i := range []int{0, 4} {
			if p := ps[i]; p.Err != nil || len(p.Probabilities) != 10 || p.Probability != slices.Max(p.Probabilities) {
				t.Errorf("%s: %s: %+v", name, paths[i], p)
			}
		}
		var out bytes.Buffer
		failed, total, err := pr.PredictLines(ctx, strings.NewReader(strings.Join(paths, "\n")), &out)
		if err != nil || failed != 3 || total != 5 {
			t.Fatalf("%s: PredictLines: %d of %d failed, %v", name, failed, total, err)
		}
		for i, l := range decodeLines[jsonLine](t, out.String()) {
			if l.Image == nil || *l.Image != paths[i] {
				t.Errorf("%s: line %d: %+v", name, i+1, l)
			}
			sameAsLine(t, fmt.Sprintf("%s line %d", name, i+1), ps[i], l)
		}
		if _, err := pr.PredictTexts(ctx, []string{"text"}); !errors.Is(err, tfrun.ErrUnsuitableModel) {
			t.Errorf("%s: PredictTexts on an image model: %v", name, err)
		}

		// The same images decoded in Go, in the same batches (a batch of another size may
		// round otherwise): the same numbers; a nil image and one of another size get
		// their errors.
		imgs := []image.Image{decodePNG(t, paths[0]), decodePNG(t, paths[1]), nil, nil, decodePNG(t, paths[4])}
		fromGo, err := pr.PredictImages(ctx, imgs)
		if err != nil {
			t.Fatalf("%s: PredictImages: %v", name, err)
		}
		for _, i := range []int{0, 4} {
			if a, b := fromGo[i], ps[i]; a.Err != nil || a.Probability != b.Probability || !slices.Equal(a.Probabilities, b.Probabilities) {
				t.Errorf("%s: %s decoded in Go: %+v, from the file %+v", name, paths[i], a, b)
			}
		}
		for i, want := range map[int]string{1: "the image is 20×28 pixels, the model takes 28×28", 2: "no image (nil)"} {
			if err := fromGo[i].Err; !errors.Is(err, tfrun.ErrBadInput) || err.Error() != want {
				t.Errorf("%s: image %d decoded in Go: %v, want %q", name, i, err, want)
			}
		}
	}
	worst := 0.0
	for i := range paths {
		if a, b := got["run"][i], got["savedmodel"][i]; !closeTo(a, b, 1e-6, &worst) {
			t.Errorf("%s: from the run %+v, from the SavedModel %+v", paths[i], a, b)
		}
	}
	t.Logf("run vs SavedModel: max difference %g", worst)
}

// Table rows: a classifier's and a regression's PredictRows predict what PredictLines
// prints for the same rows as CSV; a row of another length and one with a value that is
// not finite get their errors.
func TestPredictorRows(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on CSV tables")
	}
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	cases := []struct {
		config     string
		features   int
		regression bool
	}{
		{"configs/wine.yaml", 13, false},
		{"configs/diabetes_regression.yaml", 10, true},
	}
	for _, tc := range cases {
		t.Run(filepath.Base(tc.config), func(t *testing.T) {
			body, err := os.ReadFile(tc.config)
			if err != nil {
				t.Fatal(err)
			}
			yaml := strings.Replace(string(body), "path: ../shared/", "path: "+mustAbs(t, "../shared")+"/", 1)
			yaml = strings.Replace(strings.Replace(yaml, "epochs: 100", "epochs: 3", 1), "epochs: 150", "epochs: 3", 1)
			cfg, run, model := fitRun(t, yaml, 0)
			table, err := datasets.ReadCSV(cfg.Data.Path, datasets.CSVOptions{Label: "target"})
			if err != nil {
				t.Fatal(err)
			}
			var rows [][]float32
			for i := range 6 {
				rows = append(rows, table.Features[i*tc.features:(i+1)*tc.features])
			}
			rows = append(rows, rows[0][:tc.features-1], append(slices.Clone(rows[1][:tc.features-1]), nan), append(slices.Clone(rows[2][:tc.features-1]), inf))
			bad := map[int]string{6: fmt.Sprintf("%d values, the model takes %d features", tc.features-1, tc.features), 7: fmt.Sprintf("value %d, NaN, is not a finite number", tc.features), 8: fmt.Sprintf("value %d, +Inf, is not a finite number", tc.features)}
			ctx := context.Background()
			got := map[string][]tfrun.Prediction{}
			for name, pr := range predictors(t, cfg, run, model) {
				if pr.Input() != tfrun.PredictorFeatures || pr.Features() != tc.features || pr.Regression() != tc.regression {
					t.Errorf("%s: input %v, %d features, regression %v", name, pr.Input(), pr.Features(), pr.Regression())
				}
				ps, err := pr.PredictRows(ctx, rows)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				got[name] = ps
				for i, p := range ps {
					want, isBad := bad[i]
					switch {
					case isBad && (!errors.Is(p.Err, tfrun.ErrBadInput) || p.Err.Error() != want):
						t.Errorf("%s: row %d: err %v, want %q", name, i, p.Err, want)
					case !isBad && (p.Err != nil || (len(p.Values) == 1) != tc.regression):
						t.Errorf("%s: row %d: %+v", name, i, p)
					}
				}
				var csv strings.Builder
				for _, r := range rows[:6] {
					for j, v := range r {
						if j > 0 {
							csv.WriteString(",")
						}
						csv.WriteString(strconv.FormatFloat(float64(v), 'g', -1, 32))
					}
					csv.WriteString("\n")
				}
				csv.WriteString("1,2\n")
				var out bytes.Buffer
				failed, total, err := pr.PredictLines(ctx, strings.NewReader(csv.String()), &out)
				if err != nil || failed != 1 || total != 7 {
					t.Fatalf("%s: PredictLines: %d of %d failed, %v", name, failed, total, err)
				}
				lines := decodeLines[jsonLine](t, out.String())
				for i, l := range lines[:6] {
					if tc.regression != (l.Prediction != nil) {
						t.Errorf("%s: line %d: %+v", name, i+1, l)
					}
					sameAsLine(t, fmt.Sprintf("%s line %d", name, i+1), ps[i], l)
				}
				if want := fmt.Sprintf("2 values, the model takes %d features (comma-separated", tc.features); !strings.HasPrefix(lines[6].Error, want) {
					t.Errorf("%s: a short CSV row: %+v, want %q", name, lines[6], want)
				}
			}
			worst := 0.0
			for i := range rows {
				if a, b := got["run"][i], got["savedmodel"][i]; !closeTo(a, b, 1e-4, &worst) {
					t.Errorf("row %d: from the run %+v, from the SavedModel %+v", i, a, b)
				}
			}
			t.Logf("run vs SavedModel: max difference %g", worst)
		})
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// predictorNamedYAML is a model of two inputs (numeric columns, a text column) and two
// outputs (a class, a rating) fed by name from one CSV.
const predictorNamedYAML = `name: predictor_named
task: classifier
seed: 4
data:
  format: csv
  path: %s
  validation_split: 0.25
  inputs:
    numbers: [price, stars]
    review: {text: body, num_words: 30, maxlen: 8}
  outputs: {class: sentiment, value: rating}
model:
  inputs: {numbers: {shape: [2]}, review: {shape: [8], dtype: int32}}
  layers:
    - {name: emb, type: Embedding, input_dim: 30, output_dim: 4, call: review}
    - {name: pool, type: GlobalAveragePooling1D}
    - {name: join, type: Concatenate, call: [numbers, pool]}
    - {name: hidden, type: Dense, units: 16, activation: relu}
    - {name: class, type: Dense, units: 3, activation: softmax, call: hidden}
    - {name: value, type: Dense, units: 1, call: hidden}
  outputs: [class, value]
train:
  epochs: 4
  batch_size: 16
  loss: {class: sparse_categorical_crossentropy, value: mse}
  optimizer: {type: Adam, learning_rate: 0.03}
`

// namedJSONLine is one line PredictLines writes for the model above.
type namedJSONLine struct {
	Line  int `json:"line"`
	Class *struct {
		Probability   float32   `json:"probability"`
		Label         string    `json:"label"`
		ClassID       int64     `json:"class_id"`
		Probabilities []float32 `json:"probabilities"`
	} `json:"class"`
	Value []float32 `json:"value"`
	Error string    `json:"error"`
}

// A model of named inputs: PredictNamed on Go values predicts what PredictLines prints for
// the same examples as JSON lines, from the run and from its SavedModel; every bad
// example gets its error and the others are still predicted.
func TestPredictorNamed(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	dir := t.TempDir()
	csv := filepath.Join(dir, "reviews.csv")
	var b strings.Builder
	b.WriteString("price,stars,body,sentiment,rating\n")
	words := map[string][]string{"bad": {"awful", "broken", "worst"}, "good": {"great", "superb", "best"}, "ok": {"fine", "average", "decent"}}
	var good []map[string]any
	for i := range 60 {
		class := []string{"bad", "good", "ok"}[i%3]
		w := words[class]
		price, stars := 5+float64(i%11)*3.5, float64(1+i%5)
		body := fmt.Sprintf("It was %s, %s. Shipping took %d days!", w[i%3], w[(i/3)%3], 1+i%4)
		fmt.Fprintf(&b, "%g,%g,%q,%s,%.3f\n", price, stars, body, class, stars/2+price/40)
		good = append(good, map[string]any{"numbers": []float64{price, stars}, "review": body})
	}
	if err := os.WriteFile(csv, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, run, model := fitRun(t, fmt.Sprintf(predictorNamedYAML, csv), 0)

	examples := append([]map[string]any{}, good[:5]...)
	examples = append(examples, map[string]any{"numbers": []float32{10, 4}, "review": "great"})
	bad := []struct {
		example map[string]any
		want    string
	}{
		{map[string]any{"numbers": []float64{1, 2}}, `key "review" missing (the model's inputs: numbers, review)`},
		{map[string]any{"numbers": []float64{1, 2}, "review": "great", "price": 3.0}, `key "price" is not an input of the model (inputs: numbers, review)`},
		{map[string]any{"numbers": []float64{1, 2, 3}, "review": "great"}, `key "numbers": 3 values, the input takes 2`},
		{map[string]any{"numbers": 4.0, "review": "great"}, `key "numbers": want 2 numbers ([]float32 or []float64), not one float64`},
		{map[string]any{"numbers": []int{1, 2}, "review": "great"}, `key "numbers": want 2 numbers ([]float32 or []float64), not []int`},
		{map[string]any{"numbers": []float64{1, math.NaN()}, "review": "great"}, `key "numbers": value 2 is not a float32 number`},
		{map[string]any{"numbers": []float64{1, 1e39}, "review": "great"}, `key "numbers": value 2 is not a float32 number`},
		{map[string]any{"numbers": []float64{1, 2}, "review": 7}, `key "review": want a string (text), not int`},
		{map[string]any{"numbers": []float64{1, 2}, "review": "gr\xffeat"}, `key "review": text is not valid UTF-8 (byte 2 is 0xff)`},
	}
	for _, c := range bad {
		examples = append(examples, c.example)
	}
	var jsonl strings.Builder
	for _, e := range examples[:6] {
		line, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		jsonl.Write(line)
		jsonl.WriteString("\n")
	}
	jsonl.WriteString(`{"numbers": [1, 2]}` + "\n")

	ctx := context.Background()
	got := map[string][]tfrun.NamedPrediction{}
	for name, pr := range predictors(t, cfg, run, model) {
		if pr.Input() != tfrun.PredictorNamed || !slices.Equal(pr.InputNames(), []string{"numbers", "review"}) || !slices.Equal(pr.OutputNames(), []string{"class", "value"}) {
			t.Errorf("%s: input %v, inputs %v, outputs %v", name, pr.Input(), pr.InputNames(), pr.OutputNames())
		}
		ps, err := pr.PredictNamed(ctx, examples)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got[name] = ps
		for i, p := range ps[:6] {
			c, ok := p.Classes["class"]
			v, isFloat := p.Values["value"].([]float32)
			if p.Err != nil || !ok || len(c.Probabilities) != 3 || c.Label != []string{"bad", "good", "ok"}[c.ClassID] || !isFloat || len(v) != 1 {
				t.Errorf("%s: example %d: %+v", name, i, p)
			}
		}
		for i, c := range bad {
			p := ps[6+i]
			if !errors.Is(p.Err, tfrun.ErrBadInput) || !strings.HasPrefix(p.Err.Error(), c.want) || p.Classes != nil {
				t.Errorf("%s: %v: err %v, want %q", name, c.example, p.Err, c.want)
			}
		}
		var out bytes.Buffer
		failed, total, err := pr.PredictLines(ctx, strings.NewReader(jsonl.String()), &out)
		if err != nil || failed != 1 || total != 7 {
			t.Fatalf("%s: PredictLines: %d of %d failed, %v", name, failed, total, err)
		}
		lines := decodeLines[namedJSONLine](t, out.String())
		for i, l := range lines[:6] {
			p := ps[i]
			c := p.Classes["class"]
			if l.Line != i+1 || l.Class == nil || l.Class.Probability != c.Probability || l.Class.ClassID != c.ClassID || l.Class.Label != c.Label ||
				!slices.Equal(l.Class.Probabilities, c.Probabilities) || !slices.Equal(l.Value, p.Values["value"].([]float32)) {
				t.Errorf("%s: line %d: %+v, Go %+v", name, i+1, l, p)
			}
		}
		if l := lines[6]; l.Error != `line 7: key "review" missing (the model's inputs: numbers, review)` || l.Class != nil {
			t.Errorf("%s: a line without review: %+v", name, l)
		}
		if _, err := pr.PredictTexts(ctx, []string{"great"}); !errors.Is(err, tfrun.ErrUnsuitableModel) || !strings.Contains(err.Error(), "takes named inputs") {
			t.Errorf("%s: PredictTexts on a named model: %v", name, err)
		}
	}
	worst := 0.0
	for i := range 6 {
		a, b := got["run"][i], got["savedmodel"][i]
		if !closeTo(a.Classes["class"], b.Classes["class"], 1e-5, &worst) || !closeTo(tfrun.Prediction{Values: a.Values["value"].([]float32)}, tfrun.Prediction{Values: b.Values["value"].([]float32)}, 1e-4, &worst) {
			t.Errorf("example %d: from the run %+v, from the SavedModel %+v", i, a, b)
		}
	}
	t.Logf("run vs SavedModel: max difference %g", worst)
}

// What LoadPredictor and RunPredictor refuse before any model runs.
func TestPredictorRefuses(t *testing.T) {
	notModel := t.TempDir()
	cfg := &configs.Config{Name: "none"}
	cases := []struct {
		name string
		open func() (*tfrun.Predictor, error)
		is   error
		msg  string
	}{
		{"no SavedModel", func() (*tfrun.Predictor, error) { return tfrun.LoadPredictor(notModel, tfrun.PredictorOptions{}) }, export.ErrNotSavedModel, "no saved_model.pb"},
		{"no directory", func() (*tfrun.Predictor, error) {
			return tfrun.LoadPredictor(filepath.Join(notModel, "missing"), tfrun.PredictorOptions{})
		}, export.ErrNotSavedModel, "no such directory"},
		{"negative batch", func() (*tfrun.Predictor, error) {
			return tfrun.LoadPredictor(notModel, tfrun.PredictorOptions{Batch: -1})
		}, nil, "must not be negative"},
		{"negative threads", func() (*tfrun.Predictor, error) {
			return tfrun.RunPredictor(cfg, notModel, "latest", tfrun.PredictorOptions{Threads: -2})
		}, nil, "must not be negative"},
		{"no checkpoint", func() (*tfrun.Predictor, error) {
			return tfrun.RunPredictor(cfg, notModel, "latest", tfrun.PredictorOptions{})
		}, checkpoints.ErrNoCheckpoint, "no checkpoint"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pr, err := tc.open()
			if err == nil {
				pr.Close()
				t.Fatal("no error")
			}
			if (tc.is != nil && !errors.Is(err, tc.is)) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("err %v, want %v with %q", err, tc.is, tc.msg)
			}
		})
	}
}

// A model built in Go and exported (Model.Export) is a model of named inputs: PredictNamed
// predicts what the model's own PredictOutputs does. What a Predictor cannot feed is
// refused with ErrUnsuitableModel: integer inputs (token ids), an output named as a JSON
// line's own key, a GAN's generator.
func TestPredictorModelsBuiltInGo(t *testing.T) {
	if testing.Short() {
		t.Skip("trains models")
	}
	ctx := context.Background()
	fitExport := func(t *testing.T, m *tfrun.Model, data tfrun.Data) string {
		t.Helper()
		run := t.TempDir()
		if _, err := m.Fit(ctx, data, tfrun.Epochs(2), tfrun.BatchSize(8), tfrun.RunDir(run)); err != nil {
			t.Fatal(err)
		}
		dir, err := m.Export(run, filepath.Join(t.TempDir(), "models"))
		if err != nil {
			t.Fatal(err)
		}
		return dir
	}

	t.Run("two_inputs_two_outputs", func(t *testing.T) {
		m, err := twoByTwo(t)
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		data := twoByTwoData(24)
		pr, err := tfrun.LoadPredictor(fitExport(t, m, data), tfrun.PredictorOptions{Threads: 1})
		if err != nil {
			t.Fatal(err)
		}
		defer pr.Close()
		if pr.Input() != tfrun.PredictorNamed || !slices.Equal(pr.InputNames(), []string{"a", "b"}) || !slices.Equal(pr.OutputNames(), []string{"c", "v"}) {
			t.Fatalf("input %v, inputs %v, outputs %v", pr.Input(), pr.InputNames(), pr.OutputNames())
		}
		want, err := m.PredictOutputs(ctx, data.Inputs)
		if err != nil {
			t.Fatal(err)
		}
		var examples []map[string]any
		for i := range 24 {
			examples = append(examples, map[string]any{"a": data.Inputs["a"].Floats[2*i : 2*i+2], "b": data.Inputs["b"].Floats[i]})
		}
		ps, err := pr.PredictNamed(ctx, examples)
		if err != nil {
			t.Fatal(err)
		}
		worst := 0.0
		for i, p := range ps {
			c, v := p.Classes["c"], p.Values["v"].([]float32)
			if p.Err != nil || len(c.Probabilities) != 2 || len(v) != 1 {
				t.Fatalf("example %d: %+v", i, p)
			}
			for j, x := range append(slices.Clone(c.Probabilities), v...) {
				w := append(slices.Clone(want["c"].Floats[2*i:2*i+2]), want["v"].Floats[i])[j]
				worst = max(worst, math.Abs(float64(x-w)))
			}
		}
		t.Logf("PredictNamed vs Model.PredictOutputs: max difference %.3g over 24 examples", worst)
		if worst > 1e-6 {
			t.Errorf("PredictNamed is %.3g from PredictOutputs at worst, want <= 1e-6", worst)
		}
	})

	refused := []struct {
		name  string
		model func(t *testing.T) string
		want  string
	}{
		{"int_input", func(t *testing.T) string {
			ids := layers.IntInput("ids", 4)
			pooled := layers.New("GlobalAveragePooling1D").On(layers.Embedding(10, 3).On(ids))
			m, err := tfrun.Functional([]layers.Node{ids}, []layers.Node{layers.Dense(1, layers.Activation("sigmoid"), layers.Name("p")).On(pooled)})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			if err := m.Compile(tfrun.Loss("binary_crossentropy"), tfrun.Threads(1)); err != nil {
				t.Fatal(err)
			}
			x, y := make([]int32, 4*16), make([]int32, 16)
			for i := range x {
				x[i] = int32(i % 10)
			}
			return fitExport(t, m, tfrun.Data{X: tfrun.Ints(x, 4), Y: tfrun.Ints(y)})
		}, `the model's input "x" is int32[?, 4]: predict gives numbers (float32 [batch, n]) and text (string [batch]) by name`},
		{"output_named_line", func(t *testing.T) string {
			a, b := layers.Input("a", 2), layers.Input("b", 1)
			h := layers.New("Concatenate").On(a, b)
			m, err := tfrun.Functional([]layers.Node{a, b}, []layers.Node{layers.Dense(1, layers.Name("line")).On(h), layers.Dense(1, layers.Name("v")).On(h)})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			if err := m.Compile(tfrun.OutputLoss("line", "mse"), tfrun.OutputLoss("v", "mse"), tfrun.Threads(1)); err != nil {
				t.Fatal(err)
			}
			data := twoByTwoData(16)
			data.Outputs = map[string]tfrun.Array{"line": data.Outputs["v"], "v": data.Outputs["v"]}
			return fitExport(t, m, data)
		}, `the model has an output named "line", which predict's own key "line" would hide`},
		{"gan_generator", func(t *testing.T) string {
			_, _, model := fitRun(t, predictorGANYAML, 128)
			return model
		}, "the model is a GAN's generator: predict classifies; draw images with tfrun generate"},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			pr, err := tfrun.LoadPredictor(tc.model(t), tfrun.PredictorOptions{Threads: 1})
			if err == nil {
				pr.Close()
				t.Fatal("LoadPredictor: no error")
			}
			if !errors.Is(err, tfrun.ErrUnsuitableModel) || err.Error() != tc.want {
				t.Errorf("LoadPredictor: %v, want ErrUnsuitableModel: %s", err, tc.want)
			}
		})
	}
}

// predictorGANYAML is a tiny unconditional DCGAN on MNIST.
const predictorGANYAML = `name: predictor_gan
task: gan
data: {dataset: mnist}
gan:
  noise_dim: 8
  batch_size: 64
  epochs: 1
  generator:
    layers:
      - {type: Dense, units: 98}
      - {type: LeakyReLU, negative_slope: 0.2}
      - {type: Reshape, target_shape: [7, 7, 2]}
      - {type: Conv2DTranspose, filters: 4, kernel_size: 4, strides: 2, padding: same}
      - {type: LeakyReLU, negative_slope: 0.2}
      - {type: Conv2DTranspose, filters: 1, kernel_size: 4, strides: 2, padding: same, activation: tanh}
  discriminator:
    layers:
      - {type: Conv2D, filters: 4, kernel_size: 3, strides: 2, padding: same}
      - {type: LeakyReLU, negative_slope: 0.2}
      - {type: Flatten}
      - {type: Dense, units: 1}
`

// An image folder's run (color_mode rgba): RunPredictor reads image files as training did,
// resized to image_size, so an image of another size is classified; its SavedModel takes
// RGBA pixels of the model's size, which LoadPredictor does not read from files, and says
// so for each image.
func TestPredictorImageFolder(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	dir := t.TempDir()
	images := filepath.Join(dir, "colours")
	runtest.OwnImages(t, images, map[string]color.RGBA{"blue": {0, 0, 200, 255}, "green": {0, 200, 0, 255}, "red": {200, 0, 0, 255}}, 12, 8, 1)
	runtest.OwnImages(t, filepath.Join(dir, "probe"), map[string]color.RGBA{"red": {200, 0, 0, 255}}, 1, 13, 5)
	bigRed := filepath.Join(dir, "probe", "red", "img_000.png")
	cfg, run, model := fitRun(t, fmt.Sprintf(`name: colours
task: classifier
data: {format: image_directory, path: %s, image_size: [8, 8], color_mode: rgba}
model: {layers: [{type: Flatten}, {type: Dense, units: 3, activation: softmax}]}
train: {epochs: 20, batch_size: 8, loss: sparse_categorical_crossentropy, optimizer: {type: Adam, learning_rate: 0.02}}
`, images), 0)
	ctx := context.Background()
	paths := []string{filepath.Join(images, "blue", "img_003.png"), bigRed, filepath.Join(dir, "nothing.png")}

	fromRun, err := tfrun.RunPredictor(cfg, run, "latest", tfrun.PredictorOptions{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer fromRun.Close()
	if h, w, c := fromRun.ImageSize(); h != 8 || w != 8 || c != 4 {
		t.Errorf("image size %d×%d×%d, want 8×8×4", h, w, c)
	}
	ps, err := fromRun.PredictImageFiles(ctx, paths)
	if err != nil {
		t.Fatal(err)
	}
	if ps[0].Label != "blue" || ps[1].Label != "red" || ps[0].Err != nil || ps[1].Err != nil {
		t.Errorf("blue, and red at 13×13: %+v, %+v", ps[0], ps[1])
	}
	if !errors.Is(ps[2].Err, os.ErrNotExist) || !errors.Is(ps[2].Err, tfrun.ErrBadInput) {
		t.Errorf("a missing file: %v, want ErrBadInput and os.ErrNotExist", ps[2].Err)
	}

	// Images decoded in Go: as their files are read.
	fromGo, err := fromRun.PredictImages(ctx, []image.Image{decodePNG(t, paths[0]), decodePNG(t, paths[1])})
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range fromGo {
		if p.Err != nil || p.Label != ps[i].Label || !slices.Equal(p.Probabilities, ps[i].Probabilities) {
			t.Errorf("%s decoded in Go: %+v, from the file %+v", paths[i], p, ps[i])
		}
	}

	fromModel, err := tfrun.LoadPredictor(model, tfrun.PredictorOptions{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer fromModel.Close()
	ps, err = fromModel.PredictImageFiles(ctx, paths[:1])
	if err != nil {
		t.Fatal(err)
	}
	if err := ps[0].Err; !errors.Is(err, tfrun.ErrBadInput) || !strings.HasPrefix(err.Error(), "the model takes RGBA images") {
		t.Errorf("an RGBA SavedModel's image file: %v", err)
	}
	ps, err = fromModel.PredictImages(ctx, []image.Image{decodePNG(t, paths[0])})
	if err != nil {
		t.Fatal(err)
	}
	if err := ps[0].Err; !errors.Is(err, tfrun.ErrBadInput) || !strings.HasPrefix(err.Error(), "the model takes RGBA images") {
		t.Errorf("an RGBA SavedModel's image decoded in Go: %v", err)
	}
}
