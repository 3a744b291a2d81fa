package tensorboard

import (
	"encoding/json"
	"image"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/wamuir/graft/tensorflow/core/framework/graph_go_proto"
	"github.com/wamuir/graft/tensorflow/core/framework/node_def_go_proto"
	"google.golang.org/protobuf/proto"
)

// sampleEnv names the directory TestWriteSampleRuns writes to; unset, the
// test is skipped. check/README.md runs it to feed check/check_events.py.
const sampleEnv = "TFRUN_TENSORBOARD_SAMPLE"

// TestWriteSampleRuns writes two runs, laid out as tfrun lays out a run
// directory (logs/train, logs/validation, history.json), for
// check/check_events.py to check with TensorBoard's loader:
//
//   - good: epochs 1..5 logged, a crash during epoch 5 (a torn record), a
//     resume from the checkpoint of epoch 3 that Trims the logs, then epochs
//     4..6 logged again with new values. The checker must pass.
//   - untrimmed: the same without Trim. The checker must fail, since epochs
//     4 and 5 are logged twice.
//
// It is skipped unless $TFRUN_TENSORBOARD_SAMPLE names an output directory.
func TestWriteSampleRuns(t *testing.T) {
	out := os.Getenv(sampleEnv)
	if out == "" {
		t.Skipf("set %s to a directory to write sample runs for check/check_events.py", sampleEnv)
	}
	for _, tt := range []struct {
		name string
		trim bool
	}{
		{"good", true},
		{"untrimmed", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			run := filepath.Join(out, tt.name)
			if err := os.RemoveAll(run); err != nil {
				t.Fatal(err)
			}
			writeSampleRun(t, run, tt.trim)
			t.Logf("wrote %s", run)
		})
	}
}

// sampleMetrics returns the metrics of epoch (1-based) of attempt, the first
// run (0) or the resumed one (1), whose epochs 4 and 5 differ.
func sampleMetrics(epoch, attempt int) map[string]float64 {
	e := float64(epoch) + 0.37*float64(attempt)
	return map[string]float64{
		"loss":          1 / e,
		"accuracy":      1 - 0.5/e,
		"learning_rate": 1e-3 * math.Pow(0.5, float64(epoch-1)),
		"val_loss":      1.1 / e,
		"val_accuracy":  1 - 0.6/e,
		"seconds":       12.5,
	}
}

// missing are the values history.json lacks (null) and the logs do not hold.
var missing = map[string]int{"val_accuracy": 2}

func writeSampleRun(t *testing.T, run string, trim bool) {
	logs := filepath.Join(run, "logs")
	train := filepath.Join(logs, "train")
	validation := filepath.Join(logs, "validation")

	graph, err := proto.Marshal(&graph_go_proto.GraphDef{Node: []*node_def_go_proto.NodeDef{
		{Name: "x", Op: "Placeholder"},
		{Name: "dense/kernel", Op: "VarHandleOp"},
		{Name: "dense/MatMul", Op: "MatMul", Input: []string{"x", "dense/kernel"}},
	}})
	if err != nil {
		t.Fatal(err)
	}

	// logEpochs logs epochs first..last of attempt, as the Go side of
	// tfrun's TensorBoard callback will.
	logEpochs := func(attempt, first, last int, crash bool) {
		tw, err := NewWriter(train)
		if err != nil {
			t.Fatal(err)
		}
		vw, err := NewWriter(validation)
		if err != nil {
			t.Fatal(err)
		}
		if err := tw.Graph(graph); err != nil {
			t.Fatal(err)
		}
		for epoch := first; epoch <= last; epoch++ {
			step := int64(epoch - 1)
			m := sampleMetrics(epoch, attempt)
			for _, name := range []string{"loss", "accuracy", "learning_rate"} {
				must(t, tw.Scalar("epoch_"+name, step, m[name]))
			}
			for _, name := range []string{"loss", "accuracy"} {
				if missing["val_"+name] != epoch {
					must(t, vw.Scalar("epoch_"+name, step, m["val_"+name]))
				}
			}
			kernel := make([]float64, 64)
			for i := range kernel {
				kernel[i] = math.Sin(float64(i*epoch)) / float64(epoch+attempt)
			}
			must(t, tw.Histogram("dense/kernel/histogram", step, kernel))
			must(t, tw.Image("samples", step, sampleImage(epoch, attempt)))
			must(t, tw.Flush())
			must(t, vw.Flush())
		}
		must(t, tw.Close())
		must(t, vw.Close())
		if crash {
			// Tear the last record, as a crash mid-write does.
			data, err := os.ReadFile(tw.Path())
			if err != nil {
				t.Fatal(err)
			}
			must(t, os.WriteFile(tw.Path(), data[:len(data)-7], 0o644))
		}
	}

	const checkpoint, crashedAt, epochs = 3, 5, 6
	logEpochs(0, 1, crashedAt, true)
	if trim {
		keep := func(tag string, step int64) bool { return step < checkpoint }
		must(t, Trim(train, keep))
		must(t, Trim(validation, keep))
	}
	logEpochs(1, checkpoint+1, epochs, false)

	// history.json as the resumed run saves it.
	history := struct {
		Epochs  []int                 `json:"epochs"`
		Metrics map[string][]*float64 `json:"metrics"`
	}{Metrics: map[string][]*float64{}}
	for epoch := 1; epoch <= epochs; epoch++ {
		history.Epochs = append(history.Epochs, epoch)
		attempt := 0
		if epoch > checkpoint {
			attempt = 1
		}
		for name, v := range sampleMetrics(epoch, attempt) {
			if missing[name] == epoch {
				history.Metrics[name] = append(history.Metrics[name], nil)
				continue
			}
			history.Metrics[name] = append(history.Metrics[name], &v)
		}
	}
	data, err := json.MarshalIndent(history, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	must(t, os.WriteFile(filepath.Join(run, "history.json"), data, 0o644))
}

// sampleImage returns a small RGB picture that differs by epoch and attempt.
func sampleImage(epoch, attempt int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 24, 16))
	for y := range 16 {
		for x := range 24 {
			img.Set(x, y, color.RGBA{uint8(10 * x), uint8(15 * y), uint8(40*epoch + 100*attempt), 255})
		}
	}
	return img
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
