package main

import (
	"fmt"
	"math/rand/v2"

	"github.com/tfrun/tfrun/bench"
	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/classifier"
	"github.com/tfrun/tfrun/configs"
)

// benchClassifier times an IMDB classifier's training steps as Fit runs them (gather the
// batch, build its tensors, one TrainBatch), on warmup+steps batches of random token ids
// in [1, num_words) and random 0/1 labels, in order (Keras's side: fit, shuffle=False).
func benchClassifier(cfg *configs.Config, o options) (bench.Result, error) {
	if cfg.Data.Dataset != configs.DatasetIMDB {
		return bench.Result{}, fmt.Errorf("%s: data.dataset %q: only imdb classifiers are benchmarked", cfg.File, cfg.Data.Dataset)
	}
	total := o.warmup + o.steps
	ds := randomIMDB(total*o.batch, cfg.Data.Maxlen, cfg.Data.NumWords, uint64(o.seed))

	var clock stepClock
	clock.start()
	c, err := classifier.NewConfigClassifier(cfg, o.seed, o.threads)
	if err != nil {
		return bench.Result{}, err
	}
	defer c.Close()
	idx := make([]int, o.batch)
	for step := range total {
		for i := range idx {
			idx[i] = step*o.batch + i
		}
		x, y, err := ds.Batch(idx)
		if err != nil {
			return bench.Result{}, err
		}
		if _, _, err := c.TrainBatch(x, y); err != nil {
			return bench.Result{}, fmt.Errorf("step %d: %w", step+1, err)
		}
		clock.stepped()
	}
	r, err := bench.NewResult(o.model.Name, framework(), o.batch, o.warmup, clock.t0, clock.ends)
	if err != nil {
		return r, err
	}
	r.TrainableParams, _ = builders.CountParams(c.Model.TrainableVariables())
	r.PeakRSSBytes = peakRSS() // before counting, which copies the graph
	flops, err := c.TrainStepFLOPs(o.batch)
	if err != nil {
		return r, fmt.Errorf("counting FLOPs: %w", err)
	}
	r.FLOPsPerStep = flops.Total
	return r, nil
}

// randomIMDB is n padded reviews of maxlen random token ids in [1, numWords), labelled 0
// or 1 at random.
func randomIMDB(n, maxlen, numWords int, seed uint64) *classifier.Dataset {
	rng := rand.New(rand.NewPCG(seed, 0))
	ds := &classifier.Dataset{Ints: make([]int32, n*maxlen), Shape: builders.Shape{maxlen}, Labels: make([]float32, n)}
	for i := range ds.Ints {
		ds.Ints[i] = int32(1 + rng.IntN(numWords-1))
	}
	for i := range ds.Labels {
		ds.Labels[i] = float32(rng.IntN(2))
	}
	return ds
}
