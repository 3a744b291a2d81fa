package runner

import (
	"strings"
	"testing"
)

// kerasEpochs simulates Keras 3's EpochIterator._enumerate_iterator over in-memory arrays
// (keras/src/trainers/epoch_iterator.py) for epochs epochs: per epoch, the pass (counted
// from 0) and the batches of it the epoch yields.
func kerasEpochs(epochs, stepsPerEpoch, numBatches int) (passes []int, batches [][]int) {
	pass, current, seen := -1, false, 0
	for range epochs {
		var got []int
		steps := stepsPerEpoch
		if steps == 0 {
			steps = numBatches
		}
		if !current || stepsPerEpoch == 0 {
			pass, current, seen = pass+1, true, 0
		}
		passes = append(passes, pass)
		for range steps {
			if seen >= numBatches {
				break // "Your input ran out of data"
			}
			got = append(got, seen)
			seen++
		}
		if seen >= numBatches {
			current = false
		}
		batches = append(batches, got)
	}
	return passes, batches
}

// sliceOf gives every epoch the batches Keras's iterator gives it, from the epoch number
// alone, whatever the origin.
func TestSliceOfFollowsKeras(t *testing.T) {
	for _, numBatches := range []int{1, 7, 8, 12} {
		for _, steps := range []int{0, 1, 3, 4, 5, 8, 12, 20} {
			for _, origin := range []int{0, 3} {
				passes, batches := kerasEpochs(14, steps, numBatches)
				passStart := map[int]int{}
				for e := range 14 {
					sl := sliceOf(origin+e, origin, steps, numBatches)
					if _, ok := passStart[passes[e]]; !ok {
						passStart[passes[e]] = origin + e
					}
					want := batches[e]
					if sl.batches != len(want) || (len(want) > 0 && sl.first != want[0]) || sl.passStart != passStart[passes[e]] {
						t.Errorf("steps %d, %d batches, origin %d, epoch %d: slice %+v; Keras: pass %d (from epoch %d), batches %v",
							steps, numBatches, origin, origin+e, sl, passes[e], passStart[passes[e]], want)
					}
				}
			}
		}
	}
}

func TestStepsNote(t *testing.T) {
	for _, c := range []struct {
		steps, batches int
		want           string // "" for no note
	}{
		{0, 12, ""}, {12, 12, ""}, {4, 12, ""}, {6, 12, ""},
		{20, 12, "is more than the 12 batches"},
		{5, 12, "one epoch in 3 ends with the pass, after 2 steps"},
	} {
		got := stepsNote(c.steps, c.batches, 354, 32)
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("stepsNote(%d, %d) = %q, want %q", c.steps, c.batches, got, c.want)
		}
	}
}

// An epoch that did not validate (fit's validation_freq) leaves a val_ monitor's callbacks
// alone, as Keras's skip an epoch whose logs lack the metric; a val_ metric missing from
// an epoch that validated is still an error.
func TestMonitorSkipsEpochsWithoutValidation(t *testing.T) {
	m := newMonitor("val_loss", "auto", 0)
	if _, skip, err := m.value("EarlyStopping", Logs{"loss": 1, "learning_rate": 0.1}); !skip || err != nil {
		t.Errorf("no validation this epoch: skip %t, err %v; want a skip", skip, err)
	}
	if _, skip, err := m.value("EarlyStopping", Logs{"loss": 1, "val_mae": 2}); skip || err == nil {
		t.Errorf("validated without val_loss: skip %t, err %v; want an error", skip, err)
	}
	if v, skip, err := m.value("EarlyStopping", Logs{"loss": 1, "val_loss": 2}); skip || err != nil || v != 2 {
		t.Errorf("val_loss 2: %g, %t, %v", v, skip, err)
	}
	if _, skip, err := newMonitor("loss", "auto", 0).value("EarlyStopping", Logs{"val_loss": 2}); skip || err == nil {
		t.Errorf("missing loss: skip %t, err %v; want an error", skip, err)
	}
	es := &EarlyStopping{MonitorKey: "val_loss", Patience: 1}
	tr := &cbTrainer{}
	es.OnTrainBegin(tr)
	for epoch, logs := range []Logs{{"loss": 1, "val_loss": 1}, {"loss": 1}, {"loss": 1}, {"loss": 1}} {
		if _, err := es.OnEpochEnd(tr, epoch, logs); err != nil {
			t.Fatal(err)
		}
	}
	if tr.stopped || es.Wait != 0 {
		t.Errorf("EarlyStopping(patience 1) stopped %t, wait %d after 3 epochs without validation; want no stop, wait 0", tr.stopped, es.Wait)
	}
}
