package runner

import (
	"encoding/json"
	"image"
	"math"
	"slices"
	"sort"
	"strings"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/graphs"
)

// Logs are metrics by Keras's names: loss, accuracy, val_loss, val_accuracy,
// learning_rate for a classifier; gen_loss, disc_loss, real_accuracy, fake_accuracy for a
// GAN.
type Logs map[string]float64

// Trainer is what callbacks may act on: the learning rate, the weights, stopping, and
// what a callback that writes files needs to know about the run.
type Trainer interface {
	LearningRate() (float64, error)
	SetLearningRate(lr float64) error
	// Weights returns a copy of every model weight (in WeightVariables' order); SetWeights
	// puts such a copy back.
	Weights() ([]*tf.Tensor, error)
	SetWeights(w []*tf.Tensor) error
	// WeightVariables are the model's weights, trainable and not.
	WeightVariables() []*graphs.Variable
	// StopTraining ends training after the current epoch (Keras's model.stop_training).
	StopTraining()
	// Logf prints one line of the run's log (Keras's verbose messages).
	Logf(format string, args ...any)

	// RunDir is the run directory, where callbacks' files go.
	RunDir() string
	// Position is where training is: at OnTrainBegin, where it starts (a resumed run's
	// checkpoint position).
	Position() Position
	// GlobalStep is the number of training steps done (the graph's step counter).
	GlobalStep() (int64, error)
	// History is the history so far (a resumed run's includes the epochs before it).
	History() *History
	// GraphDef is the training graph, serialized.
	GraphDef() ([]byte, error)
	// Images are the model's pictures of the epoch just ended, by name (a GAN's sample
	// grid); nil for a model without any.
	Images() map[string]image.Image
	// SaveCheckpoint saves a checkpoint of the run as it is now into dir, keeping the
	// newest keep there (ModelCheckpoint's best), and returns its prefix.
	SaveCheckpoint(dir string, keep int) (string, error)
	// RequestCheckpoint asks the loop to save a periodic checkpoint at the end of this
	// epoch (ModelCheckpoint without save_best_only).
	RequestCheckpoint()
}

// Callback is a Keras callback: hooks the loop calls. Embed NopCallback to implement only
// some. An error from a hook stops training; the loop wraps it with the callback's name.
type Callback interface {
	Name() string
	OnTrainBegin(t Trainer) error
	// OnBatchEnd gets the global step after the batch and the epoch's running logs.
	OnBatchEnd(t Trainer, step int64, logs Logs) error
	// OnEpochEnd gets the 0-based epoch index and its logs; it may print to the log
	// through the returned messages (Keras's verbose lines).
	OnEpochEnd(t Trainer, epoch int, logs Logs) ([]string, error)
	OnTrainEnd(t Trainer) error
}

// NopCallback implements Callback with hooks that do nothing.
type NopCallback struct{}

func (NopCallback) OnTrainBegin(Trainer) error                      { return nil }
func (NopCallback) OnBatchEnd(Trainer, int64, Logs) error           { return nil }
func (NopCallback) OnEpochEnd(Trainer, int, Logs) ([]string, error) { return nil, nil }
func (NopCallback) OnTrainEnd(Trainer) error                        { return nil }

// Closer is a callback that holds files: Close flushes and releases them. The loop calls
// it however training ends (finished, interrupted, failed), after OnTrainEnd if that ran.
type Closer interface {
	Close() error
}

// Stateful is a callback whose state a checkpoint keeps, so that a resumed run continues
// its counters (EarlyStopping's wait, ReduceLROnPlateau's cooldown, ModelCheckpoint's
// best).
type Stateful interface {
	Callback
	// Monitor is the metric the callback watches: with Name, what matches a checkpoint's
	// state to the callback on resume.
	Monitor() string
	// State returns the callback's state as JSON and the tensors it holds in Go (their
	// names start with prefix, a name unique to the callback in the checkpoint).
	State(prefix string, weights []*graphs.Variable) (json.RawMessage, []checkpoints.Tensor, error)
	// SetState puts back what State returned, after OnTrainBegin.
	SetState(raw json.RawMessage, extras map[string]*tf.Tensor, weights []*graphs.Variable) error
}

// monitor is the piece EarlyStopping, ReduceLROnPlateau and ModelCheckpoint share: which
// metric, which direction is better, and by how much it must improve.
type monitor struct {
	key      string
	maximize bool
	minDelta float64
}

// risingMetrics are the log names of Keras metrics whose _direction is "up" besides the
// accuracies: mode "auto" maximises them. (Keras's mean_squared_error,
// mean_absolute_error, root_mean_squared_error are "down": minimised, as losses.)
var risingMetrics = []string{"auc", "precision", "recall", "r2_score"}

// newMonitor resolves Keras's mode "auto" as Keras 3 does: losses are minimised, metrics
// that rise as the model improves (the accuracies, a GAN's real and fake accuracy, AUC,
// precision, recall, r2_score) maximised. A model of several outputs logs
// <output>_loss and <output>_<metric>, which Keras 3.15.1 refuses to resolve; they are
// resolved by their metric (docs/guide/multi_io.md): class_loss min, class_auc max.
func newMonitor(key, mode string, minDelta float64) monitor {
	m := monitor{key: key, minDelta: math.Abs(minDelta)}
	switch mode {
	case "max":
		m.maximize = true
	case "min":
	default:
		name := strings.TrimPrefix(key, "val_")
		if name == "loss" || strings.HasSuffix(name, "_loss") {
			break
		}
		m.maximize = strings.HasSuffix(name, "accuracy") || name == "acc" || strings.HasSuffix(name, "_acc") || slices.ContainsFunc(risingMetrics, func(r string) bool {
			return name == r || strings.HasSuffix(name, "_"+r)
		})
	}
	return m
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

// value is the monitored metric in logs, or an error naming the metrics there are. skip
// reports an epoch that did not validate (fit's validation_freq) while the monitor is a
// val_ metric: Keras's EarlyStopping, ReduceLROnPlateau and ModelCheckpoint then do
// nothing that epoch (they warn that the metric is not available).
func (m monitor) value(who string, logs Logs) (v float64, skip bool, err error) {
	v, ok := logs[m.key]
	if ok {
		return v, false, nil
	}
	if strings.HasPrefix(m.key, "val_") && !validated(logs) {
		return 0, true, nil
	}
	return 0, false, &missingMetricError{who: who, key: m.key, have: keys(logs)}
}

// validated reports whether an epoch's logs have validation metrics.
func validated(logs Logs) bool {
	for k := range logs {
		if strings.HasPrefix(k, "val_") {
			return true
		}
	}
	return false
}

type missingMetricError struct {
	who, key string
	have     []string
}

func (e *missingMetricError) Error() string {
	return e.who + ": metric \"" + e.key + "\" is not available (have " + strings.Join(e.have, ", ") + ")"
}

func keys(l Logs) []string {
	var ks []string
	for k := range l {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
