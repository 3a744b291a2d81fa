package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/datasets"
)

// A slice of the shipped configs/cifar_resnet.yaml (ResNet-20 behind RandomFlip and
// RandomTranslation; -limit 256: 2 steps of 128 an epoch), stopped after its first epoch
// and resumed for the second, ends with the same weights, bit for bit, as the run of 2
// epochs in one go: the augmentation's draws are keyed by the restored step counter.
// The same config without its two augmentation layers ends elsewhere, so the draws are
// part of what is compared.
func TestCifarResnetResumeBitForBit(t *testing.T) {
	if testing.Short() {
		t.Skip("trains ResNet-20 on CIFAR-10")
	}
	final := checkpoints.Name(4) // 2 epochs of 2 steps
	run := func(cfg, dir string, args ...string) []byte {
		t.Helper()
		code, out := runChild(t, cfg, dir, append([]string{"-limit", "256"}, args...)...)
		if code != 0 {
			if strings.Contains(out, datasets.ErrDataSetNotFound.Error()) {
				t.Skip("CIFAR-10 not available")
			}
			t.Fatalf("tfrun %v: exit %d:\n%s", args, code, out)
		}
		data, err := os.ReadFile(checkpoints.DataFile(filepath.Join(checkpoints.Dir(dir), final), 0, 1))
		if err != nil && !strings.Contains(strings.Join(args, " "), "-epochs 1") {
			t.Fatal(err)
		}
		return data
	}
	cfg := filepath.Join("..", "..", "configs", "cifar_resnet.yaml")
	want := run(cfg, t.TempDir(), "-epochs", "2")
	dir := t.TempDir()
	run(cfg, dir, "-epochs", "1")
	if _, err := os.Stat(filepath.Join(checkpoints.Dir(dir), checkpoints.Name(2)+".index")); err != nil {
		t.Fatalf("the interrupted run left no checkpoint after its epoch: %v", err)
	}
	if got := run(cfg, dir, "-resume", "-epochs", "2"); !bytes.Equal(got, want) {
		t.Errorf("the resumed run's %s differs from the uninterrupted run's", final)
	}

	body, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, l := range strings.Split(string(body), "\n") {
		switch {
		case strings.Contains(l, "type: RandomFlip"), strings.Contains(l, "type: RandomTranslation"):
			continue
		case strings.Contains(l, "name: stem_conv,"):
			l = strings.Replace(l, "{name: stem_conv,", "{name: stem_conv, call: image,", 1)
		}
		kept = append(kept, l)
	}
	if len(kept) != strings.Count(string(body), "\n")-1 {
		t.Fatalf("configs/cifar_resnet.yaml no longer has one RandomFlip and one RandomTranslation line")
	}
	if got := run(writeConfig(t, strings.Join(kept, "\n")), t.TempDir(), "-epochs", "2"); bytes.Equal(got, want) {
		t.Errorf("training without the augmentation layers ends with the same weights")
	}
}
