package runner

import (
	"fmt"
	"image"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/graphs"
)

// The expected sequences below are worked by hand from Keras 3's algorithms
// (keras/src/callbacks/early_stopping.py and reduce_lr_on_plateau.py). Metric values are
// binary fractions so that every comparison is exact.

// cbTrainer is a fake Trainer. Its "weights" are a snapshot id: the loop sets it to the
// epoch index before each OnEpochEnd, so a restored snapshot names the epoch it came from.
type cbTrainer struct {
	lr       float64
	weights  int
	stopped  bool
	restores []int // every snapshot SetWeights put back
}

func (f *cbTrainer) LearningRate() (float64, error)   { return f.lr, nil }
func (f *cbTrainer) SetLearningRate(lr float64) error { f.lr = lr; return nil }
func (f *cbTrainer) StopTraining()                    { f.stopped = true }
func (f *cbTrainer) Logf(string, ...any)              {}

// Weights is the snapshot id as one int32 tensor.
func (f *cbTrainer) Weights() ([]*tf.Tensor, error) {
	t, err := tf.NewTensor(int32(f.weights))
	return []*tf.Tensor{t}, err
}

func (f *cbTrainer) SetWeights(w []*tf.Tensor) error {
	id, ok := graphs.Value(w[0]).(int32)
	if len(w) != 1 || !ok {
		return fmt.Errorf("cbTrainer: SetWeights(%v), want one int32 snapshot", w)
	}
	f.weights = int(id)
	f.restores = append(f.restores, int(id))
	return nil
}

// The rest of Trainer, unused by these callbacks.
func (f *cbTrainer) WeightVariables() []*graphs.Variable { return nil }
func (f *cbTrainer) RunDir() string                      { return "" }
func (f *cbTrainer) Position() Position                  { return Position{} }
func (f *cbTrainer) GlobalStep() (int64, error)          { return 0, nil }
func (f *cbTrainer) History() *History                   { return &History{} }
func (f *cbTrainer) GraphDef() ([]byte, error)           { return nil, nil }
func (f *cbTrainer) Images() map[string]image.Image      { return nil }
func (f *cbTrainer) SaveCheckpoint(string, int) (string, error) {
	return "", fmt.Errorf("cbTrainer: no checkpoints")
}
func (f *cbTrainer) RequestCheckpoint() {}

// cbFit drives a callback as Fit does: OnTrainBegin, then per epoch (until StopTraining)
// OnEpochEnd with the script's value for key, then OnTrainEnd. It returns the epoch at
// which StopTraining was called (-1 if never) and each epoch's learning rate after the
// callbacks ran.
func cbFit(t *testing.T, cb Callback, tr *cbTrainer, key string, script []float64) (stop int, lrs []float64) {
	t.Helper()
	if err := cb.OnTrainBegin(tr); err != nil {
		t.Fatalf("OnTrainBegin: %v", err)
	}
	stop = -1
	for epoch, v := range script {
		tr.weights = epoch
		if _, err := cb.OnEpochEnd(tr, epoch, Logs{key: v, "loss": 1}); err != nil {
			t.Fatalf("OnEpochEnd(%d): %v", epoch, err)
		}
		lrs = append(lrs, tr.lr)
		if tr.stopped {
			stop = epoch
			break
		}
	}
	if err := cb.OnTrainEnd(tr); err != nil {
		t.Fatalf("OnTrainEnd: %v", err)
	}
	return stop, lrs
}

func cbPtr(x float64) *float64 { return &x }

// Keras 3's EarlyStopping.on_epoch_end, for an epoch e >= start_from_epoch
// (improves(x, ref) is x + min_delta < ref in min mode, x - min_delta > ref in max mode;
// best starts at ±inf):
//
//	if restore_best_weights and best_weights is None: best_weights, best_epoch = W(e), e
//	wait += 1
//	if improves(current, best):
//	    best, best_epoch = current, e; best_weights = W(e) if restore_best_weights
//	    if baseline is None or improves(current, baseline): wait = 0
//	    return                      # never stops on an improving epoch
//	if wait >= patience and e > 0: stop
//
// and on_train_end puts best_weights back whenever restore_best_weights is set, whether
// or not training stopped early.
func TestCallbackEarlyStopping(t *testing.T) {
	for _, c := range []struct {
		name   string
		es     EarlyStopping
		script []float64
		// wantStop is the 0-based epoch whose OnEpochEnd calls StopTraining (-1: never);
		// wantWeights the snapshot the model holds after OnTrainEnd.
		wantStop, wantWeights int
	}{
		{
			// e0 1.0 best, e1 0.5 best, e2 0.75: wait 1 >= 0 → stop.
			name:     "patience 0",
			es:       EarlyStopping{MonitorKey: "val_loss"},
			script:   []float64{1.0, 0.5, 0.75, 0.25},
			wantStop: 2, wantWeights: 2,
		},
		{
			// e0 best, e1 best 0.5, e2 wait 1, e3 wait 2 >= 2 → stop.
			name:     "patience 2",
			es:       EarlyStopping{MonitorKey: "val_loss", Patience: 2},
			script:   []float64{1.0, 0.5, 0.75, 0.625, 0.5, 0.25},
			wantStop: 3, wantWeights: 3,
		},
		{
			// e0 best, e1 best 0.75, e2 wait 1, e3 wait 2, e4 best 0.5 (wait 0),
			// e5 wait 1, e6 wait 2 (0.625 = 0.625 is no improvement), e7 wait 3 → stop.
			name:     "patience 3 with a recovery",
			es:       EarlyStopping{MonitorKey: "val_loss", Patience: 3},
			script:   []float64{1.0, 0.75, 0.875, 0.8125, 0.5, 0.625, 0.625, 0.5625, 0.5},
			wantStop: 7, wantWeights: 7,
		},
		{
			// Equal values never improve: e0 best 0.5, e1 0.5 wait 1 → stop.
			name:     "equal is no improvement",
			es:       EarlyStopping{MonitorKey: "val_loss"},
			script:   []float64{0.5, 0.5, 0.5},
			wantStop: 1, wantWeights: 1,
		},
		{
			// improves means x + 0.125 < best. e0 best 1.0; e1 0.9375+0.125 = 1.0625: wait 1;
			// e2 0.875 < 1.0: best 0.75, wait 0; e3 0.8125 ≮ 0.75: wait 1;
			// e4 0.75 ≮ 0.75: wait 2 → stop.
			name:     "min_delta",
			es:       EarlyStopping{MonitorKey: "val_loss", Patience: 2, MinDelta: 0.125},
			script:   []float64{1.0, 0.9375, 0.75, 0.6875, 0.625, 0.5},
			wantStop: 4, wantWeights: 4,
		},
		{
			// Keras takes abs(min_delta): the same as above.
			name:     "negative min_delta",
			es:       EarlyStopping{MonitorKey: "val_loss", Patience: 2, MinDelta: -0.125},
			script:   []float64{1.0, 0.9375, 0.75, 0.6875, 0.625, 0.5},
			wantStop: 4, wantWeights: 4,
		},
		{
			// e0 best 0.5, e1 best 0.75, e2 0.75 wait 1, e3 best 0.875, e4 wait 1,
			// e5 wait 2 → stop.
			name:     "mode max val_accuracy",
			es:       EarlyStopping{MonitorKey: "val_accuracy", Mode: "max", Patience: 2},
			script:   []float64{0.5, 0.75, 0.75, 0.875, 0.8125, 0.8125},
			wantStop: 5, wantWeights: 5,
		},
		{
			// "auto" maximises accuracy (Keras: the metric's direction is "up").
			name:     "mode auto val_accuracy",
			es:       EarlyStopping{MonitorKey: "val_accuracy", Mode: "auto", Patience: 2},
			script:   []float64{0.5, 0.75, 0.75, 0.875, 0.8125, 0.8125},
			wantStop: 5, wantWeights: 5,
		},
		{
			// Minimising a rising accuracy: e0 best 0.5, e1 0.75 wait 1 → stop.
			name:     "mode min val_accuracy",
			es:       EarlyStopping{MonitorKey: "val_accuracy", Mode: "min"},
			script:   []float64{0.5, 0.75, 0.875},
			wantStop: 1, wantWeights: 1,
		},
		{
			// Baseline 0.5 never beaten. e0 wait 1, improves on best (inf) but not on the
			// baseline: wait stays 1, return. e1 wait 2, improves (0.75 < 1.0): return
			// without a stop check. e2 wait 3, no improvement, 3 >= 2 → stop.
			name:     "baseline never beaten",
			es:       EarlyStopping{MonitorKey: "val_loss", Patience: 2, Baseline: cbPtr(0.5)},
			script:   []float64{1.0, 0.75, 0.875, 0.9375},
			wantStop: 2, wantWeights: 2,
		},
		{
			// Baseline 0.25: each epoch improves on the best, none on the baseline, so wait
			// grows (1, 2, 3, 4) but improving epochs return before the stop check;
			// e4 0.625 = best: wait 5 >= 1 → stop.
			name:     "improving below baseline never stops on an improving epoch",
			es:       EarlyStopping{MonitorKey: "val_loss", Patience: 1, Baseline: cbPtr(0.25)},
			script:   []float64{1.0, 0.875, 0.75, 0.625, 0.625, 0.5},
			wantStop: 4, wantWeights: 4,
		},
		{
			// Baseline 0.5: e0 wait 1 (best 0.75, baseline not beaten); e1 0.25 beats both:
			// wait 0; e2 wait 1; e3 wait 2 → stop.
			name:     "baseline beaten resets wait",
			es:       EarlyStopping{MonitorKey: "val_loss", Patience: 2, Baseline: cbPtr(0.5)},
			script:   []float64{0.75, 0.25, 0.375, 0.375, 0.375},
			wantStop: 3, wantWeights: 3,
		},
		{
			// e0, e1 are warm-up. e2 best 3.0, e3 best 2.5, e4 2.75 wait 1 → stop
			// (without warm-up: e1 2.0 > 1.0 would stop at 1).
			name:     "start_from_epoch",
			es:       EarlyStopping{MonitorKey: "val_loss", StartFromEpoch: 2},
			script:   []float64{1.0, 2.0, 3.0, 2.5, 2.75},
			wantStop: 4, wantWeights: 4,
		},
		{
			// As "patience 2": stops at e3; the best epoch is e1.
			name:     "restore_best_weights",
			es:       EarlyStopping{MonitorKey: "val_loss", Patience: 2, RestoreBestWeights: true},
			script:   []float64{1.0, 0.5, 0.75, 0.625, 0.5, 0.25},
			wantStop: 3, wantWeights: 1,
		},
		{
			// e0 best 0.5, e1 best 0.25, e2 best 0.125 (wait 0 each), e3 wait 1, e4 wait 2,
			// e5 wait 3 → stop; restore e2.
			name:     "restore_best_weights mode max",
			es:       EarlyStopping{MonitorKey: "val_accuracy", Mode: "max", Patience: 3, RestoreBestWeights: true},
			script:   []float64{0.5, 0.75, 0.875, 0.8125, 0.875, 0.75},
			wantStop: 5, wantWeights: 2,
		},
		{
			// e0 (0.25, the lowest) is warm-up and never a candidate. e1 best 1.0 with its
			// weights, e2 1.5 wait 1 → stop; restore e1.
			name:     "restore_best_weights after start_from_epoch",
			es:       EarlyStopping{MonitorKey: "val_loss", StartFromEpoch: 1, RestoreBestWeights: true},
			script:   []float64{0.25, 1.0, 1.5},
			wantStop: 2, wantWeights: 1,
		},
		{
			// As "baseline never beaten": stop at e2; the best of those epochs is e1.
			name:     "restore_best_weights baseline never beaten",
			es:       EarlyStopping{MonitorKey: "val_loss", Patience: 2, Baseline: cbPtr(0.5), RestoreBestWeights: true},
			script:   []float64{1.0, 0.75, 0.875, 0.9375},
			wantStop: 2, wantWeights: 1,
		},
		{
			// Never stops (patience 5), yet on_train_end restores the best epoch, e1.
			name:     "restore_best_weights without stopping",
			es:       EarlyStopping{MonitorKey: "val_loss", Patience: 5, RestoreBestWeights: true},
			script:   []float64{1.0, 0.5, 0.75, 0.625},
			wantStop: -1, wantWeights: 1,
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			es := c.es
			tr := &cbTrainer{lr: 1}
			stop, _ := cbFit(t, &es, tr, es.MonitorKey, c.script)
			if stop != c.wantStop {
				t.Errorf("StopTraining at epoch: got %d, want %d", stop, c.wantStop)
			}
			if tr.weights != c.wantWeights {
				t.Errorf("weights after training: got epoch %d's, want epoch %d's (restores: %v)", tr.weights, c.wantWeights, tr.restores)
			}
			if !es.RestoreBestWeights && len(tr.restores) > 0 {
				t.Errorf("SetWeights called %v without restore_best_weights", tr.restores)
			}
			if c.wantStop >= 0 && es.StoppedEpoch != c.wantStop {
				t.Errorf("StoppedEpoch: got %d, want %d", es.StoppedEpoch, c.wantStop)
			}
		})
	}
}

// A callback reused for a second fit starts afresh (Keras's on_train_begin resets it).
func TestCallbackEarlyStoppingReuse(t *testing.T) {
	es := &EarlyStopping{MonitorKey: "val_loss", Patience: 1, RestoreBestWeights: true}
	script := []float64{1.0, 0.5, 0.75, 0.25}
	for run := 1; run <= 2; run++ {
		tr := &cbTrainer{lr: 1}
		stop, _ := cbFit(t, es, tr, "val_loss", script)
		// e0 best, e1 best 0.5, e2 wait 1 → stop; restore e1.
		if stop != 2 || tr.weights != 1 {
			t.Errorf("fit %d: got stop %d, weights %d; want stop 2, weights 1", run, stop, tr.weights)
		}
	}
}

// Keras 3's ReduceLROnPlateau.on_epoch_end (improves(x, best) is x < best - min_delta in
// min mode, x > best + min_delta in max mode; best starts at ±inf):
//
//	if cooldown_counter > 0: cooldown_counter -= 1; wait = 0
//	if improves(current, best): best = current; wait = 0
//	elif cooldown_counter == 0:
//	    wait += 1
//	    if wait >= patience and lr > float32(min_lr):
//	        lr = max(lr·factor, min_lr); cooldown_counter = cooldown; wait = 0
//
// The tests use factor 0.5 and patience 2 from a learning rate of 1.
func TestCallbackReduceLROnPlateau(t *testing.T) {
	plateau := []float64{1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.75, 0.75}
	for _, c := range []struct {
		name    string
		r       ReduceLROnPlateau
		script  []float64
		wantLRs []float64 // after each epoch
	}{
		{
			// e0 best 1.0; e1 wait 1; e2 wait 2 → 0.5; e3 wait 1; e4 wait 2 → 0.25;
			// e5 best 0.5; e6 wait 1; e7 wait 2 → 0.125.
			name:    "cooldown 0",
			r:       ReduceLROnPlateau{MonitorKey: "val_loss"},
			script:  plateau,
			wantLRs: []float64{1, 1, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125},
		},
		{
			// The counter is decremented before it is tested, so a cooldown of 1 ends in the
			// very next epoch: e3 counter 1 → 0, wait 0 → 1; the same as cooldown 0.
			name:    "cooldown 1",
			r:       ReduceLROnPlateau{MonitorKey: "val_loss", Cooldown: 1},
			script:  plateau,
			wantLRs: []float64{1, 1, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125},
		},
		{
			// e2 → 0.5, counter 2; e3 counter 1 (in cooldown, no counting); e4 counter 0,
			// wait 1; e5 best 0.5, wait 0; e6 wait 1; e7 wait 2 → 0.25.
			name:    "cooldown 2",
			r:       ReduceLROnPlateau{MonitorKey: "val_loss", Cooldown: 2},
			script:  plateau,
			wantLRs: []float64{1, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.25},
		},
		{
			// e2 → 0.5; e4 → max(0.25, 0.3) = 0.3; from e6 on, lr 0.3 is not above
			// float32(min_lr): no further change.
			name:    "min_lr floor",
			r:       ReduceLROnPlateau{MonitorKey: "val_loss", MinLR: 0.3},
			script:  []float64{1, 1, 1, 1, 1, 1, 1, 1},
			wantLRs: []float64{1, 1, 0.5, 0.5, 0.3, 0.3, 0.3, 0.3},
		},
		{
			// improves means x < best - 0.125. e0 best 1.0; e1 0.9375 ≮ 0.875: wait 1;
			// e2 0.875 ≮ 0.875: wait 2 → 0.5; e3 0.75 < 0.875: best 0.75; e4 0.6875 ≮ 0.625:
			// wait 1; e5 0.625 ≮ 0.625: wait 2 → 0.25; e6 0.5 < 0.625: best 0.5.
			name:    "min_delta",
			r:       ReduceLROnPlateau{MonitorKey: "val_loss", MinDelta: 0.125},
			script:  []float64{1.0, 0.9375, 0.875, 0.75, 0.6875, 0.625, 0.5},
			wantLRs: []float64{1, 1, 0.5, 0.5, 0.5, 0.25, 0.25},
		},
		{
			// e0 best 0.5; e1 wait 1; e2 wait 2 → 0.5; e3 best 0.75; e4 wait 1;
			// e5 wait 2 → 0.25.
			name:    "mode max val_accuracy",
			r:       ReduceLROnPlateau{MonitorKey: "val_accuracy", Mode: "max"},
			script:  []float64{0.5, 0.5, 0.5, 0.75, 0.75, 0.75},
			wantLRs: []float64{1, 1, 0.5, 0.5, 0.5, 0.25},
		},
		{
			// "auto": a name containing "acc" is maximised.
			name:    "mode auto val_accuracy",
			r:       ReduceLROnPlateau{MonitorKey: "val_accuracy", Mode: "auto"},
			script:  []float64{0.5, 0.5, 0.5, 0.75, 0.75, 0.75},
			wantLRs: []float64{1, 1, 0.5, 0.5, 0.5, 0.25},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := c.r
			r.Factor, r.Patience = 0.5, 2
			tr := &cbTrainer{lr: 1}
			stop, lrs := cbFit(t, &r, tr, r.MonitorKey, c.script)
			if stop != -1 {
				t.Errorf("StopTraining called at epoch %d", stop)
			}
			if len(lrs) != len(c.wantLRs) {
				t.Fatalf("epochs: got %d, want %d", len(lrs), len(c.wantLRs))
			}
			for e := range lrs {
				if lrs[e] != c.wantLRs[e] {
					t.Errorf("learning rate after epoch %d: got %g, want %g (all: got %v, want %v)", e, lrs[e], c.wantLRs[e], lrs, c.wantLRs)
					break
				}
			}
		})
	}
}

// An unknown monitored metric is an error that names it and the metrics there are.
func TestCallbackMissingMetric(t *testing.T) {
	for _, cb := range []Callback{
		&EarlyStopping{MonitorKey: "val_los"},
		&ReduceLROnPlateau{MonitorKey: "val_los", Factor: 0.5, Patience: 2},
	} {
		t.Run(cb.Name(), func(t *testing.T) {
			tr := &cbTrainer{lr: 1}
			if err := cb.OnTrainBegin(tr); err != nil {
				t.Fatal(err)
			}
			_, err := cb.OnEpochEnd(tr, 0, Logs{"loss": 1, "val_loss": 1})
			if err == nil {
				t.Fatal("got nil error, want one")
			}
			for _, want := range []string{`"val_los"`, "val_loss"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error: got %q, want it to contain %s", err, want)
				}
			}
		})
	}
}
