package gan

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/graphs/autotune"
	"github.com/tfrun/tfrun/internal/runtest"
	"github.com/tfrun/tfrun/runner"
)

// autotuneRecord is what the test reads of a run's autotune.json.
type autotuneRecord struct {
	Mode    string                `json:"mode"`
	Choices []graphs.KernelChoice `json:"choices"`
}

func readRecord(t *testing.T, dir string) autotuneRecord {
	t.Helper()
	var r autotuneRecord
	b, err := os.ReadFile(filepath.Join(dir, autotune.RecordFile))
	if err == nil {
		err = json.Unmarshal(b, &r)
	}
	if err != nil {
		t.Fatalf("%s: %v", autotune.RecordFile, err)
	}
	return r
}

// With autotuning on, a GAN run records its choices (the convolutions' forms, the
// discriminator Conv2D's bias gradient) in the run directory and its checkpoints; resumed
// after the cache has changed (every winner flipped), it runs the forms it started with
// and ends bit for bit as the uninterrupted run. A fresh run takes the changed cache's
// forms. Which forms win the first measurement does not matter: the
// runs after it read them from the cache or the checkpoint.
func TestGANResumeAcrossAutotuneCacheChange(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on MNIST")
	}
	cache := t.TempDir()
	t.Setenv(autotune.EnvVar, "1")
	t.Setenv(autotune.CacheDirEnvVar, cache)
	cfg := runtest.LoadConfig(t, resumeGAN)
	run := func(dir string, edit func(*runner.Options)) error {
		o := runner.Options{OutDir: dir, Limit: 128, Threads: 1}
		if edit != nil {
			edit(&o)
		}
		return Run(context.Background(), cfg, o)
	}
	straight := t.TempDir()
	if err := run(straight, nil); err != nil {
		if errors.Is(err, datasets.ErrDataSetNotFound) {
			t.Skipf("MNIST not available: %v", err)
		}
		t.Fatal(err)
	}
	first := readRecord(t, straight)
	if first.Mode != "on" || len(first.Choices) == 0 {
		t.Fatalf("record %+v, want mode on and choices", first)
	}
	forms := map[string]string{}
	var biasKeys int
	for _, c := range first.Choices {
		if c.Source != graphs.SourceMeasured {
			t.Errorf("first run: %+v, want measured", c)
		}
		forms[c.Key] = c.Form
		if strings.HasPrefix(c.Key, "BiasAddGrad ") {
			biasKeys++
		}
	}
	if biasKeys != 1 { // the discriminator's Conv2D (graphs.Scope.Conv2DBias)
		t.Errorf("first run: %d bias gradient choices, want 1", biasKeys)
	}
	stopped := t.TempDir()
	if err := run(stopped, func(o *runner.Options) { o.Epochs = 1 }); err != nil {
		t.Fatal(err)
	}
	for _, c := range readRecord(t, stopped).Choices {
		if c.Source != graphs.SourceCache || c.Form != forms[c.Key] {
			t.Errorf("second run: %+v, want the cache's %s", c, forms[c.Key])
		}
	}

	// Flip every winner in the cache.
	files, err := filepath.Glob(filepath.Join(cache, "*.json"))
	if err != nil || len(files) != 1 {
		t.Fatalf("cache files %v (%v), want one", files, err)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	var f map[string]any
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	winners := f["winners"].(map[string]any)
	flipped := map[string]string{}
	for _, c := range first.Choices {
		other := c.Forms[0]
		if c.Form == other {
			other = c.Forms[1]
		}
		winners[c.Key], flipped[c.Key] = other, other
	}
	if b, err = json.Marshal(f); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(files[0], b, 0o644); err != nil {
		t.Fatal(err)
	}

	if err := run(stopped, func(o *runner.Options) { o.Resume = true }); err != nil {
		t.Fatal(err)
	}
	for _, c := range readRecord(t, stopped).Choices {
		if c.Source != graphs.SourceCheckpoint || c.Form != forms[c.Key] {
			t.Errorf("resumed: %+v, want the checkpoint's %s", c, forms[c.Key])
		}
	}
	const final = "ckpt-8.data-00000-of-00001" // 2 epochs of 4 steps
	want, err := os.ReadFile(filepath.Join(checkpoints.Dir(straight), final))
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(checkpoints.Dir(stopped), final))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("%s of the resumed run differs from the uninterrupted run's", final)
	}

	fresh := t.TempDir()
	if err := run(fresh, func(o *runner.Options) { o.Epochs = 1 }); err != nil {
		t.Fatal(err)
	}
	for _, c := range readRecord(t, fresh).Choices {
		if c.Source != graphs.SourceCache || c.Form != flipped[c.Key] {
			t.Errorf("fresh run after the change: %+v, want the cache's %s", c, flipped[c.Key])
		}
	}
}
