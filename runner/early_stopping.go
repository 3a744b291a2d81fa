package runner

import (
	"fmt"
	"sort"
)

// EarlyStopping is Keras's callback of that name: stop when the monitored metric has not
// improved by more than MinDelta for Patience epochs (and, with a Baseline, has not beaten
// it); with RestoreBestWeights, the weights of the best epoch are put back when it stops.
type EarlyStopping struct {
	NopCallback
	Monitor            string
	MinDelta           float64
	Patience           int
	Mode               string
	Baseline           *float64
	RestoreBestWeights bool
	StartFromEpoch     int

	// State, saved in checkpoints.
	Best         float64
	BestEpoch    int
	Wait         int
	StoppedEpoch int
	BestWeights  Weights

	m monitor
}

func (e *EarlyStopping) Name() string { return "EarlyStopping" }

func (e *EarlyStopping) OnTrainBegin(Trainer) error {
	e.m = newMonitor(e.Monitor, e.Mode, e.MinDelta)
	e.Best = e.m.worst()
	e.Wait, e.StoppedEpoch, e.BestEpoch, e.BestWeights = 0, 0, 0, nil
	return nil
}

// OnEpochEnd follows Keras 3's EarlyStopping.on_epoch_end: an improvement on the best value
// records it (and the weights) and resets the wait only if it also beats the baseline; a
// wait of Patience epochs without improvement stops training.
func (e *EarlyStopping) OnEpochEnd(t Trainer, epoch int, logs Logs) ([]string, error) {
	current, ok := logs[e.Monitor]
	if !ok {
		return nil, fmt.Errorf("EarlyStopping: metric %q is not available (have %v)", e.Monitor, keys(logs))
	}
	if epoch < e.StartFromEpoch {
		return nil, nil
	}
	if e.RestoreBestWeights && e.BestWeights == nil {
		w, err := t.Weights()
		if err != nil {
			return nil, err
		}
		e.BestWeights, e.BestEpoch = w, epoch
	}
	e.Wait++
	if e.m.better(current, e.Best) {
		e.Best, e.BestEpoch = current, epoch
		if e.RestoreBestWeights {
			w, err := t.Weights()
			if err != nil {
				return nil, err
			}
			e.BestWeights = w
		}
		if e.Baseline == nil || e.m.better(current, *e.Baseline) {
			e.Wait = 0
		}
		return nil, nil
	}
	if e.Wait >= e.Patience && epoch > 0 {
		e.StoppedEpoch = epoch
		t.StopTraining()
	}
	return nil, nil
}

// OnTrainEnd reports an early stop and, with RestoreBestWeights, puts the best epoch's
// weights back whether or not training stopped early (Keras 3).
func (e *EarlyStopping) OnTrainEnd(t Trainer) error {
	if e.StoppedEpoch > 0 {
		t.Logf("Epoch %d: early stopping", e.StoppedEpoch+1)
	}
	if e.RestoreBestWeights && e.BestWeights != nil {
		t.Logf("Restoring model weights from the end of the best epoch: %d.", e.BestEpoch+1)
		return t.SetWeights(e.BestWeights)
	}
	return nil
}

func keys(l Logs) []string {
	var ks []string
	for k := range l {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
