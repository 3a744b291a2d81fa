package tfrun

import (
	"fmt"
	"iter"
	"maps"
	"slices"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/classifier"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/runner"
)

// Batch is one batch of a Go iterator of data (Data.Batches): a Data of a few examples,
// X and Y (or Inputs and Outputs by name, for a model of several inputs or outputs) and
// optionally SampleWeight, as a Keras generator yields (x, y) or (x, y, sample_weight).
// Its batches may differ in size; each must have the examples' shape and type of the
// first one, which builds the model.
type Batch = Data

// FromIterator returns the data of the batches seq yields (Keras's fit on a generator):
// Fit ranges over seq anew at every epoch, so seq yields one epoch's batches and ends (or
// never ends, with StepsPerEpoch). Evaluate, PredictBatches and PredictOutputsBatches
// range over it once (or for Steps batches). Data.Batches gives the epoch to the iterator.
func FromIterator(seq iter.Seq2[Batch, error]) Data {
	return Data{Batches: func(int) iter.Seq2[Batch, error] { return seq }}
}

// batchSource pulls the batches of one epoch of a Go iterator.
type batchSource struct {
	batches func(epoch int) iter.Seq2[Batch, error]
	what    string // "data" or "validation data", for errors
	once    bool   // evaluate's or predict's single pass: errors name no epoch
	epoch   int    // the 0-based epoch iterated; -1 before the first
	n       int    // batches pulled this epoch
	next    func() (Batch, error, bool)
	stop    func()
	pending *Batch // a batch peeked at (the first, which builds the model), pulled next
}

// begin starts epoch's iteration (stopping any other), unless it is the one begun and
// nothing was pulled from it yet.
func (s *batchSource) begin(epoch int) {
	if s.next != nil && s.epoch == epoch && s.n == 0 {
		return
	}
	s.close()
	s.epoch, s.n, s.pending = epoch, 0, nil
	s.next, s.stop = iter.Pull2(s.batches(epoch))
}

// pull returns the epoch's next batch and where it is ("epoch 2, batch 3"); ok is false
// at the end of the epoch's batches. An error of the iterator is returned wrapped, where.
func (s *batchSource) pull() (b Batch, at string, ok bool, err error) {
	if s.pending != nil {
		b, s.pending = *s.pending, nil
		s.n++
		return b, s.where(), true, nil
	}
	b, err, ok = s.next()
	if !ok {
		return Batch{}, "", false, nil
	}
	s.n++
	at = s.where()
	if err != nil {
		return Batch{}, at, true, fmt.Errorf("%s: the iterator: %w", at, err)
	}
	return b, at, true, nil
}

// where names the batch pulled last: "data: epoch 2, batch 3" ("data: batch 3" for a
// single pass).
func (s *batchSource) where() string {
	if s.once {
		return fmt.Sprintf("%s: batch %d", s.what, s.n)
	}
	return fmt.Sprintf("%s: epoch %d, batch %d", s.what, s.epoch+1, s.n)
}

// close stops the iteration begun, if any.
func (s *batchSource) close() {
	if s.stop != nil {
		s.stop()
	}
	s.next, s.stop = nil, nil
}

// feeder checks a batch against the model and puts it where the classifier's training
// reads its examples.
type feeder interface {
	// put checks b (at names it in errors) and makes it the training examples.
	put(b Batch, at string) (examples int, err error)
	// putAll checks bs and makes them, together, the validation examples.
	putAll(bs []Batch, at []string) error
}

// fed is the classifier's training fed with validation data from a Go iterator at each
// epoch's end (EndEpoch); trainFed adds the training batches.
type fed struct {
	runner.CountingModel
	feed     feeder
	val      *batchSource // nil: the validation data is in memory (or none)
	valSteps int          // fit's validation_steps: at most this many batches; 0: all
}

// EndEpoch takes the epoch's validation batches from the iterator, then validates.
func (f *fed) EndEpoch() (runner.Logs, error) {
	if f.val != nil {
		if err := f.validationBatches(); err != nil {
			return nil, err
		}
	}
	return f.CountingModel.EndEpoch()
}

// validationBatches pulls the validation iterator's batches of the epoch after the last
// one trained (validation_steps of them at most) into the validation examples.
func (f *fed) validationBatches() error {
	epoch := f.val.epoch + 1
	f.val.begin(epoch)
	defer f.val.close()
	var bs []Batch
	var ats []string
	for f.valSteps <= 0 || len(bs) < f.valSteps {
		b, at, ok, err := f.val.pull()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		bs, ats = append(bs, b), append(ats, at)
	}
	if len(bs) == 0 {
		return fmt.Errorf("validation data: epoch %d: the iterator yielded no batches", epoch+1)
	}
	return f.feed.putAll(bs, ats)
}

// EndEpochWithoutValidation ends an epoch fit's validation_freq does not validate
// (runner.ValidationSkipper).
func (f *fed) EndEpochWithoutValidation() (runner.Logs, error) {
	if f.val != nil {
		f.val.epoch++ // the next validation's epoch
	}
	vs, ok := f.CountingModel.(runner.ValidationSkipper)
	if !ok {
		return nil, fmt.Errorf("a model of several inputs or outputs validates every epoch")
	}
	return vs.EndEpochWithoutValidation()
}

// KernelForms are the inner model's kernel forms (runner.KernelFormer), nil without.
func (f *fed) KernelForms() map[string]string {
	if k, ok := f.CountingModel.(runner.KernelFormer); ok {
		return k.KernelForms()
	}
	return nil
}

// valEpoch sets a validation iterator's epoch where training starts (a resumed run's
// checkpoint epoch), so that its calls get the epoch that validates: a runner.Callback
// Fit adds when the validation data is an iterator.
type valEpoch struct{ val *batchSource }

func (v valEpoch) callback() (configs.Callback, runner.Callback, error) {
	return configs.Callback{}, v, nil
}
func (v valEpoch) Name() string { return "validation iterator" }
func (v valEpoch) OnTrainBegin(t runner.Trainer) error {
	v.val.epoch = t.Position().Epoch - 1
	return nil
}
func (valEpoch) OnBatchEnd(runner.Trainer, int64, runner.Logs) error { return nil }
func (valEpoch) OnEpochEnd(runner.Trainer, int, runner.Logs) ([]string, error) {
	return nil, nil
}
func (valEpoch) OnTrainEnd(runner.Trainer) error { return nil }

// trainFed is fed whose training batches come from a Go iterator (runner.IteratorModel).
type trainFed struct {
	*fed
	train *batchSource
	idx   []int // 0, 1, ...: the positions of a batch's examples
}

// BeginEpoch calls the iterator for epoch and skips its first skip batches (those a
// resumed run trained on before its checkpoint).
func (t *trainFed) BeginEpoch(epoch, skip int) error {
	t.train.begin(epoch)
	if t.fed.val != nil {
		t.fed.val.epoch = epoch - 1
	}
	for range skip {
		if _, _, ok, err := t.train.pull(); err != nil {
			return err
		} else if !ok {
			return fmt.Errorf("data: epoch %d: the iterator ended after %d batches, but the checkpoint resumed is at batch %d", epoch+1, t.train.n, skip)
		}
	}
	return nil
}

// TrainNext trains on the epoch's next batch.
func (t *trainFed) TrainNext() (int, runner.Logs, runner.Counts, error) {
	b, at, ok, err := t.train.pull()
	if err != nil {
		return 0, nil, nil, err
	}
	if !ok {
		return 0, nil, nil, runner.ErrEndOfData
	}
	n, err := t.feed.put(b, at)
	if err != nil {
		return 0, nil, nil, err
	}
	for len(t.idx) < n {
		t.idx = append(t.idx, len(t.idx))
	}
	logs, counts, err := t.TrainStepCounts(t.idx[:n])
	if err != nil {
		return 0, nil, nil, fmt.Errorf("%s: %w", at, err)
	}
	return n, logs, counts, nil
}

// oneFeeder feeds a model of one input and one output.
type oneFeeder struct {
	m          *Model
	train, val *classifier.Dataset // what the training reads
}

// put checks b against the model built and makes it the training examples.
func (f *oneFeeder) put(b Batch, at string) (int, error) {
	ds, err := f.check(b, at)
	if err != nil {
		return 0, err
	}
	if (b.SampleWeight != nil) != f.m.weighted {
		return 0, fmt.Errorf("%s: SampleWeight: %s, but the first batch's: %s (every batch has sample weights or none)", at, has(b.SampleWeight != nil), has(f.m.weighted))
	}
	*f.train = *ds
	return ds.Len(), nil
}

// check checks b against the model built and returns its examples.
func (f *oneFeeder) check(b Batch, at string) (*classifier.Dataset, error) {
	if b.Batches != nil {
		return nil, fmt.Errorf("%s: a batch has no Batches of its own", at)
	}
	ds, err := b.dataset(at)
	if err != nil {
		return nil, err
	}
	m := f.m
	switch {
	case !slices.Equal(b.X.Shape, m.in) || (b.X.Ints != nil) != m.ints:
		return nil, fmt.Errorf("%s: X: examples of shape %v (%s), but the model takes %v (%s)", at, b.X.Shape, kind(b.X.Ints != nil), m.in, kind(m.ints))
	case max(ds.LabelWidth, 1) != m.labels:
		return nil, fmt.Errorf("%s: Y: %d labels per example, but the model was built for %d", at, max(ds.LabelWidth, 1), m.labels)
	}
	return ds, nil
}

// has says "given" or "none".
func has(ok bool) string {
	if ok {
		return "given"
	}
	return "none"
}

// putAll checks bs and makes them the validation examples.
func (f *oneFeeder) putAll(bs []Batch, at []string) error {
	all := &classifier.Dataset{Shape: builders.Shape(slices.Clone(f.m.in))}
	for i, b := range bs {
		ds, err := f.check(b, at[i])
		if err != nil {
			return err
		}
		all.Floats, all.Ints = append(all.Floats, ds.Floats...), append(all.Ints, ds.Ints...)
		all.Labels, all.LabelWidth = append(all.Labels, ds.Labels...), ds.LabelWidth
		if (ds.Weights != nil) != (bs[0].SampleWeight != nil) {
			return fmt.Errorf("%s: SampleWeight: %s, but the epoch's first batch's: %s (every batch has sample weights or none)", at[i], has(ds.Weights != nil), has(bs[0].SampleWeight != nil))
		}
		all.Weights = append(all.Weights, ds.Weights...)
	}
	*f.val = *all
	return nil
}

// multiFeeder feeds a model of several inputs or outputs.
type multiFeeder struct {
	first      *classifier.Examples // the first batch, which built the model
	train, val *classifier.Examples // what the training reads
}

// check checks b against the first batch and returns its examples.
func (f *multiFeeder) check(b Batch, at string) (*classifier.Examples, error) {
	if b.Batches != nil {
		return nil, fmt.Errorf("%s: a batch has no Batches of its own", at)
	}
	e, err := b.examples(at, true)
	if err != nil {
		return nil, err
	}
	for _, g := range []struct {
		kind      string
		got, want map[string]classifier.Tensor
	}{{"Inputs", e.Inputs, f.first.Inputs}, {"Outputs", e.Labels, f.first.Labels}} {
		if !slices.Equal(slices.Sorted(maps.Keys(g.got)), slices.Sorted(maps.Keys(g.want))) {
			return nil, fmt.Errorf("%s: %s %v, but the first batch's are %v", at, g.kind, slices.Sorted(maps.Keys(g.got)), slices.Sorted(maps.Keys(g.want)))
		}
		for name, t := range g.got {
			w := g.want[name]
			if !slices.Equal(t.Shape, w.Shape) || (t.Ints != nil) != (w.Ints != nil) {
				return nil, fmt.Errorf("%s: %s[%q]: examples of shape %v (%s), but the model takes %v (%s)", at, g.kind, name, []int(t.Shape), kind(t.Ints != nil), []int(w.Shape), kind(w.Ints != nil))
			}
		}
	}
	return e, nil
}

// put checks b and makes it the training examples.
func (f *multiFeeder) put(b Batch, at string) (int, error) {
	e, err := f.check(b, at)
	if err != nil {
		return 0, err
	}
	*f.train = *e
	return e.Len(), nil
}

// putAll checks bs and makes them the validation examples.
func (f *multiFeeder) putAll(bs []Batch, at []string) error {
	all := &classifier.Examples{Inputs: map[string]classifier.Tensor{}, Labels: map[string]classifier.Tensor{}}
	for i, b := range bs {
		e, err := f.check(b, at[i])
		if err != nil {
			return err
		}
		for _, g := range []struct{ dst, src map[string]classifier.Tensor }{{all.Inputs, e.Inputs}, {all.Labels, e.Labels}} {
			for name, t := range g.src {
				a := g.dst[name]
				a.Shape, a.Floats, a.Ints = t.Shape, append(a.Floats, t.Floats...), append(a.Ints, t.Ints...)
				g.dst[name] = a
			}
		}
	}
	*f.val = *all
	return nil
}

// firstBatch begins data's iteration at epoch 0 and returns its first batch (which builds
// the model; the first training step trains on it).
func firstBatch(src *batchSource) (Batch, string, error) {
	src.begin(0)
	b, at, ok, err := src.pull()
	if err != nil {
		return Batch{}, "", err
	}
	if !ok {
		return Batch{}, "", fmt.Errorf("%s: epoch 1: the iterator yielded no batches", src.what)
	}
	src.pending, src.n = &b, 0
	return b, at, nil
}
