package classifier

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/internal/runtest"
	"github.com/tfrun/tfrun/runner"
	"github.com/tfrun/tfrun/tensorboard"
)

// The diabetes table (../shared/data/tabular, 442 rows) with configs/diabetes_regression.yaml's
// 20% validation split: 354 training rows, 12 batches of 32 per pass, 88 validation rows.
const diabetesPassBatches = 12

// diabetesConfig is configs/diabetes_regression.yaml on the shared diabetes.csv, for
// epochs epochs, with train's YAML lines extra added; it skips the test when the table is
// not there.
func diabetesConfig(t *testing.T, epochs int, extra string) *configs.Config {
	t.Helper()
	csv, err := filepath.Abs("../../shared/data/tabular/diabetes.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(csv); errors.Is(err, fs.ErrNotExist) {
		t.Skipf("the shared diabetes table is not there: %v", err)
	}
	yaml, err := os.ReadFile("../configs/diabetes_regression.yaml")
	if err != nil {
		t.Fatal(err)
	}
	body := strings.Replace(string(yaml), "../shared/data/tabular/diabetes.csv", csv, 1)
	body = strings.Replace(body, "  epochs: 150\n", "  epochs: "+strconv.Itoa(epochs)+"\n"+extra, 1)
	return runtest.LoadConfig(t, body)
}

// runDiabetes trains cfg single-threaded into dir and returns its log.
func runDiabetes(t *testing.T, ctx context.Context, cfg *configs.Config, dir string, edit func(*runner.Options)) (string, error) {
	t.Helper()
	var log strings.Builder
	o := runner.Options{OutDir: dir, Threads: 1, Out: &log}
	if edit != nil {
		edit(&o)
	}
	_, err := Run(ctx, cfg, o)
	return log.String(), err
}

// latestStep is the global step of dir's latest checkpoint.
func latestStep(t *testing.T, dir string) string {
	t.Helper()
	latest, err := checkpoints.Latest(checkpoints.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Base(latest)
}

// fitRun is one finished run of the diabetes model for the behaviour tests.
type fitRun struct {
	log     string
	hist    *runner.History
	csvLog  string // CSVLogger's training.log
	ckpt    string // the final checkpoint's name: ckpt-<global step>
	dataDir string
}

// fitDiabetes trains the diabetes model with train's YAML lines extra, and a CSVLogger
// besides the callbacks more (YAML flow items).
func fitDiabetes(t *testing.T, epochs int, extra, more string) fitRun {
	t.Helper()
	cfg := diabetesConfig(t, epochs, extra+"  callbacks: [{type: CSVLogger}"+more+"]\n")
	dir := t.TempDir()
	log, err := runDiabetes(t, context.Background(), cfg, dir, nil)
	if err != nil {
		t.Fatalf("%v\n%s", err, log)
	}
	csv, err := os.ReadFile(filepath.Join(dir, "training.log"))
	if err != nil {
		t.Fatal(err)
	}
	return fitRun{log: log, hist: runtest.HistoryWithoutSeconds(t, dir), csvLog: string(csv), ckpt: latestStep(t, dir), dataDir: dir}
}

// isNaN reports which of a history series' values are missing (NaN, null in JSON).
func missing(s []float64) []bool {
	out := make([]bool, len(s))
	for i, v := range s {
		out[i] = math.IsNaN(v)
	}
	return out
}

// steps_per_epoch, validation_freq, validation_steps and initial_epoch change what Keras's
// would: the steps each epoch trains, which epochs have val_ metrics, what validation
// sees, which epochs run and how they are numbered.
func TestFitArgsBehaviour(t *testing.T) {
	base := fitDiabetes(t, 4, "", "")
	if base.ckpt != checkpoints.Name(4*diabetesPassBatches) {
		t.Fatalf("4 epochs without steps_per_epoch end at %s, want %s (12 batches a pass)", base.ckpt, checkpoints.Name(4*diabetesPassBatches))
	}

	t.Run("steps_per_epoch", func(t *testing.T) {
		r := fitDiabetes(t, 6, "  steps_per_epoch: 5\n", "")
		// Epochs of 5, 5, 2 (the pass runs out), 5, 5, 2 batches.
		if want := checkpoints.Name(24); r.ckpt != want {
			t.Errorf("final checkpoint %s, want %s (5+5+2+5+5+2 steps)", r.ckpt, want)
		}
		if !strings.Contains(r.log, "a pass over the 354 training examples is 12 batches, not a multiple of train.steps_per_epoch 5: one epoch in 3 ends with the pass, after 2 steps") {
			t.Errorf("no note on the short epochs in the log:\n%s", r.log)
		}
		if !slices.Equal(r.hist.Epochs, []int{1, 2, 3, 4, 5, 6}) {
			t.Errorf("history epochs %v", r.hist.Epochs)
		}
		more := fitDiabetes(t, 2, "  steps_per_epoch: 20\n", "")
		if want := checkpoints.Name(24); more.ckpt != want || !strings.Contains(more.log, "is more than the 12 batches") {
			t.Errorf("steps_per_epoch 20 > 12 batches: final %s (want %s, each epoch one pass); log:\n%s", more.ckpt, want, more.log)
		}
		exact := fitDiabetes(t, 4, "  steps_per_epoch: 12\n", "")
		if !runtest.SameHistory(exact.hist, base.hist) || strings.Contains(exact.log, "Note: ") {
			t.Errorf("steps_per_epoch 12 (= a pass) differs from no steps_per_epoch:\n%+v\n%+v\n%s", exact.hist, base.hist, exact.log)
		}
	})

	t.Run("validation_freq", func(t *testing.T) {
		for _, c := range []struct {
			freq string
			want []bool // which epochs lack val_ metrics
		}{
			{"2", []bool{true, false, true, false}},
			{"[1, 4]", []bool{false, true, true, false}},
		} {
			r := fitDiabetes(t, 4, "  validation_freq: "+c.freq+"\n", "")
			for _, k := range []string{"val_loss", "val_mae", "val_r2_score"} {
				if got := missing(r.hist.Metrics[k]); !slices.Equal(got, c.want) {
					t.Errorf("validation_freq %s: %s missing at epochs %v, want %v", c.freq, k, got, c.want)
				}
			}
			if !slices.Equal(r.hist.Metrics["loss"], base.hist.Metrics["loss"]) {
				t.Errorf("validation_freq %s changed the training loss: %v, want %v", c.freq, r.hist.Metrics["loss"], base.hist.Metrics["loss"])
			}
			rows := strings.Split(strings.TrimSpace(r.csvLog), "\n")[1:]
			for i, row := range rows {
				if na := strings.Contains(row, "NA"); na != c.want[i] {
					t.Errorf("validation_freq %s: CSVLogger row %q: NA %t, want %t", c.freq, row, na, c.want[i])
				}
			}
		}
		// val_loss monitors act on the epochs that validate only, as Keras's do: with
		// patience 1 EarlyStopping stops after epoch 4 at the earliest (the second
		// validated epoch), never with an error on the epochs between.
		r := fitDiabetes(t, 6, "  validation_freq: 2\n", ", {type: EarlyStopping, monitor: val_loss, patience: 1, min_delta: 1000000}, {type: ReduceLROnPlateau, monitor: val_loss, patience: 1}, {type: ModelCheckpoint, monitor: val_loss, save_best_only: true}")
		if !slices.Equal(r.hist.Epochs, []int{1, 2, 3, 4}) || !strings.Contains(r.log, "Epoch 4: early stopping") {
			t.Errorf("EarlyStopping(val_loss, patience 1, min_delta 1e6) with validation_freq 2 ran epochs %v, want to stop after 4:\n%s", r.hist.Epochs, r.log)
		}
	})

	t.Run("validation_steps", func(t *testing.T) {
		r := fitDiabetes(t, 4, "  validation_steps: 1\n", "")
		if !slices.Equal(r.hist.Metrics["loss"], base.hist.Metrics["loss"]) {
			t.Errorf("validation_steps changed the training loss")
		}
		for i, v := range r.hist.Metrics["val_loss"] {
			if v == base.hist.Metrics["val_loss"][i] || math.IsNaN(v) {
				t.Errorf("epoch %d: val_loss %g on one batch of validation, %g on all 88 rows: want a different finite value", i+1, v, base.hist.Metrics["val_loss"][i])
			}
		}
		all := fitDiabetes(t, 4, "  validation_steps: 3\n", "") // 3 batches of 32 ≥ 88 rows: all of them
		if !runtest.SameHistory(all.hist, base.hist) {
			t.Errorf("validation_steps 3 (96 ≥ 88 rows) differs from validating on all rows")
		}
	})

	t.Run("initial_epoch", func(t *testing.T) {
		r := fitDiabetes(t, 4, "  initial_epoch: 2\n", ", {type: TensorBoard}")
		if !slices.Equal(r.hist.Epochs, []int{3, 4}) {
			t.Errorf("history epochs %v, want [3 4]", r.hist.Epochs)
		}
		if want := checkpoints.Name(2 * diabetesPassBatches); r.ckpt != want {
			t.Errorf("final checkpoint %s, want %s (two epochs trained)", r.ckpt, want)
		}
		if strings.Contains(r.log, "Epoch 1/4") || !strings.Contains(r.log, "Epoch 3/4") || !strings.Contains(r.log, "Epoch 4/4") {
			t.Errorf("progress lines: want Epoch 3/4 and 4/4 only:\n%s", r.log)
		}
		var epochs []string
		for _, row := range strings.Split(strings.TrimSpace(r.csvLog), "\n")[1:] {
			epochs = append(epochs, strings.SplitN(row, ",", 2)[0])
		}
		if !slices.Equal(epochs, []string{"2", "3"}) { // Keras's CSVLogger: the 0-based epoch
			t.Errorf("CSVLogger epochs %v, want [2 3]", epochs)
		}
		// TensorBoard: epoch points at Keras's 0-based epoch, batch points at the step.
		files, err := tensorboard.Files(filepath.Join(r.dataDir, "logs", "train"))
		if err != nil || len(files) == 0 {
			t.Fatalf("TensorBoard files: %v, %v", files, err)
		}
		var steps []int64
		for _, f := range files {
			events, err := tensorboard.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range events {
				for _, v := range e.GetSummary().GetValue() {
					if v.Tag == "epoch_loss" {
						steps = append(steps, e.Step)
					}
				}
			}
		}
		if !slices.Equal(steps, []int64{2, 3}) {
			t.Errorf("TensorBoard epoch_loss at steps %v, want [2 3]", steps)
		}
	})
}

// A run with steps_per_epoch stopped at an epoch boundary in the middle of a pass, in the
// middle of an epoch, or in the pass's short last epoch, and resumed, ends bit for bit as
// the uninterrupted run: the resumed run goes on at the same place of the same pass. So
// does a run started at initial_epoch, whose -resume ignores initial_epoch.
func TestFitArgsResumeBitForBit(t *testing.T) {
	oneEpoch := func(o *runner.Options) { o.Epochs = 1 }
	for _, c := range []struct {
		name, extra string
		epochs      int
		final       int64
		ctx         context.Context       // the first part's; nil: not interrupted
		edit        func(*runner.Options) // the first part's options
		at          runner.Position       // where the first part leaves the run
	}{
		{"steps_per_epoch/epoch_boundary_mid_pass", "  steps_per_epoch: 5\n", 6, 24, nil, oneEpoch, runner.Position{Epoch: 1}},
		{"steps_per_epoch/mid_epoch", "  steps_per_epoch: 5\n", 6, 24, runtest.InterruptAt(7), nil, runner.Position{Epoch: 1, Batch: 2}},
		{"steps_per_epoch/short_epoch", "  steps_per_epoch: 5\n", 6, 24, runtest.InterruptAt(11), nil, runner.Position{Epoch: 2, Batch: 1}},
		{"initial_epoch/mid_epoch", "  initial_epoch: 2\n  steps_per_epoch: 7\n", 5, 7 + 5 + 7, runtest.InterruptAt(9), nil, runner.Position{Epoch: 3, Batch: 2}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := diabetesConfig(t, c.epochs, c.extra)
			cfg.Checkpoint.Every = 1
			final := checkpoints.Name(c.final)
			straight := t.TempDir()
			if log, err := runDiabetes(t, context.Background(), cfg, straight, nil); err != nil {
				t.Fatalf("%v\n%s", err, log)
			}
			want, err := os.ReadFile(checkpoints.DataFile(filepath.Join(checkpoints.Dir(straight), final), 0, 1))
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			ctx := c.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			log, err := runDiabetes(t, ctx, cfg, dir, c.edit)
			var ie *runner.InterruptedError
			switch {
			case c.ctx == nil && err != nil:
				t.Fatalf("%v\n%s", err, log)
			case c.ctx != nil && (!errors.As(err, &ie) || ie.At.Epoch != c.at.Epoch || ie.At.Batch != c.at.Batch):
				t.Fatalf("err %v, want an interruption at %+v", err, c.at)
			}
			log, err = runDiabetes(t, context.Background(), cfg, dir, func(o *runner.Options) { o.Resume = true })
			if err != nil {
				t.Fatalf("-resume: %v\n%s", err, log)
			}
			got, err := os.ReadFile(checkpoints.DataFile(filepath.Join(checkpoints.Dir(dir), final), 0, 1))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("the resumed run's %s differs from the uninterrupted run's", final)
			}
			if h, w := runtest.HistoryWithoutSeconds(t, dir), runtest.HistoryWithoutSeconds(t, straight); !runtest.SameHistory(h, w) {
				t.Errorf("history\n got %+v\nwant %+v", h, w)
			}
			if cfg.Supervised().Train.InitialEpoch != 0 && !strings.Contains(log, "Note: initial epoch 2 is not used") {
				t.Errorf("the resumed run's log does not say initial_epoch is not used:\n%s", log)
			}
		})
	}
}

// Resuming in the middle of a pass under another steps_per_epoch is refused (the data
// position would be lost); at the end of a pass it starts a new pass under the new one.
func TestFitArgsResumeChangedSteps(t *testing.T) {
	cfg := diabetesConfig(t, 6, "  steps_per_epoch: 5\n")
	for _, c := range []struct {
		first  int // epochs the first part trains
		steps  int // the resumed run's steps_per_epoch
		refuse bool
		final  int64
	}{
		{1, 4, true, 0},
		{3, 4, false, 12 + 3*4}, // epochs 1..3 are one pass (5+5+2)
	} {
		dir := t.TempDir()
		if log, err := runDiabetes(t, context.Background(), cfg, dir, func(o *runner.Options) { o.Epochs = c.first }); err != nil {
			t.Fatalf("%v\n%s", err, log)
		}
		changed := *cfg
		sup := *cfg.Supervised() // the section is a pointer: change a copy
		sup.Train.StepsPerEpoch = &c.steps
		changed.Section = &sup
		log, err := runDiabetes(t, context.Background(), &changed, dir, func(o *runner.Options) { o.Resume = true })
		if c.refuse {
			if !errors.Is(err, runner.ErrResumeOptions) || !strings.Contains(err.Error(), "resume with the checkpoint's") {
				t.Errorf("after %d epochs, -resume with steps_per_epoch %d: err %v, want ErrResumeOptions", c.first, c.steps, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("after %d epochs, -resume with steps_per_epoch %d: %v\n%s", c.first, c.steps, err, log)
		}
		if got := latestStep(t, dir); got != checkpoints.Name(c.final) {
			t.Errorf("after %d epochs, -resume with steps_per_epoch %d ends at %s, want %s", c.first, c.steps, got, checkpoints.Name(c.final))
		}
	}
}

// An image folder streamed from disk follows steps_per_epoch and shuffle as the same folder
// decoded into memory does, bit for bit, and every step is served by the read-ahead the
// loop planned for the epoch's slice of its pass (none read on demand).
func TestFitArgsStreamedImages(t *testing.T) {
	dir := t.TempDir()
	runtest.OwnImages(t, filepath.Join(dir, "train"), colours, 14, 8, 1)
	histories := map[bool]*runner.History{}
	for _, shuffle := range []bool{true, false} {
		t.Run("shuffle_"+strconv.FormatBool(shuffle), func(t *testing.T) {
			run := func(cache bool) (*runner.History, string) {
				cfg := runtest.LoadConfig(t, `name: own_images
task: classifier
data: {format: image_directory, path: `+filepath.Join(dir, "train")+`, image_size: [6, 6], cache: `+strconv.FormatBool(cache)+`, validation_split: 0.25}
model:
  layers:
    - {type: Flatten}
    - {type: Dense, units: 3, activation: softmax}
train: {epochs: 4, batch_size: 4, steps_per_epoch: 3, shuffle: `+strconv.FormatBool(shuffle)+`, loss: sparse_categorical_crossentropy, optimizer: {type: Adam, learning_rate: 0.02}}
`)
				out := t.TempDir()
				log, err := runDiabetes(t, context.Background(), cfg, out, nil)
				if err != nil {
					t.Fatalf("cache %v: %v\n%s", cache, err, log)
				}
				if got, want := latestStep(t, out), checkpoints.Name(3+3+2+3); got != want {
					t.Errorf("cache %v: final %s, want %s (32 images, 8 batches a pass: epochs of 3, 3, 2, 3)", cache, got, want)
				}
				return runtest.HistoryWithoutSeconds(t, out), log
			}
			cached, _ := run(true)
			streamed, log := run(false)
			if !runtest.SameHistory(cached, streamed) {
				t.Errorf("streamed history differs from the cached one:\n%+v\n%+v", streamed, cached)
			}
			histories[shuffle] = cached
			m := streamedLine.FindStringSubmatch(log)
			if m == nil || m[1] != "train" || m[2] != "11" || m[3] != "0" {
				t.Errorf("train stream: %q; want 11 batches read ahead, 0 on demand:\n%s", m, log)
			}
		})
	}
	if h := histories[true]; h != nil && runtest.SameHistory(h, histories[false]) {
		t.Error("shuffle: true and false trained alike: the order did not change")
	}
}

// -epochs replaces train.epochs after the config was checked: a fresh run it leaves with
// nothing to train after initial_epoch is refused before anything is built.
func TestFitArgsInitialEpochAgainstEpochsFlag(t *testing.T) {
	cfg := diabetesConfig(t, 4, "  initial_epoch: 2\n")
	log, err := runDiabetes(t, context.Background(), cfg, t.TempDir(), func(o *runner.Options) { o.Epochs = 2 })
	if err == nil || !strings.Contains(err.Error(), "initial epoch 2 >= epochs 2: nothing to train") || strings.Contains(log, "Epoch ") {
		t.Errorf("-epochs 2 with initial_epoch 2: err %v; want it refused before training\n%s", err, log)
	}
}
