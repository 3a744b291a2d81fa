package export

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/classifier"
	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/internal/runtest"
	"github.com/tfrun/tfrun/runner"
)

// multiIOYAML is a model fed by name from one CSV: a numeric input and two text inputs
// (each its own vocabulary table), a softmax, a sigmoid and a regression output.
const multiIOYAML = `name: export_multi_io
task: classifier
seed: 5
data:
  format: csv
  path: %s
  validation_split: 0.25
  inputs:
    numbers: [a, b]
    review: {text: body, num_words: 30, maxlen: 6}
    title: {text: headline, num_words: 12, maxlen: 3}
  outputs: {class: sentiment, flag: flagged, value: rating}
model:
  inputs: {numbers: {shape: [2]}, review: {shape: [6], dtype: int32}, title: {shape: [3], dtype: int32}}
  layers:
    - {name: emb, type: Embedding, input_dim: 30, output_dim: 4, call: review}
    - {name: pool, type: GlobalAveragePooling1D}
    - {name: temb, type: Embedding, input_dim: 12, output_dim: 3, call: title}
    - {name: tpool, type: GlobalAveragePooling1D}
    - {name: join, type: Concatenate, call: [numbers, pool, tpool]}
    - {name: hidden, type: Dense, units: 8, activation: relu}
    - {name: class, type: Dense, units: 3, activation: softmax, call: hidden}
    - {name: flag, type: Dense, units: 1, activation: sigmoid, call: hidden}
    - {name: value, type: Dense, units: 1, call: hidden}
  outputs: [class, flag, value]
train:
  epochs: 3
  batch_size: 16
  loss: {class: sparse_categorical_crossentropy, flag: binary_crossentropy, value: mse}
  optimizer: {type: Adam, learning_rate: 0.05}
`

// multiIORows are the test's CSV rows: numbers, two texts, three labels.
type multiIORow struct {
	a, b        float32
	body, title string
	class, flag string
	rating      float64
}

func multiIORows(n int) []multiIORow {
	words := map[string][]string{"bad": {"awful", "broken", "worst"}, "good": {"great", "superb", "best"}, "ok": {"fine", "average", "decent"}}
	var rows []multiIORow
	for i := range n {
		class := []string{"bad", "good", "ok"}[i%3]
		w := words[class]
		rows = append(rows, multiIORow{a: float32(i%7) * 1.5, b: float32(100 + i%5*20),
			body:  fmt.Sprintf("It was %s, %s and %s!", w[i%3], w[(i/3)%3], []string{"cheap", "new", "old"}[i%3]),
			title: fmt.Sprintf("%s buy", strings.ToUpper(w[(i/2)%3])), class: class, flag: []string{"no", "yes"}[i%2],
			rating: float64(i%7) / 3})
	}
	return rows
}

func writeMultiIOCSV(t *testing.T, rows []multiIORow) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("a,b,body,headline,sentiment,flagged,rating\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "%g,%g,%q,%q,%s,%s,%g\n", r.a, r.b, r.body, r.title, r.class, r.flag, r.rating)
	}
	path := filepath.Join(t.TempDir(), "reviews.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// A run fed by name exports one signature argument per model input, raw values in, and
// every output by name: the SavedModel (graft's LoadSavedModel) gives bit for bit what the
// in-process model gives, and what the run's model, restored from its checkpoint, gives
// on the inputs normalized and tokenized in Go as training did (≤ 1e-6). token_ids on
// Go's ids and tokenize agree with the raw-text path, each text input with its own
// vocabulary; the class heads name the argmax (or p > 0.5) class.
func TestExportMultiIO(t *testing.T) {
	rows := multiIORows(64)
	cfg, dir := trainedRun(t, fmt.Sprintf(multiIOYAML, writeMultiIOCSV(t, rows)), 0)
	m, sm := exportRun(t, cfg, dir)
	if m.Kind != KindMultiIO {
		t.Fatalf("kind %s", m.Kind)
	}
	sig := sm.Signatures()[DefaultSignature]
	if got, want := slices.Sorted(maps.Keys(sig.Inputs)), []string{"numbers", "review", "title"}; !slices.Equal(got, want) {
		t.Errorf("serving_default inputs %v, want %v", got, want)
	}
	wantOut := []string{"class", "class_class_id", "class_label", "class_probability", "flag", "flag_class_id", "flag_label", "flag_probability", "value"}
	if got := slices.Sorted(maps.Keys(sig.Outputs)); !slices.Equal(got, wantOut) {
		t.Errorf("serving_default outputs %v, want %v", got, wantOut)
	}
	if sig.Inputs["numbers"].DType != tf.Float || sig.Inputs["review"].DType != tf.String {
		t.Errorf("inputs %+v", sig.Inputs)
	}
	rows = rows[:20]
	var nums []float32
	var bodies, titles []string
	for _, r := range rows {
		nums = append(nums, r.a, r.b)
		bodies, titles = append(bodies, r.body), append(titles, r.title)
	}
	numbers, err := graphs.NewTensor(nums, int64(len(rows)), 2)
	if err != nil {
		t.Fatal(err)
	}
	review, _ := tf.NewTensor(bodies)
	title, _ := tf.NewTensor(titles)
	feeds := map[string]*tf.Tensor{"numbers": numbers, "review": review, "title": title}
	got := run(t, sm, DefaultSignature, feeds)
	inProcess := run(t, m, DefaultSignature, feeds)
	for _, k := range wantOut {
		if a, b := fmt.Sprint(graphs.Value(got[k])), fmt.Sprint(graphs.Value(inProcess[k])); a != b {
			t.Errorf("%s: SavedModel %s, in-process %s", k, a, b)
		}
	}

	// The run's model restored, on Go's preprocessing.
	c, err := classifier.MultiFromConfig(cfg, cfg.Seed, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := checkpoints.RestoreLatest(c.Graph(), c.Session(), runner.CheckpointOptions(cfg, dir)); err != nil {
		t.Fatal(err)
	}
	var norm classifier.Normalization
	runtest.ReadJSON(t, filepath.Join(dir, classifier.InputNormalizationFile("numbers")), &norm)
	normalized, err := datasets.Normalize(nums, 2, norm.Mean, norm.Variance)
	if err != nil {
		t.Fatal(err)
	}
	goIDs := map[string][][]int32{}
	for name, texts := range map[string][]string{"review": bodies, "title": titles} {
		vocab, err := datasets.LoadVocabulary(filepath.Join(dir, classifier.InputVocabularyFile(name)))
		if err != nil {
			t.Fatal(err)
		}
		goIDs[name] = goEncode(t, vocab, texts, map[string]int{"review": 6, "title": 3}[name])
	}
	want, err := c.Predict(&classifier.Examples{Inputs: map[string]classifier.Tensor{
		"numbers": {Floats: normalized, Shape: builders.Shape{2}},
		"review":  {Ints: slices.Concat(goIDs["review"]...), Shape: builders.Shape{6}},
		"title":   {Ints: slices.Concat(goIDs["title"]...), Shape: builders.Shape{3}},
	}}, 64)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"class", "flag", "value"} {
		flat := graphs.Flat(got[k]).([]float32)
		if len(flat) != len(want[k]) {
			t.Fatalf("%s: %d values, want %d", k, len(flat), len(want[k]))
		}
		if d := maxDiff(flat, want[k]); d > 1e-6 {
			t.Errorf("%s: SavedModel on raw values vs the run's model on Go's preprocessing: max difference %g", k, d)
		}
	}

	// tokenize equals Go's ids per input; token_ids on them equals serving_default.
	tok := run(t, sm, TokenizeSignature, map[string]*tf.Tensor{"review": review, "title": title})
	for name, ids := range goIDs {
		if !slices.Equal(graphs.Flat(tok[name]).([]int32), slices.Concat(ids...)) {
			t.Errorf("tokenize %s: %v, Go's %v", name, graphs.Value(tok[name]), ids)
		}
	}
	again := run(t, sm, TokenIDsSignature, map[string]*tf.Tensor{"numbers": numbers, "review": tok["review"], "title": tok["title"]})
	for _, k := range wantOut {
		if a, b := fmt.Sprint(graphs.Value(again[k])), fmt.Sprint(graphs.Value(got[k])); a != b {
			t.Errorf("%s: token_ids(tokenize) %s, serving_default %s", k, a, b)
		}
	}

	// The heads.
	probs := graphs.Value(got["class"]).([][]float32)
	ids, labels := graphs.Value(got["class_class_id"]).([]int64), graphs.Value(got["class_label"]).([]string)
	flag := graphs.Value(got["flag"]).([][]float32)
	fids, flabels, fp := graphs.Value(got["flag_class_id"]).([]int64), graphs.Value(got["flag_label"]).([]string), graphs.Value(got["flag_probability"]).([]float32)
	for i := range rows {
		best := int64(0)
		for j, p := range probs[i] {
			if p > probs[i][best] {
				best = int64(j)
			}
		}
		if ids[i] != best || labels[i] != []string{"bad", "good", "ok"}[best] {
			t.Errorf("row %d: class %v, class_id %d, label %s", i, probs[i], ids[i], labels[i])
		}
		wantFlag := int64(0)
		if flag[i][0] > 0.5 {
			wantFlag = 1
		}
		if fp[i] != flag[i][0] || fids[i] != wantFlag || flabels[i] != []string{"no", "yes"}[wantFlag] {
			t.Errorf("row %d: flag %v, probability %v, class_id %d, label %s", i, flag[i], fp[i], fids[i], flabels[i])
		}
	}

	// Standard TensorFlow ops only, and each vocabulary its own table.
	mg, err := m.MetaGraphDef()
	if err != nil {
		t.Fatal(err)
	}
	tables := map[string]bool{}
	for _, n := range mg.GraphDef.Node {
		if strings.HasPrefix(n.Op, "Tfrun") {
			t.Errorf("node %s: op %s in the SavedModel", n.Name, n.Op)
		}
		if n.Op == "HashTableV2" {
			tables[string(n.Attr["shared_name"].GetS())] = true
		}
	}
	if len(tables) != 2 {
		t.Errorf("hash tables %v, want one per text input", tables)
	}
	t.Logf("class %v value %v; max difference to the run's model: class %g, value %g",
		probs[0], graphs.Value(got["value"]).([][]float32)[0], maxDiff(graphs.Flat(got["class"]).([]float32), want["class"]), maxDiff(graphs.Flat(got["value"]).([]float32), want["value"]))
}

// Export needs the files a run fed by name writes; without them (or with another run's)
// it says which, wrapping ErrNoRunFile.
func TestExportMultiIOMissingFiles(t *testing.T) {
	cfg, dir := trainedRun(t, fmt.Sprintf(multiIOYAML, writeMultiIOCSV(t, multiIORows(64))), 0)
	for _, tc := range []struct {
		file, body, want string
	}{
		{classifier.ClassNamesFile, "", "class_names.json: missing"},
		{classifier.ClassNamesFile, `{"class": ["a", "b"]}`, `output "class" has 2 classes`},
		{classifier.ClassNamesFile, `{"flag": ["no", "yes"]}`, `no classes for output "class"`},
		{classifier.ClassNamesFile, `["bad", "good"]`, "want a JSON object"},
		{classifier.InputVocabularyFile("title"), "", "vocabulary_title.json: missing"},
		{classifier.InputNormalizationFile("numbers"), "", "normalization_numbers.json: missing"},
		{classifier.InputNormalizationFile("numbers"), `{"feature_names": ["x", "y"], "mean": [0, 0], "variance": [1, 1]}`, "data.inputs.numbers: [a b]: the file is another run's"},
	} {
		t.Run(tc.file+tc.body, func(t *testing.T) {
			copyDir := t.TempDir()
			if err := os.CopyFS(copyDir, os.DirFS(dir)); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(copyDir, tc.file)
			if tc.body == "" {
				os.Remove(path)
			} else if err := os.WriteFile(path, []byte(tc.body), 0o644); err != nil {
				t.Fatal(err)
			}
			m, err := Build(cfg, Options{RunDir: copyDir, Threads: 1})
			if err == nil {
				m.Close()
			}
			if !errors.Is(err, ErrNoRunFile) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want ErrNoRunFile with %q", err, tc.want)
			}
		})
	}
}
