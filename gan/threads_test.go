package gan

import (
	"strings"
	"testing"
	"time"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/internal/runtest"
)

// Whichever thread layout wins its measurement, a GAN trains bit for bit as one whose
// layout was never timed: the steps that timed the layouts in the GAN's own session are
// undone (every variable, the optimizers' slots, the step counter and BatchNormalization's
// statistics included, starts again from its initial value), and both layouts compute the
// same values. The winner is the session's layout and is recorded as a measured choice.
func TestGANThreadLayoutTrainsAlike(t *testing.T) {
	cfg := runtest.LoadConfig(t, tinyGAN)
	data := randomImages(32, 2)
	const batch = 8
	// measure makes TensorFlow's kernels win every convolution's choice without timing
	// them, and times a layout for real (timeLayouts) or not, making win the faster.
	measure := func(win string, timeLayouts bool, timed *int) func(graphs.Candidate) (time.Duration, error) {
		return func(c graphs.Candidate) (time.Duration, error) {
			if !strings.HasPrefix(c.Key, "Session gan images[8,8,8,1] ") {
				if c.Form == graphs.FormTensorFlow {
					return time.Millisecond, nil
				}
				return 2 * time.Millisecond, nil
			}
			if timeLayouts {
				if _, err := c.Time(); err != nil {
					return 0, err
				}
				*timed++
			}
			if c.Form == win {
				return time.Millisecond, nil
			}
			return 2 * time.Millisecond, nil
		}
	}
	train := func(a *graphs.Autotune) ([][]float64, *GAN) {
		t.Helper()
		m, err := NewGAN(cfg, GANOptions{ImageShape: data.Shape, Seed: 1, Threads: 2, Autotune: a})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		for step := range 3 {
			idx := make([]int, batch)
			for i := range idx {
				idx[i] = step*batch + i
			}
			images, _, err := data.Batch(idx)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := m.TrainStep(images, nil); err != nil {
				t.Fatal(err)
			}
		}
		return snapshot(t, m.sess, m.graph.Variables()), m
	}

	var untimed int
	want, ref := train(&graphs.Autotune{Batch: batch, Measure: measure(graphs.FormInterOpDefault, false, &untimed)})
	if got := ref.sess.ThreadLayout(); got != graphs.FormInterOpDefault {
		t.Fatalf("reference: layout %s, want %s", got, graphs.FormInterOpDefault)
	}
	for _, win := range []string{graphs.FormInterOpDefault, graphs.FormInterOpOne} {
		t.Run(win, func(t *testing.T) {
			var timed int
			a := &graphs.Autotune{Batch: batch, Measure: measure(win, true, &timed)}
			got, m := train(a)
			if timed == 0 {
				t.Fatal("no layout was timed")
			}
			if layout := m.sess.ThreadLayout(); layout != win {
				t.Errorf("session's layout %s, want %s", layout, win)
			}
			var choices int
			for _, c := range a.Choices() {
				if strings.HasPrefix(c.Key, "Session ") {
					choices++
					if c.Form != win || c.Source != graphs.SourceMeasured {
						t.Errorf("choice %+v, want %s measured", c, win)
					}
				}
			}
			if choices != 1 {
				t.Errorf("%d thread layout choices, want 1", choices)
			}
			vars := m.graph.Variables()
			for i := range want {
				for k := range want[i] {
					if got[i][k] != want[i][k] {
						t.Fatalf("%s[%d] = %v after 3 steps, %v without timing the layouts", vars[i].Name, k, got[i][k], want[i][k])
					}
				}
			}
		})
	}
}
