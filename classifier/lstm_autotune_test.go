package classifier

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/graphs/autotune"
	"github.com/tfrun/tfrun/internal/runtest"
	"github.com/tfrun/tfrun/runner"
)

// lstmTuneYAML is a small LSTM classifier whose LSTM names no implementation: with
// autotuning on, its form is chosen by measuring.
const lstmTuneYAML = `name: lstmtune
task: classifier
seed: 7
data: {dataset: imdb, num_words: 2000, maxlen: 40}
model:
  layers:
    - {type: Embedding, input_dim: 2000, output_dim: 16}
    - {type: LSTM, units: 8}
    - {type: Dense, units: 1, activation: sigmoid}
train:
  epochs: 2
  batch_size: 32
  optimizer: {type: Adam, learning_rate: 0.01}
checkpoint: {every: 1}
`

// lstmFakeTimer makes win the fastest LSTM form (1 ms against 2 ms) and counts the
// candidates it was asked to time, running none.
type lstmFakeTimer struct {
	win   string
	calls int
}

func (f *lstmFakeTimer) measure(c graphs.Candidate) (time.Duration, error) {
	f.calls++
	if c.Form == f.win {
		return time.Millisecond, nil
	}
	return 2 * time.Millisecond, nil
}

// lstmKey is the autotune key of lstmTuneYAML's LSTM.
const lstmKey = "LSTM float32 batch 32 steps 40 input 16 units 8 last"

// lstmTuneSteps is how many Adam steps each form trains in TestLSTMAutotuneEachFormWins.
const lstmTuneSteps = 5

// Each LSTM form wins in turn under a fake timer: the model is built with it, records it
// (KernelForms by layer name and the autotune choice), and trains to the same loss and
// weights as the others to the case's tolerance. A second build on the same machine takes
// the cache's winner and times nothing. Under mixed_bfloat16 the candidates add the
// unrolled forms computing in bfloat16 (builders.LSTMMixedCandidates), compared with the
// float32 forms at bfloat16's precision.
func TestLSTMAutotuneEachFormWins(t *testing.T) {
	for _, tc := range []struct {
		precision string
		key       string
		forms     []string
		// tolerance is the largest difference allowed between a form's losses (relative)
		// and weights (absolute) after lstmTuneSteps Adam steps and the first form's: they
		// compute the same function, rounded differently. Measured in float32: the losses
		// equal, the weights within 4.5e-7 (unrolled) and 1.3e-6 (cell_kernel) of fused's,
		// with TF_ENABLE_ONEDNN_OPTS=0 and =1. bfloat16: see bf16Tolerance.
		tolerance, bf16Tolerance float64
		// optimizer replaces lstmTuneYAML's Adam: under mixed_bfloat16, plain SGD, whose
		// steps are proportional to the gradients (Adam's are about ±learning_rate
		// whatever a small gradient's rounding, which would hide a wrong one).
		optimizer string
	}{
		{precision: "float32", key: lstmKey, forms: builders.LSTMCandidates(tf.Float), tolerance: 1e-5},
		// Under mixed_bfloat16 the model's other layers compute in bfloat16 whatever the
		// LSTM's form, so the float32 forms still agree closely; the bfloat16 forms round
		// the LSTM's products and gates to 8 significant bits (measured against fused
		// after 5 SGD steps: losses within 1.4e-4 relative, weights within 1.0e-3; the
		// float32 forms' within 8.6e-8 and 4.8e-7; TF_ENABLE_ONEDNN_OPTS=0 and =1 alike).
		{precision: "mixed_bfloat16", key: strings.Replace(lstmKey, "float32", "mixed_bfloat16", 1),
			forms: builders.LSTMMixedCandidates(), tolerance: 1e-5, bf16Tolerance: 5e-3,
			optimizer: "{type: SGD, learning_rate: 1.0}"},
	} {
		t.Run(tc.precision, func(t *testing.T) {
			yaml := "precision: " + tc.precision + "\n" + lstmTuneYAML
			if tc.optimizer != "" {
				yaml = strings.Replace(yaml, "{type: Adam, learning_rate: 0.01}", tc.optimizer, 1)
			}
			testEachLSTMFormWins(t, yaml, tc.key, tc.forms, tc.tolerance, tc.bf16Tolerance)
		})
	}
}

// testEachLSTMFormWins is TestLSTMAutotuneEachFormWins for one config, its LSTM's autotune
// key and its candidate forms.
func testEachLSTMFormWins(t *testing.T, yaml, key string, forms []string, tolerance, bf16Tolerance float64) {
	t.Setenv(autotune.EnvVar, "1")
	cfg := runtest.LoadConfig(t, yaml)
	if len(forms) < 2 {
		t.Fatalf("candidates %v: want at least fused and unrolled", forms)
	}
	ds := randomIMDB(lstmTuneSteps*32, 40, 2000, 3)
	type result struct {
		losses  []float64
		weights [][]float32
	}
	train := func(t *testing.T, c *Classifier) result {
		var r result
		idx := make([]int, 32)
		for step := range lstmTuneSteps {
			for i := range idx {
				idx[i] = step*32 + i
			}
			x, y, err := ds.Batch(idx)
			if err != nil {
				t.Fatal(err)
			}
			loss, _, err := c.TrainBatch(x, y)
			if err != nil {
				t.Fatal(err)
			}
			r.losses = append(r.losses, loss)
		}
		vals, err := c.Session().Get(c.Weights()...)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			r.weights = append(r.weights, flatFloat32(graphs.Value(v)))
		}
		return r
	}
	build := func(t *testing.T, f *lstmFakeTimer) *Classifier {
		t.Helper()
		// Two threads: cell_kernel_split is timed only with two inter-op threads or more.
		c, err := fromConfig(cfg, builders.Shape{40}, true, cfg.Seed, 2, nil, 0,
			kernelChoice{autotune: true, measure: f.measure})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	results := map[string]result{}
	for _, win := range forms {
		t.Run(win, func(t *testing.T) {
			t.Setenv(autotune.CacheDirEnvVar, t.TempDir())
			f := &lstmFakeTimer{win: win}
			c := build(t, f)
			if f.calls != len(forms) {
				t.Errorf("timed %d candidates, want %d", f.calls, len(forms))
			}
			if got := c.KernelForms()["lstm"]; got != win {
				t.Errorf("KernelForms lstm: %q, want %q", got, win)
			}
			if got := c.KernelForms()["autotune: "+key]; got != win {
				t.Errorf("KernelForms records %q for %s, want %q (all: %v)", got, key, win, c.KernelForms())
			}
			if err := c.tuner.Finish(""); err != nil {
				t.Fatal(err)
			}
			results[win] = train(t, c)

			again := &lstmFakeTimer{win: "none"}
			c2 := build(t, again)
			if again.calls != 0 {
				t.Errorf("second build timed %d candidates, want 0 (the cache's)", again.calls)
			}
			i := slices.IndexFunc(c2.tuner.Choices(), func(k graphs.KernelChoice) bool { return k.Key == key })
			if i < 0 {
				t.Fatalf("second build: no choice for %s in %+v", key, c2.tuner.Choices())
			}
			if k := c2.tuner.Choices()[i]; k.Form != win || k.Source != graphs.SourceCache {
				t.Errorf("second build: %+v, want %s from the cache", k, win)
			}
		})
	}
	ref, ok := results[forms[0]]
	if !ok {
		t.Fatal("no reference result")
	}
	for _, form := range forms[1:] {
		r, ok := results[form]
		if !ok {
			continue
		}
		var lossDiff, weightDiff float64
		for i := range ref.losses {
			lossDiff = max(lossDiff, math.Abs(r.losses[i]-ref.losses[i])/math.Abs(ref.losses[i]))
		}
		for i := range ref.weights {
			for j := range ref.weights[i] {
				weightDiff = max(weightDiff, math.Abs(float64(r.weights[i][j]-ref.weights[i][j])))
			}
		}
		tol := tolerance
		if builders.LSTMBFloat16Form(form) {
			tol = bf16Tolerance
		}
		t.Logf("%s against %s: loss %.2g relative, weights %.2g absolute", form, forms[0], lossDiff, weightDiff)
		if lossDiff > tol || weightDiff > tol {
			t.Errorf("%s against %s: loss differs by %.3g relative, weights by %.3g, want ≤ %g", form, forms[0], lossDiff, weightDiff, tol)
		}
	}
}

// flatFloat32 flattens a float32 tensor's value.
func flatFloat32(v any) []float32 {
	switch x := v.(type) {
	case float32:
		return []float32{x}
	case []float32:
		return x
	case [][]float32:
		var out []float32
		for _, r := range x {
			out = append(out, r...)
		}
		return out
	}
	panic("flatFloat32: unexpected value type")
}

// A config's implementation wins over measuring: nothing is timed, nothing recorded for
// the LSTM's key.
func TestLSTMExplicitImplementationIsNotMeasured(t *testing.T) {
	t.Setenv(autotune.EnvVar, "1")
	t.Setenv(autotune.CacheDirEnvVar, t.TempDir())
	cfg := runtest.LoadConfig(t, strings.Replace(lstmTuneYAML, "{type: LSTM, units: 8}", "{type: LSTM, units: 8, implementation: unrolled}", 1))
	f := &lstmFakeTimer{win: builders.LSTMFused}
	c, err := fromConfig(cfg, builders.Shape{40}, true, cfg.Seed, 1, nil, 0, kernelChoice{autotune: true, measure: f.measure})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if f.calls != 0 {
		t.Errorf("timed %d candidates, want 0", f.calls)
	}
	if got := c.KernelForms(); got["lstm"] != builders.LSTMUnrolled || got["autotune: "+lstmKey] != "" {
		t.Errorf("KernelForms %v, want lstm: unrolled and no autotune choice", got)
	}
}

// A bfloat16 implementation under the float32 policy is an error naming the layer and
// the policy it needs; under mixed_bfloat16 it builds, timing nothing.
func TestLSTMBFloat16FormNeedsMixedPrecision(t *testing.T) {
	t.Setenv(autotune.EnvVar, "1")
	t.Setenv(autotune.CacheDirEnvVar, t.TempDir())
	for _, c := range []struct {
		precision, form, err string
	}{
		{"float32", builders.LSTMUnrolledBFloat16, `lstm: implementation "unrolled_bfloat16" computes in bfloat16: it needs precision mixed_bfloat16`},
		{"float32", builders.LSTMCellKernelBFloat16, `lstm: implementation "cell_kernel_bfloat16" computes in bfloat16: it needs precision mixed_bfloat16`},
		{"mixed_bfloat16", builders.LSTMUnrolledBFloat16, ""},
	} {
		t.Run(c.precision+" "+c.form, func(t *testing.T) {
			yaml := "precision: " + c.precision + "\n" + strings.Replace(lstmTuneYAML, "{type: LSTM, units: 8}", "{type: LSTM, units: 8, implementation: "+c.form+"}", 1)
			cfg := runtest.LoadConfig(t, yaml)
			f := &lstmFakeTimer{win: builders.LSTMFused}
			cl, err := fromConfig(cfg, builders.Shape{40}, true, cfg.Seed, 1, nil, 0, kernelChoice{autotune: true, measure: f.measure})
			if c.err != "" {
				if err == nil {
					cl.Close()
					t.Fatalf("built; want an error containing %q", c.err)
				}
				if !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %q, want it to contain %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			if got := cl.KernelForms()["lstm"]; got != c.form || f.calls != 0 {
				t.Errorf("lstm built %q timing %d candidates, want %q and 0", got, f.calls, c.form)
			}
		})
	}
}

// With TFRUN_AUTOTUNE=0 the LSTM keeps the fixed rule (fused at batch 32), timing nothing.
func TestLSTMAutotuneOffKeepsRule(t *testing.T) {
	t.Setenv(autotune.EnvVar, "0")
	cfg := runtest.LoadConfig(t, lstmTuneYAML)
	f := &lstmFakeTimer{win: builders.LSTMUnrolled}
	c, err := fromConfig(cfg, builders.Shape{40}, true, cfg.Seed, 1, nil, 0, kernelChoice{autotune: true, measure: f.measure})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if f.calls != 0 || c.KernelForms()["lstm"] != builders.LSTMImplementationFor(32) {
		t.Errorf("timed %d, forms %v; want 0 and lstm: %s", f.calls, c.KernelForms(), builders.LSTMImplementationFor(32))
	}
}

// A run whose LSTM form was measured, stopped after an epoch and resumed after the cache's
// winner changed, builds the form it started with (its checkpoint's) and ends bit for bit
// as the uninterrupted run; a fresh run takes the changed cache's form.
func TestLSTMResumeAcrossAutotuneCacheChange(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on IMDB")
	}
	cache := t.TempDir()
	t.Setenv(autotune.EnvVar, "1")
	t.Setenv(autotune.CacheDirEnvVar, cache)
	cfg := runtest.LoadConfig(t, lstmTuneYAML)
	run := func(dir string, edit func(*runner.Options)) []byte {
		t.Helper()
		if _, err := runTiny(t, context.Background(), cfg, dir, edit); err != nil {
			t.Fatal(err)
		}
		_, latest := kernelFormsOf(t, dir)
		data, err := os.ReadFile(checkpoints.DataFile(latest, 0, 1))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	recorded := func(dir string) graphs.KernelChoice {
		t.Helper()
		var r struct {
			Choices []graphs.KernelChoice `json:"choices"`
		}
		b, err := os.ReadFile(filepath.Join(dir, autotune.RecordFile))
		if err == nil {
			err = json.Unmarshal(b, &r)
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range r.Choices {
			if c.Key == lstmKey {
				return c
			}
		}
		t.Fatalf("%s records no choice for %s: %+v", autotune.RecordFile, lstmKey, r.Choices)
		return graphs.KernelChoice{}
	}

	straight := t.TempDir()
	want := run(straight, nil)
	first := recorded(straight)
	if first.Source != graphs.SourceMeasured || len(first.Times) != len(first.Forms) {
		t.Fatalf("first run: %+v, want every form measured", first)
	}
	if forms, _ := kernelFormsOf(t, straight); forms["lstm"] != first.Form {
		t.Fatalf("checkpoint forms %v, want lstm: %s", forms, first.Form)
	}

	stopped := t.TempDir()
	run(stopped, func(o *runner.Options) { o.Epochs = 1 })
	if c := recorded(stopped); c.Source != graphs.SourceCache || c.Form != first.Form {
		t.Fatalf("second run: %+v, want the cache's %s", c, first.Form)
	}

	// Flip the LSTM's winner in the cache.
	other := first.Forms[0]
	if other == first.Form {
		other = first.Forms[1]
	}
	runtest.EditAutotuneCache(t, cache, func(winners map[string]any) { winners[lstmKey] = other })

	if got := run(stopped, func(o *runner.Options) { o.Resume = true }); !bytes.Equal(got, want) {
		t.Error("the resumed run's final checkpoint differs from the uninterrupted run's")
	}
	if forms, _ := kernelFormsOf(t, stopped); forms["lstm"] != first.Form {
		t.Errorf("resumed run records %v, want lstm: %s (the checkpoint's)", forms, first.Form)
	}

	fresh := t.TempDir()
	other2 := run(fresh, nil)
	if c := recorded(fresh); c.Source != graphs.SourceCache || c.Form != other {
		t.Errorf("fresh run after the change: %+v, want the cache's %s", c, other)
	}
	if bytes.Equal(other2, want) {
		t.Logf("forms %s and %s trained bit-identical weights: the resume above proves less", first.Form, other)
	}
}
