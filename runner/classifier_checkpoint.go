package runner

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/graphs"
)

// classifierState is the training state of a classifier run that a checkpoint keeps
// beside the tensors (the "state" of ckpt-<step>.json).
type classifierState struct {
	// Seed is the run's seed: the graph's (initial weights, dropout streams) and the
	// shuffles'. A resumed run uses it whatever the config says now.
	Seed int64 `json:"seed"`
	// Limit is -limit: a resumed run must train on the same examples.
	Limit int `json:"limit"`
	// BatchSize and TrainExamples position Fit.Batch within an epoch's shuffle.
	BatchSize     int `json:"batch_size"`
	TrainExamples int `json:"train_examples"`
	// Epochs is the number of epochs the run was asked for when it saved.
	Epochs    int             `json:"epochs"`
	Fit       FitState        `json:"fit"`
	History   historyState    `json:"history"`
	Callbacks []callbackState `json:"callbacks"`
}

// callbackState is one callback's state: Keras's EarlyStopping (best, wait, best_epoch,
// stopped_epoch, best_weights) or ReduceLROnPlateau (best, wait, cooldown_counter).
type callbackState struct {
	Type         string    `json:"type"`
	Monitor      string    `json:"monitor"`
	Best         jsonFloat `json:"best"`
	Wait         int       `json:"wait"`
	Cooldown     int       `json:"cooldown_counter,omitempty"`
	BestEpoch    int       `json:"best_epoch,omitempty"`
	StoppedEpoch int       `json:"stopped_epoch,omitempty"`
	// BestWeights is the bundle prefix under which EarlyStopping's best weights are saved
	// (BestWeights + "/" + variable name), "" when it holds none.
	BestWeights string `json:"best_weights,omitempty"`
}

// statelessCallback marks a callback that has no state to checkpoint.
type statelessCallback interface {
	Callback
	stateless()
}

// bestWeightsPrefix names the extras holding the i-th EarlyStopping's best weights:
// "_early_stopping/best_weights", then "_early_stopping_1/best_weights", ...
func bestWeightsPrefix(i int) string {
	if i == 0 {
		return "_early_stopping/best_weights"
	}
	return fmt.Sprintf("_early_stopping_%d/best_weights", i)
}

// callbackStates snapshots the callbacks' states; EarlyStopping's best weights (a copy
// of weights, in weights' order) become extras.
func callbackStates(cbs []Callback, weights []*graphs.Variable) ([]callbackState, []checkpoints.Tensor, error) {
	var states []callbackState
	var extras []checkpoints.Tensor
	nES := 0
	for _, cb := range cbs {
		switch c := cb.(type) {
		case *EarlyStopping:
			st := callbackState{Type: "EarlyStopping", Monitor: c.Monitor, Best: jsonFloat(c.Best), Wait: c.Wait,
				BestEpoch: c.BestEpoch, StoppedEpoch: c.StoppedEpoch}
			if c.BestWeights != nil {
				ts, ok := c.BestWeights.([]*tf.Tensor)
				if !ok || len(ts) != len(weights) {
					return nil, nil, fmt.Errorf("EarlyStopping: best weights are %T, not a snapshot of the model's %d variables", c.BestWeights, len(weights))
				}
				st.BestWeights = bestWeightsPrefix(nES)
				for i, v := range weights {
					extras = append(extras, checkpoints.Tensor{Name: st.BestWeights + "/" + v.Name, Value: ts[i]})
				}
			}
			nES++
			states = append(states, st)
		case *ReduceLROnPlateau:
			states = append(states, callbackState{Type: "ReduceLROnPlateau", Monitor: c.Monitor, Best: jsonFloat(c.Best),
				Wait: c.Wait, Cooldown: c.Cooldowns})
		case statelessCallback:
		default:
			return nil, nil, fmt.Errorf("callback %s: its state cannot be checkpointed", cb.Name())
		}
	}
	return states, extras, nil
}

// restoreCallbacks puts checkpointed states back into callbacks that have had
// OnTrainBegin. Callbacks are matched in order by type and monitor; a callback the
// checkpoint does not have (the config changed) starts fresh, with a note on log.
func restoreCallbacks(cbs []Callback, states []callbackState, extras map[string]*tf.Tensor, weights []*graphs.Variable, logf func(string, ...any)) error {
	used := make([]bool, len(states))
	match := func(typ, monitor string) *callbackState {
		for i := range states {
			if !used[i] && states[i].Type == typ && states[i].Monitor == monitor {
				used[i] = true
				return &states[i]
			}
		}
		logf("Note: the checkpoint has no state for %s(monitor=%s); it starts fresh.", typ, monitor)
		return nil
	}
	for _, cb := range cbs {
		switch c := cb.(type) {
		case *EarlyStopping:
			st := match("EarlyStopping", c.Monitor)
			if st == nil {
				continue
			}
			c.Best, c.Wait, c.BestEpoch, c.StoppedEpoch = float64(st.Best), st.Wait, st.BestEpoch, st.StoppedEpoch
			c.BestWeights = nil
			if st.BestWeights != "" {
				ts := make([]*tf.Tensor, len(weights))
				for i, v := range weights {
					t := extras[st.BestWeights+"/"+v.Name]
					if t == nil {
						return fmt.Errorf("EarlyStopping: the checkpoint lacks best weight %s/%s", st.BestWeights, v.Name)
					}
					ts[i] = t
				}
				c.BestWeights = Weights(ts)
			}
		case *ReduceLROnPlateau:
			st := match("ReduceLROnPlateau", c.Monitor)
			if st == nil {
				continue
			}
			c.Best, c.Wait, c.Cooldowns = float64(st.Best), st.Wait, st.Cooldown
		case statelessCallback:
		default:
			return fmt.Errorf("callback %s: its state cannot be restored", cb.Name())
		}
	}
	for i, st := range states {
		if !used[i] {
			logf("Note: the checkpoint's %s(monitor=%s) state is not used: the config no longer has that callback.", st.Type, st.Monitor)
		}
	}
	return nil
}
