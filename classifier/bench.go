package classifier

import (
	"fmt"
	"math/rand/v2"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/runner"
)

// bench prepares tfrun-bench's benchmark of an IMDB classifier (runner.Kind.Bench): its
// steps as Fit runs them (gather the batch, build its tensors, one TrainBatch), on
// o.Steps batches of random token ids in [1, num_words) and random 0/1 labels, in order
// (Keras's side: fit, shuffle=False).
func bench(cfg *configs.Config, o runner.BenchOptions) (func() (runner.Bench, error), error) {
	if cfg.Data.Dataset != configs.DatasetIMDB {
		return nil, fmt.Errorf("%s: data.dataset %q: only imdb classifiers are benchmarked", cfg.File, cfg.Data.Dataset)
	}
	ds := randomIMDB(o.Steps*o.Batch, cfg.Data.Maxlen, cfg.Data.NumWords, uint64(o.Seed))
	return func() (runner.Bench, error) {
		c, err := NewConfigClassifier(cfg, o.Seed, o.Threads)
		if err != nil {
			return nil, err
		}
		return &benchModel{c: c, data: ds, batch: o.Batch, idx: make([]int, o.Batch)}, nil
	}, nil
}

// benchModel is a classifier with its benchmark's batches.
type benchModel struct {
	c     *Classifier
	data  *Dataset
	batch int
	idx   []int
}

func (b *benchModel) Step(step int) error {
	for i := range b.idx {
		b.idx[i] = step*b.batch + i
	}
	x, y, err := b.data.Batch(b.idx)
	if err != nil {
		return err
	}
	_, _, err = b.c.TrainBatch(x, y)
	return err
}

func (b *benchModel) TrainableParams() int {
	n, _ := builders.CountParams(b.c.Model.TrainableVariables())
	return n
}

func (b *benchModel) StepFLOPs() (int64, error) {
	f, err := b.c.TrainStepFLOPs(b.batch)
	return f.Total, err
}

// Session is the classifier's session (runner.ProfiledBench).
func (b *benchModel) Session() *graphs.Session { return b.c.Session() }

// StepFLOPsByOp is StepFLOPs op by op (runner.ProfiledBench).
func (b *benchModel) StepFLOPsByOp() (graphs.FLOPs, error) {
	return b.c.TrainStepFLOPs(b.batch)
}

func (b *benchModel) Close() error { return b.c.Close() }

// randomIMDB is n padded reviews of maxlen random token ids in [1, numWords), labelled 0
// or 1 at random.
func randomIMDB(n, maxlen, numWords int, seed uint64) *Dataset {
	rng := rand.New(rand.NewPCG(seed, 0))
	ds := &Dataset{Ints: make([]int32, n*maxlen), Shape: builders.Shape{maxlen}, Labels: make([]float32, n)}
	for i := range ds.Ints {
		ds.Ints[i] = int32(1 + rng.IntN(numWords-1))
	}
	for i := range ds.Labels {
		ds.Labels[i] = float32(rng.IntN(2))
	}
	return ds
}
