// Command compare runs tfrun's benchmark against Keras's, interleaved and repeated, and
// prints and writes the comparison (what `make bench` runs):
//
//	compare -tfrun bin/tfrun-bench -python bench/.venv/bin/python -keras bench/keras -out bench/results.md
//
// It measures the machine's peak before and after the rounds (bin/bench-peak: TensorFlow's
// own kernels on large matrix products and the DCGANs' convolutions) and keeps each
// kernel's faster measurement, the yardstick of each model's achieved FLOP/s. Each round runs every model once in tfrun (bin/tfrun-bench) and
// once in Keras (bench/keras/<model>.py), as separate processes back to back, alternating
// which side goes first. Both sides must report the same number of trainable parameters, or the comparison
// stops with an error. A model tfrun cannot train yet (exit code bench.ExitPending) is
// shown as pending. -precision mixed_bfloat16 runs both sides under Keras's mixed_bfloat16
// policy instead, -precision both runs every model under float32 and then under
// mixed_bfloat16 in each round, and results.md gets a mixed_bfloat16 section (against Keras
// under the same policy and against float32); under mixed_bfloat16 the DCGANs take
// bench.Model's MixedSteps (their bfloat16 backward convolutions are slow on CPUs without
// AVX512_BF16). Exit codes: 0 success, 1 a run failed or the sides differ, 2 usage.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/tfrun/tfrun/bench"
	"github.com/tfrun/tfrun/internal/atomicfile"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// config is the command line's settings.
type config struct {
	tfrun, python, keras string
	peak                 string // bench/cmd/peak's binary, "" to skip the measurement
	peakStderr           string // the peak measurement's standard error (TensorFlow's INFO log)
	rounds               int
	models               []bench.Model
	steps, warmup        map[string]int
	tmp                  string
}

// run is the whole command line, testable: it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		tfrunBin = fs.String("tfrun", "bin/tfrun-bench", "tfrun's benchmark binary")
		python   = fs.String("python", "bench/.venv/bin/python", "the Python with tensorflow-cpu 2.18.0 (make bench-env)")
		keras    = fs.String("keras", "bench/keras", "the Keras reference scripts")
		peak     = fs.String("peak", "bin/bench-peak", `the peak measurement's binary (bench/cmd/peak), run before and after the rounds; "" skips it`)
		out      = fs.String("out", "bench/results.md", "where to write the results (Markdown)")
		archive  = fs.String("archive", "", "also write them to DIR/bench_<out's name>_<machine>.md (bench_results_amd-epyc-family-25-model-1-avx2.md): one file per CPU model (bench.MachineSlug); \"\" writes none")
		rounds   = fs.Int("rounds", 5, "rounds (each runs every model once per side)")
		models   = fs.String("models", "all", "comma-separated models to run")
		steps    = fs.String("steps", "", "per-model timed steps, e.g. imdb_lstm=100,dcgan_mnist=5 (default: bench.Models)")
		warmup   = fs.String("warmup", "", "per-model warm-up steps, e.g. imdb_tuned=1")
		prec     = fs.String("precision", bench.Float32, "dtype policy: float32, mixed_bfloat16 or both")
	)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	c := config{tfrun: *tfrunBin, python: *python, keras: *keras, peak: *peak, rounds: *rounds}
	var (
		err        error
		precisions []string
	)
	if precisions, err = bench.SelectPrecisions(*prec); err == nil {
		c.models, err = bench.SelectModels(*models)
	}
	if err == nil {
		if c.steps, err = bench.ParseCounts("steps", *steps, 1); err == nil {
			c.warmup, err = bench.ParseCounts("warmup", *warmup, 1)
		}
	}
	if err == nil && (fs.NArg() > 0 || c.rounds < 1) {
		err = fmt.Errorf("want -rounds >= 1 and no arguments, got %d and %q", c.rounds, fs.Args())
	}
	if err != nil {
		fmt.Fprintf(stderr, "compare: %v\n", err)
		return 2
	}
	var runs []bench.Model // each model under each precision; -steps and -warmup apply to all
	bf16 := bench.HasBFloat16Arithmetic(c.machine().Extensions)
	for _, p := range precisions {
		for _, m := range c.models {
			m = m.WithPrecision(p, bf16)
			if n, ok := c.steps[m.Name]; ok {
				m.Steps = n
			}
			if n, ok := c.warmup[m.Name]; ok {
				m.Warmup = n
			}
			runs = append(runs, m)
		}
	}
	c.models = runs
	if c.tmp, err = os.MkdirTemp("", "tfrun-bench-"); err != nil {
		fmt.Fprintf(stderr, "compare: %v\n", err)
		return 1
	}
	defer os.RemoveAll(c.tmp)

	loadBefore := loadAverage()
	pk, err := c.measurePeak(stdout)
	if err != nil {
		fmt.Fprintf(stderr, "compare: FAILED: %v\n", err)
		return 1
	}
	rows, err := c.runAll(stdout)
	if err != nil {
		fmt.Fprintf(stderr, "compare: FAILED: %v\n", err)
		return 1
	}
	// The peak again: a kernel that something slowed down in one measurement is not
	// taken as the machine's peak (session 16 saw one kernel at 344 GFLOP/s before the
	// rounds and 639-646 in runs of its own minutes later).
	if pk != nil {
		after, err := c.measurePeak(stdout)
		if err != nil {
			fmt.Fprintf(stderr, "compare: FAILED: %v\n", err)
			return 1
		}
		merged := bench.Faster(*pk, *after)
		pk = &merged
		for _, l := range pk.Lines() {
			fmt.Fprintf(stdout, "[peak, the faster of the two] %s\n", l)
		}
	}
	rep := bench.Report{
		Date: time.Now(), Machine: c.machine(), GoVersion: runtime.Version(), Commit: gitCommit(),
		Rounds: c.rounds, LoadBefore: loadBefore, LoadAfter: loadAverage(), Command: strings.Join(append([]string{"bin/bench-compare"}, args...), " "),
		Rows: rows, Peak: pk,
	}
	if pk != nil {
		rep.PeakCommand = strings.Join(c.peakArgs("OUT"), " ")
	}
	for _, m := range c.models {
		rep.Commands = append(rep.Commands, strings.Join(c.tfrunArgs(m, "OUT"), " "), strings.Join(c.kerasArgs(m, "OUT"), " "))
	}
	md, err := rep.Markdown()
	if err == nil {
		err = atomicfile.WriteFile(*out, []byte(md))
	}
	if err == nil && *archive != "" {
		name := "bench_" + strings.TrimSuffix(filepath.Base(*out), ".md") + "_" + bench.MachineSlug(rep.Machine) + ".md"
		err = atomicfile.WriteFile(filepath.Join(*archive, name), []byte(md))
	}
	if err != nil {
		fmt.Fprintf(stderr, "compare: %v\n", err)
		return 1
	}
	summary, _ := bench.SummaryTable(rows, pk)
	fmt.Fprintf(stdout, "\n%s\nWritten to %s\n", summary, *out)
	return 0
}

// measurePeak runs the peak measurement (nil, nil when c.peak is "").
func (c *config) measurePeak(progress io.Writer) (*bench.Peak, error) {
	if c.peak == "" {
		return nil, nil
	}
	out := filepath.Join(c.tmp, "peak.json")
	args := c.peakArgs(out)
	cmd := exec.Command(args[0], args[1:]...)
	// INFO logging: TensorFlow says there whether its oneDNN operations are on.
	cmd.Env = append(os.Environ(), "TF_CPP_MIN_LOG_LEVEL=0")
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("peak: %s: %v\n%s", strings.Join(args, " "), err, tail(errb.String(), 20))
	}
	c.peakStderr = errb.String()
	p, err := bench.ReadPeak(out)
	if err != nil {
		return nil, fmt.Errorf("peak: %w", err)
	}
	for _, l := range p.Lines() {
		fmt.Fprintf(progress, "[peak] %s\n", l)
	}
	return &p, nil
}

func (c *config) peakArgs(out string) []string { return []string{c.peak, "-json", out} }

// runAll runs the rounds and checks each round's pair of processes.
func (c *config) runAll(progress io.Writer) ([]bench.Row, error) {
	rows := make([]bench.Row, len(c.models))
	for i, m := range c.models {
		rows[i] = bench.Row{Model: m, Steps: m.Steps}
	}
	for round := range c.rounds {
		for i, m := range c.models {
			row := &rows[i]
			sides := []string{"tfrun", "Keras"}
			if round%2 == 1 {
				sides = []string{"Keras", "tfrun"}
			}
			for _, side := range sides {
				if side == "tfrun" && row.TfrunPending != "" {
					continue
				}
				r, err := c.runOne(side, m, round)
				var pending pendingError
				switch {
				case errors.As(err, &pending):
					row.TfrunPending = string(pending)
					fmt.Fprintf(progress, "[round %d/%d] %-13s %-5s %s\n", round+1, c.rounds, row.Label(), side, pending)
					continue
				case err != nil:
					return nil, err
				}
				fmt.Fprintf(progress, "[round %d/%d] %-13s %-5s %10s ex/s  first step %-8s  process %s\n",
					round+1, c.rounds, row.Label(), side, bench.Rate(r.ExamplesPerSec), bench.Seconds(r.FirstStepSeconds), bench.Seconds(r.WallSeconds))
				if side == "tfrun" {
					row.Tfrun = append(row.Tfrun, r)
				} else {
					row.Keras = append(row.Keras, r)
				}
			}
			if row.TfrunPending == "" {
				if err := bench.CheckParams(m.Name, row.Tfrun[round].Result, row.Keras[round].Result); err != nil {
					return nil, err
				}
			}
		}
	}
	return rows, nil
}

// pendingError is a tfrun-bench that exited with bench.ExitPending: its message.
type pendingError string

func (p pendingError) Error() string { return string(p) }

// runOne runs one benchmark process and reads its result.
func (c *config) runOne(side string, m bench.Model, round int) (bench.Run, error) {
	out := filepath.Join(c.tmp, fmt.Sprintf("%s-%s-%s-%d.json", m.Name, bench.PrecisionOf(m.Precision), strings.ToLower(side), round))
	args := c.kerasArgs(m, out)
	if side == "tfrun" {
		args = c.tfrunArgs(m, out)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), "TF_CPP_MIN_LOG_LEVEL=2")
	var errb bytes.Buffer
	cmd.Stderr = &errb
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start).Seconds()
	var exit *exec.ExitError
	if side == "tfrun" && errors.As(err, &exit) && exit.ExitCode() == bench.ExitPending {
		return bench.Run{}, pendingError(strings.TrimPrefix(lastLine(errb.String()), "tfrun-bench: "+m.Name+": "))
	}
	if err != nil {
		return bench.Run{}, fmt.Errorf("%s %s (round %d): %s: %v\n%s", side, m.Name, round+1, strings.Join(args, " "), err, tail(errb.String(), 20))
	}
	r, err := bench.ReadResult(out)
	if err == nil {
		err = r.Check(m, m.Steps)
	}
	if err != nil {
		return bench.Run{}, fmt.Errorf("%s %s (round %d): %v", side, m.Name, round+1, err)
	}
	return bench.Run{Result: r, Round: round, WallSeconds: wall, Command: strings.Join(args, " ")}, nil
}

// tfrunArgs and kerasArgs are the two sides' command lines; a float32 run's name no
// precision (both default to float32).
func (c *config) tfrunArgs(m bench.Model, out string) []string {
	args := []string{c.tfrun, "-model", m.Name, "-steps", fmt.Sprint(m.Steps), "-warmup", fmt.Sprint(m.Warmup),
		"-batch", fmt.Sprint(m.Batch), "-json", out}
	if p := bench.PrecisionOf(m.Precision); p != bench.Float32 {
		args = append(args, "-precision", p)
	}
	return args
}

func (c *config) kerasArgs(m bench.Model, out string) []string {
	args := []string{c.python, filepath.Join(c.keras, m.Script), "--steps", fmt.Sprint(m.Steps), "--warmup", fmt.Sprint(m.Warmup),
		"--batch", fmt.Sprint(m.Batch), "--json", out}
	if p := bench.PrecisionOf(m.Precision); p != bench.Float32 {
		args = append(args, "--precision", p)
	}
	return args
}

// machine describes this machine from /proc, and the oneDNN setting from the environment
// and the peak measurement's log (when it ran).
func (c *config) machine() bench.Machine {
	m := bench.Machine{NProc: runtime.NumCPU()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		m.CPU = bench.CPUModel(string(b))
		m.Extensions = bench.CPUExtensions(string(b))
	}
	env, set := os.LookupEnv("TF_ENABLE_ONEDNN_OPTS")
	m.OneDNN = bench.OneDNNSetting(env, set, c.peakStderr, c.peak != "")
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		m.MemBytes = bench.MemTotal(string(b))
	}
	return m
}

// loadAverage is /proc/loadavg's three load averages ("" if unreadable).
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	return bench.LoadAverage(string(b))
}

// gitCommit is the checked-out commit, with "+changes" when the tree is dirty ("" without git).
func gitCommit() string {
	out, err := exec.Command("git", "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		return ""
	}
	commit := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(bytes.TrimSpace(st)) > 0 {
		commit += "+changes"
	}
	return commit
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
