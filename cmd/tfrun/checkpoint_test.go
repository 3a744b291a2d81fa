package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/datasets"
)

// The tests here run tfrun as a child process (this test binary re-executed, see
// TestMain) and interrupt it for real: SIGINT, SIGTERM, SIGKILL.

func TestMain(m *testing.M) {
	if os.Getenv("TFRUN_TEST_CHILD") == "1" {
		main() // exits
	}
	if load := loadStderr(); load != nil { // the test binary's own load: out as it was
		io.Copy(os.Stderr, load)
		load.Close()
	}
	os.Exit(m.Run())
}

// childYAML trains about 0.25 s per epoch on -limit 2000 (50 steps), checkpointing every
// epoch; each checkpoint is about 2 MB, so saves take long enough to be hit by a kill.
const childYAML = `name: child
task: classifier
seed: 3
data: {dataset: imdb, num_words: 5000, maxlen: 80}
model:
  layers:
    - {type: Embedding, input_dim: 5000, output_dim: 32}
    - {type: Dropout, rate: 0.25}
    - {type: LSTM, units: 16}
    - {type: Dense, units: 1, activation: sigmoid}
train:
  epochs: 8
  batch_size: 32
  validation_split: 0.2
  optimizer: {type: RMSprop}
  callbacks:
    - {type: ReduceLROnPlateau, monitor: val_loss, factor: 0.5, patience: 1}
checkpoint: {every: 1, keep: 2}
`

const childFinal = "ckpt-400" // 8 epochs of 50 steps

// child is a running tfrun.
type child struct {
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
	err  error // Wait's, once done is closed
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startChild starts tfrun -config cfg -limit 2000 -threads 1 -out dir args...
func startChild(t *testing.T, cfg, dir string, args ...string) *child {
	t.Helper()
	args = append([]string{"-config", cfg, "-limit", "2000", "-threads", "1", "-out", dir}, args...)
	c := &child{cmd: exec.Command(os.Args[0], args...), out: &syncBuffer{}, done: make(chan struct{})}
	c.cmd.Env = append(os.Environ(), "TFRUN_TEST_CHILD=1", "TF_CPP_MIN_LOG_LEVEL=2")
	c.cmd.Stdout, c.cmd.Stderr = c.out, c.out
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.err = c.cmd.Wait(); close(c.done) }()
	t.Cleanup(func() { c.cmd.Process.Kill(); <-c.done })
	return c
}

// wait waits for the child to end and returns its exit code (-1 if a signal ended it).
func (c *child) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-c.done:
	case <-time.After(2 * time.Minute):
		t.Fatalf("tfrun did not end; output:\n%s", c.out)
	}
	var ee *exec.ExitError
	if errors.As(c.err, &ee) {
		return ee.ExitCode()
	}
	if c.err != nil {
		t.Fatal(c.err)
	}
	return 0
}

// waitOutput waits until the child's output contains s; false if it ended first.
func (c *child) waitOutput(t *testing.T, s string) bool {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if strings.Contains(c.out.String(), s) {
			return true
		}
		select {
		case <-c.done:
			return strings.Contains(c.out.String(), s)
		case <-time.After(2 * time.Millisecond):
		}
	}
	t.Fatalf("no %q in tfrun's output within 2 minutes:\n%s", s, c.out)
	return false
}

// runChild runs tfrun to its end and returns the exit code and output.
func runChild(t *testing.T, cfg, dir string, args ...string) (int, string) {
	t.Helper()
	c := startChild(t, cfg, dir, args...)
	code := c.wait(t)
	return code, c.out.String()
}

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "child.yaml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// straightRun trains the child config uninterrupted once per test binary; it returns the
// final checkpoint's data and history.json minus timings, the reference interrupted runs
// must reproduce bit for bit. Bit for bit holds on either oneDNN path (make test runs
// both): the straight and the interrupted runs are processes of one binary on one machine
// with the same TF_ENABLE_ONEDNN_OPTS, so they run the same kernels in the same order.
var straight struct {
	once    sync.Once
	data    []byte
	history string
	err     string
}

func straightRun(t *testing.T, cfg string) ([]byte, string) {
	t.Helper()
	straight.once.Do(func() {
		dir := t.TempDir()
		code, out := runChild(t, cfg, dir)
		if code != 0 {
			straight.err = fmt.Sprintf("exit %d:\n%s", code, out)
			return
		}
		straight.data, _ = os.ReadFile(checkpoints.DataFile(filepath.Join(checkpoints.Dir(dir), childFinal), 0, 1))
		straight.history = historyWithoutSeconds(t, dir)
	})
	if straight.err != "" {
		if strings.Contains(straight.err, datasets.ErrDataSetNotFound.Error()) {
			t.Skip("IMDB not available")
		}
		t.Fatalf("the uninterrupted run failed: %s", straight.err)
	}
	return straight.data, straight.history
}

var secondsField = regexp.MustCompile(`(?s)"seconds": \[[^\]]*\],?`)

func historyWithoutSeconds(t *testing.T, dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, "history.json"))
	if err != nil {
		t.Fatal(err)
	}
	return secondsField.ReplaceAllString(string(b), "")
}

// checkLatestLoads asserts the directory's latest checkpoint, and every one it keeps, is
// complete and readable, and returns the latest's name.
func checkLatestLoads(t *testing.T, dir string) string {
	t.Helper()
	ck := checkpoints.Dir(dir)
	st, err := checkpoints.ReadState(ck)
	if err != nil || st == nil {
		t.Fatalf("state file: %v, %v", st, err)
	}
	for _, name := range st.All {
		if _, err := checkpoints.Inspect(filepath.Join(ck, name)); err != nil {
			t.Fatalf("kept checkpoint %s: %v", name, err)
		}
	}
	return st.Latest
}

// finishAndCompare resumes a run to its end and checks it ended exactly as the
// uninterrupted run did.
func finishAndCompare(t *testing.T, cfg, dir string) {
	t.Helper()
	wantData, wantHistory := straightRun(t, cfg)
	code, out := runChild(t, cfg, dir, "-resume")
	if code != 0 {
		t.Fatalf("-resume: exit %d:\n%s", code, out)
	}
	if got := checkLatestLoads(t, dir); got != childFinal {
		t.Fatalf("latest after the resumed run: %s, want %s", got, childFinal)
	}
	data, err := os.ReadFile(checkpoints.DataFile(filepath.Join(checkpoints.Dir(dir), childFinal), 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, wantData) {
		t.Errorf("the resumed run's %s differs from the uninterrupted run's", childFinal)
	}
	if h := historyWithoutSeconds(t, dir); h != wantHistory {
		t.Errorf("history.json differs from the uninterrupted run's:\n%s\nwant\n%s", h, wantHistory)
	}
}

// Ctrl-C and SIGTERM: the step in flight finishes, a checkpoint is saved, tfrun says where
// and exits 130 / 143; -resume then ends exactly as an uninterrupted run.
func TestSignalSavesAndResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on IMDB in child processes")
	}
	cfg := writeConfig(t, childYAML)
	straightRun(t, cfg)
	for _, tc := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
		t.Run(tc.sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			c := startChild(t, cfg, dir)
			if !c.waitOutput(t, "Epoch 3/8") {
				t.Fatalf("the run ended before epoch 3:\n%s", c.out)
			}
			time.Sleep(50 * time.Millisecond) // into the epoch
			if err := c.cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			code := c.wait(t)
			out := c.out.String()
			if code != tc.code {
				t.Fatalf("exit %d, want %d; output:\n%s", code, tc.code, out)
			}
			m := regexp.MustCompile(`Interrupted at epoch (\d+)/8, step (\d+)/50: checkpoint (\S+) holds the run up to here; continue it with -resume`).FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("no \"Interrupted at ...\" line in:\n%s", out)
			}
			t.Logf("%v: interrupted at epoch %s, step %s: %s", tc.sig, m[1], m[2], filepath.Base(m[3]))
			if latest := checkLatestLoads(t, dir); filepath.Join(checkpoints.Dir(dir), latest) != m[3] {
				t.Errorf("latest is %s, the message names %s", latest, m[3])
			}
			finishAndCompare(t, cfg, dir)
		})
	}
}

// kill -9 at any moment, in particular in the middle of writing a checkpoint, leaves the
// latest checkpoint loadable, and -resume goes on from it; after several kills the run
// still ends exactly as an uninterrupted one.
func TestKill9DuringSaves(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on IMDB in child processes")
	}
	cfg := writeConfig(t, childYAML)
	straightRun(t, cfg)
	dir := t.TempDir()
	ck := checkpoints.Dir(dir)
	rng := rand.New(rand.NewPCG(1, 2))
	// Kill moments: inside SaveV2 (its temporary folder exists), after the merge before
	// the sidecar, while a sidecar or state file is being written, and at random.
	triggers := []struct {
		name string
		hit  func(names []string) bool
	}{
		{"in SaveV2", func(ns []string) bool { return anyMatch(ns, `^ckpt-\d+_temp$`) }},
		{"bundle without sidecar", func(ns []string) bool { return bundleWithoutSidecar(ns) }},
		{"writing sidecar or state", func(ns []string) bool { return anyMatch(ns, `^\.(checkpoint|ckpt-\d+\.json)\.tmp`) }},
		{"in SaveV2", func(ns []string) bool { return anyMatch(ns, `^ckpt-\d+_temp$`) }},
		{"bundle without sidecar", func(ns []string) bool { return bundleWithoutSidecar(ns) }},
		{"at random", nil},
	}
	var leftovers int
	for round, tr := range triggers {
		args := []string{"-resume"}
		if round == 0 {
			args = nil
		}
		c := startChild(t, cfg, dir, args...)
		// Something to go back to in the first round; after that, leftovers of the last
		// kill are gone once the run says it resumed.
		ready := "Resumed from"
		if round == 0 {
			ready = "Epoch 1: saved checkpoint"
		}
		if !c.waitOutput(t, ready) {
			t.Fatalf("round %d: the run ended early:\n%s", round, c.out)
		}
		if tr.hit == nil {
			time.Sleep(time.Duration(rng.IntN(1000)) * time.Millisecond)
		}
	poll:
		for tr.hit != nil {
			des, _ := os.ReadDir(ck)
			names := make([]string, len(des))
			for i, de := range des {
				names[i] = de.Name()
			}
			if tr.hit(names) {
				break
			}
			select {
			case <-c.done:
				break poll
			default:
			}
		}
		c.cmd.Process.Signal(syscall.SIGKILL)
		code := c.wait(t)
		if code == 0 {
			t.Logf("round %d (%s): the run finished before the kill", round, tr.name)
		} else if code != -1 {
			t.Fatalf("round %d: exit %d (not killed):\n%s", round, code, c.out)
		}
		des, _ := os.ReadDir(ck)
		var left []string
		st, _ := checkpoints.ReadState(ck)
		for _, de := range des {
			n := de.Name()
			if m := regexp.MustCompile(`^(ckpt-\d+)`).FindStringSubmatch(n); m != nil && (st == nil || !contains(st.All, m[1])) || strings.Contains(n, ".tmp") {
				left = append(left, n)
			}
		}
		if len(left) > 0 {
			leftovers++
		}
		latest := checkLatestLoads(t, dir)
		t.Logf("round %d: killed %s; latest %s loads; unfinished save left %v", round, tr.name, latest, left)
	}
	if leftovers == 0 {
		t.Error("no kill landed inside a save (no leftovers seen): the test did not exercise what it is for")
	}
	finishAndCompare(t, cfg, dir)
}

func anyMatch(names []string, pattern string) bool {
	re := regexp.MustCompile(pattern)
	for _, n := range names {
		if re.MatchString(n) {
			return true
		}
	}
	return false
}

// bundleWithoutSidecar reports a merged bundle whose sidecar is not written yet.
func bundleWithoutSidecar(names []string) bool {
	for _, n := range names {
		if p, ok := strings.CutSuffix(n, ".index"); ok && !contains(names, p+".json") {
			return true
		}
	}
	return false
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// The -resume policy's exit codes, decided before any data is loaded.
func TestResumeExitCodes(t *testing.T) {
	cfg := writeConfig(t, childYAML)
	withState := func(t *testing.T) string { // a run directory whose state file names ckpt-50
		dir := t.TempDir()
		ck := checkpoints.Dir(dir)
		os.MkdirAll(ck, 0o755)
		os.WriteFile(filepath.Join(ck, checkpoints.StateFile), []byte("model_checkpoint_path: \"ckpt-50\"\n"), 0o644)
		return dir
	}
	cases := []struct {
		name string
		dir  func(t *testing.T) string
		args []string
		code int
		want string
	}{
		{"resume_without_checkpoint", func(t *testing.T) string { return t.TempDir() }, []string{"-resume"}, 2, "no checkpoint to resume from"},
		{"fresh_run_over_checkpoints", withState, nil, 2, "holds checkpoints"},
		{"resume_missing_files", withState, []string{"-resume"}, 1, "ckpt-50.index and ckpt-50.json are missing"},
		{"both_resume_flags", func(t *testing.T) string { return t.TempDir() }, []string{"-resume", "-resume-or-start"}, 2, "exclude each other"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"-config", cfg, "-out", tc.dir(t)}, tc.args...)
			code, _, stderr := runCLI(t, args...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, tc.code, tc.want)
			}
		})
	}
}
