package tfrun

import (
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/classifier"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/runner"
)

// fitFed is Fit when the training or the validation data is a Go iterator
// (Data.Batches): the model's training reads each batch from where a feeder puts it, and
// runner's loop, the same as for arrays, asks for the batches (runner.IteratorModel).
func (m *Model) fitFed(ctx context.Context, data Data, s *fitSettings) (*History, error) {
	if data.Batches != nil && data.hasArrays() {
		return nil, fmt.Errorf("fit: data: give Batches (an iterator) or arrays, not both")
	}
	var train, val *batchSource
	first, at := data, "fit: data"
	if data.Batches != nil {
		train = &batchSource{batches: data.Batches, what: "data", epoch: -1}
		defer train.close()
		var err error
		if first, at, err = firstBatch(train); err != nil {
			return nil, fmt.Errorf("fit: %w", err)
		}
	}
	if s.validation != nil && s.validation.Batches != nil {
		val = &batchSource{batches: s.validation.Batches, what: "validation data", epoch: -1}
		defer val.close()
		s.callbacks = append(slices.Clone(s.callbacks), valEpoch{val})
	}
	if val == nil && s.validationSteps > 0 && s.validation != nil && m.multi() {
		return nil, fmt.Errorf("fit: ValidationSteps with several inputs or outputs takes validation data from an iterator (Data.Batches)")
	}
	var (
		inner   runner.Model
		feed    feeder
		model   builders.Model
		config  func(configs.Train) (*configs.Config, error)
		initial func(io.Writer, *configs.Config, *runner.Run) error
		n       int // training examples in memory; 0 for an iterator
		err     error
	)
	first0 := !m.adapted // the first Fit of weights that came from no checkpoint
	if m.multi() {
		inner, feed, n, err = m.fedMulti(first, at, train != nil, s)
		model, config = m.mo.Model, m.multiConfig
		if err == nil && first0 {
			initial = func(log io.Writer, cfg *configs.Config, r *runner.Run) error {
				return classifier.LoadInitialWeights(log, cfg, r, m.mo.Session(), m.mo.Weights())
			}
		}
	} else {
		inner, feed, n, err = m.fedOne(first, at, train != nil, s)
		model, config = m.c.Model, func(t configs.Train) (*configs.Config, error) { return m.config(t), nil }
		if err == nil && first0 {
			initial = func(log io.Writer, cfg *configs.Config, r *runner.Run) error {
				return classifier.LoadInitialWeights(log, cfg, r, m.c.Session(), m.c.Weights())
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("fit: %w", err)
	}
	cm, ok := inner.(runner.CountingModel)
	if !ok {
		return nil, fmt.Errorf("fit: a %T cannot train from an iterator", inner)
	}
	f := &fed{CountingModel: cm, feed: feed, val: val, valSteps: s.validationSteps}
	var tm runner.Model = f
	if train != nil {
		tm = &trainFed{fed: f, train: train}
	}
	return m.runFit(ctx, s, tm, n, model, config, initial)
}

// fedOne builds a model of one input and one output for first (the first batch, or the
// arrays) and returns its training, fed from an iterator where iterated says.
func (m *Model) fedOne(first Data, at string, iterated bool, s *fitSettings) (runner.Model, feeder, int, error) {
	ds, err := first.dataset(at)
	if err != nil {
		return nil, nil, 0, err
	}
	if err := m.build(first.X, max(ds.LabelWidth, 1), s.batchSize, first.SampleWeight != nil); err != nil {
		return nil, nil, 0, err
	}
	if err := m.adaptFed(ds, nil, iterated, s.batchSize); err != nil {
		return nil, nil, 0, err
	}
	f := &oneFeeder{m: m, train: ds, val: &classifier.Dataset{}}
	n := ds.Len()
	if iterated {
		f.train, n = &classifier.Dataset{}, 0
		if _, err := f.put(first, at); err != nil { // the checks of every batch
			return nil, nil, 0, err
		}
	}
	val := f.val
	if v := s.validation; v != nil && v.Batches == nil {
		if val, err = f.check(*v, "validation data"); err != nil {
			return nil, nil, 0, err
		}
		if s.validationSteps > 0 {
			val = val.Head(s.validationSteps * s.batchSize)
		}
	} else if v == nil {
		val = nil
	}
	return m.c.Training(f.train, val, s.batchSize), f, n, nil
}

// fedMulti is fedOne for a model of several inputs or outputs.
func (m *Model) fedMulti(first Data, at string, iterated bool, s *fitSettings) (runner.Model, feeder, int, error) {
	e, err := first.examples(at, true)
	if err != nil {
		return nil, nil, 0, err
	}
	if err := m.buildMulti(e, s.batchSize); err != nil {
		return nil, nil, 0, err
	}
	if err := m.adaptFed(nil, e, iterated, s.batchSize); err != nil {
		return nil, nil, 0, err
	}
	// the training checks its examples' names when it is made: the first batch's stand
	// for the others, and for the validation examples until the first validation
	f := &multiFeeder{first: e, train: &classifier.Examples{}, val: &classifier.Examples{}}
	*f.train, *f.val = *e, *e
	n := e.Len()
	if iterated {
		n = 0
	}
	val := f.val
	if v := s.validation; v != nil && v.Batches == nil {
		if val, err = f.check(*v, "validation data"); err != nil {
			return nil, nil, 0, err
		}
	} else if v == nil {
		val = nil
	}
	tm, err := m.mo.Training(f.train, val, s.batchSize)
	if err != nil {
		return nil, nil, 0, err
	}
	return tm, f, n, nil
}

// adaptFed adapts the model's Normalization layers to the training arrays (ds or e)
// before its first Fit, as Fit on arrays does; data from an iterator is not read ahead,
// so a model with Normalization layers must be adapted first (Keras's layer.adapt).
func (m *Model) adaptFed(ds *classifier.Dataset, e *classifier.Examples, iterated bool, batchSize int) error {
	if m.adapted {
		return nil
	}
	var layers []builders.Layer
	if ds != nil {
		layers = m.c.Model.AllLayers()
	} else {
		layers = m.mo.Model.AllLayers()
	}
	switch {
	case iterated:
		for _, l := range layers {
			if n, ok := l.(*builders.Normalization); ok {
				return fmt.Errorf("layer %q (Normalization) adapts to the training data, which an iterator does not give ahead of training: Fit on arrays first (it adapts the layer), or load weights that have it", n.Name())
			}
		}
	case ds != nil:
		if err := m.c.Adapt(ds, batchSize); err != nil {
			return err
		}
	default:
		if err := m.mo.Adapt(e, batchSize); err != nil {
			return err
		}
	}
	m.adapted = true
	return nil
}
