package gan

import (
	"math"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/internal/runtest"
)

// Both GANs train under mixed_bfloat16 (the conditional one's empty-branch join and
// Embedding included): finite losses, float32 variables and slots, float32 images in
// tanh's range; and the first step's losses are those of float32 to bfloat16's precision.
func TestMixedBFloat16GAN(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		labels     bool
	}{
		{"dcgan", tinyGAN, false},
		{"conditional", tinyCGAN, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			step := func(body string) StepResult {
				cfg := runtest.LoadConfig(t, body)
				data := randomImages(16, 3)
				m, err := NewGAN(cfg, GANOptions{ImageShape: data.Shape, Seed: 1, Threads: 1})
				if err != nil {
					t.Fatal(err)
				}
				defer m.Close()
				for _, v := range m.Variables() {
					if v.DType != tf.Float && v.DType != tf.Int64 {
						t.Errorf("variable %s is %v", v.Name, v.DType)
					}
				}
				it, lt, _ := data.Batch([]int{0, 1, 2, 3, 4, 5, 6, 7})
				if !tc.labels {
					lt = nil
				}
				r, err := m.TrainStep(it, lt)
				if err != nil {
					t.Fatal(err)
				}
				var label []int32
				if tc.labels {
					label = []int32{4}
				}
				imgs, err := m.Generate(make([]float32, 8), label)
				if err != nil {
					t.Fatal(err)
				}
				for _, v := range imgs {
					if !(v >= -1 && v <= 1) {
						t.Fatalf("generated value %v outside tanh's range", v)
					}
				}
				return r
			}
			want := step(tc.yaml)
			got := step("precision: mixed_bfloat16\n" + tc.yaml)
			for _, l := range []struct {
				name      string
				got, want float64
			}{{"generator loss", got.GenLoss, want.GenLoss}, {"discriminator loss", got.DiscLoss, want.DiscLoss}} {
				// Losses near log 2 from freshly initialised networks; bfloat16 keeps 8 bits.
				if math.IsNaN(l.got) || math.Abs(l.got-l.want) > 0.02*math.Abs(l.want) {
					t.Errorf("%s %.5f under mixed_bfloat16, %.5f under float32", l.name, l.got, l.want)
				}
			}
		})
	}
}
