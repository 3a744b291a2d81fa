package runner

import (
	"fmt"

	"github.com/tfrun/tfrun/configs"
)

// callbackKinds makes each config callback type's runner callback. Every type configs
// accepts has an entry (TestEveryConfigCallbackBuilds).
var callbackKinds = map[string]func(configs.Callback) Callback{
	configs.CallbackEarlyStopping: func(cb configs.Callback) Callback {
		return &EarlyStopping{MonitorKey: cb.Monitor, MinDelta: cb.MinDelta, Patience: cb.Patience, Mode: cb.Mode,
			Baseline: cb.Baseline, RestoreBestWeights: cb.RestoreBestWeights, StartFromEpoch: cb.StartFromEpoch}
	},
	configs.CallbackReduceLROnPlateau: func(cb configs.Callback) Callback {
		return &ReduceLROnPlateau{MonitorKey: cb.Monitor, Factor: cb.Factor, Patience: cb.Patience, Mode: cb.Mode,
			MinDelta: cb.MinDelta, Cooldown: cb.Cooldown, MinLR: cb.MinLR}
	},
	configs.CallbackModelCheckpoint: func(cb configs.Callback) Callback {
		return &ModelCheckpoint{MonitorKey: cb.Monitor, Mode: cb.Mode, SaveBestOnly: cb.SaveBestOnly}
	},
	configs.CallbackCSVLogger: func(cb configs.Callback) Callback {
		return &CSVLogger{Filename: cb.Filename, Separator: cb.Separator, Append: cb.Append}
	},
	configs.CallbackTerminateOnNaN: func(configs.Callback) Callback { return &TerminateOnNaN{} },
	configs.CallbackTensorBoard: func(cb configs.Callback) Callback {
		return &TensorBoard{LogDir: cb.LogDir, HistogramFreq: cb.HistogramFreq, WriteGraph: cb.WriteGraph, UpdateFreq: cb.UpdateFreq}
	},
}

// NewCallbacks turns config callbacks into runner callbacks, in order.
func NewCallbacks(cbs []configs.Callback) ([]Callback, error) {
	var out []Callback
	for i, cb := range cbs {
		kind, ok := callbackKinds[cb.Type]
		if !ok {
			return nil, fmt.Errorf("train.callbacks[%d]: unknown callback %q (valid: %v)", i, cb.Type, configs.CallbackTypes())
		}
		out = append(out, kind(cb))
	}
	return out, nil
}

// withTerminateOnNaN adds TerminateOnNaN to cbs unless it is there: every run stops on a
// non-finite loss, since no checkpoint may hold NaN weights (Keras adds its History and
// progress bar callbacks the same way).
func withTerminateOnNaN(cbs []Callback) []Callback {
	for _, cb := range cbs {
		if _, ok := cb.(*TerminateOnNaN); ok {
			return cbs
		}
	}
	return append(cbs, &TerminateOnNaN{})
}
