package runner

import (
	"encoding/json"
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/graphs"
)

// EarlyStopping is Keras's callback of that name: stop when the monitored metric has not
// improved by more than MinDelta for Patience epochs (and, with a Baseline, has not beaten
// it); with RestoreBestWeights, the weights of the best epoch are put back when training
// ends.
type EarlyStopping struct {
	NopCallback
	MonitorKey         string
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
	BestWeights  []*tf.Tensor

	m monitor
}

func (e *EarlyStopping) Name() string    { return "EarlyStopping" }
func (e *EarlyStopping) Monitor() string { return e.MonitorKey }

func (e *EarlyStopping) OnTrainBegin(Trainer) error {
	e.m = newMonitor(e.MonitorKey, e.Mode, e.MinDelta)
	e.Best = e.m.worst()
	e.Wait, e.StoppedEpoch, e.BestEpoch, e.BestWeights = 0, 0, 0, nil
	return nil
}

// OnEpochEnd follows Keras 3's EarlyStopping.on_epoch_end: an improvement on the best value
// records it (and the weights) and resets the wait only if it also beats the baseline; a
// wait of Patience epochs without improvement stops training.
func (e *EarlyStopping) OnEpochEnd(t Trainer, epoch int, logs Logs) ([]string, error) {
	current, skip, err := e.m.value("EarlyStopping", logs)
	if err != nil || skip {
		return nil, err
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

// earlyStoppingState is Keras's EarlyStopping state (best, wait, best_epoch,
// stopped_epoch); the best weights are tensors of the checkpoint under BestWeights.
type earlyStoppingState struct {
	Best         jsonFloat `json:"best"`
	Wait         int       `json:"wait"`
	BestEpoch    int       `json:"best_epoch,omitempty"`
	StoppedEpoch int       `json:"stopped_epoch,omitempty"`
	// BestWeights is the prefix under which the best weights are saved (BestWeights + "/"
	// + variable name), "" when there are none.
	BestWeights string `json:"best_weights,omitempty"`
}

func (e *EarlyStopping) State(prefix string, weights []*graphs.Variable) (json.RawMessage, []checkpoints.Tensor, error) {
	st := earlyStoppingState{Best: jsonFloat(e.Best), Wait: e.Wait, BestEpoch: e.BestEpoch, StoppedEpoch: e.StoppedEpoch}
	var extras []checkpoints.Tensor
	if e.BestWeights != nil {
		if len(e.BestWeights) != len(weights) {
			return nil, nil, fmt.Errorf("best weights hold %d tensors, the model has %d weights", len(e.BestWeights), len(weights))
		}
		st.BestWeights = prefix + "/best_weights"
		for i, v := range weights {
			extras = append(extras, checkpoints.Tensor{Name: st.BestWeights + "/" + v.Name, Value: e.BestWeights[i]})
		}
	}
	raw, err := json.Marshal(st)
	return raw, extras, err
}

func (e *EarlyStopping) SetState(raw json.RawMessage, extras map[string]*tf.Tensor, weights []*graphs.Variable) error {
	var st earlyStoppingState
	if err := json.Unmarshal(raw, &st); err != nil {
		return err
	}
	e.Best, e.Wait, e.BestEpoch, e.StoppedEpoch = float64(st.Best), st.Wait, st.BestEpoch, st.StoppedEpoch
	e.BestWeights = nil
	if st.BestWeights == "" {
		return nil
	}
	ts := make([]*tf.Tensor, len(weights))
	for i, v := range weights {
		t := extras[st.BestWeights+"/"+v.Name]
		if t == nil {
			return fmt.Errorf("the checkpoint lacks best weight %s/%s", st.BestWeights, v.Name)
		}
		ts[i] = t
	}
	e.BestWeights = ts
	return nil
}
