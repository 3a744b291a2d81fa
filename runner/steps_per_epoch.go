package runner

import "fmt"

// epochSlice is the part of a pass over the training data one epoch trains on, as Keras
// 3's EpochIterator over in-memory arrays takes it (keras/src/trainers/epoch_iterator.py):
//
//   - without steps_per_epoch every epoch is one pass: all the batches of a fresh order;
//   - with steps_per_epoch s, an epoch is the next s batches of the current pass (its
//     iterator carries over from epoch to epoch); when the pass runs out before s
//     batches the epoch ends there, short (Keras warns "Your input ran out of data"), and
//     the next epoch begins a new pass in a new order. So with s ≥ the pass's batches every
//     epoch is one pass, and otherwise a pass spans ceil(batches/s) epochs, the last one
//     short unless s divides the batches.
//
// Keras's fit starts its iterator afresh at initial_epoch; tfrun counts passes from an
// origin epoch (the run's initial_epoch, or the epoch a resumed run's steps_per_epoch or
// data changed at), so the slices follow from the epoch number alone and a checkpoint
// needs no iterator state.
type epochSlice struct {
	// passStart is the epoch the pass began at: the pass's order is shuffled from
	// seed+passStart (without steps_per_epoch, seed+epoch, as always).
	passStart int
	// first is the epoch's first batch within the pass; batches how many it trains on.
	first, batches int
}

// sliceOf is epoch's slice of a pass of passBatches batches, passes starting at origin
// every ceil(passBatches/steps) epochs; steps ≤ 0 is one pass per epoch.
func sliceOf(epoch, origin, steps, passBatches int) epochSlice {
	if steps <= 0 || epoch < origin {
		return epochSlice{passStart: epoch, batches: passBatches}
	}
	per := (passBatches + steps - 1) / steps // epochs per pass
	rel := epoch - origin
	first := (rel % per) * steps
	return epochSlice{passStart: epoch - rel%per, first: first, batches: min(steps, passBatches-first)}
}

// stepsNote is the log's note when steps_per_epoch makes some epochs short, or "".
func stepsNote(steps, passBatches, examples, batchSize int) string {
	switch {
	case steps <= 0 || steps == passBatches || passBatches%steps == 0:
		return ""
	case steps > passBatches:
		return fmt.Sprintf("Note: train.steps_per_epoch %d is more than the %d batches of a pass over the %d training examples (batch_size %d): each epoch ends when its pass does, after %d steps (Keras's fit on arrays does the same, warning \"Your input ran out of data\").",
			steps, passBatches, examples, batchSize, passBatches)
	}
	per := (passBatches + steps - 1) / steps
	return fmt.Sprintf("Note: a pass over the %d training examples is %d batches, not a multiple of train.steps_per_epoch %d: one epoch in %d ends with the pass, after %d steps (as Keras's fit on arrays, which warns \"Your input ran out of data\").",
		examples, passBatches, steps, per, passBatches-(per-1)*steps)
}
