package runner

import "math"

// Logs are one epoch's metrics by Keras's names: loss, accuracy, val_loss, val_accuracy,
// learning_rate.
type Logs map[string]float64

// Trainer is what callbacks may act on: the learning rate, the weights, and stopping.
type Trainer interface {
	LearningRate() (float64, error)
	SetLearningRate(lr float64) error
	// Weights returns a copy of every model weight; SetWeights puts such a copy back.
	Weights() (Weights, error)
	SetWeights(w Weights) error
	// StopTraining ends training after the current epoch (Keras's model.stop_training).
	StopTraining()
	// Logf prints one line of the run's log (Keras's verbose messages).
	Logf(format string, args ...any)
}

// Weights is an opaque copy of a model's weights.
type Weights any

// Callback is a Keras callback: hooks the fit loop calls. Embed NopCallback to implement
// only some.
type Callback interface {
	Name() string
	OnTrainBegin(t Trainer) error
	// OnEpochEnd gets the 0-based epoch index and its logs; it may print to the log
	// through the returned messages (Keras's verbose lines).
	OnEpochEnd(t Trainer, epoch int, logs Logs) ([]string, error)
	OnTrainEnd(t Trainer) error
}

// NopCallback implements Callback with hooks that do nothing.
type NopCallback struct{}

func (NopCallback) OnTrainBegin(Trainer) error                      { return nil }
func (NopCallback) OnEpochEnd(Trainer, int, Logs) ([]string, error) { return nil, nil }
func (NopCallback) OnTrainEnd(Trainer) error                        { return nil }

// monitor is the piece EarlyStopping and ReduceLROnPlateau share: which metric, which
// direction is better, and by how much it must improve.
type monitor struct {
	key      string
	maximize bool
	minDelta float64
}

// newMonitor resolves Keras's mode "auto": metrics with "acc" in their name are maximised,
// the rest minimised.
func newMonitor(key, mode string, minDelta float64) monitor {
	m := monitor{key: key, minDelta: math.Abs(minDelta)}
	switch mode {
	case "max":
		m.maximize = true
	case "min":
	default:
		m.maximize = containsAcc(key)
	}
	return m
}

func containsAcc(s string) bool {
	for i := 0; i+3 <= len(s); i++ {
		if s[i:i+3] == "acc" {
			return true
		}
	}
	return false
}

// worst is the starting "best" value.
func (m monitor) worst() float64 {
	if m.maximize {
		return math.Inf(-1)
	}
	return math.Inf(1)
}

// better reports whether current improves on reference by more than minDelta.
func (m monitor) better(current, reference float64) bool {
	if m.maximize {
		return current-m.minDelta > reference
	}
	return current+m.minDelta < reference
}
