package configs

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/internal/mutate"
)

// mutationValues are the values fed to every number of the shipped configs: zero, a
// negative, the first beyond int32, the largest int64 and the fuzzer's 99999999999
// (issue #20).
var mutationValues = []string{"0", "-1", "2147483648", "9223372036854775807", "99999999999"}

// namesKey reports whether err, a config error, names key: at key itself, or at the
// list or pair that holds it (target_shape for target_shape[0]), at its layer (an output
// dimension computed from several arguments), or in its message (a
// consistency check names both sides: "input_dim 20000 < data.num_words ...").
func namesKey(err error, key string) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Key == key || strings.HasPrefix(key, e.Key+"[") || strings.HasPrefix(key, e.Key+".") || strings.Contains(e.Err.Error(), key)
}

// Every number of every shipped config, set to each mutation value: the config loads
// (the value is possible and fits this machine) or the error names that key, on one line.
// TestMutatedConfigsBuild (cmd/tfrun) builds the accepted ones.
func TestMutatedNumbers(t *testing.T) {
	files, err := filepath.Glob("*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no configs: %v", err)
	}
	dir := t.TempDir()
	accepted, refused := 0, 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := mutate.Parse(data)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for i, n := range doc.Numbers {
			for _, v := range mutationValues {
				body, err := doc.With(i, v)
				if err != nil {
					t.Fatal(err)
				}
				p := filepath.Join(dir, file)
				if err := os.WriteFile(p, body, 0o644); err != nil {
					t.Fatal(err)
				}
				_, err = Load(p)
				switch {
				case err == nil:
					accepted++
				case !namesKey(err, n.Path):
					t.Errorf("%s: %s: %s: error does not name the key: %v", file, n.Path, v, err)
				case strings.Contains(err.Error(), "\n"):
					t.Errorf("%s: %s: %s: error of several lines: %q", file, n.Path, v, err)
				default:
					refused++
				}
			}
		}
	}
	t.Logf("%d mutations accepted, %d refused naming the key", accepted, refused)
	if refused == 0 {
		t.Error("no mutation refused")
	}
}

// The four crashes of issue #20, on imdb_lstm.yaml, and the same keys at sizes an int32
// holds: each is refused by Load, naming the key, before anything is read or built.
func TestIssue20Sizes(t *testing.T) {
	data, err := os.ReadFile("imdb_lstm.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		old, new, key, want string
	}{
		{"maxlen: 80", "maxlen: 99999999999", "data.maxlen", "up to 2147483647 (int32)"},
		{"output_dim: 32", "output_dim: 99999999999", "model.layers[0].output_dim", "up to 2147483647 (int32)"},
		{"LSTM, units: 32", "LSTM, units: 99999999999", "model.layers[1].units", "up to 2147483647 (int32)"},
		{"batch_size: 32", "batch_size: 99999999999", "train.batch_size", "up to 2147483647 (int32)"},
		{"batch_size: 32", "batch_size: 2147483647", "", ""}, // Keras runs a batch_size beyond the data as one batch
		{"maxlen: 80", "maxlen: 100000000", "data.maxlen", "the padded ids of 50000 IMDB reviews (int32) alone needs 20.0 TB"},
		{"output_dim: 32", "output_dim: 2000000000", "model.layers[0].output_dim", "embeddings [20000×2000000000] (with its gradient, initial values and 2 RMSprop slots) alone needs 800.0 TB"},
		{"LSTM, units: 32", "LSTM, units: 2000000000", "model.layers[1].units", "recurrent_kernel [2000000000×4×2000000000] has 2000000000·4·2000000000 elements, more than TensorFlow can count (int64 overflow)"},
		{"LSTM, units: 32", "LSTM, units: 1000000", "model.layers[1].units", "recurrent_kernel [1000000×4×1000000] (with its gradient, initial values and 2 RMSprop slots) alone needs 80.0 TB"},
	} {
		t.Run(tc.new, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "imdb_lstm.yaml")
			if err := os.WriteFile(p, []byte(strings.Replace(string(data), tc.old, tc.new, 1)), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(p)
			if tc.key == "" {
				if err != nil {
					t.Fatalf("Load: %v; want it accepted", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Key != tc.key || !errors.Is(err, ErrBadValue) {
				t.Fatalf("Load: %v; want an ErrBadValue at %s", err, tc.key)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Load: %v; want it to say %q", err, tc.want)
			}
		})
	}
}

// CheckMemory against a given budget: the shipped imdb_lstm fits 1 GiB; a wider
// Embedding does not, and the error names the key of the largest term and both sizes.
func TestCheckMemory(t *testing.T) {
	c, err := Load("imdb_lstm.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CheckMemory(0, 1<<30, "test"); err != nil {
		t.Errorf("imdb_lstm in 1 GiB: %v", err)
	}
	est, err := c.EstimateMemory(0)
	if err != nil {
		t.Fatal(err)
	}
	// The padded ids: 50000 reviews × 80 int32; the Embedding 20000×32 float32, with
	// gradient, initial values and RMSprop's 2 slots.
	want := map[string]float64{"the padded ids of 50000 IMDB reviews (int32)": 50000 * 80 * 4,
		"model.layers[0] (Embedding) embeddings [20000×32] (with its gradient, initial values and 2 RMSprop slots)": 20000 * 32 * 4 * 5}
	for _, term := range est.Terms {
		if w, ok := want[term.What]; ok && term.Bytes != w {
			t.Errorf("%s: %v bytes, want %v", term.What, term.Bytes, w)
		}
		delete(want, term.What)
	}
	if len(want) > 0 {
		t.Errorf("terms missing: %v\n%s", want, est)
	}
	if err := c.Supervised().Model.Layers[0].Set("output_dim", 30000); err != nil {
		t.Fatal(err)
	}
	err = c.CheckMemory(0, 1<<30, "test")
	var e *Error
	if !errors.As(err, &e) || e.Key != "model.layers[0].output_dim" {
		t.Fatalf("CheckMemory: %v; want an error at model.layers[0].output_dim", err)
	}
	for _, want := range []string{"30000: ", "embeddings [20000×30000]", "alone needs 11.2 GiB", "this machine has 1.0 GiB (test)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("CheckMemory: %v; want it to say %q", err, want)
		}
	}
	// A smaller -limit does not shrink the weights, but it does the data.
	small, err := c.EstimateMemory(100)
	if err != nil {
		t.Fatal(err)
	}
	full, _ := c.EstimateMemory(0)
	if !(small.Total() < full.Total()) {
		t.Errorf("estimate with -limit 100 %v, not below the full run's %v", small.Total(), full.Total())
	}
}

// The GAN estimate counts both networks and both optimizers: doubling the
// discriminator's first filters grows it.
func TestEstimateGAN(t *testing.T) {
	c, err := Load("gan_mnist.yaml")
	if err != nil {
		t.Fatal(err)
	}
	before, err := c.EstimateMemory(0)
	if err != nil {
		t.Fatal(err)
	}
	var gen, disc bool
	for _, term := range before.Terms {
		gen = gen || strings.HasPrefix(term.What, "gan.generator.layers[0] (Dense) kernel") && strings.Contains(term.What, "2 Adam slots")
		disc = disc || strings.HasPrefix(term.What, "gan.discriminator.layers[0] (Conv2D) kernel")
	}
	if !gen || !disc {
		t.Errorf("terms lack the generator's Dense kernel with Adam slots (%t) or the discriminator's kernel (%t):\n%s", gen, disc, before)
	}
	if err := c.GAN().Discriminator.Layers[0].Set("filters", 128); err != nil {
		t.Fatal(err)
	}
	after, err := c.EstimateMemory(0)
	if err != nil {
		t.Fatal(err)
	}
	if !(after.Total() > before.Total()) {
		t.Errorf("estimate %v with 128 filters, not above %v with 64", after.Total(), before.Total())
	}
}

func TestMachineMemoryFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if n, ok := memTotal(write("meminfo", "MemFree: 1 kB\nMemTotal:       24683784 kB\n")); !ok || n != 24683784*1024 {
		t.Errorf("memTotal = %d, %t; want %d", n, ok, 24683784*1024)
	}
	if _, ok := memTotal(write("bad", "MemTotal: lots\n")); ok {
		t.Error("memTotal accepted MemTotal: lots")
	}
	if n, ok := cgroupLimit(write("max1", "8589934592\n")); !ok || n != 8<<30 {
		t.Errorf("cgroupLimit = %d, %t; want 8 GiB", n, ok)
	}
	if _, ok := cgroupLimit(write("max2", "max\n")); ok {
		t.Error("cgroupLimit took \"max\" for a limit")
	}
	if _, ok := cgroupLimit(filepath.Join(dir, "absent")); ok {
		t.Error("cgroupLimit read an absent file")
	}
	if n, where, ok := MachineMemory(); ok && (n <= 0 || where == "") {
		t.Errorf("MachineMemory = %d, %q", n, where)
	}
}

func TestCheckedArithmetic(t *testing.T) {
	for _, tc := range []struct {
		a, b int
		ok   bool
	}{{3, 4, true}, {0, math.MaxInt64, true}, {1 << 31, 1 << 31, true}, {1 << 32, 1 << 32, false},
		{99999999999, 399999999996, false}, {-1, 2, false}} {
		got, ok := mulInt(tc.a, tc.b)
		if ok != tc.ok || ok && got != tc.a*tc.b {
			t.Errorf("mulInt(%d, %d) = %d, %t", tc.a, tc.b, got, ok)
		}
	}
	if _, ok := addInt(math.MaxInt64, 1); ok {
		t.Error("addInt(MaxInt64, 1) did not overflow")
	}
	for _, tc := range []struct {
		b    float64
		want string
	}{{512, "512 B"}, {1536, "1.5 KiB"}, {23.5 * (1 << 30), "23.5 GiB"}, {1.6e15, "1.6 PB"}, {2e16, "20.0 PB"}} {
		if got := formatBytes(tc.b); got != tc.want {
			t.Errorf("formatBytes(%g) = %q, want %q", tc.b, got, tc.want)
		}
	}
	// ⌈n/stride⌉ without overflow: same padding with the largest stride.
	if got := ConvOutputLength(28, 5, math.MaxInt64, 1, PaddingSame); got != 1 {
		t.Errorf("ConvOutputLength(28, 5, MaxInt64, 1, same) = %d, want 1", got)
	}
}
