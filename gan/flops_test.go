package gan

import (
	"path/filepath"
	"testing"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/configs"
)

// The alternating step's FLOPs are its three runs' (dcgan_mnist's networks; the count of
// the simultaneous step is checked in bench/cmd/tfrun-bench, with these forward counts:
// G = 74,976,384 and D = 17,364,352 per image, a convolution's taps on the padding not
// counted). D's input gradients but the first conv's cost 16,789,760, G's but the first
// Dense's 72,467,584:
//
//   - D on real images: D forward, D's weight gradients, the input gradients above its
//     first conv: 2·17,364,352 + 16,789,760 = 51,518,464
//   - D on generated images: G forward and the same, 126,494,848
//   - G: G and D forward, all of D's input gradients, G's weight and input gradients:
//     74,976,384 + 2·17,364,352 + 74,976,384 + 72,467,584 = 257,149,056
//
// 435,162,368 per example (graphs.Gradients emitted D's first input gradient, 574,592,
// once more before it carried every gradient back once). A conditional GAN's label input is given its shape too.
func TestTrainStepFLOPs(t *testing.T) {
	tests := []struct {
		config string
		step   string
		want   int64 // per example; 0: only that it counts
	}{
		{"gan_mnist.yaml", configs.TrainStepAlternating, 51518464 + 126494848 + 257149056},
		{"cgan_fashion.yaml", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.config, func(t *testing.T) {
			cfg, err := configs.Load(filepath.Join("..", "configs", tt.config))
			if err != nil {
				t.Fatal(err)
			}
			if tt.step != "" {
				cfg.GAN().TrainStep = tt.step
			}
			m, err := NewGAN(cfg, GANOptions{ImageShape: builders.Shape{28, 28, 1}, Seed: 1, Threads: 1})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			got, err := m.TrainStepFLOPs(3)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d FLOPs per example: %v", got.Total/3, got.ByType)
			if tt.want != 0 && got.Total != 3*tt.want || got.Total <= 0 {
				t.Errorf("%d FLOPs, want 3·%d = %d", got.Total, tt.want, 3*tt.want)
			}
		})
	}
}
