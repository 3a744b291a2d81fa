package classifier

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/configs"
)

// This file exports what a program driving single training steps needs (the benchmark,
// bench/cmd/tfrun-bench) without going through Run: the classifier Run compiles for a
// config, and the batches the loop feeds it.

// NewConfigClassifier compiles the classifier a classifier config describes, as Run does:
// the same layers with Keras's default names, the same optimizer, weights drawn from seed,
// for inputs of the data set's shape (IMDB: maxlen token ids). threads sizes TensorFlow's
// intra-op pool (0: TensorFlow's choice). The caller closes it.
func NewConfigClassifier(cfg *configs.Config, seed int64, threads int) (*Classifier, error) {
	if cfg.Task != configs.TaskClassifier {
		return nil, fmt.Errorf("%s: task %q: not a classifier", cfg.File, cfg.Task)
	}
	if cfg.Data.Dataset != configs.DatasetIMDB {
		return nil, fmt.Errorf("%s: data.dataset %q: classifiers are implemented for imdb only so far", cfg.File, cfg.Data.Dataset)
	}
	return FromConfig(cfg, builders.Shape{cfg.Data.Maxlen}, true, seed, threads)
}

// Batch builds the feature and label tensors of the examples at idx, as each training step
// does.
func (d *Dataset) Batch(idx []int) (x, y *tf.Tensor, err error) { return d.batch(idx) }
