package tfrun_test

import (
	"context"
	"errors"
	"iter"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/tfrun/tfrun"
)

// namedBatches yields d's n examples (a model of several inputs and outputs) in batches
// of size, by name, in order.
func namedBatches(d tfrun.Data, n, size int) iter.Seq2[tfrun.Batch, error] {
	return func(yield func(tfrun.Batch, error) bool) {
		for lo := 0; lo < n; lo += size {
			hi := min(lo+size, n)
			b := tfrun.Batch{Inputs: map[string]tfrun.Array{}, Outputs: map[string]tfrun.Array{}}
			for _, g := range []struct{ dst, src map[string]tfrun.Array }{{b.Inputs, d.Inputs}, {b.Outputs, d.Outputs}} {
				for name, a := range g.src {
					r := max(1, len(a.Floats)/n, len(a.Ints)/n)
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
}

// bitsOf are a's values as bits, for exact comparisons.
func bitsOf(a tfrun.Array) []uint32 {
	out := make([]uint32, len(a.Floats))
	for i, v := range a.Floats {
		out[i] = math.Float32bits(v)
	}
	return out
}

// Evaluate and predict on an iterator give what they give on the same examples as arrays
// (Keras's evaluate(x=dataset) and predict(x=dataset)), exactly: with Steps, on the
// first batches; for one input and for several. An iterator builds a model not built yet.
func TestEvaluatePredictIteratorMatchesArrays(t *testing.T) {
	ctx := context.Background()
	train, val := blobs(60, 0), blobs(30, 1)
	m := blobModel(t)
	if _, err := m.Fit(ctx, train, tfrun.Epochs(3), tfrun.BatchSize(16)); err != nil {
		t.Fatal(err)
	}
	head := func(d tfrun.Data, n int) tfrun.Data {
		return tfrun.Data{X: tfrun.Floats(d.X.Floats[:4*n], 4), Y: tfrun.Ints(d.Y.Ints[:n])}
	}
	for _, tc := range []struct {
		name   string
		arrays func() (tfrun.Logs, error)
		iter   func() (tfrun.Logs, error)
	}{
		{"all batches", func() (tfrun.Logs, error) { return m.Evaluate(ctx, val, tfrun.BatchSize(7)) },
			func() (tfrun.Logs, error) { return m.Evaluate(ctx, tfrun.FromIterator(batchesOf(val, 7))) }},
		{"steps", func() (tfrun.Logs, error) { return m.Evaluate(ctx, head(val, 14), tfrun.BatchSize(7)) },
			func() (tfrun.Logs, error) {
				return m.Evaluate(ctx, tfrun.FromIterator(batchesOf(val, 7)), tfrun.Steps(2))
			}},
		{"steps on arrays", func() (tfrun.Logs, error) { return m.Evaluate(ctx, head(val, 14), tfrun.BatchSize(7)) },
			func() (tfrun.Logs, error) { return m.Evaluate(ctx, val, tfrun.BatchSize(7), tfrun.Steps(2)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, err := tc.arrays()
			if err != nil {
				t.Fatal(err)
			}
			got, err := tc.iter()
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(got, want) || len(got) != 2 {
				t.Errorf("iterator %v, arrays %v", got, want)
			}
		})
	}
	t.Run("predict", func(t *testing.T) {
		want, err := m.Predict(ctx, val.X, tfrun.BatchSize(7))
		if err != nil {
			t.Fatal(err)
		}
		got, err := m.PredictBatches(ctx, tfrun.FromIterator(batchesOf(val, 7)))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(bitsOf(got), bitsOf(want)) || !slices.Equal(got.Shape, []int{3}) || got.Len() != 30 {
			t.Errorf("PredictBatches %v %d values, Predict %v %d", got.Shape, len(got.Floats), want.Shape, len(want.Floats))
		}
		some, err := m.PredictBatches(ctx, tfrun.FromIterator(batchesOf(val, 7)), tfrun.Steps(2))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(bitsOf(some), bitsOf(want)[:14*3]) {
			t.Errorf("Steps(2): %d values, want the first 14 examples' %d", len(some.Floats), 14*3)
		}
		arr, err := m.Predict(ctx, val.X, tfrun.BatchSize(7), tfrun.Steps(2))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(bitsOf(arr), bitsOf(want)[:14*3]) {
			t.Errorf("Predict with Steps(2): %d values, want the first 14 examples' %d", len(arr.Floats), 14*3)
		}
	})
	t.Run("builds the model", func(t *testing.T) {
		a, b := blobModel(t), blobModel(t)
		la, err := a.Evaluate(ctx, val, tfrun.BatchSize(10))
		if err != nil {
			t.Fatal(err)
		}
		lb, err := b.Evaluate(ctx, tfrun.FromIterator(batchesOf(val, 10)))
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(la, lb) {
			t.Errorf("unbuilt models: iterator %v, arrays %v", lb, la)
		}
		c := blobModel(t)
		p, err := c.PredictBatches(ctx, tfrun.FromIterator(batchesOf(val, 10)))
		if err != nil {
			t.Fatal(err)
		}
		want, err := a.Predict(ctx, val.X, tfrun.BatchSize(10))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(bitsOf(p), bitsOf(want)) || len(p.Floats) != 90 {
			t.Error("an unbuilt model's PredictBatches differs from a built one's Predict at the same seed")
		}
	})
	t.Run("several inputs", func(t *testing.T) {
		data := twoByTwoData(40)
		mm, err := twoByTwo(t, tfrun.Seed(5))
		if err != nil {
			t.Fatal(err)
		}
		defer mm.Close()
		if _, err := mm.Fit(ctx, data, tfrun.Epochs(2), tfrun.BatchSize(16)); err != nil {
			t.Fatal(err)
		}
		want, err := mm.Evaluate(ctx, data, tfrun.BatchSize(8))
		if err != nil {
			t.Fatal(err)
		}
		got, err := mm.Evaluate(ctx, tfrun.FromIterator(namedBatches(data, 40, 8)))
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(got, want) {
			t.Errorf("iterator %v, arrays %v", got, want)
		}
		wantP, err := mm.PredictOutputs(ctx, data.Inputs, tfrun.BatchSize(8))
		if err != nil {
			t.Fatal(err)
		}
		gotP, err := mm.PredictOutputsBatches(ctx, tfrun.FromIterator(namedBatches(data, 40, 8)))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"c", "v"} {
			if !slices.Equal(bitsOf(gotP[name]), bitsOf(wantP[name])) || !slices.Equal(gotP[name].Shape, wantP[name].Shape) {
				t.Errorf("output %s: PredictOutputsBatches %v (%d values), PredictOutputs %v (%d)", name, gotP[name].Shape, len(gotP[name].Floats), wantP[name].Shape, len(wantP[name].Floats))
			}
		}
	})
}

// Evaluate and predict on an iterator stop, with an error naming the batch and the input,
// on every batch they cannot take, an error of the iterator (wrapped), an iterator that
// yields nothing, and a cancelled context; an endless iterator is pulled Steps times.
func TestEvaluatePredictIteratorRejects(t *testing.T) {
	data := blobs(40, 0)
	boom := errors.New("boom")
	// change yields data's batches of 8, batch at (1-based) replaced by what f makes of it.
	change := func(at int, f func(b tfrun.Batch) (tfrun.Batch, error)) tfrun.Data {
		return tfrun.FromIterator(func(yield func(tfrun.Batch, error) bool) {
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
		})
	}
	halfX := func(b tfrun.Batch) (tfrun.Batch, error) {
		b.X = tfrun.Floats(b.X.Floats[:len(b.X.Floats)/2], 2)
		return b, nil
	}
	ctx := context.Background()
	evaluate := func(d tfrun.Data, opts ...tfrun.FitOption) func(m *tfrun.Model) error {
		return func(m *tfrun.Model) error { _, err := m.Evaluate(ctx, d, opts...); return err }
	}
	predict := func(d tfrun.Data, opts ...tfrun.FitOption) func(m *tfrun.Model) error {
		return func(m *tfrun.Model) error { _, err := m.PredictBatches(ctx, d, opts...); return err }
	}
	pulled := 0
	endless := tfrun.FromIterator(func(yield func(tfrun.Batch, error) bool) {
		for {
			for b := range batchesOf(data, 8) {
				pulled++
				if !yield(b, nil) {
					return
				}
			}
		}
	})
	cancelled, cancel := context.WithCancel(ctx)
	cancelAt3 := tfrun.FromIterator(func(yield func(tfrun.Batch, error) bool) {
		i := 0
		for b := range batchesOf(data, 8) {
			if i++; i == 3 {
				cancel()
			}
			if !yield(b, nil) {
				return
			}
		}
	})
	mixed := data
	mixed.Batches = tfrun.FromIterator(batchesOf(data, 8)).Batches
	empty := tfrun.FromIterator(func(func(tfrun.Batch, error) bool) {})
	for _, tc := range []struct {
		name string
		run  func(m *tfrun.Model) error
		want string
		is   error
	}{
		{"evaluate: wrong shape", evaluate(change(3, halfX)), "evaluate: data: batch 3: X: examples of shape [2] (float32), but the model takes [4] (float32)", nil},
		{"predict: wrong shape", predict(change(3, halfX)), "predict: data: batch 3: X: examples of shape [2] (float32), but the model takes [4] (float32)", nil},
		{"evaluate: wrong type", evaluate(change(2, func(b tfrun.Batch) (tfrun.Batch, error) {
			b.X = tfrun.Ints(make([]int32, len(b.X.Floats)), 4)
			return b, nil
		})), "evaluate: data: batch 2: X: examples of shape [4] (int32 token ids), but the model takes [4] (float32)", nil},
		{"predict: wrong type", predict(change(2, func(b tfrun.Batch) (tfrun.Batch, error) {
			b.X = tfrun.Ints(make([]int32, len(b.X.Floats)), 4)
			return b, nil
		})), "predict: data: batch 2: X: examples of shape [4] (int32 token ids), but the model takes [4] (float32)", nil},
		{"evaluate: wrong labels", evaluate(change(4, func(b tfrun.Batch) (tfrun.Batch, error) {
			b.Y = tfrun.Ints(b.Y.Ints[:2])
			return b, nil
		})), "evaluate: data: batch 4: 8 examples in X, 2 in Y", nil},
		{"evaluate: sample weights in one batch", evaluate(change(2, func(b tfrun.Batch) (tfrun.Batch, error) {
			b.SampleWeight = make([]float32, 8)
			return b, nil
		})), "evaluate: data: batch 2: SampleWeight: given, but the epoch's first batch's: none", nil},
		{"predict: not whole examples", predict(change(2, func(b tfrun.Batch) (tfrun.Batch, error) {
			b.X.Floats = b.X.Floats[:5]
			return b, nil
		})), "predict: data: batch 2: x: 5 values are not whole examples of shape [4]", nil},
		{"predict: Inputs to a model of one input", predict(change(1, func(b tfrun.Batch) (tfrun.Batch, error) {
			b.Inputs = map[string]tfrun.Array{"a": b.X}
			return b, nil
		})), "predict: data: batch 1: Inputs are for a model of several inputs", nil},
		{"evaluate: iterator error", evaluate(change(2, func(tfrun.Batch) (tfrun.Batch, error) { return tfrun.Batch{}, boom })),
			"evaluate: data: batch 2: the iterator: boom", boom},
		{"predict: iterator error", predict(change(5, func(tfrun.Batch) (tfrun.Batch, error) { return tfrun.Batch{}, boom })),
			"predict: data: batch 5: the iterator: boom", boom},
		{"evaluate: no batches", evaluate(empty), "evaluate: data: the iterator yielded no batches", nil},
		{"predict: no batches", predict(empty), "predict: data: the iterator yielded no batches", nil},
		{"evaluate: arrays and an iterator", evaluate(mixed), "evaluate: data: give Batches (an iterator) or arrays, not both", nil},
		{"predict: arrays and an iterator", predict(mixed), "predict: data: give Batches (an iterator) or arrays, not both", nil},
		{"predict: no iterator", predict(data), "predict: data: no Batches", nil},
		{"evaluate: batch size of an iterator", evaluate(tfrun.FromIterator(batchesOf(data, 8)), tfrun.BatchSize(4)),
			"evaluate: BatchSize: the iterator's batches are its own", nil},
		{"predict: batch size", predict(tfrun.FromIterator(batchesOf(data, 8)), tfrun.BatchSize(4)),
			"predict: option BatchSize: predict takes only [Steps]", nil},
		{"evaluate: steps 0", evaluate(tfrun.FromIterator(batchesOf(data, 8)), tfrun.Steps(0)), "evaluate: steps: 0: want > 0", nil},
		{"fit: steps", func(m *tfrun.Model) error { _, err := m.Fit(ctx, data, tfrun.Steps(2)); return err },
			"fit: Steps is evaluate's and predict's; fit takes StepsPerEpoch", nil},
		{"evaluate: cancelled", func(m *tfrun.Model) error { _, err := m.Evaluate(cancelled, cancelAt3); return err },
			"evaluate: data: after 3 batches: context canceled", context.Canceled},
		{"predict: several outputs' method", func(m *tfrun.Model) error {
			_, err := m.PredictOutputsBatches(ctx, tfrun.FromIterator(batchesOf(data, 8)))
			return err
		}, "use PredictBatches", nil},
		{"evaluate: endless with steps", func(m *tfrun.Model) error {
			pulled = 0
			if _, err := m.Evaluate(ctx, endless, tfrun.Steps(12)); err != nil {
				return err
			}
			if pulled != 12 {
				return errors.New("pulled " + strings.Repeat("|", pulled))
			}
			return errors.New("bounded")
		}, "bounded", nil},
		{"predict: endless with steps", func(m *tfrun.Model) error {
			pulled = 0
			p, err := m.PredictBatches(ctx, endless, tfrun.Steps(7))
			if err != nil {
				return err
			}
			if pulled != 7 || p.Len() != 7*8 {
				return errors.New("pulled " + strings.Repeat("|", pulled))
			}
			return errors.New("bounded")
		}, "bounded", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run(blobModel(t))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("err = %v does not wrap %v", err, tc.is)
			}
		})
	}
}

// A model of several inputs checks each batch's inputs by name when it predicts or
// evaluates from an iterator.
func TestEvaluatePredictIteratorSeveralInputsRejects(t *testing.T) {
	ctx := context.Background()
	data := twoByTwoData(24)
	m, err := twoByTwo(t)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if _, err := m.PredictOutputsBatches(ctx, tfrun.FromIterator(namedBatches(data, 24, 8))); !errors.Is(err, tfrun.ErrNotBuilt) {
		t.Fatalf("before Fit: err = %v, want ErrNotBuilt", err)
	}
	if _, err := m.Fit(ctx, data); err != nil {
		t.Fatal(err)
	}
	// change yields data's batches of 8, the second one changed by f.
	change := func(f func(b *tfrun.Batch)) tfrun.Data {
		return tfrun.FromIterator(func(yield func(tfrun.Batch, error) bool) {
			i := 0
			for b := range namedBatches(data, 24, 8) {
				if i++; i == 2 {
					f(&b)
				}
				if !yield(b, nil) {
					return
				}
			}
		})
	}
	wide := func(b *tfrun.Batch) { b.Inputs["b"] = tfrun.Floats(make([]float32, 16), 2) }
	for _, tc := range []struct {
		name string
		run  func() error
		want string
	}{
		{"predict: input of another shape", func() error { _, err := m.PredictOutputsBatches(ctx, change(wide)); return err },
			`predict: data: batch 2: Inputs["b"]: examples of shape [2] (float32), but the model takes [1] (float32)`},
		{"evaluate: input of another shape", func() error { _, err := m.Evaluate(ctx, change(wide)); return err },
			`evaluate: data: batch 2: Inputs["b"]: examples of shape [2] (float32), but the model takes [1] (float32)`},
		{"predict: an input missing", func() error {
			_, err := m.PredictOutputsBatches(ctx, change(func(b *tfrun.Batch) { delete(b.Inputs, "a") }))
			return err
		}, "predict: data: batch 2: Inputs [b], but the model's are [a b]"},
		{"predict: X", func() error {
			_, err := m.PredictOutputsBatches(ctx, change(func(b *tfrun.Batch) { b.X = tfrun.Floats(make([]float32, 8)) }))
			return err
		}, "predict: data: batch 2: a model of several inputs takes Inputs by name, not X"},
		{"predict: one output's method", func() error {
			_, err := m.PredictBatches(ctx, tfrun.FromIterator(namedBatches(data, 24, 8)))
			return err
		}, "use PredictOutputsBatches"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.run(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}
