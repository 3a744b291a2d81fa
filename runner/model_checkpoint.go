package runner

import (
	"encoding/json"
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/graphs"
)

// ModelCheckpoint is Keras's callback of that name, for tfrun's checkpoints:
//   - SaveBestOnly false (Keras's default): the run saves a checkpoint after every epoch
//     (in <run dir>/checkpoints/, as checkpoint.every: 1 would);
//   - SaveBestOnly true: whenever the monitored metric improves on the best so far,
//     <run dir>/checkpoints/best/ gets a checkpoint of the run at that epoch (the newest
//     only), which later commands can choose as "best".
//
// Keras's filepath is not taken: the checkpoints go to those fixed places.
type ModelCheckpoint struct {
	NopCallback
	MonitorKey   string
	Mode         string
	SaveBestOnly bool

	// Best is the best monitored value so far, saved in checkpoints.
	Best float64

	m monitor
}

func (c *ModelCheckpoint) Name() string    { return "ModelCheckpoint" }
func (c *ModelCheckpoint) Monitor() string { return c.MonitorKey }

func (c *ModelCheckpoint) OnTrainBegin(Trainer) error {
	c.m = newMonitor(c.MonitorKey, c.Mode, 0)
	c.Best = c.m.worst()
	return nil
}

func (c *ModelCheckpoint) OnEpochEnd(t Trainer, epoch int, logs Logs) ([]string, error) {
	if !c.SaveBestOnly {
		t.RequestCheckpoint()
		return nil, nil
	}
	current, skip, err := c.m.value("ModelCheckpoint", logs)
	if err != nil || skip {
		return nil, err
	}
	if !c.m.better(current, c.Best) {
		return nil, nil
	}
	old := c.Best
	c.Best = current
	prefix, err := t.SaveCheckpoint(checkpoints.BestDir(t.RunDir()), 1)
	if err != nil {
		c.Best = old
		return nil, err
	}
	return []string{fmt.Sprintf("Epoch %d: %s improved from %.5f to %.5f, saving model to %s", epoch+1, c.MonitorKey, old, current, prefix)}, nil
}

type modelCheckpointState struct {
	Best jsonFloat `json:"best"`
}

func (c *ModelCheckpoint) State(string, []*graphs.Variable) (json.RawMessage, []checkpoints.Tensor, error) {
	raw, err := json.Marshal(modelCheckpointState{Best: jsonFloat(c.Best)})
	return raw, nil, err
}

func (c *ModelCheckpoint) SetState(raw json.RawMessage, _ map[string]*tf.Tensor, _ []*graphs.Variable) error {
	var st modelCheckpointState
	if err := json.Unmarshal(raw, &st); err != nil {
		return err
	}
	c.Best = float64(st.Best)
	return nil
}
