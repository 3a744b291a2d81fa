package bench

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestNewSpread(t *testing.T) {
	tests := []struct {
		name string
		xs   []float64
		want Spread
	}{
		{"empty", nil, Spread{}},
		{"one", []float64{2}, Spread{2, 2, 2}},
		{"odd, unsorted", []float64{3, 1, 2}, Spread{2, 1, 3}},
		{"even: mean of the middle two", []float64{4, 1, 3, 2}, Spread{2.5, 1, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NewSpread(tt.xs); got != tt.want {
				t.Errorf("NewSpread(%v) = %+v, want %+v", tt.xs, got, tt.want)
			}
		})
	}
}

func TestNewSpreadKeepsInput(t *testing.T) {
	xs := []float64{3, 1, 2}
	NewSpread(xs)
	if xs[0] != 3 || xs[1] != 1 || xs[2] != 2 {
		t.Errorf("NewSpread sorted its input: %v", xs)
	}
}

func run(round int, exPerSec float64) Run {
	return Run{Result: Result{ExamplesPerSec: exPerSec}, Round: round}
}

func TestRatios(t *testing.T) {
	r := Row{Model: Model{Name: "m"},
		Tfrun: []Run{run(0, 300), run(1, 200), run(2, 330)},
		Keras: []Run{run(0, 100), run(1, 100), run(2, 110)}}
	got, err := r.Ratios()
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{3, 2, 3}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Errorf("ratio[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	if s := NewSpread(got); s != (Spread{3, 2, 3}) {
		t.Errorf("spread %+v, want median 3, min 2, max 3", s)
	}
}

func TestRatiosMismatch(t *testing.T) {
	tests := []struct {
		name string
		row  Row
		want string
	}{
		{"counts", Row{Model: Model{Name: "m"}, Tfrun: []Run{run(0, 1)}}, "1 tfrun runs but 0 Keras runs"},
		{"rounds", Row{Model: Model{Name: "m"}, Tfrun: []Run{run(0, 1)}, Keras: []Run{run(1, 1)}}, "round 0 in tfrun, 1 in Keras"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.row.Ratios()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Ratios() error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestCheckParams(t *testing.T) {
	if err := CheckParams("m", Result{TrainableParams: 10}, Result{TrainableParams: 10}); err != nil {
		t.Errorf("equal params: %v", err)
	}
	err := CheckParams("imdb_lstm", Result{TrainableParams: 648353}, Result{TrainableParams: 648354})
	want := "imdb_lstm: trainable parameters differ: tfrun 648353, Keras 648354"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("CheckParams error %v, want one containing %q", err, want)
	}
}

func TestNewResult(t *testing.T) {
	t0 := time.Unix(100, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	// First step ends at 1.5 s, a second warm-up step at 1.6 s, then steps of 0.1, 0.3 s.
	r, err := NewResult("m", "fw", 10, 2, t0, []time.Time{at(1500), at(1600), at(1700), at(2000)})
	if err != nil {
		t.Fatal(err)
	}
	if r.Steps != 2 || r.Warmup != 2 || r.BatchSize != 10 {
		t.Errorf("steps, warmup, batch = %d, %d, %d, want 2, 2, 10", r.Steps, r.Warmup, r.BatchSize)
	}
	if math.Abs(r.FirstStepSeconds-1.5) > 1e-9 {
		t.Errorf("first step %v, want 1.5", r.FirstStepSeconds)
	}
	if len(r.StepSeconds) != 2 || math.Abs(r.StepSeconds[0]-0.1) > 1e-9 || math.Abs(r.StepSeconds[1]-0.3) > 1e-9 {
		t.Errorf("step seconds %v, want [0.1 0.3]", r.StepSeconds)
	}
	if math.Abs(r.ExamplesPerSec-50) > 1e-9 { // 2 steps × 10 examples in 0.4 s
		t.Errorf("examples/s %v, want 50", r.ExamplesPerSec)
	}
	for _, w := range []int{0, 4} {
		if _, err := NewResult("m", "fw", 10, w, t0, []time.Time{at(1), at(2), at(3), at(4)}); err == nil {
			t.Errorf("warmup %d of 4 steps: no error", w)
		}
	}
}

func TestResultCheck(t *testing.T) {
	m := Model{Name: "imdb_lstm", Batch: 32}
	good := Result{Model: "imdb_lstm", BatchSize: 32, Steps: 2, StepSeconds: []float64{1, 1}, ExamplesPerSec: 32, TrainableParams: 5}
	if err := good.Check(m, 2); err != nil {
		t.Errorf("good result: %v", err)
	}
	tests := []struct {
		name string
		edit func(*Result)
		want string
	}{
		{"model", func(r *Result) { r.Model = "x" }, `reported model "x"`},
		{"batch", func(r *Result) { r.BatchSize = 30 }, "batch size 30, want 32"},
		{"steps", func(r *Result) { r.StepSeconds = r.StepSeconds[:1] }, "reported 2 steps (1 times), want 2"},
		{"rate", func(r *Result) { r.ExamplesPerSec = math.NaN() }, "examples_per_sec NaN"},
		{"params", func(r *Result) { r.TrainableParams = 0 }, "trainable_params 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := good
			r.StepSeconds = append([]float64(nil), good.StepSeconds...)
			tt.edit(&r)
			if err := r.Check(m, 2); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Check error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestFLOPsPerExample(t *testing.T) {
	withFLOPs := func(batch int, flops int64) Run {
		return Run{Result: Result{BatchSize: batch, FLOPsPerStep: flops}}
	}
	tests := []struct {
		name  string
		tfrun []Run
		want  float64
	}{
		{"tfrun pending", nil, 0},
		{"not reported", []Run{withFLOPs(32, 0)}, 0},
		{"per example", []Run{withFLOPs(256, 256*452299008), withFLOPs(256, 256*452299008)}, 452299008},
		{"first reported", []Run{withFLOPs(32, 0), withFLOPs(32, 64)}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (Row{Tfrun: tt.tfrun}).FLOPsPerExample(); got != tt.want {
				t.Errorf("FLOPsPerExample %v, want %v", got, tt.want)
			}
		})
	}
}
