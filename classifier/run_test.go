package classifier

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/internal/runtest"
	"github.com/tfrun/tfrun/runner"
)

// tinyYAML is a small IMDB model with everything a checkpoint must carry: dropout (the
// step counter's random streams), Adam (slots, iterations), ReduceLROnPlateau (the
// learning rate, its counters), EarlyStopping with best weights and stateful metrics (a
// partial epoch's confusion counts). With -limit 300 and a 20% validation split an epoch
// is 8 steps.
const tinyYAML = `name: tiny
task: classifier
seed: 7
data: {dataset: imdb, num_words: 2000, maxlen: 40}
model:
  layers:
    - {type: Embedding, input_dim: 2000, output_dim: 16}
    - {type: Dropout, rate: 0.2}
    - {type: LSTM, units: 8}
    - {type: Dense, units: 1, activation: sigmoid}
train:
  epochs: 3
  batch_size: 32
  validation_split: 0.2
  metrics: [accuracy, AUC, Precision, Recall]
  optimizer: {type: Adam, learning_rate: 0.01}
  callbacks:
    - {type: ReduceLROnPlateau, monitor: val_loss, factor: 0.5, patience: 1}
    - {type: EarlyStopping, monitor: val_loss, patience: 5, restore_best_weights: true}
checkpoint: {every: 1, keep: 3}
`

const tinyLimit, tinyStepsPerEpoch = 300, 8

// runTiny runs cfg on the IMDB slice in dir, single-threaded; it skips the test when the
// data set is not available.
func runTiny(t *testing.T, ctx context.Context, cfg *configs.Config, dir string, edit func(*runner.Options)) (*Metrics, error) {
	t.Helper()
	o := runner.Options{Limit: tinyLimit, OutDir: dir, Threads: 1}
	if edit != nil {
		edit(&o)
	}
	m, err := Run(ctx, cfg, o)
	if errors.Is(err, datasets.ErrDataSetNotFound) {
		t.Skipf("IMDB not available: %v", err)
	}
	return m, err
}

// A run trained N epochs straight and the same run stopped and resumed (at an epoch
// boundary, and in the middle of an epoch) end with bit-identical variables, optimizer
// state, EarlyStopping best weights, history and test metrics.
func TestResumeEqualsUninterrupted(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on IMDB")
	}
	cfg := runtest.LoadConfig(t, tinyYAML)
	final := checkpoints.Name(3 * tinyStepsPerEpoch)
	straight := t.TempDir()
	want, err := runTiny(t, context.Background(), cfg, straight, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantData, err := os.ReadFile(checkpoints.DataFile(filepath.Join(checkpoints.Dir(straight), final), 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	wantHist := runtest.HistoryWithoutSeconds(t, straight)
	if len(wantHist.Epochs) != 3 {
		t.Fatalf("the straight run trained %v epochs, want 3", wantHist.Epochs)
	}

	cases := []struct {
		name string
		stop func(t *testing.T, dir string) // the first, interrupted part
	}{
		{"epoch_boundary", func(t *testing.T, dir string) {
			if _, err := runTiny(t, context.Background(), cfg, dir, func(o *runner.Options) { o.Epochs = 1 }); err != nil {
				t.Fatal(err)
			}
		}},
		{"mid_epoch", func(t *testing.T, dir string) {
			_, err := runTiny(t, runtest.InterruptAt(13), cfg, dir, nil)
			var ie *runner.InterruptedError
			if !errors.As(err, &ie) || ie.At.Epoch != 1 || ie.At.Batch != 5 {
				t.Fatalf("err = %v, want an interruption at epoch 2, step 5", err)
			}
			if latest, _ := checkpoints.Latest(checkpoints.Dir(dir)); filepath.Base(latest) != "ckpt-13" {
				t.Fatalf("latest checkpoint after the interruption: %q, want ckpt-13", latest)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.stop(t, dir)
			got, err := runTiny(t, context.Background(), cfg, dir, func(o *runner.Options) { o.Resume = true })
			if err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(checkpoints.DataFile(filepath.Join(checkpoints.Dir(dir), final), 0, 1))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(data, wantData) {
				t.Errorf("%s differs from the uninterrupted run's", final)
			}
			if h := runtest.HistoryWithoutSeconds(t, dir); !runtest.SameHistory(h, wantHist) {
				t.Errorf("history\n got %+v\nwant %+v", h, wantHist)
			}
			if got.TestLoss != want.TestLoss || got.TestAccuracy != want.TestAccuracy || got.EpochsRun != 3 {
				t.Errorf("metrics %+v, want %+v", got, want)
			}
		})
	}
}

// setLR is a test callback that sets the learning rate after a given epoch.
type setLR struct {
	runner.NopCallback
	after int
	lr    float64
}

func (c *setLR) Name() string { return "setLR" }
func (c *setLR) OnEpochEnd(t runner.Trainer, epoch int, _ runner.Logs) ([]string, error) {
	if epoch == c.after {
		return nil, t.SetLearningRate(c.lr)
	}
	return nil, nil
}

// poison is a test callback that puts a NaN into the first weight after a given epoch.
type poison struct {
	runner.NopCallback
	after int
}

func (c *poison) Name() string { return "poison" }
func (c *poison) OnEpochEnd(t runner.Trainer, epoch int, _ runner.Logs) ([]string, error) {
	if epoch != c.after {
		return nil, nil
	}
	w, err := t.Weights()
	if err != nil {
		return nil, err
	}
	ts := w
	vals := graphs.Float64s(ts[0])
	vals[0] = math.NaN()
	f32 := make([]float32, len(vals))
	for i, v := range vals {
		f32[i] = float32(v)
	}
	bad, err := graphs.NewTensor(f32, ts[0].Shape()...)
	if err != nil {
		return nil, err
	}
	ts[0] = bad
	return nil, t.SetWeights(ts)
}

// A diverging run stops on the NaN loss (TerminateOnNaN) and a broken state is never saved:
// the last good checkpoint stays the latest and loads.
func TestNaNKeepsLastGoodCheckpoint(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on IMDB")
	}
	cfg := runtest.LoadConfig(t, tinyYAML)
	cases := []struct {
		name string
		cb   runner.Callback
		want []string
		good string // the latest checkpoint afterwards
	}{
		// A huge learning rate after epoch 2 (saved: it is finite) drives the loss to
		// infinity in epoch 3.
		{"nan_loss", &setLR{after: 1, lr: 1e38}, []string{"epoch 3, batch", "loss is", "TerminateOnNaN", "ckpt-16, is kept"}, "ckpt-16"},
		// A NaN weight at the end of epoch 2 is refused by that epoch's save.
		{"nan_weight", &poison{after: 1}, []string{"not saved: NaN or Inf in sequential/embedding/embeddings", "ckpt-8 is intact"}, "ckpt-8"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			_, err := runTiny(t, context.Background(), cfg, dir, func(o *runner.Options) { o.Callbacks = []runner.Callback{tc.cb} })
			if err == nil {
				t.Fatal("the run succeeded")
			}
			t.Logf("the run says: %v", err)
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q", w)
				}
			}
			latest, err := checkpoints.Latest(checkpoints.Dir(dir))
			if err != nil || filepath.Base(latest) != tc.good {
				t.Fatalf("latest = %q, %v; want %s", latest, err, tc.good)
			}
			if _, err := checkpoints.Inspect(latest); err != nil {
				t.Fatal(err)
			}
			if _, err := runTiny(t, context.Background(), cfg, dir, func(o *runner.Options) { o.Resume = true; o.Epochs = 2 }); err != nil {
				t.Fatalf("resuming from %s: %v", tc.good, err)
			}
		})
	}
}

// The -resume policy: nothing to resume, a directory with checkpoints and no -resume, a
// checkpoint of another config, a damaged checkpoint and other options are errors that
// change nothing; -resume-or-start starts fresh.
func TestResumeRefusals(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on IMDB")
	}
	cfg := runtest.LoadConfig(t, tinyYAML)
	dir := t.TempDir()
	if _, err := runTiny(t, context.Background(), cfg, dir, func(o *runner.Options) { o.Epochs = 1 }); err != nil {
		t.Fatal(err)
	}
	other := runtest.LoadConfig(t, strings.Replace(tinyYAML, "output_dim: 16", "output_dim: 12", 1))
	seed := int64(99)
	cases := []struct {
		name  string
		cfg   *configs.Config
		edit  func(o *runner.Options)
		setup func(t *testing.T, dir string)
		kind  error
		want  []string
	}{
		{"no_checkpoint", cfg, func(o *runner.Options) { o.Resume = true; o.OutDir = t.TempDir() }, nil, checkpoints.ErrNoCheckpoint, []string{"-resume-or-start"}},
		{"checkpoints_exist", cfg, nil, nil, checkpoints.ErrCheckpointsExist, []string{"ckpt-8 (latest)", "-resume"}},
		{"other_config", other, func(o *runner.Options) { o.Resume = true }, nil, checkpoints.ErrMismatch,
			[]string{"another model: model.layers[0].output_dim: 16 in the checkpoint, 12 now", "fingerprint", "tiny.yaml"}},
		{"other_limit", cfg, func(o *runner.Options) { o.Resume = true; o.Limit = 100 }, nil, runner.ErrResumeOptions, []string{"-limit 100", "-limit 300"}},
		{"other_seed", cfg, func(o *runner.Options) { o.Resume = true; o.Seed = &seed }, nil, runner.ErrResumeOptions, []string{"-seed 99", "seed 7"}},
		{"truncated", cfg, func(o *runner.Options) { o.Resume = true }, func(t *testing.T, dir string) {
			p := checkpoints.DataFile(filepath.Join(checkpoints.Dir(dir), "ckpt-8"), 0, 1)
			fi, _ := os.Stat(p)
			os.Truncate(p, fi.Size()/2)
		}, checkpoints.ErrCorrupt, []string{"ckpt-8.data-00000-of-00001", "truncated", "nothing was changed"}},
		{"foreign", cfg, func(o *runner.Options) { o.Resume = true }, func(t *testing.T, dir string) {
			os.Remove(checkpoints.SidecarFile(filepath.Join(checkpoints.Dir(dir), "ckpt-8")))
		}, checkpoints.ErrCorrupt, []string{"ckpt-8.json is missing", "not written by tfrun"}},
		{"earlier_format", cfg, func(o *runner.Options) { o.Resume = true }, func(t *testing.T, dir string) {
			p := checkpoints.SidecarFile(filepath.Join(checkpoints.Dir(dir), "ckpt-8"))
			b, _ := os.ReadFile(p)
			if !bytes.Contains(b, []byte(`"tfrun-run-2"`)) {
				t.Fatalf("%s has no run state format tag", p)
			}
			os.WriteFile(p, bytes.Replace(b, []byte(`"tfrun-run-2"`), []byte(`"tfrun-run-1"`), 1), 0o644)
		}, checkpoints.ErrMismatch, []string{"ckpt-8", "earlier tfrun", "tfrun-run-1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := filepath.Join(t.TempDir(), "run")
			copyTree(t, dir, d)
			if tc.setup != nil {
				tc.setup(t, d)
			}
			before := snapshotTree(t, d)
			_, err := runTiny(t, context.Background(), tc.cfg, d, tc.edit)
			if !errors.Is(err, tc.kind) {
				t.Fatalf("err = %v, want one wrapping %v", err, tc.kind)
			}
			t.Logf("the run says: %v", err)
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q", w)
				}
			}
			if after := snapshotTree(t, d); !maps2Equal(before, after) {
				t.Errorf("the refused run changed the run directory")
			}
		})
	}
	t.Run("resume_or_start", func(t *testing.T) {
		d := t.TempDir()
		if _, err := runTiny(t, context.Background(), cfg, d, func(o *runner.Options) { o.ResumeOrStart = true; o.Epochs = 1 }); err != nil {
			t.Fatal(err)
		}
		if latest, _ := checkpoints.Latest(checkpoints.Dir(d)); filepath.Base(latest) != "ckpt-8" {
			t.Errorf("latest = %q, want ckpt-8", latest)
		}
	})
	t.Run("directory_is_a_file", func(t *testing.T) {
		d := t.TempDir()
		os.WriteFile(checkpoints.Dir(d), []byte("x"), 0o644)
		_, err := runTiny(t, context.Background(), cfg, d, nil)
		if err == nil || !strings.Contains(err.Error(), "not a directory") {
			t.Fatalf("err = %v, want one saying checkpoints is not a directory", err)
		}
	})
}

// A disk that fills up during training stops the run with an error saying so; the
// checkpoints saved before are intact and the latest one loads.
func TestDiskFullDuringTraining(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on IMDB")
	}
	cfg := runtest.LoadConfig(t, strings.Replace(tinyYAML, "epochs: 3", "epochs: 6", 1))
	dir := t.TempDir()
	ck := checkpoints.Dir(dir)
	os.Mkdir(ck, 0o755)
	// One checkpoint of the tiny model with EarlyStopping's best weights is about 530 kB.
	if err := syscall.Mount("tmpfs", ck, "tmpfs", 0, "size=1200k"); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v): needs root with CAP_SYS_ADMIN; checkpoints' own tests cover failed writes with a file-size limit", err)
	}
	t.Cleanup(func() { syscall.Unmount(ck, syscall.MNT_DETACH) })
	_, err := runTiny(t, context.Background(), cfg, dir, nil)
	if err == nil {
		t.Fatal("the run succeeded on a full disk")
	}
	t.Logf("the run says: %v", err)
	for _, w := range []string{"No space left on device", "ckpt-24", "the earlier checkpoint " + filepath.Join(ck, "ckpt-16") + " is intact"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q", w)
		}
	}
	latest, err := checkpoints.Latest(ck)
	if err != nil || filepath.Base(latest) != "ckpt-16" {
		t.Fatalf("latest = %q, %v; want ckpt-16", latest, err)
	}
	if _, err := checkpoints.Inspect(latest); err != nil {
		t.Fatal(err)
	}
	if left, _ := filepath.Glob(filepath.Join(ck, "ckpt-24*")); len(left) > 0 {
		t.Errorf("the failed save left %v", left)
	}
}

// copyTree copies a directory tree of regular files.
func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// snapshotTree maps every file under dir to its contents.
func snapshotTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			out[p] = string(b)
		}
		return nil
	})
	return out
}

func maps2Equal(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// After EarlyStopping(restore_best_weights) the final checkpoint holds the weights the
// test evaluation used: a fresh model restored from it scores metrics.json's numbers
// exactly. (The last epoch's weights, which a resumed run continues from, ride along as
// _last_epoch/...; TestResumeEqualsUninterrupted covers continuing from them.)
func TestFinalCheckpointHoldsRestoredWeights(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on IMDB")
	}
	// patience 0 and a rising learning rate make epoch 3 worse than the best epoch, so the
	// restored weights differ from the last ones.
	cfg := runtest.LoadConfig(t, strings.Replace(tinyYAML, "learning_rate: 0.01", "learning_rate: 0.05", 1))
	dir := t.TempDir()
	m, err := runTiny(t, context.Background(), cfg, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, test, err := LoadData(cfg, "", "", tinyLimit)
	if err != nil {
		t.Fatal(err)
	}
	c, err := FromConfig(cfg, test.Shape, true, cfg.Seed, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	prefix, err := checkpoints.RestoreLatest(c.Graph(), c.Session(), runner.CheckpointOptions(cfg, dir))
	if err != nil {
		t.Fatal(err)
	}
	loss, acc, err := c.Evaluate(test, cfg.Supervised().Train.BatchSize)
	if err != nil {
		t.Fatal(err)
	}
	if loss != m.TestLoss || acc != m.TestAccuracy {
		t.Errorf("%s scores loss %v accuracy %v; metrics.json says %v, %v", prefix, loss, acc, m.TestLoss, m.TestAccuracy)
	}
	sc, err := checkpoints.Inspect(prefix)
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		LastEpochWeights bool `json:"last_epoch_weights"`
	}
	if err := json.Unmarshal(sc.State, &st); err != nil || !st.LastEpochWeights {
		t.Errorf("state %s: want last_epoch_weights true (the weights were restored)", sc.State)
	}
}

// A learning-rate schedule sets the rate of every step from the step counter, so a run
// interrupted mid-epoch and resumed ends bit-identical to one that ran straight, and the
// history's learning_rate is the schedule's value at each epoch's last step.
func TestScheduleResumeEqualsUninterrupted(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on IMDB")
	}
	body := strings.Replace(tinyYAML, "    - {type: ReduceLROnPlateau, monitor: val_loss, factor: 0.5, patience: 1}\n", "", 1)
	body = strings.Replace(body, "learning_rate: 0.01}", "learning_rate: {type: CosineDecay, initial_learning_rate: 0.0, warmup_target: 0.01, warmup_steps: 5, decay_steps: 15, alpha: 0.1}}", 1)
	cfg := runtest.LoadConfig(t, body)
	final := checkpoints.Name(3 * tinyStepsPerEpoch)
	straight := t.TempDir()
	if _, err := runTiny(t, context.Background(), cfg, straight, nil); err != nil {
		t.Fatal(err)
	}
	wantData, err := os.ReadFile(checkpoints.DataFile(filepath.Join(checkpoints.Dir(straight), final), 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	wantHist := runtest.HistoryWithoutSeconds(t, straight)
	for e, lr := range wantHist.Metrics["learning_rate"] {
		step := int64((e+1)*tinyStepsPerEpoch - 1)
		if want := float64(float32(cfg.Supervised().Train.Optimizer.Schedule.LearningRate(step))); lr != want {
			t.Errorf("epoch %d: learning_rate %v, want the schedule's at step %d, %v", e+1, lr, step, want)
		}
	}
	dir := t.TempDir()
	if _, err := runTiny(t, runtest.InterruptAt(13), cfg, dir, nil); !errorsAsInterrupted(err) {
		t.Fatalf("err = %v, want an interruption", err)
	}
	if _, err := runTiny(t, context.Background(), cfg, dir, func(o *runner.Options) { o.Resume = true }); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(checkpoints.DataFile(filepath.Join(checkpoints.Dir(dir), final), 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, wantData) {
		t.Errorf("%s differs from the uninterrupted run's", final)
	}
	if h := runtest.HistoryWithoutSeconds(t, dir); !runtest.SameHistory(h, wantHist) {
		t.Errorf("history\n got %+v\nwant %+v", h, wantHist)
	}
}

func errorsAsInterrupted(err error) bool {
	var ie *runner.InterruptedError
	return errors.As(err, &ie)
}
