package gan

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/graphs/autotune"
	"github.com/tfrun/tfrun/graphs/convkernel"
	"github.com/tfrun/tfrun/graphs/lstmkernel"
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

// sameFinalCheckpoint fails the test unless the runs in dirs a and b wrote the same data
// in their last checkpoint, ckpt-8 (2 epochs of 4 steps), bit for bit.
func sameFinalCheckpoint(t *testing.T, a, b string) {
	t.Helper()
	const final = "ckpt-8.data-00000-of-00001"
	want, err := os.ReadFile(filepath.Join(checkpoints.Dir(a), final))
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(checkpoints.Dir(b), final))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("%s of the resumed run differs from the uninterrupted run's", final)
	}
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
	flipped := map[string]string{}
	runtest.EditAutotuneCache(t, cache, func(winners map[string]any) {
		for _, c := range first.Choices {
			other := c.Forms[0]
			if c.Form == other {
				other = c.Forms[1]
			}
			winners[c.Key], flipped[c.Key] = other, other
		}
	})

	if err := run(stopped, func(o *runner.Options) { o.Resume = true }); err != nil {
		t.Fatal(err)
	}
	for _, c := range readRecord(t, stopped).Choices {
		if c.Source != graphs.SourceCheckpoint || c.Form != forms[c.Key] {
			t.Errorf("resumed: %+v, want the checkpoint's %s", c, forms[c.Key])
		}
	}
	sameFinalCheckpoint(t, straight, stopped)

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

// ownKernelGAN is resumeGAN with 16 channels where it has 2 and 4, so that every
// convolution but the last transposed one has a filter gradient tfrun's own kernel computes.
var ownKernelGAN = strings.NewReplacer("units: 98,", "units: 784,", "[7, 7, 2]", "[7, 7, 16]",
	"filters: 2,", "filters: 16,", "filters: 4,", "filters: 16,").Replace(resumeGAN)

// With tfrun's own filter gradient kernel chosen (written into the cache as the winner
// wherever it is a candidate), a GAN run stopped after an epoch and resumed after the
// cache changed back to TensorFlow's kernel runs its checkpoint's forms and ends bit for
// bit as the uninterrupted run: the kernel's result does not depend on its threads or on
// anything but its inputs.
func TestGANResumeWithOwnFilterKernel(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on MNIST")
	}
	if !convkernel.Supported() {
		t.Skip("this CPU has neither AVX-512F nor AVX2 with FMA: convkernel.Supported() is false")
	}
	cache := t.TempDir()
	t.Setenv(autotune.EnvVar, "1")
	t.Setenv(autotune.CacheDirEnvVar, cache)
	t.Setenv(lstmkernel.EnvVar, "")
	cfg := runtest.LoadConfig(t, ownKernelGAN)
	run := func(dir string, edit func(*runner.Options)) error {
		o := runner.Options{OutDir: dir, Limit: 128, Threads: 2}
		if edit != nil {
			edit(&o)
		}
		return Run(context.Background(), cfg, o)
	}
	measured := t.TempDir()
	if err := run(measured, func(o *runner.Options) { o.Epochs = 1 }); err != nil {
		if errors.Is(err, datasets.ErrDataSetNotFound) {
			t.Skipf("MNIST not available: %v", err)
		}
		t.Fatal(err)
	}
	// setWinners rewrites the cache: form for every filter gradient that has it among its
	// candidates (the others keep theirs); it returns how many it set.
	setWinners := func(form string) (set int) {
		runtest.EditAutotuneCache(t, cache, func(winners map[string]any) {
			for _, c := range readRecord(t, measured).Choices {
				if strings.HasPrefix(c.Key, "Conv2DBackpropFilter ") && slices.Contains(c.Forms, graphs.FormOwnKernel) {
					winners[c.Key] = form
					set++
				}
			}
		})
		return set
	}
	if n := setWinners(graphs.FormOwnKernel); n < 2 {
		t.Fatalf("tfrun's kernel is a candidate for %d filter gradients, want the 2 with 16 output channels", n)
	}
	straight, stopped := t.TempDir(), t.TempDir()
	if err := run(straight, nil); err != nil {
		t.Fatal(err)
	}
	if err := run(stopped, func(o *runner.Options) { o.Epochs = 1 }); err != nil {
		t.Fatal(err)
	}
	own := 0
	for _, c := range readRecord(t, straight).Choices {
		if c.Form == graphs.FormOwnKernel {
			own++
		}
	}
	if own < 2 {
		t.Fatalf("the run chose tfrun's kernel for %d filter gradients, want 2: %+v", own, readRecord(t, straight).Choices)
	}
	setWinners(graphs.FormTensorFlow)
	if err := run(stopped, func(o *runner.Options) { o.Resume = true }); err != nil {
		t.Fatal(err)
	}
	resumedOwn := 0
	for _, c := range readRecord(t, stopped).Choices {
		if c.Source != graphs.SourceCheckpoint {
			t.Errorf("resumed: %+v, want the checkpoint's form", c)
		}
		if c.Form == graphs.FormOwnKernel {
			resumedOwn++
		}
	}
	if resumedOwn != own {
		t.Errorf("resumed with tfrun's kernel for %d filter gradients, the run started with %d", resumedOwn, own)
	}
	sameFinalCheckpoint(t, straight, stopped)
}
