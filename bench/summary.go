package bench

import (
	"fmt"
	"sort"
)

// Run is one benchmark process as the comparison saw it.
type Run struct {
	Result
	Round       int     // 0-based
	WallSeconds float64 // the whole process, start (imports, data) to exit
	Command     string  // the command line, for results.md
}

// Row gathers one model's runs on both sides over all rounds.
type Row struct {
	Model Model
	Steps int // timed steps per process
	Tfrun []Run
	Keras []Run
	// TfrunPending, when not empty, says why tfrun has no numbers for this model yet.
	TfrunPending string
}

// Spread is a median with the minimum and maximum it was taken from.
type Spread struct{ Median, Min, Max float64 }

// NewSpread summarises xs (a zero Spread when xs is empty).
func NewSpread(xs []float64) Spread {
	if len(xs) == 0 {
		return Spread{}
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	med := s[n/2]
	if n%2 == 0 {
		med = (s[n/2-1] + s[n/2]) / 2
	}
	return Spread{Median: med, Min: s[0], Max: s[n-1]}
}

// Ratios are tfrun's examples/s over Keras's, round by round: each round's two processes
// ran back to back on the same machine, so a ratio is not skewed by what the machine did
// in another round.
func (r Row) Ratios() ([]float64, error) {
	if len(r.Tfrun) != len(r.Keras) {
		return nil, fmt.Errorf("%s: %d tfrun runs but %d Keras runs", r.Model.Name, len(r.Tfrun), len(r.Keras))
	}
	out := make([]float64, len(r.Tfrun))
	for i := range r.Tfrun {
		if r.Tfrun[i].Round != r.Keras[i].Round {
			return nil, fmt.Errorf("%s: run %d is round %d in tfrun, %d in Keras", r.Model.Name, i, r.Tfrun[i].Round, r.Keras[i].Round)
		}
		out[i] = r.Tfrun[i].ExamplesPerSec / r.Keras[i].ExamplesPerSec
	}
	return out, nil
}

// FLOPsPerExample is the training FLOPs per example tfrun counted for the model
// (Result.FLOPsPerStep over the batch), which both sides' achieved FLOP/s are computed
// from: the two sides train the same model on the same shapes. 0 when tfrun did not
// report it.
func (r Row) FLOPsPerExample() float64 {
	for _, x := range r.Tfrun {
		if x.FLOPsPerStep > 0 && x.BatchSize > 0 {
			return float64(x.FLOPsPerStep) / float64(x.BatchSize)
		}
	}
	return 0
}

// CheckParams fails when the two sides of a round do not train the same number of
// parameters: then they are not the same model and the comparison means nothing.
func CheckParams(model string, tfrun, keras Result) error {
	if tfrun.TrainableParams != keras.TrainableParams {
		return fmt.Errorf("%s: trainable parameters differ: tfrun %d, Keras %d (the two sides do not build the same model)",
			model, tfrun.TrainableParams, keras.TrainableParams)
	}
	return nil
}

func examplesPerSec(rs []Run) Spread {
	xs := make([]float64, len(rs))
	for i, r := range rs {
		xs[i] = r.ExamplesPerSec
	}
	return NewSpread(xs)
}

func firstStep(rs []Run) Spread {
	xs := make([]float64, len(rs))
	for i, r := range rs {
		xs[i] = r.FirstStepSeconds
	}
	return NewSpread(xs)
}

func peakRSS(rs []Run) int64 {
	var m int64
	for _, r := range rs {
		m = max(m, r.PeakRSSBytes)
	}
	return m
}
