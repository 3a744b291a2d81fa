package configs

import (
	"fmt"
	"slices"
)

// Model.fit's arguments besides epochs, batch_size, shuffle and the validation data
// (Train's steps_per_epoch, validation_steps, validation_freq and initial_epoch), as
// Keras 3's fit takes them (keras/src/trainers/trainer.py, epoch_iterator.py).

// ValidationFreq is Model.fit validation_freq: which epochs validate. Keras 3 takes an
// integer N (validate after epochs N, 2N, ... counted from 1) or a list of the epochs
// (1-based) to validate after (Trainer._should_eval); its docstring names only the
// integer. YAML: `validation_freq: 2` or `validation_freq: [1, 5, 10]`.
type ValidationFreq struct {
	// Every is the integer form (default 1: every epoch); 0 when Epochs is given.
	Every int
	// Epochs is the list form: the 1-based epochs that validate.
	Epochs []int
}

// Validates reports whether the 0-based epoch validates (Keras's _should_eval).
func (f ValidationFreq) Validates(epoch int) bool {
	if f.Epochs != nil {
		return slices.Contains(f.Epochs, epoch+1)
	}
	return f.Every <= 1 || (epoch+1)%f.Every == 0
}

// EveryEpoch reports whether every epoch validates (the default).
func (f ValidationFreq) EveryEpoch() bool { return f.Epochs == nil && f.Every <= 1 }

// String is the YAML spelling.
func (f ValidationFreq) String() string {
	if f.Epochs != nil {
		return fmt.Sprint(f.Epochs)
	}
	return fmt.Sprint(f.Every)
}

// validationFreq decodes train.validation_freq: an integer or a list of integers.
func (d *decoder) validationFreq(path string, raw any, f *ValidationFreq) error {
	if n, ok := asInt(raw); ok {
		*f = ValidationFreq{Every: int(n)}
		return nil
	}
	list, ok := raw.([]any)
	if !ok {
		return d.wrongType(path, "an integer (validate every N epochs) or a list of epochs", raw)
	}
	f.Every, f.Epochs = 0, make([]int, len(list))
	for i, item := range list {
		n, ok := asInt(item)
		if !ok {
			return d.wrongType(indexPath(path, i), "an integer (an epoch, counted from 1)", item)
		}
		f.Epochs[i] = int(n)
	}
	return nil
}

// shuffleBatch refuses Keras's shuffle="batch" by name before the decoder's generic "want
// true or false".
func (d *decoder) shuffleBatch(raw map[string]any) error {
	train, _ := raw["train"].(map[string]any)
	if s, ok := train["shuffle"].(string); ok && s == "batch" {
		return d.bad("train.shuffle", `"batch" is Keras's option for HDF5 data, which shuffles the examples within each batch and keeps the batches in order; tfrun's data is in memory, where that only reorders a batch's sum: use true (a new order every epoch, the default) or false`)
	}
	return nil
}

// fitArgs checks train.steps_per_epoch, validation_steps, validation_freq and
// initial_epoch.
func (c *checker) fitArgs(t *Train) error {
	if t.StepsPerEpoch != nil {
		if err := c.positiveWhy("train.steps_per_epoch", *t.StepsPerEpoch, "leave it out for one pass over the data per epoch"); err != nil {
			return err
		}
	}
	if t.ValidationSteps != nil {
		if err := c.positiveWhy("train.validation_steps", *t.ValidationSteps, "leave it out to validate on all the validation data"); err != nil {
			return err
		}
		if !t.HasValidation() {
			return c.bad("train.validation_steps", "%d given, but the run does not validate (%s)", *t.ValidationSteps, t.noValidationHint())
		}
	}
	f := t.ValidationFreq
	if f.Epochs != nil {
		if len(f.Epochs) == 0 {
			return c.bad("train.validation_freq", "an empty list validates no epoch; leave train.validation_freq out, or list the epochs (from 1) to validate after")
		}
		for i, e := range f.Epochs {
			p := indexPath("train.validation_freq", i)
			if e < 1 || e > t.Epochs {
				return c.bad(p, "epoch %d is not one of the run's epochs 1..%d (train.epochs)", e, t.Epochs)
			}
			if i > 0 && e <= f.Epochs[i-1] {
				return c.bad(p, "epoch %d after %d: list the epochs in increasing order, each once", e, f.Epochs[i-1])
			}
		}
	} else if err := c.positiveWhy("train.validation_freq", f.Every, "validate after every N-th epoch"); err != nil {
		return err
	}
	if !f.EveryEpoch() && !t.HasValidation() {
		return c.bad("train.validation_freq", "%s given, but the run does not validate (%s)", f, t.noValidationHint())
	}
	if t.InitialEpoch < 0 {
		return c.bad("train.initial_epoch", "must be >= 0 (the 0-based epoch to start at), got %d", t.InitialEpoch)
	}
	if t.InitialEpoch >= t.Epochs {
		return c.bad("train.initial_epoch", "%d >= train.epochs %d: nothing would train (epochs is the final epoch, not a count: Keras trains epochs initial_epoch+1..epochs)", t.InitialEpoch, t.Epochs)
	}
	return nil
}

// noValidationHint says which keys give a classifier validation data.
func (t Train) noValidationHint() string {
	if t.ownData {
		return "set data.validation_split > 0, or data.test_path with train.validation_data: test"
	}
	return "set train.validation_data: test or train.validation_split > 0"
}
