package gan

import (
	"errors"
	"math"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/assemble"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/internal/runtest"
)

// withTrainStep sets gan.train_step in one of the test configs.
func withTrainStep(body, step string) string {
	return strings.Replace(body, "  sample_grid:", "  train_step: "+step+"\n  sample_grid:", 1)
}

func int64Var(t *testing.T, s *graphs.Session, v *graphs.Variable) int64 {
	t.Helper()
	out, err := s.Get(v)
	if err != nil {
		t.Fatal(err)
	}
	n, ok := graphs.Value(out[0]).(int64)
	if !ok {
		t.Fatalf("%s is %T, want int64", v.Name, graphs.Value(out[0]))
	}
	return n
}

// newAlternatingCGAN builds the tiny conditional GAN with train_step alternating and gives
// it random images to train on.
func newAlternatingCGAN(t *testing.T) (*GAN, *ImageData) {
	t.Helper()
	cfg := runtest.LoadConfig(t, withTrainStep(tinyCGAN, "alternating"))
	data := randomImages(16, 4)
	m, err := NewGAN(cfg, GANOptions{ImageShape: data.Shape, Seed: 1, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m, data
}

// The alternating step's three runs, in order: the discriminator's update on real images,
// its update on generated ones, the generator's update; each changes all of its own
// network's weights and nothing of the other's, the discriminator's optimizer counts two
// updates per step and the generator's one, and the step counter advances once.
func TestAlternatingStep(t *testing.T) {
	m, data := newAlternatingCGAN(t)
	if m.alternating == nil {
		t.Fatal("train_step alternating built the simultaneous step")
	}
	it, lt, err := data.Batch([]int{0, 1, 2, 3, 4, 5, 6, 7})
	if err != nil {
		t.Fatal(err)
	}
	feeds := map[tf.Output]*tf.Tensor{m.images: it, m.labels: lt}
	gen, disc := m.Generator.TrainableVariables(), m.Discriminator.TrainableVariables()
	genIter, discIter := m.GenOpt.Variables()[0], m.DiscOpt.Variables()[0]
	for k, tc := range []struct {
		name                string
		targets             []*tf.Operation
		updated, unchanged  []*graphs.Variable
		genIters, discIters int64
	}{
		{"discriminator on real images", m.alternating.real, disc, gen, 0, 1},
		{"discriminator on generated images", m.alternating.fake, disc, gen, 0, 2},
		{"generator", m.alternating.gen, gen, disc, 1, 2},
	} {
		up0, same0 := snapshot(t, m.sess, tc.updated), snapshot(t, m.sess, tc.unchanged)
		if _, err := m.sess.Run(feeds, nil, tc.targets...); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for i, c := range changed(up0, snapshot(t, m.sess, tc.updated)) {
			if !c {
				t.Errorf("%s: %s not updated", tc.name, tc.updated[i].Name)
			}
		}
		for i, c := range changed(same0, snapshot(t, m.sess, tc.unchanged)) {
			if c {
				t.Errorf("%s: %s changed", tc.name, tc.unchanged[i].Name)
			}
		}
		if g, d := int64Var(t, m.sess, genIter), int64Var(t, m.sess, discIter); g != tc.genIters || d != tc.discIters {
			t.Errorf("%s: optimizer iterations generator %d discriminator %d, want %d and %d", tc.name, g, d, tc.genIters, tc.discIters)
		}
		wantStep := int64(0)
		if k == 2 {
			wantStep = 1
		}
		if got := int64Var(t, m.sess, m.graph.StepCounter()); got != wantStep {
			t.Errorf("%s: step counter %d, want %d", tc.name, got, wantStep)
		}
	}
	r, err := m.TrainStep(it, lt)
	if err != nil {
		t.Fatal(err)
	}
	if math.IsInf(r.GenLoss, 0) || math.IsInf(r.DiscLoss, 0) || !(r.GenLoss > 0) || !(r.DiscLoss > 0) ||
		r.RealAccuracy < 0 || r.RealAccuracy > 1 || r.FakeAccuracy < 0 || r.FakeAccuracy > 1 {
		t.Errorf("step result %+v", r)
	}
	if g, d := int64Var(t, m.sess, genIter), int64Var(t, m.sess, discIter); g != 2 || d != 4 {
		t.Errorf("after a whole step: iterations generator %d discriminator %d, want 2 and 4", g, d)
	}
}

// The generated labels of the alternating step are classes in [0, num_classes), all of
// them drawn.
func TestAlternatingRandomLabels(t *testing.T) {
	m, _ := newAlternatingCGAN(t)
	s := m.graph.Root().Sub("labels_test")
	labels := m.randomLabels(s, s.Const([]int32{5000}))
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	out, err := m.sess.Run(nil, []tf.Output{labels})
	if err != nil {
		t.Fatal(err)
	}
	rows, ok := graphs.Value(out[0]).([][]int32)
	if !ok || len(rows) != 5000 {
		t.Fatalf("labels %T of %d rows, want [][]int32 of 5000", graphs.Value(out[0]), len(rows))
	}
	var counts [10]int
	for _, r := range rows {
		if r[0] < 0 || r[0] > 9 {
			t.Fatalf("label %d outside [0, 10)", r[0])
		}
		counts[r[0]]++
	}
	for k, c := range counts {
		if c < 400 || c > 600 { // 500 expected; 5 standard deviations is about ±106
			t.Errorf("class %d drawn %d times of 5000", k, c)
		}
	}
}

// A discriminator with BatchNormalization is refused by the alternating step, with a
// config error that names the setting.
func TestAlternatingRefusesDiscriminatorBatchNorm(t *testing.T) {
	body := strings.Replace(withTrainStep(tinyGAN, "alternating"),
		"      - {type: Conv2D, filters: 4, kernel_size: 3, strides: 2, padding: same}\n",
		"      - {type: Conv2D, filters: 4, kernel_size: 3, strides: 2, padding: same}\n      - {type: BatchNormalization}\n", 1)
	cfg := runtest.LoadConfig(t, body)
	_, err := NewGAN(cfg, GANOptions{ImageShape: randomImages(1, 1).Shape, Seed: 1})
	if err == nil || !errors.Is(err, assemble.ErrModelConfig) || !strings.Contains(err.Error(), "train_step") {
		t.Fatalf("err = %v, want a model config error about gan.train_step", err)
	}
}
