package runner

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// Position is where a run is in its training. With the variables (weights, optimizer slots
// and iterations, the graph's step counter), the history and the callbacks' states, it is
// what a checkpoint needs to continue exactly. The data order needs no state: a pass over
// the data that starts at epoch e is shuffled from (seed, e), and with steps_per_epoch the
// epoch says which part of which pass it trains on (epochSlice).
type Position struct {
	// Epoch is the 0-based epoch in progress; at an epoch boundary (Batch 0) it is the
	// number of epochs done.
	Epoch int `json:"epoch"`
	// Batch is how many batches of Epoch are done.
	Batch int `json:"batch"`
	// Sums are the partial epoch's running sums of each metric weighted by batch size, and
	// Seen the examples they cover, so its logs come out as if it had not been
	// interrupted.
	Sums map[string]jsonFloat `json:"sums,omitempty"`
	Seen int                  `json:"seen,omitempty"`
	// Counts are the partial epoch's summed Counts (a CountingModel's stateful metrics).
	Counts map[string][]jsonFloat `json:"counts,omitempty"`
	// Seconds is the time spent on the partial epoch.
	Seconds float64 `json:"seconds,omitempty"`
	// Stopped reports that a callback stopped training (EarlyStopping): the fit is over.
	Stopped bool `json:"stopped,omitempty"`
}

// runState is the training state a checkpoint keeps beside the tensors (the "state" of
// ckpt-<step>.json).
type runState struct {
	// Format is runStateFormat: a checkpoint of an earlier tfrun, whose state this one
	// cannot continue, is refused by name.
	Format string `json:"format"`
	// Seed is the run's seed: the graph's (initial weights, dropout and noise streams) and
	// the shuffles'. A resumed run uses it whatever the config says now.
	Seed int64 `json:"seed"`
	// Limit is -limit: a resumed run must train on the same examples.
	Limit int `json:"limit"`
	// BatchSize and TrainExamples place Position.Batch within an epoch's shuffle.
	BatchSize     int `json:"batch_size"`
	TrainExamples int `json:"train_examples"`
	// Epochs is the number of epochs the run was asked for when it saved.
	Epochs   int      `json:"epochs"`
	Position Position `json:"position"`
	// History is the history so far, encoded as history.json is (a missing value is
	// null; finite values round-trip exactly).
	History   *History        `json:"history"`
	Callbacks []callbackState `json:"callbacks,omitempty"`
	// LastEpochWeights says the model's variables hold weights a callback restored at the
	// end of training (EarlyStopping's best), what the final evaluation used; the last
	// epoch's weights, which a resumed run continues from, are the tensors
	// lastEpochPrefix/<variable>.
	LastEpochWeights bool `json:"last_epoch_weights,omitempty"`
	// StepsPerEpoch is fit's steps_per_epoch (0: one pass per epoch) and PassOrigin the
	// epoch its passes over the data count from (epochSlice): with BatchSize and
	// TrainExamples, where in a pass the next epoch starts.
	StepsPerEpoch int `json:"steps_per_epoch,omitempty"`
	PassOrigin    int `json:"pass_origin,omitempty"`
	// KernelForms are the kernel forms the model was built with (KernelFormer), which a
	// resumed run builds again; none in a checkpoint of a tfrun that recorded none.
	KernelForms map[string]string `json:"kernel_forms,omitempty"`
}

// runStateFormat tags the training state of this version's checkpoints.
const runStateFormat = "tfrun-run-2"

// lastEpochPrefix names the tensors holding the last epoch's weights when the model's
// variables hold restored ones.
const lastEpochPrefix = "_last_epoch"

// callbackState is one Stateful callback's state.
type callbackState struct {
	Type    string          `json:"type"`
	Monitor string          `json:"monitor"`
	State   json.RawMessage `json:"state"`
}

// jsonFloat is a float64 that JSON-encodes NaN and ±Inf (a callback's "best" starts at
// ±Inf) as the strings "NaN", "Infinity" and "-Infinity"; finite values round-trip
// exactly.
type jsonFloat float64

func (f jsonFloat) MarshalJSON() ([]byte, error) {
	x := float64(f)
	switch {
	case math.IsNaN(x):
		return []byte(`"NaN"`), nil
	case math.IsInf(x, 1):
		return []byte(`"Infinity"`), nil
	case math.IsInf(x, -1):
		return []byte(`"-Infinity"`), nil
	}
	return strconv.AppendFloat(nil, x, 'g', -1, 64), nil
}

func (f *jsonFloat) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case `"NaN"`:
		*f = jsonFloat(math.NaN())
		return nil
	case `"Infinity"`:
		*f = jsonFloat(math.Inf(1))
		return nil
	case `"-Infinity"`:
		*f = jsonFloat(math.Inf(-1))
		return nil
	}
	x, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("want a number, NaN or ±Infinity, got %s", b)
	}
	*f = jsonFloat(x)
	return nil
}
