package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/datasets"
)

// The filter drops TensorFlow's and absl's INFO lines and keeps everything else.
func TestStderrFilter(t *testing.T) {
	dropped := []string{
		"2026-11-30 06:20:02.518254: I tensorflow/core/platform/cpu_feature_guard.cc:210] This TensorFlow binary is optimized to use available CPU instructions in performance-critical operations.",
		"To enable the following instructions: AVX2 FMA, in other operations, rebuild TensorFlow with the appropriate compiler flags.",
		"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
		"I0000 00:00:1796019602.526578   26586 mlir_graph_optimization_pass.cc:401] MLIR V1 optimization pass is not enabled",
	}
	kept := []string{
		"W0000 00:00:1796019602.526578   26586 some_op.cc:12] a warning",
		"2026-11-30 06:20:02.518254: W tensorflow/core/framework/op_kernel.cc:1840] OP_REQUIRES failed",
		"F0000 00:00:1796019602.526578   26586 check.cc:1] Check failed: x",
		"Info: a line of someone else's that starts like one",
		"partial line without a newline",
	}
	in := strings.Join(append(dropped, kept...), "\n")
	var out bytes.Buffer
	if code := runStderrFilter(strings.NewReader(in), &out); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if want := strings.Join(kept, "\n"); out.String() != want {
		t.Errorf("filtered:\n%s\nwant:\n%s", out.String(), want)
	}
}

// A plain tfrun run prints none of TensorFlow's INFO lines; -v lets them through.
func TestTensorFlowQuiet(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on IMDB")
	}
	dir := t.TempDir()
	cfg := writeConfig(t, strings.Replace(childYAML, "epochs: 8", "epochs: 1", 1))
	run := func(args ...string) (string, string) {
		cmd := exec.Command(os.Args[0], append([]string{"-config", cfg, "-limit", "200", "-threads", "1"}, args...)...)
		var env []string
		for _, e := range os.Environ() {
			if !strings.HasPrefix(e, "TF_CPP_MIN_LOG_LEVEL=") {
				env = append(env, e)
			}
		}
		cmd.Env = append(env, "TFRUN_TEST_CHILD=1")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			if strings.Contains(stderr.String(), datasets.ErrDataSetNotFound.Error()) {
				t.Skipf("IMDB not available: %s", stderr.String())
			}
			t.Fatalf("tfrun: %v\n%s", err, stderr.String())
		}
		return stdout.String(), stderr.String()
	}
	stdout, stderr := run("-out", filepath.Join(dir, "quiet"))
	if !strings.Contains(stdout, "Test accuracy") {
		t.Fatalf("the run did not finish:\n%s", stdout)
	}
	if stderr != "" {
		t.Errorf("a plain run wrote to stderr:\n%s", stderr)
	}
	_, stderr = run("-v", "-out", filepath.Join(dir, "verbose"))
	if !strings.Contains(stderr, "] MLIR V1 optimization pass is not enabled") {
		t.Errorf("with -v, no INFO line from TensorFlow on stderr:\n%s", stderr)
	}
}
