package gan

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/runner"
)

// The conditional GAN's golden, recorded by the code before its networks were functional
// graphs (builders.Network's hard-wired label and input branches), so that the functional
// form is shown to train the same:
//
//   - cgan_golden/losses.json: per environment (TF_ENABLE_ONEDNN_OPTS, the CPU), the first
//     20 training steps' losses of configs/cgan_fashion.yaml on Fashion-MNIST's first 1280
//     images, in order, at seed 42 on one thread; and the history and final checkpoint's
//     digest of tiny_cgan_old.yaml resumed from checkpoint/.
//   - cgan_golden/checkpoint/: tiny_cgan_old.yaml's checkpoint after its first epoch
//     (4 steps of 16 images), written by that code (TF_ENABLE_ONEDNN_OPTS=0). The full
//     cgan_fashion's would be ~28 MB; the tiny one has the same structure.
//
// TFRUN_RECORD_CGAN_GOLDEN=1 go test -run TestRecordCGANGolden ./gan records them (the
// checkpoint only if absent); run it once per TF_ENABLE_ONEDNN_OPTS setting.

const cganGoldenDir = "testdata/cgan_golden"

// cganSteps is how many of cgan_fashion's first steps are compared.
const cganSteps = 20

// cganGolden is losses.json.
type cganGolden struct {
	// Commit is the tfrun commit that recorded it.
	Commit string `json:"commit"`
	// Envs are the recordings, keyed by goldenEnv.
	Envs map[string]*cganRecording `json:"envs"`
}

type cganRecording struct {
	// Steps are cgan_fashion's first cganSteps steps.
	Steps []StepResult `json:"steps"`
	// Resumed is tiny_cgan_old's history after resuming from checkpoint/ to its 3rd epoch,
	// FinalSHA256 its final checkpoint's data file's digest.
	Resumed     *runner.History `json:"resumed"`
	FinalSHA256 string          `json:"final_sha256"`
}

// goldenEnv names what a float result depends on besides the graph: oneDNN's kernels
// (TF_ENABLE_ONEDNN_OPTS) and the CPU (its vector units choose Eigen's and oneDNN's).
func goldenEnv() string {
	onednn := os.Getenv("TF_ENABLE_ONEDNN_OPTS")
	if onednn == "" {
		onednn = "default"
	}
	cpu := runtime.GOARCH
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	return "onednn=" + onednn + " cpu=" + cpu
}

// cganFashionSteps runs configs/cgan_fashion.yaml's first n steps on the first n batches
// of Fashion-MNIST, in order, and returns their results.
func cganFashionSteps(t *testing.T, n int) []StepResult {
	t.Helper()
	cfg, err := configs.Load(filepath.Join("..", "configs", "cgan_fashion.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	bs := cfg.GAN().BatchSize
	data, err := loadImages(configs.DatasetFashionMNIST, "", n*bs)
	if errors.Is(err, datasets.ErrDataSetNotFound) {
		t.Skipf("Fashion-MNIST not available: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewGAN(cfg, GANOptions{ImageShape: data.Shape, Seed: uint64(cfg.Seed), Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var out []StepResult
	for s := range n {
		idx := make([]int, bs)
		for k := range idx {
			idx[k] = s*bs + k
		}
		it, lt, err := data.Batch(idx)
		if err != nil {
			t.Fatal(err)
		}
		r, err := m.TrainStep(it, lt)
		if err != nil {
			t.Fatalf("step %d: %v", s+1, err)
		}
		out = append(out, r)
	}
	return out
}

// tinyCGANRun runs the tiny cGAN config at path in dir with the options of the golden
// (64 images, one thread); resume continues from dir's checkpoint.
func tinyCGANRun(t *testing.T, path, dir string, epochs int, resume bool) error {
	t.Helper()
	cfg, err := configs.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return Run(context.Background(), cfg, runner.Options{OutDir: dir, Limit: 64, Threads: 1, Epochs: epochs, Resume: resume})
}

// copyDir copies the directory tree src into dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(to, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// resumeTinyCGAN resumes the committed checkpoint of the tiny cGAN under the config at
// path to its last epoch and returns the history and the final checkpoint's digest.
func resumeTinyCGAN(t *testing.T, path string) (*runner.History, string) {
	t.Helper()
	dir := t.TempDir()
	copyDir(t, filepath.Join(cganGoldenDir, "checkpoint"), checkpoints.Dir(dir))
	if err := tinyCGANRun(t, path, dir, 0, true); err != nil {
		if errors.Is(err, datasets.ErrDataSetNotFound) {
			t.Skipf("Fashion-MNIST not available: %v", err)
		}
		t.Fatal(err)
	}
	var h runner.History
	b, err := os.ReadFile(filepath.Join(dir, "history.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	delete(h.Metrics, "seconds")
	data, err := os.ReadFile(filepath.Join(checkpoints.Dir(dir), "ckpt-12.data-00000-of-00001")) // 3 epochs of 4 steps
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return &h, hex.EncodeToString(sum[:])
}

func TestRecordCGANGolden(t *testing.T) {
	if os.Getenv("TFRUN_RECORD_CGAN_GOLDEN") == "" {
		t.Skip("records the cGAN golden only with TFRUN_RECORD_CGAN_GOLDEN=1")
	}
	old := filepath.Join(cganGoldenDir, "tiny_cgan_old.yaml")
	ckpt := filepath.Join(cganGoldenDir, "checkpoint")
	if _, err := os.Stat(ckpt); errors.Is(err, fs.ErrNotExist) {
		dir := t.TempDir()
		if err := tinyCGANRun(t, old, dir, 1, false); err != nil {
			t.Fatal(err)
		}
		copyDir(t, checkpoints.Dir(dir), ckpt)
	}
	var g cganGolden
	path := filepath.Join(cganGoldenDir, "losses.json")
	if b, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(b, &g); err != nil {
			t.Fatal(err)
		}
	}
	if g.Envs == nil {
		g.Envs = map[string]*cganRecording{}
	}
	g.Commit = os.Getenv("TFRUN_RECORD_COMMIT")
	rec := &cganRecording{Steps: cganFashionSteps(t, cganSteps)}
	rec.Resumed, rec.FinalSHA256 = resumeTinyCGAN(t, old)
	g.Envs[goldenEnv()] = rec
	b, err := json.MarshalIndent(&g, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %s", goldenEnv())
}
