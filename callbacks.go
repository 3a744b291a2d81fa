package tfrun

import (
	"errors"
	"fmt"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/runner"
)

// Logs are metrics by Keras's names: loss, accuracy, val_loss, val_accuracy,
// learning_rate, ...
type Logs = runner.Logs

// ErrStopTraining, returned by a LambdaCallback's function (or wrapped in its error),
// ends training after the current epoch, as Keras's model.stop_training = True; Fit then
// returns no error.
var ErrStopTraining = errors.New("stop training")

// CallbackOption is a callback Fit runs: a built-in one (Callback) or a LambdaCallback.
type CallbackOption interface {
	callback() (configs.Callback, runner.Callback, error)
}

// builtin is a built-in callback, as a config's train.callbacks entry.
type builtin struct {
	cb  configs.Callback
	err error
}

func (b builtin) callback() (configs.Callback, runner.Callback, error) { return b.cb, nil, b.err }

// Callback is a built-in Keras callback by class name (configs.CallbackTypes:
// EarlyStopping, ReduceLROnPlateau, ModelCheckpoint, CSVLogger, TensorBoard,
// TerminateOnNaN) with its arguments (Arg("patience", 3)), as a config's train.callbacks
// entry: its state is in the run's checkpoints, its files in the run directory.
func Callback(typ string, args ...ArgValue) CallbackOption {
	cb, err := configs.NewCallback(typ)
	if err != nil {
		return builtin{err: fmt.Errorf("callback: %w", err)}
	}
	if err := setArgs(&cb, "callback "+cb.Type, configs.CallbackArgs(cb.Type), args); err != nil {
		return builtin{err: err}
	}
	return builtin{cb: cb}
}

// LambdaCallback is Keras's LambdaCallback: Go functions Fit calls at the start and end
// of training, after each batch (the global step and the epoch's running logs) and after
// each epoch (its 0-based index and logs). Each is optional. A function's error stops Fit
// with it, but ErrStopTraining, which ends training after the epoch.
type LambdaCallback struct {
	OnTrainBegin func() error
	OnBatchEnd   func(step int64, logs Logs) error
	OnEpochEnd   func(epoch int, logs Logs) error
	OnTrainEnd   func() error
}

func (l LambdaCallback) callback() (configs.Callback, runner.Callback, error) {
	return configs.Callback{}, &lambda{f: l}, nil
}

// lambda is a LambdaCallback as runner's callback.
type lambda struct{ f LambdaCallback }

func (l *lambda) Name() string { return "LambdaCallback" }

// stop turns ErrStopTraining into the loop's stop.
func stop(t runner.Trainer, err error) error {
	if errors.Is(err, ErrStopTraining) {
		t.StopTraining()
		return nil
	}
	return err
}

func (l *lambda) OnTrainBegin(t runner.Trainer) error {
	if l.f.OnTrainBegin == nil {
		return nil
	}
	return stop(t, l.f.OnTrainBegin())
}

func (l *lambda) OnBatchEnd(t runner.Trainer, step int64, logs runner.Logs) error {
	if l.f.OnBatchEnd == nil {
		return nil
	}
	return stop(t, l.f.OnBatchEnd(step, logs))
}

func (l *lambda) OnEpochEnd(t runner.Trainer, epoch int, logs runner.Logs) ([]string, error) {
	if l.f.OnEpochEnd == nil {
		return nil, nil
	}
	return nil, stop(t, l.f.OnEpochEnd(epoch, logs))
}

func (l *lambda) OnTrainEnd(t runner.Trainer) error {
	if l.f.OnTrainEnd == nil {
		return nil
	}
	return l.f.OnTrainEnd()
}
