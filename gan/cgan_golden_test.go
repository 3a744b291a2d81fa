package gan

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
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
// (TF_ENABLE_ONEDNN_OPTS) and the CPU: its model and widest vector unit (AVX-512 or
// AVX2), which choose Eigen's and oneDNN's kernels.
func goldenEnv() string {
	onednn := os.Getenv("TF_ENABLE_ONEDNN_OPTS")
	if onednn == "" {
		onednn = "default"
	}
	cpu, isa := runtime.GOARCH, "base"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		var model, flags string
		for _, line := range strings.Split(string(b), "\n") {
			k, v, ok := strings.Cut(line, ":")
			switch k = strings.TrimSpace(k); {
			case !ok:
			case k == "model name" && model == "":
				model = strings.TrimSpace(v)
			case k == "flags" && flags == "":
				flags = " " + v + " "
			}
		}
		if model != "" {
			cpu = model
		}
		for _, f := range []string{"avx512f", "avx2"} {
			if strings.Contains(flags, " "+f+" ") {
				isa = f
				break
			}
		}
	}
	return "onednn=" + onednn + " cpu=" + cpu + " isa=" + isa
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

// goldenRecording is the recording for this environment, exact says it is one (else,
// any other, to compare within cganTolerance).
func goldenRecording(t *testing.T) (rec *cganRecording, exact bool) {
	t.Helper()
	var g cganGolden
	b, err := os.ReadFile(filepath.Join(cganGoldenDir, "losses.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if rec, ok := g.Envs[goldenEnv()]; ok {
		return rec, true
	}
	for _, k := range slices.Sorted(maps.Keys(g.Envs)) {
		t.Logf("no golden for %s: comparing with %s's within %g", goldenEnv(), k, cganTolerance)
		return g.Envs[k], false
	}
	t.Fatal("losses.json holds no recording")
	return nil, false
}

// cganTolerance bounds the relative difference of a loss from another environment's
// golden (another CPU's kernels, oneDNN on or off). Measured: oneDNN on vs off on an AMD
// EPYC differ by at most 2.7e-4 over cgan_fashion's 20 steps.
const cganTolerance = 5e-3

// same compares a result with its golden: bit for bit, or within cganTolerance.
func same(got, want float64, exact bool) bool {
	if exact {
		return got == want
	}
	return math.Abs(got-want) <= cganTolerance*math.Abs(want)
}

// sameAccuracy compares an accuracy with its golden: bit for bit, or, from another
// environment, within accuracyTolerance. An accuracy counts the batch's images on each
// side of 0.5, so one image whose output sits near 0.5 flips it by 1/64 when the losses
// agree to 4e-4 (measured: an AMD Zen 5 with oneDNN on against the Zen 3 golden, step 17's
// fake accuracy 0.609 against 0.625).
func sameAccuracy(got, want float64, exact bool) bool {
	if exact {
		return got == want
	}
	return math.Abs(got-want) <= accuracyTolerance
}

// accuracyTolerance is two images of cgan_fashion's batch of 64.
const accuracyTolerance = 2.0 / 64

// configs/cgan_fashion.yaml, its networks now functional graphs built by
// builders.Functional, trains its first 20 steps to the losses the hard-wired two-branch
// network gave, bit for bit (where the golden's environment is this one).
func TestCGANFashionSameLosses(t *testing.T) {
	if testing.Short() {
		t.Skip("trains cgan_fashion for 20 steps on Fashion-MNIST")
	}
	cfg, err := configs.Load(filepath.Join("..", "configs", "cgan_fashion.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.GAN().Generator.Functional() || !cfg.GAN().Discriminator.Functional() {
		t.Fatal("configs/cgan_fashion.yaml's networks are not functional graphs")
	}
	want, exact := goldenRecording(t)
	got := cganFashionSteps(t, cganSteps)
	for i := range got {
		g, w := got[i], want.Steps[i]
		if !same(g.GenLoss, w.GenLoss, exact) || !same(g.DiscLoss, w.DiscLoss, exact) ||
			!sameAccuracy(g.RealAccuracy, w.RealAccuracy, exact) || !sameAccuracy(g.FakeAccuracy, w.FakeAccuracy, exact) {
			t.Errorf("step %d: %+v, the old network gave %+v", i+1, g, w)
		}
	}
}

// A checkpoint the old code wrote (old-form YAML) resumes under the old-form YAML and
// under its functional twin, to the history and final weights the old code's resume gave.
func TestCGANOldCheckpointResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a tiny cGAN on Fashion-MNIST")
	}
	want, exact := goldenRecording(t)
	for _, file := range []string{"tiny_cgan_old.yaml", "tiny_cgan.yaml"} {
		t.Run(file, func(t *testing.T) {
			h, sum := resumeTinyCGAN(t, filepath.Join(cganGoldenDir, file))
			if !slices.Equal(h.Epochs, want.Resumed.Epochs) {
				t.Fatalf("epochs %v, want %v", h.Epochs, want.Resumed.Epochs)
			}
			for k, ws := range want.Resumed.Metrics {
				gs := h.Metrics[k]
				if len(gs) != len(ws) {
					t.Fatalf("%s: %v, want %v", k, gs, ws)
				}
				for i := range ws {
					if !same(gs[i], ws[i], exact) {
						t.Errorf("%s epoch %d: %v, the old code's resume gave %v", k, i+1, gs[i], ws[i])
					}
				}
			}
			if exact && sum != want.FinalSHA256 {
				t.Errorf("final checkpoint's sha256 %s, the old code's %s", sum, want.FinalSHA256)
			}
		})
	}
}
