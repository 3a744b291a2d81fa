//lint:file-ignore SA1019 the test checks the method name signature.go writes (deprecated, still set: see there)

package export

import (
	"math"
	"slices"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/classifier"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/gan"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/runner"
)

// exportRun builds a run's model, writes it and loads it back with graft's LoadSavedModel.
func exportRun(t *testing.T, cfg *configs.Config, dir string) (*Model, *SavedModel) {
	t.Helper()
	m, err := Build(cfg, Options{RunDir: dir, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	out, err := m.Write(t.TempDir(), WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sm, err := Load(out, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sm.Close() })
	return m, sm
}

// restoredClassifier is the run's classifier as training compiled it, restored from the
// latest checkpoint: the reference the export must equal.
func restoredClassifier(t *testing.T, cfg *configs.Config, dir string, in builders.Shape, ints bool) *classifier.Classifier {
	t.Helper()
	c, err := classifier.FromConfig(cfg, in, ints, cfg.Seed, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := checkpoints.RestoreLatest(c.Graph(), c.Session(), runner.CheckpointOptions(cfg, dir)); err != nil {
		t.Fatal(err)
	}
	return c
}

// run runs a signature and fails the test on an error.
func run(t *testing.T, p Predictor, key string, inputs map[string]*tf.Tensor) map[string]*tf.Tensor {
	t.Helper()
	out, err := p.Run(key, inputs)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func maxDiff(a []float32, b []float64) float64 {
	d := 0.0
	for i := range a {
		d = max(d, math.Abs(float64(a[i])-b[i]))
	}
	return d
}

// Raw text through the exported SavedModel (graft's LoadSavedModel, TensorFlow's C++
// loader: restore, then the init op that fills the vocabulary table) gives what the run's
// own model gives on the Go tokenizer's ids, and what the in-process model gives; its
// tokenize signature equals the Go tokenizer.
func TestTextRoundTrip(t *testing.T) {
	cfg, dir := trainedRun(t, textYAML, 300)
	m, sm := exportRun(t, cfg, dir)
	if m.Kind != KindTextClassifier {
		t.Fatalf("kind %s", m.Kind)
	}
	texts := []string{"A wonderful, moving film.<br /><br />Loved it!", "", "Worst. Movie. Ever.", "Ça ne m'a pas plu du tout",
		"The plot was thin, the acting wooden, the score forgettable; still, the last scene got me.", strings.Repeat("long review ", 50)}
	in, _ := tf.NewTensor(texts)
	got := run(t, sm, DefaultSignature, map[string]*tf.Tensor{InputText: in})
	inProcess := run(t, m, DefaultSignature, map[string]*tf.Tensor{InputText: in})

	vocab, err := datasets.LoadVocabulary(VocabularyFile(dir))
	if err != nil {
		t.Fatal(err)
	}
	ids := goEncode(t, vocab, texts, cfg.Data.Maxlen)
	c := restoredClassifier(t, cfg, dir, builders.Shape{cfg.Data.Maxlen}, true)
	want, err := c.Predict(&classifier.Dataset{Ints: slices.Concat(ids...), Shape: builders.Shape{cfg.Data.Maxlen}, Labels: make([]float32, len(texts))}, 64)
	if err != nil {
		t.Fatal(err)
	}
	probs := graphs.Value(got[OutputProbability]).([]float32)
	if d := maxDiff(probs, want); d > 1e-6 {
		t.Errorf("SavedModel on raw text vs the run's model on Go's token ids: max difference %g\n got %v\nwant %v", d, probs, want)
	}
	if !slices.Equal(probs, graphs.Value(inProcess[OutputProbability]).([]float32)) {
		t.Errorf("SavedModel %v, in-process model %v", probs, graphs.Value(inProcess[OutputProbability]))
	}
	labels, classIDs := graphs.Value(got[OutputLabel]).([]string), graphs.Value(got[OutputClassID]).([]int64)
	for i, p := range probs {
		wantID := int64(0)
		if p > 0.5 {
			wantID = 1
		}
		if classIDs[i] != wantID || labels[i] != []string{"negative", "positive"}[wantID] {
			t.Errorf("%q: probability %v, class_id %d, label %s", texts[i], p, classIDs[i], labels[i])
		}
	}
	tok := run(t, sm, TokenizeSignature, map[string]*tf.Tensor{InputText: in})[OutputTokenIDs]
	flat := graphs.Flat(tok).([]int32)
	if !slices.Equal(flat, slices.Concat(ids...)) {
		t.Errorf("tokenize signature differs from the Go tokenizer")
	}
	again := graphs.Value(run(t, sm, TokenIDsSignature, map[string]*tf.Tensor{InputTokenIDs: tok})[OutputProbability]).([]float32)
	if !slices.Equal(again, probs) {
		t.Errorf("token_ids(tokenize(text)) = %v, serving_default(text) = %v", again, probs)
	}
	t.Logf("probabilities %v, max difference to the run's model %g", probs, maxDiff(probs, want))
}

// uint8 and float32 pixels through the SavedModel give what the run's model gives on the
// pixels scaled as training scaled them.
func TestImageRoundTrip(t *testing.T) {
	cfg, dir := trainedRun(t, imageYAML, 256)
	m, sm := exportRun(t, cfg, dir)
	if m.Kind != KindImageClassifier {
		t.Fatalf("kind %s", m.Kind)
	}
	const n = 16
	raw := make([]uint8, n*28*28)
	for i := range raw {
		raw[i] = uint8((i*37 + i/784*11) % 256)
	}
	c := restoredClassifier(t, cfg, dir, builders.Shape{28, 28, 1}, false)
	want, err := c.Predict(&classifier.Dataset{Floats: datasets.ScaleToTanh(raw), Shape: builders.Shape{28, 28, 1}, Labels: make([]float32, n)}, 64)
	if err != nil {
		t.Fatal(err)
	}
	u8, _ := graphs.NewTensor(raw, n, 28, 28, 1)
	floats := make([]float32, len(raw))
	for i, v := range raw {
		floats[i] = float32(v)
	}
	f32, _ := graphs.NewTensor(floats, n, 28, 28, 1)
	got := run(t, sm, DefaultSignature, map[string]*tf.Tensor{InputImages: u8})
	gotF := run(t, sm, FloatImagesSignature, map[string]*tf.Tensor{InputImages: f32})
	all := graphs.Flat(got[OutputProbabilities]).([]float32)
	if d := maxDiff(all, want); d > 1e-6 {
		t.Errorf("SavedModel vs the run's model: max difference %g", d)
	}
	if !slices.Equal(all, graphs.Flat(gotF[OutputProbabilities]).([]float32)) {
		t.Error("float_images differs from serving_default on the same pixels")
	}
	ids, probs, labels := graphs.Value(got[OutputClassID]).([]int64), graphs.Value(got[OutputProbability]).([]float32), graphs.Value(got[OutputLabel]).([]string)
	for i := range n {
		row := all[i*10 : (i+1)*10]
		best := int64(slices.Index(row, slices.Max(row)))
		if ids[i] != best || probs[i] != row[best] || labels[i] != builtins[configs.DatasetMNIST].classes[best] {
			t.Errorf("image %d: class_id %d probability %v label %s; probabilities %v", i, ids[i], probs[i], labels[i], row)
		}
	}
}

// toByte is plots' pixel of a tanh value, which generate's PNGs hold.
func toByte(v float32) uint8 {
	f := (float64(v) + 1) / 2 * 255
	switch {
	case math.IsNaN(f) || f <= 0:
		return 0
	case f >= 255:
		return 255
	}
	return uint8(math.Round(f))
}

// The exported generator draws, for the same noise and class, the image the run's own
// generator draws (gan.Load, Generate: the training graph's sample path), byte for byte.
func TestGANExportEqualsGenerator(t *testing.T) {
	cfg, dir := trainedRun(t, cganYAML, 256)
	m, sm := exportRun(t, cfg, dir)
	if m.Kind != KindGANGenerator {
		t.Fatalf("kind %s", m.Kind)
	}
	g, _, err := gan.Load(cfg, dir, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	const n = 30
	noise := gan.NormalNoise(n*cfg.GAN().NoiseDim, 5)
	labels := make([]int32, n)
	for i := range labels {
		labels[i] = int32(i % 10)
	}
	want, err := g.Generate(noise, labels)
	if err != nil {
		t.Fatal(err)
	}
	nt, _ := graphs.NewTensor(noise, n, int64(cfg.GAN().NoiseDim))
	lt, _ := graphs.NewTensor(labels, n)
	got := run(t, sm, DefaultSignature, map[string]*tf.Tensor{InputNoise: nt, InputClassID: lt})[OutputImages]
	if !slices.Equal(got.Shape(), []int64{n, 28, 28, 1}) || got.DataType() != tf.Uint8 {
		t.Fatalf("images %v %v, want uint8 [%d 28 28 1]", got.DataType(), got.Shape(), n)
	}
	bytes := graphs.Flat(got).([]uint8)
	differ := 0
	for i, v := range want {
		if bytes[i] != toByte(v) {
			differ++
		}
	}
	if differ > 0 {
		t.Errorf("%d of %d pixels differ from the run's generator's", differ, len(want))
	}
	// Another class for the same noise is another image.
	lt2, _ := graphs.NewTensor(make([]int32, n), n)
	other := graphs.Flat(run(t, sm, DefaultSignature, map[string]*tf.Tensor{InputNoise: nt, InputClassID: lt2})[OutputImages]).([]uint8)
	if slices.Equal(other[784:2*784], bytes[784:2*784]) {
		t.Error("class 0 and class 1 give the same image for the same noise")
	}
}

// The SavedModel's graph is the inference path only, with a SaverDef and the signatures
// TensorFlow's loaders and TensorFlow Serving expect.
func TestMetaGraphDef(t *testing.T) {
	training := []string{"ResourceApply", "StatelessRandom", "RandomUniform", "RandomStandardNormal", "AssignAddVariableOp",
		"BlockLSTMGradV2", "Conv2DBackpropFilter", "BroadcastGradientArgs"}
	cases := []struct {
		yaml   string
		limit  int
		inputs []string // the graph's Placeholders: the signatures' inputs
		sigs   []string
		init   bool
	}{
		{textYAML, 300, []string{"serving/text/Placeholder"}, []string{DefaultSignature, TokenIDsSignature, TokenizeSignature}, true},
		{imageYAML, 256, []string{"serving/images/Placeholder"}, []string{DefaultSignature, FloatImagesSignature}, false},
		{cganYAML, 256, []string{"serving/noise/Placeholder", "serving/class_id/Placeholder"}, []string{DefaultSignature}, false},
	}
	for _, tc := range cases {
		cfg, dir := trainedRun(t, tc.yaml, tc.limit)
		t.Run(cfg.Name, func(t *testing.T) {
			m, err := Build(cfg, Options{RunDir: dir, Threads: 1})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			mg, err := m.MetaGraphDef()
			if err != nil {
				t.Fatal(err)
			}
			if tags := mg.MetaInfoDef.Tags; !slices.Equal(tags, []string{"serve"}) {
				t.Errorf("tags %v", tags)
			}
			used := map[string]bool{}
			var placeholders []string
			for _, n := range mg.GraphDef.Node {
				used[n.Op] = true
				for _, bad := range training {
					if strings.HasPrefix(n.Op, bad) {
						t.Errorf("training op %s (%s) in the inference graph", n.Name, n.Op)
					}
				}
				if n.Op == "Placeholder" {
					placeholders = append(placeholders, n.Name)
				}
			}
			slices.Sort(placeholders)
			slices.Sort(tc.inputs)
			if !slices.Equal(placeholders, tc.inputs) {
				t.Errorf("placeholders %v, want only the signatures' inputs %v", placeholders, tc.inputs)
			}
			defs, err := opDefs()
			if err != nil {
				t.Fatal(err)
			}
			listed := map[string]bool{}
			for _, d := range mg.MetaInfoDef.StrippedOpList.Op {
				listed[d.Name] = true
				if d.Description != "" || d.Summary != "" {
					t.Errorf("stripped op list keeps %s's documentation", d.Name)
				}
			}
			for op := range used {
				if !listed[op] {
					t.Errorf("op %s missing from stripped_op_list", op)
				}
			}
			for _, n := range mg.GraphDef.Node {
				for _, a := range defs[n.Op].Attr {
					if v, ok := n.Attr[a.Name]; ok && a.DefaultValue != nil && v.String() == a.DefaultValue.String() {
						t.Errorf("node %s keeps attribute %s at its default", n.Name, a.Name)
					}
				}
			}
			sd := mg.SaverDef
			if sd.Version != 2 || sd.FilenameTensorName != "save/filename/PlaceholderWithDefault:0" || sd.RestoreOpName != "save/restore_all/NoOp" {
				t.Errorf("saver_def %v", sd)
			}
			var keys []string
			for k, s := range mg.SignatureDef {
				keys = append(keys, k)
				if k != initOpSignature && s.MethodName != PredictMethod {
					t.Errorf("signature %s: method %q", k, s.MethodName)
				}
			}
			want := slices.Clone(tc.sigs)
			if tc.init {
				want = append(want, initOpSignature)
			}
			slices.Sort(keys)
			slices.Sort(want)
			if !slices.Equal(keys, want) {
				t.Errorf("signatures %v, want %v", keys, want)
			}
			t.Logf("%d nodes, %d variables, %d op types", len(mg.GraphDef.Node), len(m.vars), len(used))
		})
	}
}
