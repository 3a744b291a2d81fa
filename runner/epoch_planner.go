package runner

// EpochPlanner is a Model that reads its examples ahead of the steps (an image folder
// streamed from disk, as a tf.data pipeline with prefetch): before an epoch's first
// step the loop tells it the order the epoch's remaining examples come in, batchSize at
// a time (on a resumed run, from the batch the epoch continues at).
type EpochPlanner interface {
	PlanEpoch(order []int, batchSize int) error
}
