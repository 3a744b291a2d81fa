package builders_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs/lstmkernel"
)

// The LSTM forms autotuning measures: fused only in float32, cell_kernel and
// cell_kernel_split in float32 and bfloat16 unless TFRUN_CUSTOM_KERNELS turns tfrun's kernels off, unrolled always.
func TestLSTMCandidates(t *testing.T) {
	if err := lstmkernel.Register(); err != nil {
		t.Skipf("tfrun's kernels are not registered here: %v", err)
	}
	all := []string{builders.LSTMFused, builders.LSTMUnrolled, builders.LSTMCellKernel, builders.LSTMCellKernelSplit}
	for _, c := range []struct {
		name    string
		dtype   tf.DataType
		kernels string
		want    []string
	}{
		{"float32", tf.Float, "", all},
		{"float32 kernels on", tf.Float, "1", all},
		{"float32 kernels off", tf.Float, "0", []string{builders.LSTMFused, builders.LSTMUnrolled}},
		{"bfloat16", tf.Bfloat16, "", []string{builders.LSTMUnrolled, builders.LSTMCellKernel, builders.LSTMCellKernelSplit}},
		{"bfloat16 kernels off", tf.Bfloat16, "off", []string{builders.LSTMUnrolled}},
		{"float64", tf.Double, "", []string{builders.LSTMUnrolled}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv(lstmkernel.EnvVar, c.kernels)
			if got := builders.LSTMCandidates(c.dtype); !slices.Equal(got, c.want) {
				t.Errorf("LSTMCandidates = %v, want %v", got, c.want)
			}
		})
	}
}

// Under mixed_bfloat16 the candidates are the float32 forms and the unrolled ones in
// bfloat16 (no fused bfloat16: BlockLSTMV2 has no bfloat16 CPU kernel); each name is an
// implementation a config may give, and the bfloat16 ones say so.
func TestLSTMMixedCandidates(t *testing.T) {
	if err := lstmkernel.Register(); err != nil {
		t.Skipf("tfrun's kernels are not registered here: %v", err)
	}
	for _, c := range []struct {
		kernels string
		want    []string
	}{
		{"", []string{builders.LSTMFused, builders.LSTMUnrolled, builders.LSTMCellKernel, builders.LSTMCellKernelSplit,
			builders.LSTMUnrolledBFloat16, builders.LSTMCellKernelBFloat16, builders.LSTMCellKernelSplitBFloat16}},
		{"off", []string{builders.LSTMFused, builders.LSTMUnrolled, builders.LSTMUnrolledBFloat16}},
	} {
		t.Run("kernels "+c.kernels, func(t *testing.T) {
			t.Setenv(lstmkernel.EnvVar, c.kernels)
			got := builders.LSTMMixedCandidates()
			if !slices.Equal(got, c.want) {
				t.Errorf("LSTMMixedCandidates = %v, want %v", got, c.want)
			}
			for _, f := range got {
				if !slices.Contains(builders.LSTMForms(), f) {
					t.Errorf("%q is not in LSTMForms %v", f, builders.LSTMForms())
				}
				if bf16 := strings.HasSuffix(f, "_bfloat16"); builders.LSTMBFloat16Form(f) != bf16 {
					t.Errorf("LSTMBFloat16Form(%q) = %v", f, !bf16)
				}
			}
		})
	}
}

// A config's implementation sets the layer's; an unknown one, or Keras's integer, is an
// error naming the key; it is not part of the model's fingerprint.
func TestLSTMImplementationConfig(t *testing.T) {
	load := func(t *testing.T, impl string) (*configs.Config, error) {
		t.Helper()
		lstm := "{type: LSTM, units: 4}"
		if impl != "" {
			lstm = "{type: LSTM, units: 4, implementation: " + impl + "}"
		}
		body := "task: classifier\ndata: {dataset: imdb, num_words: 100, maxlen: 5}\nmodel:\n  layers:\n" +
			"    - {type: Embedding, input_dim: 100, output_dim: 3}\n    - " + lstm + "\n    - {type: Dense, units: 1, activation: sigmoid}\ntrain: {epochs: 1, batch_size: 4}\n"
		path := filepath.Join(t.TempDir(), "c.yaml")
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return configs.Load(path)
	}
	base, err := load(t, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, impl := range []string{builders.LSTMFused, builders.LSTMUnrolled, builders.LSTMCellKernel, builders.LSTMCellKernelSplit} {
		cfg, err := load(t, impl)
		if err != nil {
			t.Fatalf("%s: %v", impl, err)
		}
		l, err := builders.FromConfig(&cfg.Supervised().Model.Layers[1], "lstm", nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := l.(*builders.LSTM).Implementation; got != impl {
			t.Errorf("implementation: %s built %q", impl, got)
		}
		if cfg.Fingerprint() != base.Fingerprint() {
			t.Errorf("implementation: %s changes the fingerprint", impl)
		}
	}
	for _, bad := range []string{"cudnn", "2"} {
		if _, err := load(t, bad); err == nil || !strings.Contains(err.Error(), "implementation") {
			t.Errorf("implementation: %s: err = %v, want one naming implementation", bad, err)
		}
	}
}
