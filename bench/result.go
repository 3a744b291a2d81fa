package bench

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/tfrun/tfrun/internal/atomicfile"
)

// ExitPending is the exit code of a side that cannot run a model yet (tfrun's GANs before
// runner.NewGAN exists): the comparison shows the row as pending instead of failing.
const ExitPending = 3

// Result is what one benchmark process reports, as JSON, on both sides.
type Result struct {
	Model     string `json:"model"`
	Framework string `json:"framework"` // "tfrun 0.1.0 / tensorflow 2.18.0", "keras 3.x / tensorflow 2.18.0"
	BatchSize int    `json:"batch_size"`
	Steps     int    `json:"steps"`
	Warmup    int    `json:"warmup"`
	// ExamplesPerSec is Steps·BatchSize / sum(StepSeconds).
	ExamplesPerSec float64 `json:"examples_per_sec"`
	// StepSeconds is the wall time of each timed step (warm-up steps excluded).
	StepSeconds []float64 `json:"step_seconds"`
	// FirstStepSeconds runs from just before the model is constructed to the end of the
	// first training step: graph building (or tracing), variable initialisation, step one.
	FirstStepSeconds float64 `json:"first_step_seconds"`
	// TrainableParams is model.summary()'s "Trainable params" (a GAN: both networks).
	TrainableParams int `json:"trainable_params"`
	// PeakRSSBytes is getrusage(RUSAGE_SELF).ru_maxrss·1024.
	PeakRSSBytes int64 `json:"peak_rss_bytes"`
	// FLOPsPerStep is the floating-point work of one training step, counted from tfrun's
	// graph (graphs.CountFLOPs: matrix products and convolutions, forward and backward).
	// Only tfrun's side reports it; the Keras model has the same shapes and products, so
	// the comparison uses it for both sides.
	FLOPsPerStep int64 `json:"flops_per_step,omitempty"`
	// Precision is the Keras dtype policy the side trained under: "float32" or
	// "mixed_bfloat16" ("" in results from before the key: float32).
	Precision string `json:"precision,omitempty"`
}

// NewResult times a run: t0 is just before the model was constructed and ends holds the
// end of each of the warmup+steps training steps. The first warmup steps are not timed.
func NewResult(model, framework string, batch, warmup int, t0 time.Time, ends []time.Time) (Result, error) {
	if warmup < 1 || len(ends) <= warmup {
		return Result{}, fmt.Errorf("bench: %d step times for %d warm-up steps (want at least %d)", len(ends), warmup, warmup+1)
	}
	r := Result{Model: model, Framework: framework, BatchSize: batch, Steps: len(ends) - warmup, Warmup: warmup,
		FirstStepSeconds: ends[0].Sub(t0).Seconds()}
	var total float64
	for i := warmup; i < len(ends); i++ {
		d := ends[i].Sub(ends[i-1]).Seconds()
		r.StepSeconds = append(r.StepSeconds, d)
		total += d
	}
	r.ExamplesPerSec = float64(r.Steps*batch) / total
	return r, nil
}

// Check reports whether r is a complete result for model m.
func (r Result) Check(m Model, steps int) error {
	switch {
	case r.Model != m.Name:
		return fmt.Errorf("reported model %q, want %q", r.Model, m.Name)
	case r.BatchSize != m.Batch:
		return fmt.Errorf("reported batch size %d, want %d", r.BatchSize, m.Batch)
	case r.Steps != steps || len(r.StepSeconds) != steps:
		return fmt.Errorf("reported %d steps (%d times), want %d", r.Steps, len(r.StepSeconds), steps)
	case !(r.ExamplesPerSec > 0):
		return fmt.Errorf("examples_per_sec %v", r.ExamplesPerSec)
	case r.TrainableParams <= 0:
		return fmt.Errorf("trainable_params %d", r.TrainableParams)
	case PrecisionOf(r.Precision) != PrecisionOf(m.Precision):
		return fmt.Errorf("reported precision %q, want %q", PrecisionOf(r.Precision), PrecisionOf(m.Precision))
	}
	return nil
}

// ReadResult reads a Result written by WriteResult or a Keras script.
func ReadResult(path string) (Result, error) {
	var r Result
	b, err := os.ReadFile(path)
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return r, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// WriteResult writes r as one line of JSON, atomically.
func WriteResult(path string, r Result) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, append(b, '\n'))
}
