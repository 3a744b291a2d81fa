package runner

import (
	"math"
	"testing"

	"github.com/tfrun/tfrun/configs"
)

func TestZZCGAN(t *testing.T) {
	cfg, err := configs.Load("../configs/cgan_fashion.yaml")
	if err != nil {
		t.Fatal(err)
	}
	data, err := loadImages("fashion_mnist", "", false, 128*60)
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewGAN(cfg, GANOptions{ImageShape: data.Shape, Seed: 42, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	noise, labels, _, _ := sampleInputs(cfg.GAN, 42)
	stats := func() (float64, float64) {
		imgs, _ := m.Generate(noise, labels)
		var s, s2 float64
		for _, v := range imgs {
			s += float64(v)
			s2 += float64(v) * float64(v)
		}
		n := float64(len(imgs))
		return s / n, math.Sqrt(s2/n - (s/n)*(s/n))
	}
	mean, std := stats()
	t.Logf("init: gen mean %.3f std %.3f", mean, std)
	for b := 0; b < 60; b++ {
		idx := make([]int, 128)
		for i := range idx {
			idx[i] = b*128 + i
		}
		it, lt, _ := data.batch(idx)
		r, err := m.TrainStep(it, lt)
		if err != nil {
			t.Fatal(err)
		}
		if b%6 != 5 {
			continue
		}
		mean, std = stats()
		t.Logf("step %d: %+v gen mean %.3f std %.3f", b, r, mean, std)
	}
}
