package autotune

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/graphs/convkernel"
	"github.com/tfrun/tfrun/graphs/lstmkernel"
)

// winTimer makes win the fastest form (1 ms against 2 ms) and counts what it timed.
type winTimer struct {
	win   string
	calls int
}

func (w *winTimer) measure(c graphs.Candidate) (time.Duration, error) {
	w.calls++
	if c.Form == w.win {
		return time.Millisecond, nil
	}
	return 2 * time.Millisecond, nil
}

// buildConv builds a DCGAN-like Conv2DTranspose (64 channels out, stride 2) and its
// gradients with t's Autotune, and returns the graph.
func buildConv(t *testing.T, tuner *Tuner) *graphs.Graph {
	t.Helper()
	g := graphs.NewGraph(tf.Float, 1)
	g.SetAutotune(tuner.Graph())
	s := g.Root()
	x := s.Placeholder("x", tf.Float, -1, 4, 4, 16)
	w := s.NewVariable("w", tf.Float, []int64{5, 5, 64, 16}, graphs.Zeros{}, true)
	y := s.Conv2DTranspose(x, w.Value(), [3]int64{8, 8, 64}, [2]int{2, 2}, "SAME")
	if _, err := s.Gradients(y, []tf.Output{x, w.Value()}); err != nil {
		t.Fatal(err)
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return g
}

// hasOp reports whether g holds an op of the type whose name contains part.
func hasOp(g *graphs.Graph, opType, part string) bool {
	for _, o := range g.TF().Operations() {
		if o.Type() == opType && strings.Contains(o.Name(), part) {
			return true
		}
	}
	return false
}

// newTuner is New in mode On with the cache in dir, warnings to warn, and the fake timer.
func newTuner(t *testing.T, dir string, warn *bytes.Buffer, timer *winTimer, o Options) *Tuner {
	t.Helper()
	o.Mode, o.CacheDir, o.Batch = On, dir, 16
	if warn != nil {
		o.Warn = warn
	}
	tuner, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	tuner.Measure = timer.measure
	// The candidates' number must not depend on the CPU: these tests are about the cache
	// and the record; TestOwnFilterKernelCandidate is about this one.
	tuner.ConvFilterKernel = nil
	return tuner
}

// The first run measures, saves the winners in the cache and records them in the run
// directory; the second measures nothing and takes the cache's forms.
func TestCacheWrittenAndHit(t *testing.T) {
	dir, runDir := t.TempDir(), t.TempDir()
	var warn bytes.Buffer
	first := &winTimer{win: graphs.FormSubPixel}
	tuner := newTuner(t, dir, &warn, first, Options{})
	g := buildConv(t, tuner)
	if !hasOp(g, "Conv2D", "sub_pixel") {
		t.Error("the winning sub-pixel form is not in the graph")
	}
	if err := tuner.Finish(runDir); err != nil {
		t.Fatal(err)
	}
	// The input gradient's forms are 2× apart (one round, 2 timings); the filter
	// gradient's tie under this timer (no sub-pixel form): three rounds, 6 timings.
	if first.calls != 8 {
		t.Errorf("first run timed %d candidates, want 8", first.calls)
	}
	b, err := os.ReadFile(filepath.Join(dir, ThisMachine(graphs.SessionOptions{}).ID()+".json"))
	if err != nil {
		t.Fatalf("the cache file: %v", err)
	}
	var f cacheFile
	if err := json.Unmarshal(b, &f); err != nil || len(f.Winners) != 2 {
		t.Fatalf("cache %s: %v, want 2 winners", b, err)
	}
	var rec record
	b, err = os.ReadFile(filepath.Join(runDir, RecordFile))
	if err == nil {
		err = json.Unmarshal(b, &rec)
	}
	if err != nil || rec.Mode != "on" || len(rec.Choices) != 2 || rec.Choices[0].Source != graphs.SourceMeasured || rec.Cache == "" {
		t.Fatalf("record %s (%v), want mode on, 2 measured choices, the cache's path", b, err)
	}

	second := &winTimer{win: graphs.FormTensorFlow} // would pick TensorFlow's kernels if it measured
	tuner = newTuner(t, dir, &warn, second, Options{})
	g = buildConv(t, tuner)
	if second.calls != 0 {
		t.Errorf("second run timed %d candidates, want 0 (the cache's)", second.calls)
	}
	if !hasOp(g, "Conv2D", "sub_pixel") {
		t.Error("the cached sub-pixel form is not in the graph")
	}
	for _, c := range tuner.Choices() {
		if c.Source != graphs.SourceCache {
			t.Errorf("choice %+v, want from the cache", c)
		}
	}
	if warn.Len() != 0 {
		t.Errorf("warnings: %s", warn.String())
	}
}

// A cache file that is not JSON, or of another format, or written for another machine,
// is ignored with a warning naming it, never an error; the run measures and rewrites it.
func TestCorruptCacheIgnoredAndRewritten(t *testing.T) {
	m := ThisMachine(graphs.SessionOptions{})
	other := m
	other.CPU = "another CPU"
	otherMachine, _ := json.Marshal(cacheFile{Format: cacheFormat, Machine: other, Winners: map[string]string{"k": "sub_pixel"}})
	for _, tt := range []struct {
		name, content, warn string
	}{
		{"not JSON", "{\"format\": \"tfrun-autotune-1\", \"winn", "unexpected end of JSON input"},
		{"another format", `{"format": "tfrun-autotune-0", "winners": {}}`, `format "tfrun-autotune-0"`},
		{"another machine", string(otherMachine), "written for machine"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path, warn, calls, b := tuneOverCacheFile(t, m, []byte(tt.content))
			if !strings.Contains(warn, path) || !strings.Contains(warn, tt.warn) {
				t.Errorf("warning %q, want one naming %s and %q", warn, path, tt.warn)
			}
			if calls != 4 {
				t.Errorf("timed %d candidates, want 4", calls)
			}
			var f cacheFile
			if err := json.Unmarshal(b, &f); err != nil || f.Format != cacheFormat || f.Machine != m || len(f.Winners) != 2 {
				t.Errorf("rewritten cache %s (%v), want this machine's 2 winners", b, err)
			}
		})
	}
}

// New offers tfrun's own filter gradient kernel where it is registered and the CPU runs it,
// unless TFRUN_CUSTOM_KERNELS turns tfrun's kernels off by name.
func TestOwnFilterKernelCandidate(t *testing.T) {
	var here []tf.DataType
	if convkernel.Supported() {
		here = append(here, tf.Float)
	}
	if convkernel.SupportedBFloat16() {
		here = append(here, tf.Bfloat16)
	}
	for _, tt := range []struct {
		env  string
		want []tf.DataType
	}{
		{"", here},
		{"1", here},
		{"0", nil},
		{"off", nil},
	} {
		t.Run("TFRUN_CUSTOM_KERNELS="+tt.env, func(t *testing.T) {
			t.Setenv(lstmkernel.EnvVar, tt.env)
			tuner, err := New(Options{Mode: On, CacheDir: t.TempDir(), Batch: 16})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(tuner.ConvFilterKernel, tt.want) {
				t.Errorf("ConvFilterKernel %v, want %v (float32 kernel %v, bfloat16 kernel %v)", tuner.ConvFilterKernel, tt.want,
					convkernel.Supported(), convkernel.SupportedBFloat16())
			}
		})
	}
}

// A cache file of an earlier format (its winners measured among fewer candidates) is
// dropped without a warning: every form is measured again and the file rewritten in this
// format.
func TestOlderCacheFormatDropped(t *testing.T) {
	if len(olderFormats) == 0 || slices.Contains(olderFormats, cacheFormat) {
		t.Fatalf("olderFormats %q, this format %q", olderFormats, cacheFormat)
	}
	for _, format := range olderFormats {
		t.Run(format, func(t *testing.T) { olderCacheFormatDropped(t, format) })
	}
}

func olderCacheFormatDropped(t *testing.T, format string) {
	m := ThisMachine(graphs.SessionOptions{})
	old, _ := json.Marshal(cacheFile{Format: format, Machine: m, Winners: map[string]string{
		"Conv2DBackpropInput float32 x[16,8,8,64] filter[5,5,64,16] dy[16,4,4,16] strides[2,2] SAME": "sub_pixel"}})
	_, warn, calls, b := tuneOverCacheFile(t, m, old)
	if warn != "" {
		t.Errorf("warnings %q, want none", warn)
	}
	if calls != 4 {
		t.Errorf("timed %d candidates, want 4 (the old winner dropped)", calls)
	}
	var f cacheFile
	if err := json.Unmarshal(b, &f); err != nil || f.Format != cacheFormat || len(f.Winners) != 2 {
		t.Errorf("rewritten cache %s (%v), want this format's 2 winners", b, err)
	}
	for _, form := range f.Winners {
		if form != graphs.FormTensorFlow {
			t.Errorf("winners %v, want the new measurement's (tensorflow)", f.Winners)
		}
	}
}

// tuneOverCacheFile writes content as m's cache file in a new directory, builds buildConv's
// graph with a tuner on that directory (TensorFlow's kernels winning every measurement)
// and finishes it. It returns the file's path, the warnings, how many candidates were
// timed and the file as the tuner left it.
func tuneOverCacheFile(t *testing.T, m Machine, content []byte) (path, warnings string, calls int, after []byte) {
	t.Helper()
	dir := t.TempDir()
	path = filepath.Join(dir, m.ID()+".json")
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
	var warn bytes.Buffer
	timer := &winTimer{win: graphs.FormTensorFlow}
	tuner := newTuner(t, dir, &warn, timer, Options{})
	buildConv(t, tuner)
	if err := tuner.Finish(""); err != nil {
		t.Fatal(err)
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, warn.String(), timer.calls, after
}

// The cache is per machine: a different oneDNN setting, CPU model, CPU flags, TensorFlow
// version or thread count is another file, so a winner measured under one is never used
// under another.
func TestMachineKey(t *testing.T) {
	t.Setenv(OneDNNEnvVar, "1")
	on := ThisMachine(graphs.SessionOptions{IntraOpThreads: 2})
	t.Setenv(OneDNNEnvVar, "0")
	off := ThisMachine(graphs.SessionOptions{IntraOpThreads: 2})
	if on.OneDNN != "1" || off.OneDNN != "0" || on.ID() == off.ID() {
		t.Errorf("oneDNN on %+v and off %+v share the key %s", on, off, on.ID())
	}
	for name, change := range map[string]func(m *Machine){
		"CPU":        func(m *Machine) { m.CPU = "Intel(R) Xeon(R) Platinum 8580" },
		"CPU flags":  func(m *Machine) { m.CPUFlags = "0123456789ab" },
		"TensorFlow": func(m *Machine) { m.TensorFlow = "2.19.0" },
		"threads":    func(m *Machine) { m.Threads++ },
	} {
		m := off
		change(&m)
		if m.ID() == off.ID() {
			t.Errorf("another %s, same key %s", name, m.ID())
		}
	}
	// Measured under oneDNN off, a run under oneDNN on measures again.
	dir := t.TempDir()
	tuner := newTuner(t, dir, nil, &winTimer{win: graphs.FormSubPixel}, Options{})
	buildConv(t, tuner)
	if err := tuner.Finish(""); err != nil {
		t.Fatal(err)
	}
	t.Setenv(OneDNNEnvVar, "1")
	timer := &winTimer{win: graphs.FormTensorFlow}
	buildConv(t, newTuner(t, dir, nil, timer, Options{}))
	if timer.calls != 4 {
		t.Errorf("under oneDNN on timed %d candidates, want 4 (another machine's cache)", timer.calls)
	}
}

// A resumed run takes the forms its checkpoint recorded over the cache's; a checkpoint
// that recorded none keeps the fixed rules; the forms go back into the checkpoint.
func TestResumeUsesTheCheckpoint(t *testing.T) {
	dir := t.TempDir()
	tuner := newTuner(t, dir, nil, &winTimer{win: graphs.FormSubPixel}, Options{})
	buildConv(t, tuner)
	recorded := tuner.CheckpointForms()
	if err := tuner.Finish(""); err != nil {
		t.Fatal(err)
	}
	if len(recorded) != 2 {
		t.Fatalf("checkpoint forms %v, want 2", recorded)
	}
	for k, v := range recorded {
		if !strings.HasPrefix(k, checkpointPrefix) || v == "" {
			t.Errorf("checkpoint form %q: %q", k, v)
		}
	}
	// The cache now says sub_pixel; the checkpoint says TensorFlow's kernels.
	ck := map[string]string{"lstm": "fused"} // an LSTM's form beside them
	for k := range recorded {
		ck[k] = graphs.FormTensorFlow
	}
	timer := &winTimer{win: graphs.FormSubPixel}
	resumed := newTuner(t, dir, nil, timer, Options{Resumed: true, Checkpoint: ck})
	g := buildConv(t, resumed)
	if hasOp(g, "Conv2D", "sub_pixel") || !hasOp(g, "Conv2DBackpropInput", "") {
		t.Error("the resumed run does not run the checkpoint's TensorFlow kernel")
	}
	if timer.calls != 0 {
		t.Errorf("timed %d candidates, want 0", timer.calls)
	}
	for k, v := range resumed.CheckpointForms() {
		if v != graphs.FormTensorFlow {
			t.Errorf("the next checkpoint records %s: %s, want tensorflow", k, v)
		}
	}

	legacy := newTuner(t, dir, nil, timer, Options{Resumed: true, Checkpoint: map[string]string{"lstm": "fused"}})
	buildConv(t, legacy)
	for _, c := range legacy.Choices() {
		if c.Source != graphs.SourceRules {
			t.Errorf("a checkpoint without choices: %+v, want the fixed rules", c)
		}
	}
	if timer.calls != 0 {
		t.Errorf("timed %d candidates, want 0", timer.calls)
	}
}

// TFRUN_AUTOTUNE: 0/off gives TensorFlow's kernels (no cache read or written), 1/on
// measures, unset in a test binary the fixed rules, another value an error naming it.
func TestEnvVar(t *testing.T) {
	for _, tt := range []struct {
		value   string
		set     bool
		want    Mode
		wantErr string
	}{
		{"", false, Rules, ""},
		{"0", true, Off, ""},
		{"off", true, Off, ""},
		{"FALSE", true, Off, ""},
		{"1", true, On, ""},
		{"on", true, On, ""},
		{"", true, On, ""},
		{"maybe", true, Rules, `TFRUN_AUTOTUNE="maybe"`},
	} {
		t.Run(tt.value, func(t *testing.T) {
			if tt.set {
				t.Setenv(EnvVar, tt.value)
			} else {
				t.Setenv(EnvVar, "x")
				os.Unsetenv(EnvVar)
			}
			got, err := ModeFromEnv()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %s", err, tt.wantErr)
				}
				if _, err := New(Options{FromEnv: true}); err == nil {
					t.Error("New accepted the bad value")
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("mode %v (%v), want %v", got, err, tt.want)
			}
		})
	}

	t.Setenv(EnvVar, "0")
	dir := t.TempDir()
	tuner, err := New(Options{FromEnv: true, Batch: 16, CacheDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	timer := &winTimer{win: graphs.FormSubPixel}
	tuner.Measure = timer.measure
	g := buildConv(t, tuner)
	if hasOp(g, "Conv2D", "sub_pixel") || hasOp(g, "Conv2D", "batch_contracted") || !hasOp(g, "Conv2DBackpropInput", "") || !hasOp(g, "Conv2DBackpropFilter", "") {
		t.Error("off: the graph is not TensorFlow's kernels")
	}
	if err := tuner.Finish(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	if timer.calls != 0 {
		t.Errorf("off timed %d candidates", timer.calls)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("off wrote the cache: %v", entries)
	}

	os.Unsetenv(EnvVar)
	if tuner, err := New(Options{FromEnv: true}); err != nil || tuner != nil {
		t.Errorf("unset in a test: tuner %v (%v), want nil (the fixed rules)", tuner, err)
	}
}

func TestParseCPUInfo(t *testing.T) {
	info := "processor\t: 0\nmodel name\t: AMD EPYC 7B13\nflags\t\t: fpu avx2 fma\nprocessor\t: 1\nmodel name\t: other\nflags\t\t: fpu\n"
	model, flags := parseCPUInfo(info)
	_, same := parseCPUInfo("model name: x\nflags: fma fpu avx2\n")
	_, fewer := parseCPUInfo("model name: x\nflags: fpu avx2\n")
	if model != "AMD EPYC 7B13" || flags == "" || flags != same || flags == fewer {
		t.Errorf("model %q flags %q (same flags reordered %q, fewer %q)", model, flags, same, fewer)
	}
	if model, flags := parseCPUInfo("processor: 0\n"); model != "" || flags != "" {
		t.Errorf("nothing known: %q %q", model, flags)
	}
}
