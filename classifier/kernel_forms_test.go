package classifier

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs/lstmkernel"
	"github.com/tfrun/tfrun/internal/runtest"
	"github.com/tfrun/tfrun/runner"
)

// largeBatchYAML is tinyYAML with a batch above builders.LSTMFusedMaxBatch, where the
// LSTM's form is the unrolled cell (with tfrun's cell kernels, or TensorFlow's ops): with
// -limit 600 and a 20% validation split an epoch is 3 steps.
var largeBatchYAML = strings.Replace(strings.Replace(tinyYAML, "batch_size: 32", "batch_size: 160", 1), "epochs: 3", "epochs: 2", 1)

// kernelFormsOf reads the kernel forms a checkpoint recorded (nil: none).
func kernelFormsOf(t *testing.T, dir string) (map[string]string, string) {
	t.Helper()
	latest, err := checkpoints.Latest(checkpoints.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := checkpoints.Inspect(latest)
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		KernelForms map[string]string `json:"kernel_forms"`
	}
	if err := json.Unmarshal(sc.State, &st); err != nil {
		t.Fatal(err)
	}
	return st.KernelForms, latest
}

// forgetKernelForms turns the latest checkpoint into one of a tfrun that recorded no
// kernel forms (before it had kernels of its own).
func forgetKernelForms(t *testing.T, dir string) {
	t.Helper()
	_, latest := kernelFormsOf(t, dir)
	path := checkpoints.SidecarFile(latest)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var sc map[string]json.RawMessage
	if err := json.Unmarshal(b, &sc); err != nil {
		t.Fatal(err)
	}
	var st map[string]json.RawMessage
	if err := json.Unmarshal(sc["state"], &st); err != nil {
		t.Fatal(err)
	}
	delete(st, "kernel_forms")
	if sc["state"], err = json.Marshal(st); err != nil {
		t.Fatal(err)
	}
	if b, err = json.Marshal(sc); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// A checkpoint records the LSTM's form, and a resumed run builds it again, so that it ends
// bit-identical to an uninterrupted run: with tfrun's cell kernels; and, from a checkpoint
// that recorded none (an earlier tfrun's), with the unrolled cell of TensorFlow's ops that
// tfrun built then, even with the kernels on now.
func TestResumeKeepsKernelForms(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on IMDB")
	}
	cfg := runtest.LoadConfig(t, largeBatchYAML)
	const limit = 600
	run := func(t *testing.T, cfg *configs.Config, dir, kernels string, edit func(*runner.Options)) []byte {
		t.Helper()
		t.Setenv(lstmkernel.EnvVar, kernels)
		_, err := runTiny(t, context.Background(), cfg, dir, func(o *runner.Options) {
			o.Limit = limit
			if edit != nil {
				edit(o)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		_, latest := kernelFormsOf(t, dir)
		data, err := os.ReadFile(checkpoints.DataFile(latest, 0, 1))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	firstEpoch := func(o *runner.Options) { o.Epochs = 1 }
	resume := func(o *runner.Options) { o.Resume = true }

	straightKernel := t.TempDir()
	wantKernel := run(t, cfg, straightKernel, "1", nil)
	if forms, _ := kernelFormsOf(t, straightKernel); forms["lstm"] != builders.LSTMCellKernel {
		t.Fatalf("recorded forms %v, want lstm: %s", forms, builders.LSTMCellKernel)
	}
	straightOps := t.TempDir()
	wantOps := run(t, cfg, straightOps, "0", nil)
	if forms, _ := kernelFormsOf(t, straightOps); forms["lstm"] != builders.LSTMUnrolled {
		t.Fatalf("recorded forms %v, want lstm: %s", forms, builders.LSTMUnrolled)
	}
	if bytes.Equal(wantKernel, wantOps) {
		t.Fatal("the cell kernels and TensorFlow's ops trained bit-identical weights: the resumes below would prove nothing")
	}

	t.Run("cell_kernel", func(t *testing.T) {
		dir := t.TempDir()
		run(t, cfg, dir, "1", firstEpoch)
		if got := run(t, cfg, dir, "1", resume); !bytes.Equal(got, wantKernel) {
			t.Error("the resumed run's final checkpoint differs from the uninterrupted run's")
		}
	})
	t.Run("earlier_tfrun", func(t *testing.T) {
		dir := t.TempDir()
		run(t, cfg, dir, "0", firstEpoch)
		forgetKernelForms(t, dir)
		if forms, _ := kernelFormsOf(t, dir); forms != nil {
			t.Fatalf("forms %v left in the checkpoint", forms)
		}
		if got := run(t, cfg, dir, "1", resume); !bytes.Equal(got, wantOps) {
			t.Error("the resumed run's final checkpoint differs from the uninterrupted run's with TensorFlow's ops")
		}
		if forms, _ := kernelFormsOf(t, dir); forms["lstm"] != builders.LSTMUnrolled {
			t.Errorf("the resumed run recorded %v, want lstm: %s", forms, builders.LSTMUnrolled)
		}
	})
	// The batch split in halves, a form only a config or a measurement chooses.
	t.Run("cell_kernel_split", func(t *testing.T) {
		split := runtest.LoadConfig(t, strings.Replace(largeBatchYAML, "{type: LSTM, units: 8}",
			"{type: LSTM, units: 8, implementation: cell_kernel_split}", 1))
		straight := t.TempDir()
		want := run(t, split, straight, "", nil)
		if forms, _ := kernelFormsOf(t, straight); forms["lstm"] != builders.LSTMCellKernelSplit {
			t.Fatalf("recorded forms %v, want lstm: %s", forms, builders.LSTMCellKernelSplit)
		}
		if bytes.Equal(want, wantKernel) {
			t.Fatal("the split and the whole batch trained bit-identical weights: resuming in the wrong one would pass")
		}
		dir := t.TempDir()
		run(t, split, dir, "", firstEpoch)
		if got := run(t, cfg, dir, "", resume); !bytes.Equal(got, want) {
			t.Error("the resumed run (its config naming no implementation) ends differently from the uninterrupted run")
		}
	})
}
