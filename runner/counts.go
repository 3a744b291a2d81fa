package runner

// Counts are a training step's additive statistics by name: the state of Keras's
// stateful metrics (AUC's confusion counts at its thresholds, Precision's and Recall's at
// 0.5), which are computed from the counts of the whole epoch so far, not averaged over
// batches (a mean of per-batch AUCs is another, wrong number). The loop sums them over the
// epoch, keeps the partial sums in a mid-epoch checkpoint as it keeps the means' sums, and
// has the model turn the sums into log values after every step (the progress line) and at
// the epoch's end (the history).
type Counts map[string][]float64

// CountingModel is a Model whose training steps also report Counts.
type CountingModel interface {
	Model
	// TrainStepCounts is TrainStep that also returns the batch's counts.
	TrainStepCounts(idx []int) (Logs, Counts, error)
	// CountedLogs returns the metrics' values from counts summed over the epoch so far
	// (e.g. "auc" from the "auc" counts).
	CountedLogs(sums Counts) (Logs, error)
}

// add adds a batch's counts into sums.
func (sums Counts) add(c Counts) {
	for k, v := range c {
		s := sums[k]
		if len(s) < len(v) {
			s = append(s, make([]float64, len(v)-len(s))...)
		}
		for i, x := range v {
			s[i] += x
		}
		sums[k] = s
	}
}

func countsToJSON(c Counts) map[string][]jsonFloat {
	if len(c) == 0 {
		return nil
	}
	out := make(map[string][]jsonFloat, len(c))
	for k, v := range c {
		f := make([]jsonFloat, len(v))
		for i, x := range v {
			f[i] = jsonFloat(x)
		}
		out[k] = f
	}
	return out
}

func countsFromJSON(m map[string][]jsonFloat) Counts {
	out := Counts{}
	for k, v := range m {
		f := make([]float64, len(v))
		for i, x := range v {
			f[i] = float64(x)
		}
		out[k] = f
	}
	return out
}
