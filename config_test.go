package tfrun_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tfrun/tfrun"
	"github.com/tfrun/tfrun/classifier"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/runner"
)

// A config loaded into a Model trains as bin/tfrun trains it (classifier.Run): the same
// losses and validation losses, epoch by epoch, at the same seed; and Fit with RunDir and
// Resume continues the command's run directory.
func TestLoadConfigTrainsAsTheCommand(t *testing.T) {
	const path = "configs/wine.yaml"
	cfg, err := configs.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(cfg.Data.Path); errors.Is(err, os.ErrNotExist) {
		t.Skipf("no %s: %v", cfg.Data.Path, err)
	}
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := classifier.Run(ctx, cfg, runner.Options{OutDir: dir, Epochs: 3, Threads: 1}); err != nil {
		t.Fatal(err)
	}
	var cli runner.History
	b, err := os.ReadFile(filepath.Join(dir, "history.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &cli); err != nil {
		t.Fatal(err)
	}

	m, err := tfrun.LoadConfig(path, tfrun.Threads(1))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	data, err := m.LoadData(ctx, "", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if data.Train.Len() != 143 || data.Validation.Len() != 35 || !slices.Equal(data.ClassNames, []string{"0", "1", "2"}) {
		t.Fatalf("wine: %d train, %d validation examples, classes %v; want 143, 35, [0 1 2]", data.Train.Len(), data.Validation.Len(), data.ClassNames)
	}
	h, err := m.Fit(ctx, data.Train, tfrun.Epochs(3), tfrun.ValidationData(data.Validation))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"loss", "accuracy", "val_loss", "val_accuracy"} {
		if len(cli.Metrics[k]) != 3 {
			t.Fatalf("bin/tfrun's history has %d %s values, want 3", len(cli.Metrics[k]), k)
		}
		if !slices.Equal(h.Metrics[k], cli.Metrics[k]) {
			t.Errorf("%s: Go API %v, bin/tfrun %v", k, h.Metrics[k], cli.Metrics[k])
		}
	}

	m2, err := tfrun.LoadConfig(path, tfrun.Threads(1))
	if err != nil {
		t.Fatal(err)
	}
	defer m2.Close()
	h2, err := m2.Fit(ctx, data.Train, tfrun.Epochs(4), tfrun.ValidationData(data.Validation), tfrun.RunDir(dir), tfrun.Resume())
	if err != nil {
		t.Fatal(err)
	}
	if len(h2.Epochs) != 4 || !slices.Equal(h2.Metrics["loss"][:3], cli.Metrics["loss"]) {
		t.Errorf("resumed: losses %v, want bin/tfrun's %v and one more", h2.Metrics["loss"], cli.Metrics["loss"])
	}
}

// A config of another kind, or one that does not load, is LoadConfig's error; LoadData
// needs a config; LoadDataset only built-in data sets.
func TestLoadConfigRejects(t *testing.T) {
	if _, err := tfrun.LoadConfig("configs/gan_mnist.yaml"); err == nil || !strings.Contains(err.Error(), `task "gan"`) {
		t.Errorf("a GAN config: err = %v", err)
	}
	if _, err := tfrun.LoadConfig("configs/no_such.yaml"); err == nil {
		t.Error("a missing config: no error")
	}
	if _, err := tfrun.LoadConfig("configs/wine.yaml", tfrun.Loss("nope")); err == nil || !strings.Contains(err.Error(), "configs/wine.yaml: compile: loss") {
		t.Errorf("a wrong compile option: err = %v", err)
	}
	if _, _, err := tfrun.LoadDataset(configs.Data{Format: configs.FormatCSV, Path: "x.csv"}, "", 0); err == nil || !strings.Contains(err.Error(), "not a built-in data set") {
		t.Errorf("own data in LoadDataset: err = %v", err)
	}
	m := wineModel(t)
	if _, err := m.LoadData(context.Background(), "", "", 0); err == nil || !strings.Contains(err.Error(), "no config") {
		t.Errorf("LoadData of a model built in Go: err = %v", err)
	}
}
