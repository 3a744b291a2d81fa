package runner

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/tfrun/tfrun/configs"
)

// Every callback type configs accepts builds, with Keras's defaults, into the runner
// callback of the same name.
func TestEveryConfigCallbackBuilds(t *testing.T) {
	for _, typ := range configs.CallbackTypes() {
		t.Run(typ, func(t *testing.T) {
			cfg, err := configs.NewCallback(typ)
			if err != nil {
				t.Fatal(err)
			}
			cbs, err := NewCallbacks([]configs.Callback{cfg})
			if err != nil {
				t.Fatal(err)
			}
			if len(cbs) != 1 || cbs[0].Name() != typ {
				t.Fatalf("got %v, want one %s", cbs, typ)
			}
		})
	}
	if _, err := NewCallbacks([]configs.Callback{{Type: "BackupAndRestore"}}); err == nil {
		t.Error("an unknown callback type built")
	}
}

// Every run has exactly one TerminateOnNaN.
func TestWithTerminateOnNaN(t *testing.T) {
	if got := withTerminateOnNaN(nil); len(got) != 1 {
		t.Errorf("no callbacks: got %d, want TerminateOnNaN alone", len(got))
	}
	if got := withTerminateOnNaN([]Callback{&TerminateOnNaN{}, &CSVLogger{}}); len(got) != 2 {
		t.Errorf("with one listed: got %d callbacks, want 2", len(got))
	}
}

func TestTerminateOnNaN(t *testing.T) {
	cb := &TerminateOnNaN{}
	cases := []struct {
		logs Logs
		stop bool
	}{
		{Logs{"loss": 0.5, "accuracy": math.NaN()}, false}, // only losses count
		{Logs{"loss": math.NaN()}, true},
		{Logs{"loss": math.Inf(1)}, true},
		{Logs{"gen_loss": 1, "disc_loss": math.Inf(-1)}, true},
		{Logs{"gen_loss": 1e300, "disc_loss": 2}, false}, // large but finite
	}
	for _, c := range cases {
		err := cb.OnBatchEnd(nil, 1, c.logs)
		if (err != nil) != c.stop || (err != nil && !errors.Is(err, ErrNotFinite)) {
			t.Errorf("%v: err = %v, want stop %v", c.logs, err, c.stop)
		}
	}
}

func TestSnakeCase(t *testing.T) {
	for in, want := range map[string]string{
		"EarlyStopping": "early_stopping", "ReduceLROnPlateau": "reduce_lr_on_plateau",
		"CSVLogger": "csv_logger", "ModelCheckpoint": "model_checkpoint", "Dense": "dense",
	} {
		if got := snakeCase(in); got != want {
			t.Errorf("snakeCase(%q) = %q, want %q", in, got, want)
		}
	}
}

// dirTrainer is a cbTrainer with a run directory and a history.
type dirTrainer struct {
	cbTrainer
	dir string
	h   *History
}

func (d *dirTrainer) RunDir() string     { return d.dir }
func (d *dirTrainer) History() *History  { return d.h }
func (d *dirTrainer) Position() Position { return Position{Epoch: len(d.h.Epochs)} }

// CSVLogger writes Keras's rows (0-based epoch, sorted keys); a resumed run rewrites the
// file from its history before going on, so no epoch appears twice; append keeps old rows.
func TestCSVLogger(t *testing.T) {
	dir := t.TempDir()
	read := func() string {
		b, err := os.ReadFile(filepath.Join(dir, "log.csv"))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	run := func(tr *dirTrainer, cb *CSVLogger, epochs ...int) {
		if err := cb.OnTrainBegin(tr); err != nil {
			t.Fatal(err)
		}
		for _, e := range epochs {
			logs := Logs{"loss": 1 / float64(e+1), "accuracy": 0.5}
			tr.h.Append(e+1, withSeconds(logs, 1))
			if _, err := cb.OnEpochEnd(tr, e, logs); err != nil {
				t.Fatal(err)
			}
		}
		if err := cb.OnTrainEnd(tr); err != nil {
			t.Fatal(err)
		}
	}
	tr := &dirTrainer{dir: dir, h: &History{}}
	run(tr, &CSVLogger{Filename: "log.csv", Separator: ","}, 0, 1, 2)
	want := "epoch,accuracy,loss\n0,0.5,1\n1,0.5,0.5\n2,0.5,0.3333333333333333\n"
	if got := read(); got != want {
		t.Fatalf("fresh run:\n%s\nwant\n%s", got, want)
	}
	// A resumed run from a checkpoint after epoch 2 (index 1): the file had epoch 3's row.
	resumed := &dirTrainer{dir: dir, h: &History{}}
	resumed.h.Append(1, Logs{"loss": 1, "accuracy": 0.5, "seconds": 1})
	resumed.h.Append(2, Logs{"loss": 0.5, "accuracy": 0.5, "seconds": 1})
	run(resumed, &CSVLogger{Filename: "log.csv", Separator: ","}, 2, 3)
	want = "epoch,accuracy,loss\n0,0.5,1\n1,0.5,0.5\n2,0.5,0.3333333333333333\n3,0.5,0.25\n"
	if got := read(); got != want {
		t.Fatalf("resumed run:\n%s\nwant\n%s", got, want)
	}
	// append: true keeps the rows and writes no second header.
	run(&dirTrainer{dir: dir, h: &History{}}, &CSVLogger{Filename: "log.csv", Separator: ";", Append: true}, 0)
	if got := read(); got != want+"0;0.5;1\n" {
		t.Fatalf("appending run:\n%s", got)
	}
}

// ModelCheckpoint(save_best_only) saves only on an improvement, into checkpoints/best;
// without save_best_only it asks for a checkpoint every epoch.
func TestModelCheckpoint(t *testing.T) {
	saves := 0
	tr := &saveTrainer{saves: &saves}
	mc := &ModelCheckpoint{MonitorKey: "val_loss", Mode: "auto", SaveBestOnly: true}
	if err := mc.OnTrainBegin(tr); err != nil {
		t.Fatal(err)
	}
	for i, v := range []float64{1, 0.5, 0.75, 0.25, 0.25} {
		if _, err := mc.OnEpochEnd(tr, i, Logs{"val_loss": v}); err != nil {
			t.Fatal(err)
		}
	}
	if saves != 3 || mc.Best != 0.25 || tr.requested {
		t.Errorf("saves %d, best %g, requested %v; want 3 saves, best 0.25, no periodic checkpoint", saves, mc.Best, tr.requested)
	}
	every := &ModelCheckpoint{MonitorKey: "val_loss", Mode: "auto"}
	every.OnTrainBegin(tr)
	if _, err := every.OnEpochEnd(tr, 0, Logs{"loss": 1}); err != nil || !tr.requested {
		t.Errorf("without save_best_only: err %v, requested %v; want a checkpoint request", err, tr.requested)
	}
}

type saveTrainer struct {
	cbTrainer
	saves     *int
	requested bool
}

func (s *saveTrainer) SaveCheckpoint(dir string, keep int) (string, error) {
	*s.saves++
	return filepath.Join(dir, "ckpt"), nil
}
func (s *saveTrainer) RequestCheckpoint() { s.requested = true }
