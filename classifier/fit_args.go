package classifier

import (
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/runner"
)

// withFitArgs adds Model.fit's steps_per_epoch, initial_epoch and validation_freq
// (configs.Train) to a classifier's schedule.
func withFitArgs(s runner.Schedule, t configs.Train) runner.Schedule {
	if t.StepsPerEpoch != nil {
		s.StepsPerEpoch = *t.StepsPerEpoch
	}
	s.InitialEpoch = t.InitialEpoch
	if f := t.ValidationFreq; !f.EveryEpoch() {
		s.Validate = f.Validates
	}
	return s
}

// validationBatches is the validation data fit's validation_steps leaves: its first
// validation_steps batches, the same ones every epoch (Keras's evaluation does not shuffle
// and restarts at the beginning each time); all of it without validation_steps or when it
// has fewer batches. The caller closes a subset it gets (one it did not is returned as is).
func validationBatches(val *Dataset, t configs.Train) *Dataset {
	if val == nil || t.ValidationSteps == nil || *t.ValidationSteps*t.BatchSize >= val.Len() {
		return val
	}
	idx := make([]int, *t.ValidationSteps*t.BatchSize)
	for i := range idx {
		idx[i] = i
	}
	return val.Subset(idx)
}

// EndEpochWithoutValidation is EndEpoch on an epoch fit's validation_freq does not
// validate: the learning rate only (runner.ValidationSkipper).
func (t *training) EndEpochWithoutValidation() (runner.Logs, error) {
	lr, err := t.LearningRate()
	if err != nil {
		return nil, err
	}
	return runner.Logs{"learning_rate": lr}, nil
}
