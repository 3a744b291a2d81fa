package classifier

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/internal/runtest"
	"github.com/tfrun/tfrun/runner"
)

// streamedLine is what Run prints about a streamed split.
var streamedLine = regexp.MustCompile(`Streamed (\w+) images from disk: (\d+) batches read ahead, (\d+) read on demand, at most (\d+) decoded batches held`)

// TestImageDirectoryStreamedEqualsCached: an image folder streamed from disk trains to the
// same history and test numbers, bit for bit, as the same folder decoded into memory —
// with data.validation_split (three streams) and with train.validation_split (subsets of
// the training stream) — and the streamed run's training steps are all served by the
// read-ahead the loop planned, which never holds more than datasets.ImageBatchesAhead+1
// decoded batches.
func TestImageDirectoryStreamedEqualsCached(t *testing.T) {
	dir := t.TempDir()
	runtest.OwnImages(t, filepath.Join(dir, "train"), colours, 14, 8, 1)
	runtest.OwnImages(t, filepath.Join(dir, "test"), colours, 5, 8, 2)
	for _, tc := range []struct{ name, data, train string }{
		{"data.validation_split", "validation_split: 0.25, test_path: " + filepath.Join(dir, "test"), ""},
		{"train.validation_split", "", ", validation_split: 0.2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := func(cache bool) string {
				return fmt.Sprintf(`name: own_images
task: classifier
data: {format: image_directory, path: %s, image_size: [6, 6], cache: %v, %s}
model:
  layers:
    - {type: Conv2D, filters: 3, kernel_size: 3, activation: relu}
    - {type: Flatten}
    - {type: Dense, units: 3, activation: softmax}
train: {epochs: 3, batch_size: 4, loss: sparse_categorical_crossentropy, optimizer: {type: Adam, learning_rate: 0.02}%s}
`, filepath.Join(dir, "train"), cache, tc.data, tc.train)
			}
			run := func(cache bool) (*Metrics, string, string) {
				cfg := runtest.LoadConfig(t, body(cache))
				out, log := t.TempDir(), &strings.Builder{}
				m, err := Run(context.Background(), cfg, runner.Options{OutDir: out, Threads: 1, Out: log})
				if err != nil {
					t.Fatalf("cache %v: %v", cache, err)
				}
				return m, out, log.String()
			}
			mc, outC, logC := run(true)
			ms, outS, logS := run(false)
			if !runtest.SameHistory(runtest.HistoryWithoutSeconds(t, outC), runtest.HistoryWithoutSeconds(t, outS)) {
				t.Errorf("streamed history differs from the cached one:\n%v\n%v", runtest.HistoryWithoutSeconds(t, outS), runtest.HistoryWithoutSeconds(t, outC))
			}
			mc.SecondsPerEpoch, ms.SecondsPerEpoch = 0, 0
			if fmt.Sprint(*mc) != fmt.Sprint(*ms) {
				t.Errorf("streamed metrics %+v, cached %+v", *ms, *mc)
			}
			if strings.Contains(logC, "images from disk:") || !strings.Contains(logC, "Images: decoded into memory") {
				t.Errorf("cached run's log does not say it decoded into memory:\n%s", logC)
			}
			stats := map[string][3]int{}
			for _, m := range streamedLine.FindAllStringSubmatch(logS, -1) {
				var v [3]int
				for i := range v {
					v[i], _ = strconv.Atoi(m[2+i])
				}
				stats[m[1]] = v
			}
			train, ok := stats["train"]
			steps := (ms.TrainExamples + 3) / 4
			switch {
			case !ok:
				t.Fatalf("the streamed run's log has no stream report:\n%s", logS)
			case train[0] != 3*steps || train[1] != 0:
				t.Errorf("train stream: %d batches read ahead, %d on demand; want %d (3 epochs of %d steps) and 0", train[0], train[1], 3*steps, steps)
			}
			for name, v := range stats {
				if v[1] != 0 || v[2] > datasets.ImageBatchesAhead+1 {
					t.Errorf("%s stream: %d batches on demand, at most %d held; want 0 and <= %d", name, v[1], v[2], datasets.ImageBatchesAhead+1)
				}
			}
			if _, ok := stats["validation"]; !ok {
				t.Errorf("no validation stream reported:\n%s", logS)
			}
		})
	}
}

// TestImageDirectoryStreamRefusesBadHeaders: a streamed folder's headers are all read
// before training: a bad file is named and nothing is trained.
func TestImageDirectoryStreamRefusesBadHeaders(t *testing.T) {
	dir := t.TempDir()
	runtest.OwnImages(t, dir, colours, 3, 4, 1)
	bad := filepath.Join(dir, "green", "img_001.png")
	if err := os.WriteFile(bad, []byte("not a png"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, out, err := runOwn(t, fmt.Sprintf(`name: bad
task: classifier
data: {format: image_directory, path: %s, image_size: [4, 4], cache: false}
model: {layers: [{type: Flatten}, {type: Dense, units: 3, activation: softmax}]}
train: {epochs: 1, loss: sparse_categorical_crossentropy}
`, dir))
	if err == nil || !strings.Contains(err.Error(), bad) {
		t.Fatalf("error %v, want one naming %s", err, bad)
	}
	if ents, _ := filepath.Glob(filepath.Join(out, "checkpoints", "ckpt-*")); len(ents) > 0 {
		t.Errorf("checkpoints written: %v", ents)
	}
}

// TestImageDirectoryStreamedResume: a streamed run interrupted in the middle of an epoch
// and resumed plans the rest of that epoch from where it stopped, and ends with the history
// of an uninterrupted run, bit for bit.
func TestImageDirectoryStreamedResume(t *testing.T) {
	dir := t.TempDir()
	runtest.OwnImages(t, dir, colours, 12, 8, 3)
	cfg := runtest.LoadConfig(t, fmt.Sprintf(`name: own_images
task: classifier
data: {format: image_directory, path: %s, image_size: [6, 6], cache: false, validation_split: 0.25}
model: {layers: [{type: Flatten}, {type: Dense, units: 3, activation: softmax}]}
train: {epochs: 3, batch_size: 4, loss: sparse_categorical_crossentropy, optimizer: {type: Adam, learning_rate: 0.02}}
`, dir))
	whole, split := t.TempDir(), t.TempDir()
	if _, err := Run(context.Background(), cfg, runner.Options{OutDir: whole, Threads: 1, Out: &strings.Builder{}}); err != nil {
		t.Fatal(err)
	}
	// 27 training images: 7 steps an epoch; step 10 is the third of epoch 2.
	_, err := Run(runtest.InterruptAt(10), cfg, runner.Options{OutDir: split, Threads: 1, Out: &strings.Builder{}})
	var ie *runner.InterruptedError
	if !errors.As(err, &ie) || ie.At.Epoch != 1 || ie.At.Batch != 3 {
		t.Fatalf("err = %v, want an interruption at epoch 2, step 3", err)
	}
	log := &strings.Builder{}
	if _, err := Run(context.Background(), cfg, runner.Options{OutDir: split, Threads: 1, Out: log, Resume: true}); err != nil {
		t.Fatal(err)
	}
	if !runtest.SameHistory(runtest.HistoryWithoutSeconds(t, whole), runtest.HistoryWithoutSeconds(t, split)) {
		t.Errorf("the resumed streamed run's history differs from the uninterrupted one's")
	}
	m := streamedLine.FindStringSubmatch(log.String())
	if m == nil || m[1] != "train" || m[2] != "11" || m[3] != "0" {
		t.Errorf("resumed run's train stream: %q, want 11 batches (4 + 7) read ahead and none on demand\n%s", m, log)
	}
}
