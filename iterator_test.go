package tfrun_test

import (
	"context"
	"errors"
	"iter"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/tfrun/tfrun"
	"github.com/tfrun/tfrun/layers"
	"github.com/tfrun/tfrun/runner"
)

// blobs is n examples of 4 features in 3 classes, the same for the same n and seed.
func blobs(n int, seed int) tfrun.Data {
	x, y := make([]float32, 4*n), make([]int32, n)
	for i := range n {
		c := (i*7 + seed) % 3
		y[i] = int32(c)
		for j := range 4 {
			x[4*i+j] = float32(c) + float32(((i+seed)*31+j*17)%23)/23 - 0.5
		}
	}
	return tfrun.Data{X: tfrun.Floats(x, 4), Y: tfrun.Ints(y)}
}

// batchesOf yields d's examples in batches of size, in order (the last one short).
func batchesOf(d tfrun.Data, size int) iter.Seq2[tfrun.Batch, error] {
	return func(yield func(tfrun.Batch, error) bool) {
		n := d.Len()
		for lo := 0; lo < n; lo += size {
			hi := min(lo+size, n)
			b := tfrun.Batch{X: tfrun.Floats(d.X.Floats[4*lo:4*hi], 4), Y: tfrun.Ints(d.Y.Ints[lo:hi])}
			if !yield(b, nil) {
				return
			}
		}
	}
}

// blobModel is a compiled classifier of blobs' 3 classes (no Normalization: data from an
// iterator is not adapted to).
func blobModel(t *testing.T) *tfrun.Model {
	t.Helper()
	m, err := tfrun.Sequential(layers.Dense(8, layers.Activation("relu")), layers.Dense(3, layers.Activation("softmax")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	if err := m.Compile(tfrun.Loss("sparse_categorical_crossentropy"), tfrun.Optimizer("adam", tfrun.Arg("learning_rate", 0.01)),
		tfrun.Metrics("accuracy"), tfrun.Threads(1), tfrun.Seed(3)); err != nil {
		t.Fatal(err)
	}
	return m
}

// predictBits are m's predictions on d, as bits (for exact comparisons).
func predictBits(t *testing.T, m *tfrun.Model, d tfrun.Data) []uint32 {
	t.Helper()
	p, err := m.Predict(context.Background(), d.X)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]uint32, len(p.Floats))
	for i, v := range p.Floats {
		out[i] = math.Float32bits(v)
	}
	return out
}

// An iterator that yields the batches Fit would take from the arrays (no shuffle) trains
// the same model, bit for bit, with the same history: it is the same loop. The
// validation data may be an iterator too.
func TestFitIteratorMatchesArrays(t *testing.T) {
	train, val := blobs(100, 0), blobs(30, 1)
	ctx := context.Background()
	a := blobModel(t)
	ha, err := a.Fit(ctx, train, tfrun.Epochs(3), tfrun.BatchSize(16), tfrun.Shuffle(false), tfrun.ValidationData(val))
	if err != nil {
		t.Fatal(err)
	}
	b := blobModel(t)
	calls := 0
	it := tfrun.Data{Batches: func(epoch int) iter.Seq2[tfrun.Batch, error] {
		if epoch != calls {
			t.Errorf("call %d of the iterator is for epoch %d", calls, epoch)
		}
		calls++
		return batchesOf(train, 16)
	}}
	hb, err := b.Fit(ctx, it, tfrun.Epochs(3), tfrun.BatchSize(16), tfrun.ValidationData(tfrun.FromIterator(batchesOf(val, 7))))
	if err != nil {
		t.Fatal(err)
	}
	if calls != 3 {
		t.Errorf("the iterator was called %d times in 3 epochs, want 3", calls)
	}
	for _, k := range []string{"loss", "accuracy", "val_loss", "val_accuracy"} {
		if !slices.Equal(ha.Metrics[k], hb.Metrics[k]) {
			t.Errorf("%s: arrays %v, iterator %v", k, ha.Metrics[k], hb.Metrics[k])
		}
	}
	if !slices.Equal(predictBits(t, a, val), predictBits(t, b, val)) {
		t.Error("the weights trained on the iterator differ from those trained on the arrays")
	}
}

// Fit from iterators: steps per epoch, short and endless iterators, the batches' checks,
// the iterator's errors and cancellation.
func TestFitIterator(t *testing.T) {
	data := blobs(40, 0)
	boom := errors.New("boom")
	// endless yields data's batches of 8 over and over, counting the batches pulled.
	endless := func(pulled *int) iter.Seq2[tfrun.Batch, error] {
		return func(yield func(tfrun.Batch, error) bool) {
			for {
				for b, err := range batchesOf(data, 8) {
					*pulled++
					if !yield(b, err) {
						return
					}
				}
			}
		}
	}
	// change yields data's batches of 8, with batch `at` (1-based) of the epoch replaced
	// by what f makes of it.
	change := func(at int, f func(b tfrun.Batch) (tfrun.Batch, error)) iter.Seq2[tfrun.Batch, error] {
		return func(yield func(tfrun.Batch, error) bool) {
			i := 0
			for b := range batchesOf(data, 8) {
				i++
				var err error
				if i == at {
					b, err = f(b)
				}
				if !yield(b, err) {
					return
				}
			}
		}
	}
	for _, tc := range []struct {
		name  string
		fit   func(m *tfrun.Model, pulled *int) (*tfrun.History, error)
		check func(t *testing.T, r fitResult)
	}{
		{"endless with steps per epoch", func(m *tfrun.Model, pulled *int) (*tfrun.History, error) {
			return m.Fit(context.Background(), tfrun.FromIterator(endless(pulled)), tfrun.Epochs(3), tfrun.StepsPerEpoch(7))
		}, func(t *testing.T, r fitResult) {
			if r.err != nil {
				t.Fatal(r.err)
			}
			if len(r.h.Epochs) != 3 || r.pulled != 3*7 {
				t.Errorf("%d epochs, %d batches pulled: want 3 and 3×7", len(r.h.Epochs), r.pulled)
			}
		}},
		{"short iterator ends the epoch", func(m *tfrun.Model, pulled *int) (*tfrun.History, error) {
			var steps []int
			cb := tfrun.LambdaCallback{OnBatchEnd: func(step int64, logs tfrun.Logs) error { steps = append(steps, int(step)); return nil }}
			h, err := m.Fit(context.Background(), tfrun.FromIterator(batchesOf(data, 8)), tfrun.Epochs(2), tfrun.StepsPerEpoch(7), tfrun.Callbacks(cb))
			*pulled = len(steps)
			return h, err
		}, func(t *testing.T, r fitResult) {
			if r.err != nil {
				t.Fatal(r.err)
			}
			if len(r.h.Epochs) != 2 || r.pulled != 2*5 {
				t.Errorf("%d epochs, %d steps: want 2 epochs of the iterator's 5 batches", len(r.h.Epochs), r.pulled)
			}
		}},
		{"wrong shape", func(m *tfrun.Model, _ *int) (*tfrun.History, error) {
			return m.Fit(context.Background(), tfrun.FromIterator(change(3, func(b tfrun.Batch) (tfrun.Batch, error) {
				b.X = tfrun.Floats(b.X.Floats[:len(b.X.Floats)/2], 2)
				return b, nil
			})))
		}, wantErr("fit: data: epoch 1, batch 3: X: examples of shape [2] (float32), but the model takes [4] (float32)", nil)},
		{"wrong type", func(m *tfrun.Model, _ *int) (*tfrun.History, error) {
			return m.Fit(context.Background(), tfrun.FromIterator(change(2, func(b tfrun.Batch) (tfrun.Batch, error) {
				b.X = tfrun.Ints(make([]int32, len(b.X.Floats)), 4)
				return b, nil
			})))
		}, wantErr("data: epoch 1, batch 2: X: examples of shape [4] (int32 token ids), but the model takes [4] (float32)", nil)},
		{"wrong labels", func(m *tfrun.Model, _ *int) (*tfrun.History, error) {
			return m.Fit(context.Background(), tfrun.FromIterator(change(4, func(b tfrun.Batch) (tfrun.Batch, error) {
				b.Y = tfrun.Ints(b.Y.Ints[:2])
				return b, nil
			})))
		}, wantErr("data: epoch 1, batch 4: 8 examples in X, 2 in Y", nil)},
		{"iterator error", func(m *tfrun.Model, _ *int) (*tfrun.History, error) {
			return m.Fit(context.Background(), tfrun.Data{Batches: func(epoch int) iter.Seq2[tfrun.Batch, error] {
				if epoch == 1 {
					return change(2, func(tfrun.Batch) (tfrun.Batch, error) { return tfrun.Batch{}, boom })
				}
				return batchesOf(data, 8)
			}}, tfrun.Epochs(2))
		}, wantErr("fit: data: epoch 2, batch 2: the iterator: boom", boom)},
		{"no batches", func(m *tfrun.Model, _ *int) (*tfrun.History, error) {
			return m.Fit(context.Background(), tfrun.FromIterator(func(func(tfrun.Batch, error) bool) {}))
		}, wantErr("fit: data: epoch 1: the iterator yielded no batches", nil)},
		{"no batches at epoch 2", func(m *tfrun.Model, _ *int) (*tfrun.History, error) {
			once := false
			return m.Fit(context.Background(), tfrun.Data{Batches: func(int) iter.Seq2[tfrun.Batch, error] {
				if once {
					return func(func(tfrun.Batch, error) bool) {}
				}
				once = true
				return batchesOf(data, 8)
			}}, tfrun.Epochs(2))
		}, wantErr("epoch 2: the iterator yielded no batches", nil)},
		{"validation batch of the wrong shape", func(m *tfrun.Model, _ *int) (*tfrun.History, error) {
			return m.Fit(context.Background(), tfrun.FromIterator(batchesOf(data, 8)),
				tfrun.ValidationData(tfrun.FromIterator(change(2, func(b tfrun.Batch) (tfrun.Batch, error) {
					b.X = tfrun.Floats(b.X.Floats[:len(b.X.Floats)/2], 2)
					return b, nil
				}))))
		}, wantErr("validation data: epoch 1, batch 2: X: examples of shape [2]", nil)},
		{"arrays and an iterator", func(m *tfrun.Model, _ *int) (*tfrun.History, error) {
			d := data
			d.Batches = tfrun.FromIterator(batchesOf(data, 8)).Batches
			return m.Fit(context.Background(), d)
		}, wantErr("give Batches (an iterator) or arrays, not both", nil)},
		{"unknown steps on a progress bar", func(m *tfrun.Model, _ *int) (*tfrun.History, error) {
			var w strings.Builder
			h, err := m.Fit(context.Background(), tfrun.FromIterator(batchesOf(data, 8)), tfrun.Epochs(2), tfrun.Progress(&w, runner.VerboseBar))
			if err == nil && (!strings.Contains(w.String(), "Epoch 2/2") || strings.Count(w.String(), "5/5 - ") != 2) {
				err = errors.New("progress: " + w.String())
			}
			return h, err
		}, func(t *testing.T, r fitResult) {
			if r.err != nil {
				t.Fatal(r.err)
			}
		}},
		{"cancelled", func(m *tfrun.Model, _ *int) (*tfrun.History, error) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			return m.Fit(ctx, tfrun.FromIterator(change(3, func(b tfrun.Batch) (tfrun.Batch, error) { cancel(); return b, nil })), tfrun.Epochs(2))
		}, func(t *testing.T, r fitResult) {
			if !errors.Is(r.err, runner.ErrInterrupted) {
				t.Fatalf("err = %v, want ErrInterrupted", r.err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r fitResult
			r.h, r.err = tc.fit(blobModel(t), &r.pulled)
			tc.check(t, r)
		})
	}
}

// fitResult is what a case of TestFitIterator got.
type fitResult struct {
	h      *tfrun.History
	err    error
	pulled int // batches the iterator gave, or steps trained
}

// wantErr checks for an error containing msg (and, unless nil, wrapping is).
func wantErr(msg string, is error) func(t *testing.T, r fitResult) {
	return func(t *testing.T, r fitResult) {
		t.Helper()
		if r.err == nil || !strings.Contains(r.err.Error(), msg) {
			t.Fatalf("err = %v, want one containing %q", r.err, msg)
		}
		if is != nil && !errors.Is(r.err, is) {
			t.Errorf("err = %v does not wrap %v", r.err, is)
		}
	}
}

// A model with a Normalization layer, which Fit adapts to arrays, is refused data from
// an iterator until it is adapted.
func TestFitIteratorNormalization(t *testing.T) {
	m, err := tfrun.Sequential(layers.New("Normalization"), layers.Dense(3, layers.Activation("softmax")))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.Compile(tfrun.Loss("sparse_categorical_crossentropy"), tfrun.Threads(1)); err != nil {
		t.Fatal(err)
	}
	data := blobs(20, 0)
	_, err = m.Fit(context.Background(), tfrun.FromIterator(batchesOf(data, 8)))
	if err == nil || !strings.Contains(err.Error(), `"normalization" (Normalization) adapts to the training data`) {
		t.Fatalf("err = %v, want the Normalization layer's", err)
	}
	if _, err := m.Fit(context.Background(), data); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Fit(context.Background(), tfrun.FromIterator(batchesOf(data, 8))); err != nil {
		t.Fatalf("after a Fit on arrays: %v", err)
	}
}

// A Fit from an iterator that gives each epoch's batches from the epoch alone, interrupted
// in the middle of an epoch and resumed, ends with the weights and history of the run
// that was not interrupted: the resumed epoch's iterator is called again and the batches
// trained before the checkpoint are skipped.
func TestFitIteratorResume(t *testing.T) {
	byEpoch := func(cancelAt int, cancel func()) tfrun.Data {
		return tfrun.Data{Batches: func(epoch int) iter.Seq2[tfrun.Batch, error] {
			return func(yield func(tfrun.Batch, error) bool) {
				i := 0
				for b, err := range batchesOf(blobs(48, epoch), 8) {
					i++
					if epoch == 1 && i == cancelAt && cancel != nil {
						cancel()
					}
					if !yield(b, err) {
						return
					}
				}
			}
		}}
	}
	opts := []tfrun.FitOption{tfrun.Epochs(3), tfrun.ValidationData(blobs(16, 9))}
	whole := blobModel(t)
	hw, err := whole.Fit(context.Background(), byEpoch(0, nil), append(opts, tfrun.RunDir(t.TempDir()))...)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := blobModel(t).Fit(ctx, byEpoch(4, cancel), append(opts, tfrun.RunDir(dir))...); !errors.Is(err, runner.ErrInterrupted) {
		t.Fatalf("err = %v, want ErrInterrupted", err)
	}
	resumed := blobModel(t)
	hr, err := resumed.Fit(context.Background(), byEpoch(0, nil), append(opts, tfrun.RunDir(dir), tfrun.Resume())...)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"loss", "accuracy", "val_loss"} {
		if !slices.Equal(hw.Metrics[k], hr.Metrics[k]) {
			t.Errorf("%s: uninterrupted %v, resumed %v", k, hw.Metrics[k], hr.Metrics[k])
		}
	}
	if v := blobs(16, 9); !slices.Equal(predictBits(t, whole, v), predictBits(t, resumed, v)) {
		t.Error("the resumed run's weights differ from the uninterrupted run's")
	}
}

// A model of two inputs and two outputs trains from an iterator of batches by name as
// from the arrays, bit for bit.
func TestFitIteratorSeveralInputs(t *testing.T) {
	data := twoByTwoData(40)
	batches := func(yield func(tfrun.Batch, error) bool) {
		for lo := 0; lo < 40; lo += 16 {
			hi := min(lo+16, 40)
			b := tfrun.Batch{Inputs: map[string]tfrun.Array{}, Outputs: map[string]tfrun.Array{}}
			for _, g := range []struct{ dst, src map[string]tfrun.Array }{{b.Inputs, data.Inputs}, {b.Outputs, data.Outputs}} {
				for name, a := range g.src {
					r := max(1, len(a.Floats)/40, len(a.Ints)/40)
					if a.Ints != nil {
						g.dst[name] = tfrun.Array{Shape: a.Shape, Ints: a.Ints[lo*r : hi*r]}
					} else {
						g.dst[name] = tfrun.Array{Shape: a.Shape, Floats: a.Floats[lo*r : hi*r]}
					}
				}
			}
			if !yield(b, nil) {
				return
			}
		}
	}
	ctx := context.Background()
	var hs []*tfrun.History
	var outs []map[string]tfrun.Array
	for _, d := range []tfrun.Data{data, tfrun.FromIterator(batches)} {
		m, err := twoByTwo(t, tfrun.Seed(5))
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		h, err := m.Fit(ctx, d, tfrun.Epochs(2), tfrun.BatchSize(16), tfrun.Shuffle(false))
		if err != nil {
			t.Fatal(err)
		}
		p, err := m.PredictOutputs(ctx, data.Inputs)
		if err != nil {
			t.Fatal(err)
		}
		hs, outs = append(hs, h), append(outs, p)
	}
	if !slices.Equal(hs[0].Metrics["loss"], hs[1].Metrics["loss"]) {
		t.Errorf("loss: arrays %v, iterator %v", hs[0].Metrics["loss"], hs[1].Metrics["loss"])
	}
	for _, name := range []string{"c", "v"} {
		if !slices.Equal(outs[0][name].Floats, outs[1][name].Floats) {
			t.Errorf("output %s differs", name)
		}
	}
}

// A validation iterator is called with the epoch that validates, also in a resumed run
// whose training data is arrays.
func TestFitValidationIteratorEpochs(t *testing.T) {
	data, dir := blobs(32, 0), t.TempDir()
	var epochs []int
	val := tfrun.Data{Batches: func(epoch int) iter.Seq2[tfrun.Batch, error] {
		epochs = append(epochs, epoch)
		return batchesOf(blobs(8, 1), 4)
	}}
	if _, err := blobModel(t).Fit(context.Background(), data, tfrun.Epochs(2), tfrun.RunDir(dir)); err != nil {
		t.Fatal(err)
	}
	h, err := blobModel(t).Fit(context.Background(), data, tfrun.Epochs(4), tfrun.RunDir(dir), tfrun.Resume(), tfrun.ValidationData(val))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(epochs, []int{2, 3}) || len(h.Metrics["val_loss"]) != 4 {
		t.Errorf("the validation iterator was called for epochs %v (val_loss %v), want [2 3]", epochs, h.Metrics["val_loss"])
	}
}
