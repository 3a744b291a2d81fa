package runner

import (
	"errors"
	"fmt"
)

// An IteratorModel takes its training batches from an iterator of its own (a Go
// program's iterator of batches, as Keras's fit takes a generator or a PyDataset) rather
// than the examples at positions: Fit calls BeginEpoch at each epoch and TrainNext for
// each step instead of TrainStep, FitSpec.Examples is 0, and an epoch is the iterator's
// batches until it ends, or its first Schedule.StepsPerEpoch ones. It is the same loop as
// for examples in memory: callbacks, validation, checkpoints and interruption alike.
type IteratorModel interface {
	Model
	// BeginEpoch starts the 0-based epoch's batches, skipping the first skip (those a
	// resumed run trained on before its checkpoint).
	BeginEpoch(epoch, skip int) error
	// TrainNext trains on the epoch's next batch, advancing the graph's step counter by
	// one, and returns the batch's number of examples, its logs and, for a CountingModel,
	// its counts. When the epoch's batches are over it trains on nothing and returns
	// ErrEndOfData.
	TrainNext() (examples int, logs Logs, counts Counts, err error)
}

// ErrEndOfData is IteratorModel.TrainNext's error at the end of an epoch's batches.
var ErrEndOfData = errors.New("end of the epoch's data")

// epochSteps is the number of steps of the epoch (for the log of a resumed run): its
// slice of a pass, or an iterator's steps_per_epoch (-1: until the iterator ends).
func epochSteps(fromIterator bool, epoch, origin, spe, passBatches int) int {
	if fromIterator {
		return passBatches
	}
	return sliceOf(epoch, origin, spe, passBatches).batches
}

// stepsOf writes an epoch's steps for the log: "?" when they are unknown (an iterator
// without steps_per_epoch).
func stepsOf(steps int) string {
	if steps < 0 {
		return "?"
	}
	return fmt.Sprint(steps)
}
