package classifier

import "github.com/tfrun/tfrun/runner"

// Training returns c bound to its data as the runner.Model a classifier run trains (its
// train step on train's examples, the validation on val at each epoch's end, val nil for
// none): what Run passes to runner.Run.Fit, for programs that drive the loop themselves
// (package tfrun's Model.Fit).
func (c *Classifier) Training(train, val *Dataset, batchSize int) runner.Model {
	return &training{Classifier: c, train: train, val: val, batchSize: batchSize}
}
