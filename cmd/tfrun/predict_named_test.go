package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/export"
	"github.com/tfrun/tfrun/graphs"
)

// namedYAML is a model of two inputs (numeric columns, a text column) and two outputs (a
// class, a rating) fed by name from one CSV.
const namedYAML = `name: predict_named
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
  epochs: 12
  batch_size: 16
  loss: {class: sparse_categorical_crossentropy, value: mse}
  loss_weights: {class: 1.0, value: 0.5}
  optimizer: {type: Adam, learning_rate: 0.03}
`

// writeReviewsCSV writes n rows whose class follows the review's words and whose rating
// follows the price and stars.
func writeReviewsCSV(t *testing.T, path string, n int) (lines []string) {
	t.Helper()
	words := map[string][]string{"bad": {"awful", "broken", "worst"}, "good": {"great", "superb", "best"}, "ok": {"fine", "average", "decent"}}
	var b strings.Builder
	b.WriteString("price,stars,body,sentiment,rating\n")
	for i := range n {
		class := []string{"bad", "good", "ok"}[i%3]
		w := words[class]
		price, stars := 5+float64(i%11)*3.5, float64(1+i%5)
		body := fmt.Sprintf("It was %s, %s. Shipping took %d days!", w[i%3], w[(i/3)%3], 1+i%4)
		fmt.Fprintf(&b, "%g,%g,%q,%s,%.3f\n", price, stars, body, class, stars/2+price/40)
		in, _ := json.Marshal(map[string]any{"numbers": []float64{price, stars}, "review": body})
		lines = append(lines, string(in))
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return lines
}

// namedLine is one line of predict's output for the model above.
type namedLine struct {
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

func parseNamed(t *testing.T, out string) []namedLine {
	t.Helper()
	var ls []namedLine
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var l namedLine
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("output line %q: %v", line, err)
		}
		ls = append(ls, l)
	}
	return ls
}

// A model of two inputs and two outputs trained from one CSV, stopped after 5 of 12 epochs
// and resumed to the uninterrupted run's history and predictions bit for bit, exported,
// served by tfrun predict from the run and from the SavedModel and by graft's
// LoadSavedModel: the same numbers, bit for bit, one JSON object per line by input name
// in, by output name out.
func TestPredictNamedIO(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	dir := t.TempDir()
	csv := filepath.Join(dir, "reviews.csv")
	lines := writeReviewsCSV(t, csv, 120)
	config := saveConfig(t, dir, "named.yaml", fmt.Sprintf(namedYAML, csv))
	runDir, models := filepath.Join(dir, "run"), filepath.Join(dir, "models")
	if code, _, stderr := runCLI(t, "-config", config, "-out", runDir, "-threads", "1"); code != 0 {
		t.Fatalf("training: exit %d: %s", code, stderr)
	}
	code, out, stderr := runCLI(t, "export", "-config", config, "-run", runDir, "-out", models)
	if code != 0 {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"multi io model", "numbers float32[None, 2]", "review string[None]", "class float32[None, 3]", "class_label string[None]", "value float32[None, 1]", "token_ids", "tokenize"} {
		if !strings.Contains(out, want) {
			t.Errorf("export's output lacks %q:\n%s", want, out)
		}
	}
	inputs := filepath.Join(dir, "inputs.jsonl")
	if err := os.WriteFile(inputs, []byte(strings.Join(lines[:40], "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, fromRun, stderr := runCLI(t, "predict", "-config", config, "-run", runDir, "-file", inputs, "-batch", "16")
	if code != 0 {
		t.Fatalf("predict -run: exit %d: %s", code, stderr)
	}
	// Stopped after 5 epochs, then resumed: the same run.
	resumed := filepath.Join(dir, "resumed")
	if code, _, stderr := runCLI(t, "-config", config, "-out", resumed, "-threads", "1", "-epochs", "5"); code != 0 {
		t.Fatalf("training 5 epochs: exit %d: %s", code, stderr)
	}
	code, out, stderr = runCLI(t, "-config", config, "-out", resumed, "-threads", "1", "-resume")
	if code != 0 || !strings.Contains(out, "Resumed from") || strings.Contains(out, "Epoch 1/") {
		t.Fatalf("resume: exit %d: %s\n%s", code, stderr, out)
	}
	var h1, h2 struct {
		Metrics map[string][]float64 `json:"metrics"`
	}
	for path, h := range map[string]any{filepath.Join(runDir, "history.json"): &h1, filepath.Join(resumed, "history.json"): &h2} {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, h); err != nil {
			t.Fatal(err)
		}
	}
	for _, key := range []string{"loss", "class_loss", "class_accuracy", "value_loss", "val_loss", "val_class_accuracy", "val_value_loss"} {
		if len(h1.Metrics[key]) != 12 || !slices.Equal(h1.Metrics[key], h2.Metrics[key]) {
			t.Errorf("%s: resumed %v\nuninterrupted %v", key, h2.Metrics[key], h1.Metrics[key])
		}
	}
	code, fromResumed, stderr := runCLI(t, "predict", "-config", config, "-run", resumed, "-file", inputs, "-batch", "16")
	if code != 0 || fromResumed != fromRun {
		t.Errorf("predict from the resumed run: exit %d %s\n%s\nthe uninterrupted run's:\n%s", code, stderr, fromResumed, fromRun)
	}

	code, fromModel, stderr := runCLI(t, "predict", "-model", models, "-file", inputs, "-batch", "16")
	if code != 0 {
		t.Fatalf("predict -model: exit %d: %s", code, stderr)
	}
	if fromRun != fromModel {
		t.Errorf("predict -run and -model differ:\n%s\n%s", fromRun, fromModel)
	}
	got := parseNamed(t, fromRun)
	if len(got) != 40 {
		t.Fatalf("%d lines, want 40", len(got))
	}
	correct := 0
	for i, l := range got {
		if l.Line != i+1 || l.Class == nil || len(l.Class.Probabilities) != 3 || len(l.Value) != 1 || l.Error != "" {
			t.Fatalf("line %d: %+v", i+1, l)
		}
		if l.Class.Label == []string{"bad", "good", "ok"}[i%3] && l.Class.ClassID == int64(i%3) {
			correct++
		}
	}
	if correct < 36 {
		t.Errorf("%d of 40 training rows classified right, want ≥ 36", correct)
	}

	// graft's LoadSavedModel, the signature called directly on the same rows.
	sm, err := export.Load(models, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer sm.Close()
	var nums []float32
	var texts []string
	for _, line := range lines[:40] {
		var in struct {
			Numbers []float32 `json:"numbers"`
			Review  string    `json:"review"`
		}
		if err := json.Unmarshal([]byte(line), &in); err != nil {
			t.Fatal(err)
		}
		nums, texts = append(nums, in.Numbers...), append(texts, in.Review)
	}
	// Batches of 16, as predict ran them (another batch size may round a MatMul otherwise).
	for start := 0; start < 40; start += 16 {
		end := min(start+16, 40)
		x, err := graphs.NewTensor(nums[2*start:2*end], int64(end-start), 2)
		if err != nil {
			t.Fatal(err)
		}
		r, _ := tf.NewTensor(texts[start:end])
		res, err := sm.Run(export.DefaultSignature, map[string]*tf.Tensor{"numbers": x, "review": r})
		if err != nil {
			t.Fatal(err)
		}
		class, value := graphs.Value(res["class"]).([][]float32), graphs.Value(res["value"]).([][]float32)
		labels := graphs.Value(res["class_label"]).([]string)
		for k := range end - start {
			l := got[start+k]
			if !slices.Equal(class[k], l.Class.Probabilities) || !slices.Equal(value[k], l.Value) || labels[k] != l.Class.Label {
				t.Errorf("row %d: LoadSavedModel class %v value %v label %s; predict %+v %v", start+k+1, class[k], value[k], labels[k], *l.Class, l.Value)
			}
		}
	}
	t.Logf("line 1: %s", strings.SplitN(fromRun, "\n", 2)[0])

	// Arguments are JSON objects too; a one-wide input may be a bare number.
	code, out, stderr = runCLI(t, "predict", "-model", models, lines[0], `{"review": "great", "numbers": [10, 4]}`)
	if code != 0 || len(parseNamed(t, out)) != 2 || strings.Contains(out, `"line"`) {
		t.Errorf("predict with arguments: exit %d, %s %s", code, out, stderr)
	}
}

// Every bad line is an error naming its line and key, and the other lines are still
// predicted (exit 1).
func TestPredictNamedBadLines(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	dir := t.TempDir()
	csv := filepath.Join(dir, "reviews.csv")
	lines := writeReviewsCSV(t, csv, 48)
	config := saveConfig(t, dir, "named.yaml", strings.Replace(fmt.Sprintf(namedYAML, csv), "epochs: 12", "epochs: 1", 1))
	runDir := filepath.Join(dir, "run")
	if code, _, stderr := runCLI(t, "-config", config, "-out", runDir, "-threads", "1"); code != 0 {
		t.Fatalf("training: exit %d: %s", code, stderr)
	}
	bad := []struct{ line, want string }{
		{`not json`, `line 2: not JSON (invalid character 'o' in literal null (expecting 'u')); want an object of the model's inputs (numbers, review)`},
		{`[1, 2]`, `line 3: a JSON array, not an object`},
		{`{"numbers": [1, 2]}`, `line 4: key "review" missing`},
		{`{"numbers": [1, 2, 3], "review": "great"}`, `line 5: key "numbers": 3 values, the input takes 2`},
		{`{"numbers": 4, "review": "great"}`, `line 6: key "numbers": want a list of 2 numbers, not 4`},
		{`{"numbers": [1, null], "review": "great"}`, `line 7: key "numbers": value 2 is not a float32 number`},
		{`{"numbers": [1, 1e39], "review": "great"}`, `line 8: key "numbers": value 2 is not a float32 number`},
		{`{"numbers": ["1", 2], "review": "great"}`, `line 9: key "numbers": want a list of 2 numbers`},
		{`{"numbers": [1, 2], "review": 7}`, `line 10: key "review": want a string (text), not 7`},
		{`{"numbers": [1, 2], "review": "great", "price": 3}`, `line 11: key "price" is not an input of the model (inputs: numbers, review)`},
		{``, `line 12: not JSON (unexpected end of JSON input)`},
		{"{\"numbers\": [1, 2], \"review\": \"gr\xffeat\"}", `line 13: not valid UTF-8`},
		{`null`, `line 14: a JSON null, not an object`},
	}
	input := []string{lines[0]}
	for _, b := range bad {
		input = append(input, b.line)
	}
	input = append(input, lines[1])
	path := filepath.Join(dir, "inputs.jsonl")
	if err := os.WriteFile(path, []byte(strings.Join(input, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCLI(t, "predict", "-config", config, "-run", runDir, "-file", path)
	if code != 1 || !strings.Contains(stderr, fmt.Sprintf("%d of %d inputs", len(bad), len(input))) {
		t.Errorf("exit %d, stderr %q; want 1 and %d of %d inputs", code, stderr, len(bad), len(input))
	}
	got := parseNamed(t, out)
	if len(got) != len(input) {
		t.Fatalf("%d output lines, want %d:\n%s", len(got), len(input), out)
	}
	for i, b := range bad {
		l := got[i+1]
		if l.Line != i+2 || !strings.Contains(l.Error, b.want) || l.Class != nil {
			t.Errorf("input %q: %+v, want line %d and an error with %q", b.line, l, i+2, b.want)
		}
	}
	for _, i := range []int{0, len(input) - 1} {
		if got[i].Error != "" || got[i].Class == nil || len(got[i].Value) != 1 {
			t.Errorf("good line %d: %+v", i+1, got[i])
		}
	}
	// -images makes no sense for named inputs.
	if code, _, stderr := runCLI(t, "predict", "-config", config, "-run", runDir, "-images", "x.png"); code != 2 || !strings.Contains(stderr, "named inputs") {
		t.Errorf("-images: exit %d, %s", code, stderr)
	}
	// An argument's error names the argument.
	if code, out, _ := runCLI(t, "predict", "-config", config, "-run", runDir, lines[0], `{"numbers": [1, 2]}`); code != 1 || !strings.Contains(out, `argument 2: key \"review\" missing`) {
		t.Errorf("bad argument: exit %d, %s", code, out)
	}
}
