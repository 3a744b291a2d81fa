package runner

import (
	"fmt"
	"math"
	"strings"
)

// TerminateOnNaN is Keras's callback of that name: a NaN or infinite loss stops training.
// Keras lets the epoch end; tfrun stops at once with ErrNotFinite, because the step has
// already made the weights non-finite and no checkpoint may hold them: the last good
// checkpoint stays the latest. Every run has one (see Fit).
type TerminateOnNaN struct{ NopCallback }

func (*TerminateOnNaN) Name() string { return "TerminateOnNaN" }

// OnBatchEnd checks every loss of the batch's logs (loss; a GAN's gen_loss and disc_loss).
func (*TerminateOnNaN) OnBatchEnd(_ Trainer, _ int64, logs Logs) error {
	for _, k := range orderedKeys(logs) {
		if v := logs[k]; strings.HasSuffix(k, "loss") && (math.IsNaN(v) || math.IsInf(v, 0)) {
			return fmt.Errorf("%s is %v; training stopped (TerminateOnNaN): %w", k, v, ErrNotFinite)
		}
	}
	return nil
}
