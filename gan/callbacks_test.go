package gan

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/internal/runtest"
	"github.com/tfrun/tfrun/runner"
	"github.com/tfrun/tfrun/tensorboard"
)

const callbacksYAML = `train:
  callbacks:
    - {type: TensorBoard, update_freq: 2, histogram_freq: 1}
    - CSVLogger
    - {type: ModelCheckpoint, monitor: gen_loss, save_best_only: true}
`

// tbPoints reads every scalar, image and histogram point of an event directory by tag,
// and whether it holds a graph.
func tbPoints(t *testing.T, dir string) (scalars map[string]map[int64]float32, steps map[string][]int64, graph bool) {
	t.Helper()
	files, err := tensorboard.Files(dir)
	if err != nil {
		t.Fatal(err)
	}
	scalars, steps = map[string]map[int64]float32{}, map[string][]int64{}
	for _, f := range files {
		events, err := tensorboard.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			if len(e.GetGraphDef()) > 0 {
				graph = true
			}
			for _, v := range e.GetSummary().GetValue() {
				steps[v.Tag] = append(steps[v.Tag], e.Step)
				if v.GetImage() == nil && v.GetHisto() == nil {
					if scalars[v.Tag] == nil {
						scalars[v.Tag] = map[int64]float32{}
					}
					scalars[v.Tag][e.Step] = v.GetSimpleValue()
				}
			}
		}
	}
	return scalars, steps, graph
}

// A GAN run with TensorBoard, CSVLogger and ModelCheckpoint: the event files hold Keras's
// tags at Keras's steps with the history's values, the sample grids and weight histograms
// and the graph; the CSV log has a row per epoch; the best checkpoint exists. Stopped in
// the middle of epoch 2 and resumed, it writes the same points, none twice.
func TestGANCallbacks(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on MNIST")
	}
	cfg := runtest.LoadConfig(t, resumeGAN+callbacksYAML)
	run := func(ctx context.Context, dir string, resume bool) error {
		return Run(ctx, cfg, runner.Options{OutDir: dir, Limit: 128, Threads: 1, Resume: resume})
	}
	straight := t.TempDir()
	if err := run(context.Background(), straight, false); err != nil {
		if errors.Is(err, datasets.ErrDataSetNotFound) {
			t.Skipf("MNIST not available: %v", err)
		}
		t.Fatal(err)
	}
	hist := runtest.HistoryWithoutSeconds(t, straight)
	scalars, steps, graph := tbPoints(t, filepath.Join(straight, "logs", "train"))
	for _, k := range []string{"gen_loss", "disc_loss", "real_accuracy", "fake_accuracy", "gen_learning_rate", "disc_learning_rate"} {
		got := scalars["epoch_"+k]
		if len(got) != 2 {
			t.Errorf("epoch_%s: %v, want steps 0 and 1", k, got)
			continue
		}
		for i, want := range hist.Metrics[k] {
			if g := got[int64(i)]; math.Abs(float64(g)-want) > 1e-6*math.Max(1, math.Abs(want)) {
				t.Errorf("epoch_%s at step %d: %g, history says %g", k, i, g, want)
			}
		}
	}
	// update_freq 2: batch points at global steps 2, 4, 6, 8 (4 steps an epoch).
	if got := steps["batch_gen_loss"]; !slices.Equal(got, []int64{2, 4, 6, 8}) {
		t.Errorf("batch_gen_loss at steps %v, want [2 4 6 8]", got)
	}
	if got := steps["samples"]; !slices.Equal(got, []int64{0, 1}) {
		t.Errorf("sample grids at steps %v, want [0 1]", got)
	}
	if got := steps["generator/dense/kernel/histogram"]; !slices.Equal(got, []int64{0, 1}) {
		t.Errorf("generator/dense/kernel histograms at steps %v, want [0 1]", got)
	}
	if !graph {
		t.Error("no graph in the train events")
	}
	csv, err := os.ReadFile(filepath.Join(straight, "training.log"))
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(string(csv)), "\n"); len(lines) != 3 || !strings.HasPrefix(lines[0], "epoch,disc_learning_rate,disc_loss,") {
		t.Errorf("training.log:\n%s\nwant a header and 2 rows", csv)
	}
	if best, err := checkpoints.Latest(checkpoints.BestDir(straight)); err != nil || best == "" {
		t.Errorf("best checkpoint: %q, %v", best, err)
	}

	dir := t.TempDir()
	if err := run(runtest.InterruptAt(6), dir, false); !errors.Is(err, runner.ErrInterrupted) {
		t.Fatalf("err = %v, want an interruption", err)
	}
	if err := run(context.Background(), dir, true); err != nil {
		t.Fatal(err)
	}
	gotScalars, gotSteps, _ := tbPoints(t, filepath.Join(dir, "logs", "train"))
	for tag, want := range steps {
		if got := gotSteps[tag]; !slices.Equal(got, want) {
			t.Errorf("resumed run: %s at steps %v, want %v (no duplicates)", tag, got, want)
		}
	}
	for tag, want := range scalars {
		if strings.HasPrefix(tag, "epoch_") {
			for s, v := range want {
				if gotScalars[tag][s] != v {
					t.Errorf("resumed run: %s at step %d = %g, uninterrupted %g", tag, s, gotScalars[tag][s], v)
				}
			}
		}
	}
	csv2, err := os.ReadFile(filepath.Join(dir, "training.log"))
	if err != nil {
		t.Fatal(err)
	}
	if string(csv2) != string(csv) {
		t.Errorf("resumed training.log:\n%s\nuninterrupted:\n%s", csv2, csv)
	}
}
