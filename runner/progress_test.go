package runner

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestPerStep(t *testing.T) {
	for _, c := range []struct {
		elapsed time.Duration
		steps   int
		want    string
	}{
		{12 * time.Second, 250, "48ms/step"},
		{5 * time.Second, 2, "2s/step"},
		{time.Second, 1, "1s/step"},
		{3 * time.Millisecond, 10, "300us/step"},
		{0, 10, "0s/step"},
	} {
		if got := perStep(c.elapsed, c.steps); got != c.want {
			t.Errorf("perStep(%v, %d) = %q, want %q", c.elapsed, c.steps, got, c.want)
		}
	}
}

func TestEpochLine(t *testing.T) {
	got := epochLine(250, 12*time.Second, Logs{"loss": 0.4012, "accuracy": 0.8123, "val_loss": 0.45, "val_accuracy": 0.8})
	want := "250/250 - 12s - 48ms/step - accuracy: 0.8123 - loss: 0.4012 - val_accuracy: 0.8000 - val_loss: 0.4500"
	if got != want {
		t.Errorf("epochLine:\n%s\nwant\n%s", got, want)
	}
	gan := epochLine(4, 2*time.Second, Logs{"gen_loss": 0.7, "disc_loss": 1.3, "real_accuracy": 0.5, "fake_accuracy": 0.25})
	if want := "4/4 - 2s - 500ms/step - gen_loss: 0.7000 - disc_loss: 1.3000 - real_accuracy: 0.5000 - fake_accuracy: 0.2500"; gan != want {
		t.Errorf("GAN epoch line:\n%s\nwant\n%s", gan, want)
	}
}

// An epoch of 3 steps shown at each verbosity.
func TestProgressVerbosity(t *testing.T) {
	logs := Logs{"loss": 0.5}
	show := func(v Verbosity) string {
		var b bytes.Buffer
		p := beginEpoch(&b, v, 2, 5, 3, 0)
		for range 3 {
			p.step(logs)
			time.Sleep(time.Millisecond)
		}
		p.endEpoch(3, 30*time.Millisecond, logs)
		return b.String()
	}
	if got := show(VerboseSilent); got != "" {
		t.Errorf("0: %q, want nothing", got)
	}
	if got, want := show(VerboseLines), "Epoch 2/5\n3/3 - 0s - 10ms/step - loss: 0.5000\n"; got != want {
		t.Errorf("2: %q, want %q", got, want)
	}
	bar := show(VerboseBar)
	if !strings.HasPrefix(bar, "Epoch 2/5\n") || !strings.Contains(bar, "/3) [") || !strings.HasSuffix(bar, "\r3/3 - 0s - 10ms/step - loss: 0.5000\n") {
		t.Errorf("1: %q, want Epoch 2/5, the bar redrawn (\\r), cleared, the epoch line", bar)
	}
}
