package tfrun

import (
	"context"
	"fmt"
)

// Evaluate returns the loss and the compiled metrics on data in inference mode (Keras's
// Model.evaluate): means over the examples, the stateful metrics (AUC, ...) from the
// counts of the whole set. It takes BatchSize and Steps (the first n batches). It builds
// the model first if Build has not.
//
// Data from an iterator (Data.Batches, FromIterator; Keras's evaluate(x=dataset,
// steps=)) is pulled once, until it ends or Steps batches were taken (an endless iterator
// needs Steps), ctx checked between two batches; its batches must have the first's shapes
// and types, and are evaluated together (they are gathered in memory) in batches of the
// first one's size: the same logs as arrays of the same examples with that BatchSize.
// BatchSize is refused with an iterator, as Keras refuses batch_size for a dataset. An
// error the iterator yields stops Evaluate, wrapped with the batch's number.
func (m *Model) Evaluate(ctx context.Context, data Data, opts ...FitOption) (Logs, error) {
	if m.compiled == nil {
		return nil, fmt.Errorf("evaluate: %w", ErrNotCompiled)
	}
	s, err := settings("evaluate", m.train(), opts, "BatchSize", "Steps")
	if err != nil {
		return nil, err
	}
	if data.Batches != nil {
		return m.evaluateFed(ctx, data, s)
	}
	if s.steps > 0 {
		data = data.head(s.steps * s.batchSize)
	}
	if m.multi() {
		return m.evaluateMulti(ctx, data, s.batchSize)
	}
	ds, err := data.dataset("evaluate: data")
	if err != nil {
		return nil, err
	}
	if err := m.build(data.X, max(ds.LabelWidth, 1), s.batchSize, data.SampleWeight != nil); err != nil {
		return nil, fmt.Errorf("evaluate: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("evaluate: %w", err)
	}
	logs, err := m.c.EvaluateLogs(ds, s.batchSize)
	if err != nil {
		return nil, err
	}
	return logs, nil
}

// Predict returns the model's outputs for x in inference mode (Keras's Model.predict):
// one row of the output's shape per example (a sigmoid's probability, a softmax's class
// probabilities, a regression's values). It takes BatchSize and Steps (the first n
// batches), and stops between two batches when ctx is cancelled. It builds the model
// first if Build has not. PredictBatches predicts batches an iterator yields.
func (m *Model) Predict(ctx context.Context, x Array, opts ...FitOption) (Array, error) {
	if m.compiled == nil {
		return Array{}, fmt.Errorf("predict: %w", ErrNotCompiled)
	}
	if m.multi() {
		return Array{}, fmt.Errorf("predict: the model has several inputs or outputs: use PredictOutputs")
	}
	s, err := settings("predict", m.train(), opts, "BatchSize", "Steps")
	if err != nil {
		return Array{}, err
	}
	if s.steps > 0 {
		x = x.head(s.steps * s.batchSize)
	}
	ds, err := unlabelled(x)
	if err != nil {
		return Array{}, fmt.Errorf("predict: %w", err)
	}
	if err := m.build(x, 0, s.batchSize, false); err != nil {
		return Array{}, fmt.Errorf("predict: %w", err)
	}
	out := Array{Shape: []int(m.c.Model.OutputShape())}
	n := ds.Len()
	chunk := 64 * s.batchSize // ctx is checked between chunks of batches
	for start := 0; start < n; start += chunk {
		if err := ctx.Err(); err != nil {
			return Array{}, fmt.Errorf("predict: %w", err)
		}
		idx := make([]int, 0, min(chunk, n-start))
		for i := start; i < min(start+chunk, n); i++ {
			idx = append(idx, i)
		}
		probs, err := m.c.Predict(ds.Subset(idx), s.batchSize)
		if err != nil {
			return Array{}, err
		}
		for _, p := range probs {
			out.Floats = append(out.Floats, float32(p))
		}
	}
	return out, nil
}
