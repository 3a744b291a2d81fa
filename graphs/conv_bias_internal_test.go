package graphs

import (
	"testing"
	"time"

	tf "github.com/wamuir/graft/tensorflow"
)

// The bias gradient's trial builds its convolution's filter gradient in the form the real
// graph took (the fusion it is timed for needs a Conv2DBackpropFilter), and its bias
// gradient in the form under trial.
func TestConvBiasTrialFollowsFilterForm(t *testing.T) {
	cpu := Platform{Devices: testGPU.Devices[:1]}
	for _, filterForm := range []string{FormTensorFlow, FormBatchContracted} {
		g := NewGraph(tf.Float, 1)
		g.SetPlatform(cpu)
		g.SetAutotune(&Autotune{Batch: 4, Measure: func(c Candidate) (time.Duration, error) {
			if c.Form == filterForm {
				return time.Millisecond, nil
			}
			return 2 * time.Millisecond, nil
		}})
		s := g.Root()
		x := s.Placeholder("x", tf.Float, -1, 8, 8, 3)
		w := s.Placeholder("w", tf.Float, 3, 3, 3, 4)
		s.Conv2DBias(x, w, s.Placeholder("b", tf.Float, 4), [2]int{1, 1}, "SAME")
		if err := s.Err(); err != nil {
			t.Fatal(err)
		}
		p, _ := newConvProblem(x, w, [2]int{1, 1}, "SAME")
		for _, biasForm := range []string{FormTensorFlow, FormSum} {
			trial, err := g.convBiasTrial(p, 4, biasForm)
			if err != nil {
				t.Fatal(err)
			}
			ops := map[string]int{}
			for _, o := range trial.(*scratch).sess.g.TF().Operations() {
				ops[o.Type()]++
			}
			if got, want := ops["Conv2DBackpropFilter"] > 0, filterForm == FormTensorFlow; got != want {
				t.Errorf("filter %s, bias %s: Conv2DBackpropFilter in the trial %v, want %v", filterForm, biasForm, got, want)
			}
			if got, want := ops["BiasAddGrad"] > 0, biasForm == FormTensorFlow; got != want {
				t.Errorf("filter %s, bias %s: BiasAddGrad in the trial %v, want %v", filterForm, biasForm, got, want)
			}
			if d, err := trial.Time(0); err != nil || d <= 0 {
				t.Errorf("filter %s, bias %s: trial timed %v, %v", filterForm, biasForm, d, err)
			}
			trial.Close()
		}
	}
}
