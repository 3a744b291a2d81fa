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

// The filter drops TensorFlow's and absl's INFO lines, in both of their formats, and keeps
// warnings, errors and fatal messages in both, and everything else. The lines are real
// ones of TensorFlow 2.18 (timestamps and thread ids vary).
func TestStderrFilter(t *testing.T) {
	for _, c := range []struct {
		name, line string
		drop       bool
	}{
		{"dated I oneDNN", "2026-12-06 03:22:59.418482: I tensorflow/core/util/port.cc:153] oneDNN custom operations are on. You may see slightly different numerical results due to floating-point round-off errors from different computation orders. To turn them off, set the environment variable `TF_ENABLE_ONEDNN_OPTS=0`.", true},
		{"dated I cpu_feature_guard", "2026-11-30 06:20:02.518254: I tensorflow/core/platform/cpu_feature_guard.cc:210] This TensorFlow binary is optimized to use available CPU instructions in performance-critical operations.", true},
		{"its continuation", "To enable the following instructions: AVX2 FMA, in other operations, rebuild TensorFlow with the appropriate compiler flags.", true},
		{"absl I MLIR", "I0000 00:00:1796019602.526578   26586 mlir_graph_optimization_pass.cc:401] MLIR V1 optimization pass is not enabled", true},
		{"absl I initialised", "I1206 03:23:00.101234   26586 mlir_graph_optimization_pass.cc:401] MLIR V1 optimization pass is not enabled", true},
		{"absl note", "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR", true},
		{"dated W", "2026-11-30 06:20:02.518254: W tensorflow/core/framework/op_kernel.cc:1841] OP_REQUIRES failed at save_restore_v2_ops.cc:163 : NOT_FOUND: Key dense/kernel not found in checkpoint", false},
		{"dated E", "2026-11-30 06:20:03.118254: E tensorflow/core/util/util.cc:131] oneDNN supports DT_HALF only on platforms with AVX-512. Falling back to the default Eigen-based implementation if present.", false},
		{"dated F", "2026-11-30 06:20:03.118254: F tensorflow/core/platform/cpu_feature_guard.cc:37] The TensorFlow library was compiled to use AVX instructions, but these aren't available on your machine.", false},
		{"absl W", "W0000 00:00:1796019603.405102   26586 gpu_device.cc:2344] Cannot dlopen some GPU libraries. Please make sure the missing libraries mentioned above are installed properly if you would like to use GPU.", false},
		{"absl E", "E0000 00:00:1796019602.103471   26586 cuda_dnn.cc:8310] Unable to register cuDNN factory: Attempting to register factory for plugin cuDNN when one has already been registered", false},
		{"absl F", "F0000 00:00:1796019602.526578   26586 collective_ops.cc:240] Check failed: group_size > 0 (0 vs. 0)", false},
		{"someone else's", "Info: a line of someone else's that starts like one", false},
		{"tfrun's", "tfrun: epoch 2: non-finite loss", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			filterLines(strings.NewReader(c.line+"\n"), &out)
			want := c.line + "\n"
			if c.drop {
				want = ""
			}
			if out.String() != want {
				t.Errorf("filtered %q\nto %q, want %q", c.line, out.String(), want)
			}
		})
	}
	// A stream: the kept lines in order, a last line without a newline kept as it is.
	in := "W0000 00:00:1.5   1 a.cc:1] one\nI0000 00:00:1.5   1 a.cc:2] two\n2026-11-30 06:20:02.5: I b.cc:3] three\npartial"
	var out bytes.Buffer
	if code := runStderrFilter(strings.NewReader(in), &out); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if want := "W0000 00:00:1.5   1 a.cc:1] one\npartial"; out.String() != want {
		t.Errorf("filtered:\n%s\nwant:\n%s", out.String(), want)
	}
}

// wantTensorFlowInfo: TF_CPP_MIN_LOG_LEVEL set (to anything) or -v true asks for the lines.
func TestWantTensorFlowInfo(t *testing.T) {
	for _, c := range tensorFlowInfoCases {
		lookup := func(k string) (string, bool) {
			for _, e := range c.env {
				if name, v, _ := strings.Cut(e, "="); name == k {
					return v, true
				}
			}
			return "", false
		}
		if got := wantTensorFlowInfo(c.args, lookup); got != c.want {
			t.Errorf("wantTensorFlowInfo(%q, env %q) = %v, want %v", c.args, c.env, got, c.want)
		}
	}
}

var tensorFlowInfoCases = []struct {
	args, env []string
	want      bool
}{
	{[]string{"-config", "c.yaml"}, []string{"HOME=/root"}, false},
	{[]string{"-config", "c.yaml"}, []string{"TF_CPP_MIN_LOG_LEVEL=0"}, true},
	{[]string{"-config", "c.yaml"}, []string{"TF_CPP_MIN_LOG_LEVEL="}, true},
	{[]string{"-config", "c.yaml"}, []string{"TF_CPP_MIN_LOG_LEVELS=1"}, false},
	{[]string{"-v", "-config", "c.yaml"}, nil, true},
	{[]string{"-config", "c.yaml", "--v"}, nil, true},
	{[]string{"-v=true"}, nil, true},
	{[]string{"--v=1"}, nil, true},
	{[]string{"-v=T"}, nil, true},
	{[]string{"-v=false"}, nil, false},
	{[]string{"-v=0"}, nil, false},
	{[]string{"-verbose", "2"}, nil, false},
	{[]string{"-verbose=1"}, nil, false},
	{[]string{"---v"}, nil, false},
	{[]string{"v"}, nil, false},
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
