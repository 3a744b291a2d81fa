package runner

import (
	"encoding/json"
	"fmt"
	"math"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/graphs"
)

// ReduceLROnPlateau is Keras's callback of that name: when the monitored metric has not
// improved by more than MinDelta for Patience epochs, multiply the learning rate by Factor
// (not below MinLR), then wait Cooldown epochs before counting again.
type ReduceLROnPlateau struct {
	NopCallback
	MonitorKey string
	Factor     float64
	Patience   int
	Mode       string
	MinDelta   float64
	Cooldown   int
	MinLR      float64

	// State, saved in checkpoints.
	Best      float64
	Wait      int
	Cooldowns int

	m monitor
}

func (r *ReduceLROnPlateau) Name() string    { return "ReduceLROnPlateau" }
func (r *ReduceLROnPlateau) Monitor() string { return r.MonitorKey }

func (r *ReduceLROnPlateau) OnTrainBegin(Trainer) error {
	r.m = newMonitor(r.MonitorKey, r.Mode, r.MinDelta)
	r.Best, r.Wait, r.Cooldowns = r.m.worst(), 0, 0
	return nil
}

func (r *ReduceLROnPlateau) OnEpochEnd(t Trainer, epoch int, logs Logs) ([]string, error) {
	current, skip, err := r.m.value("ReduceLROnPlateau", logs)
	if err != nil || skip {
		return nil, err
	}
	if r.Cooldowns > 0 {
		r.Cooldowns--
		r.Wait = 0
	}
	if r.m.better(current, r.Best) {
		r.Best = current
		r.Wait = 0
		return nil, nil
	}
	if r.Cooldowns > 0 {
		return nil, nil
	}
	r.Wait++
	if r.Wait < r.Patience {
		return nil, nil
	}
	old, err := t.LearningRate()
	if err != nil {
		return nil, err
	}
	if float32(old) <= float32(r.MinLR) {
		return nil, nil
	}
	r.Wait = 0
	lr := math.Max(old*r.Factor, r.MinLR)
	if err := t.SetLearningRate(lr); err != nil {
		return nil, err
	}
	r.Cooldowns = r.Cooldown
	return []string{fmt.Sprintf("Epoch %d: ReduceLROnPlateau reducing learning rate to %g.", epoch+1, float32(lr))}, nil
}

// reduceLRState is Keras's ReduceLROnPlateau state (best, wait, cooldown_counter).
type reduceLRState struct {
	Best     jsonFloat `json:"best"`
	Wait     int       `json:"wait"`
	Cooldown int       `json:"cooldown_counter,omitempty"`
}

func (r *ReduceLROnPlateau) State(string, []*graphs.Variable) (json.RawMessage, []checkpoints.Tensor, error) {
	raw, err := json.Marshal(reduceLRState{Best: jsonFloat(r.Best), Wait: r.Wait, Cooldown: r.Cooldowns})
	return raw, nil, err
}

func (r *ReduceLROnPlateau) SetState(raw json.RawMessage, _ map[string]*tf.Tensor, _ []*graphs.Variable) error {
	var st reduceLRState
	if err := json.Unmarshal(raw, &st); err != nil {
		return err
	}
	r.Best, r.Wait, r.Cooldowns = float64(st.Best), st.Wait, st.Cooldown
	return nil
}
