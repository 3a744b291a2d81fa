package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/classifier"
	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/export"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/internal/runtest"
	"github.com/tfrun/tfrun/runner"
)

const textYAML = `name: serve_text
task: classifier
seed: 5
data: {dataset: imdb, num_words: 1000, maxlen: 30}
model:
  layers:
    - {type: Embedding, input_dim: 1000, output_dim: 8}
    - {type: LSTM, units: 4}
    - {type: Dense, units: 1, activation: sigmoid}
train: {epochs: 1, batch_size: 32, optimizer: {type: Adam, learning_rate: 0.01}}
`

const imageYAML = `name: serve_image
task: classifier
seed: 5
data: {dataset: mnist}
model:
  layers:
    - {type: Conv2D, filters: 2, kernel_size: 3, strides: 2, padding: same, activation: relu}
    - {type: Flatten}
    - {type: Dense, units: 10, activation: softmax}
train: {epochs: 1, batch_size: 64, loss: sparse_categorical_crossentropy, optimizer: adam}
`

var (
	exportsMu   sync.Mutex
	exports     = map[string]string{} // config name → export directory
	exportsRoot string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if exportsRoot != "" {
		os.RemoveAll(exportsRoot)
	}
	os.Exit(code)
}

// exported trains a tiny classifier with tfrun and exports it, once per test binary; it
// skips the test when the data set is missing.
func exported(t *testing.T, body string, limit int) string {
	t.Helper()
	if testing.Short() {
		t.Skip("trains a model")
	}
	cfg := runtest.LoadConfig(t, body)
	exportsMu.Lock()
	defer exportsMu.Unlock()
	if d, ok := exports[cfg.Name]; ok {
		return d
	}
	if exportsRoot == "" {
		d, err := os.MkdirTemp("", "tfrun-serve-test-")
		if err != nil {
			t.Fatal(err)
		}
		exportsRoot = d
	}
	dir := filepath.Join(exportsRoot, cfg.Name)
	runDir := filepath.Join(dir, "run")
	_, err := classifier.Run(context.Background(), cfg, runner.Options{Limit: limit, OutDir: runDir, Threads: 1})
	if errors.Is(err, datasets.ErrDataSetNotFound) {
		t.Skipf("%s not available: %v", cfg.Data.Dataset, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	m, err := export.Build(cfg, export.Options{RunDir: runDir, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if _, err := m.Write(filepath.Join(dir, "model"), export.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	exports[cfg.Name] = filepath.Join(dir, "model")
	return exports[cfg.Name]
}

// start serves the model on a free loopback port and returns its /predict URL.
func start(t *testing.T, modelDir string, limits Limits) (string, *server) {
	t.Helper()
	model, _, err := loadModel(modelDir, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { model.Session.Close() })
	s, err := newServer(model, limits)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := newHTTPServer(s)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String() + "/predict", s
}

// call sends a request and decodes the JSON answer.
func call(t *testing.T, method, url, body string) (int, map[string]json.RawMessage) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out map[string]json.RawMessage
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("%s %s: status %d, body %q is not JSON: %v", method, url, resp.StatusCode, data, err)
	}
	return resp.StatusCode, out
}

var limits = Limits{MaxBody: 4096, MaxInstances: 8, MaxInFlight: 2}

// The service answers what tfrun's SavedModel answers, per instance, and refuses bad
// requests with a status and a message.
func TestServeText(t *testing.T) {
	dir := exported(t, textYAML, 300)
	url, _ := start(t, dir, limits)
	texts := []string{"A wonderful, moving film.<br /><br />Loved it!", "", "Dull and far too long.", "Ça ne m'a pas plu"}

	sm, err := export.Load(dir, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer sm.Close()
	in, _ := tf.NewTensor(texts)
	want, err := sm.Run(export.DefaultSignature, map[string]*tf.Tensor{export.InputText: in})
	if err != nil {
		t.Fatal(err)
	}
	wantP := graphs.Value(want[export.OutputProbability]).([]float32)
	wantL := graphs.Value(want[export.OutputLabel]).([]string)

	t.Run("predict", func(t *testing.T) {
		body, _ := json.Marshal(map[string]any{"instances": texts})
		code, out := call(t, http.MethodPost, url, string(body))
		if code != http.StatusOK {
			t.Fatalf("status %d: %s", code, out["error"])
		}
		var preds []prediction
		json.Unmarshal(out["predictions"], &preds)
		if len(preds) != len(texts) {
			t.Fatalf("%d predictions for %d texts", len(preds), len(texts))
		}
		for i, p := range preds {
			if p.Error != "" || p.Probability == nil || math.Abs(float64(*p.Probability-wantP[i])) > 1e-6 || p.Label != wantL[i] {
				t.Errorf("%q: %+v, want probability %v label %s", texts[i], p, wantP[i], wantL[i])
			}
		}
	})
	t.Run("bad_instances_answered_apart", func(t *testing.T) {
		// A number, a string of invalid UTF-8 (raw bytes 0xff 0xfe), and two good texts.
		body := `{"instances": [42, "` + "\xff\xfe" + `", "` + texts[0] + `", ""]}`
		code, out := call(t, http.MethodPost, url, body)
		if code != http.StatusOK {
			t.Fatalf("status %d: %s", code, out["error"])
		}
		var preds []prediction
		json.Unmarshal(out["predictions"], &preds)
		if len(preds) != 4 || !strings.Contains(preds[0].Error, "want a string") || !strings.Contains(preds[1].Error, "not valid UTF-8") {
			t.Fatalf("predictions %+v: want errors for the number and the bad bytes", preds)
		}
		if preds[2].Error != "" || math.Abs(float64(*preds[2].Probability-wantP[0])) > 1e-6 || *preds[3].Probability != wantP[1] {
			t.Errorf("the good texts: %+v %+v, want %v %v", preds[2], preds[3], wantP[0], wantP[1])
		}
	})
	refusals := []struct {
		name, method, body string
		code               int
		msg                string
	}{
		{"malformed_json", http.MethodPost, `{"instances": ["a",`, http.StatusBadRequest, "malformed JSON"},
		{"not_an_object", http.MethodPost, `["a"]`, http.StatusBadRequest, "malformed JSON"},
		{"unknown_field", http.MethodPost, `{"inputs": ["a"]}`, http.StatusBadRequest, `unknown field "inputs"`},
		{"no_instances", http.MethodPost, `{}`, http.StatusBadRequest, `no "instances"`},
		{"trailing_data", http.MethodPost, `{"instances": []} {}`, http.StatusBadRequest, "after the request object"},
		{"too_many_instances", http.MethodPost, `{"instances": ["a","b","c","d","e","f","g","h","i"]}`, http.StatusBadRequest, "at most 8"},
		{"body_too_large", http.MethodPost, `{"instances": ["` + strings.Repeat("x", 5000) + `"]}`, http.StatusRequestEntityTooLarge, "over 4096 bytes"},
		{"get", http.MethodGet, "", http.StatusMethodNotAllowed, "use POST"},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			code, out := call(t, tc.method, url, tc.body)
			var msg string
			json.Unmarshal(out["error"], &msg)
			if code != tc.code || !strings.Contains(msg, tc.msg) {
				t.Errorf("status %d, error %q; want %d and %q", code, msg, tc.code, tc.msg)
			}
		})
	}
	t.Run("no_instances_no_predictions", func(t *testing.T) {
		code, out := call(t, http.MethodPost, url, `{"instances": []}`)
		if code != http.StatusOK || string(out["predictions"]) != "[]" {
			t.Errorf("status %d, %s", code, out["predictions"])
		}
	})
	t.Run("still_up", func(t *testing.T) {
		code, _ := call(t, http.MethodPost, url, `{"instances": ["still there?"]}`)
		if code != http.StatusOK {
			t.Errorf("status %d after the bad requests", code)
		}
	})
}

// A bounded loopback load test through the command's -bench: every request answered.
func TestServeBench(t *testing.T) {
	dir := exported(t, textYAML, 300)
	var out, errb bytes.Buffer
	code := run([]string{"-model", dir, "-bench", "400", "-bench-workers", "4", "-threads", "1"}, &out, &errb)
	if code != 0 || !strings.Contains(out.String(), "requests/s") || !strings.Contains(out.String(), " 0 failed") {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errb.String())
	}
	t.Log(strings.TrimSpace(out.String()))
}

// An image classifier: [height][width][channels] instances; one of the wrong size gets
// its error, the other is answered.
func TestServeImages(t *testing.T) {
	dir := exported(t, imageYAML, 256)
	url, s := start(t, dir, Limits{MaxBody: 1 << 20, MaxInstances: 8, MaxInFlight: 2})
	if s.text || s.h != 28 || s.w != 28 || s.c != 1 {
		t.Fatalf("served as text %v, %d×%d×%d; want 28×28×1 images", s.text, s.h, s.w, s.c)
	}
	var req struct{ Instances []json.RawMessage }
	json.Unmarshal(s.sampleRequest(1), &req)
	var bright [][][]int // the right size, one value out of range
	json.Unmarshal(req.Instances[0], &bright)
	var pixels []uint8
	for _, row := range bright {
		for _, p := range row {
			pixels = append(pixels, uint8(p[0]))
		}
	}
	bright[3][4][0] = 300
	brightJSON, _ := json.Marshal(bright)
	body := fmt.Sprintf(`{"instances": [%s, [[[1]]], "a text", %s]}`, req.Instances[0], brightJSON)
	code, out := call(t, http.MethodPost, url, body)
	if code != http.StatusOK {
		t.Fatalf("status %d: %s", code, out["error"])
	}
	var preds []prediction
	json.Unmarshal(out["predictions"], &preds)
	if len(preds) != 4 || preds[0].Error != "" || len(preds[0].Probabilities) != 10 || preds[0].Label == "" {
		t.Fatalf("predictions %+v", preds)
	}
	sm, err := export.Load(dir, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer sm.Close()
	in, _ := tf.NewTensor(pixels)
	in.Reshape([]int64{1, 28, 28, 1})
	want, err := sm.Run(export.DefaultSignature, map[string]*tf.Tensor{export.InputImages: in})
	if err != nil {
		t.Fatal(err)
	}
	if p := graphs.Value(want[export.OutputProbability]).([]float32)[0]; *preds[0].Probability != p {
		t.Errorf("the image: probability %v, the SavedModel's %v", *preds[0].Probability, p)
	}
	for i, want := range map[int]string{1: "the image has 1 rows, the model takes 28×28×1", 2: "want an image as [height][width][channels]", 3: "pixel (3, 4) has value 300, want 0–255"} {
		if !strings.Contains(preds[i].Error, want) {
			t.Errorf("instance %d: %q, want an error saying %q", i, preds[i].Error, want)
		}
	}
}
