// Command tfrun-bench times tfrun's training steps on one benchmark model and reports them
// as the Keras references in bench/keras/ do (one line of JSON: examples/s, each step's
// time, time to the first step, trainable parameters, peak RSS), plus the FLOPs of one
// training step counted from its graph (graphs.CountFLOPs), which neither the timing nor
// the peak RSS includes. `make bench` runs it against those scripts; see
// bench/cmd/compare.
//
//	tfrun-bench -model imdb_lstm -steps 200 -warmup 5 -batch 32 -json /tmp/imdb_lstm.json
//
// -precision mixed_bfloat16 trains under Keras's mixed_bfloat16 policy (the config's
// precision key); the result says which precision ran.
//
// The inputs are random token ids or images of the model's shapes from a fixed seed (a
// step's cost does not depend on the numbers). Exit codes: 0 success, 1 runtime error,
// 2 usage or config error.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"time"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/core/framework/step_stats_go_proto"

	"github.com/tfrun/tfrun/bench"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/runner"

	// The model kinds benchmarked: each registers its bench hook (runner.Kind.Bench).
	_ "github.com/tfrun/tfrun/classifier"
	_ "github.com/tfrun/tfrun/gan"
)

// options are the command line's settings.
type options struct {
	model                bench.Model
	precision            string // "" the config's
	steps, warmup, batch int
	seed                 int64
	threads              int
	profile              string // "" no profile
	profileSteps         int
	profileTop           int
}

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run is the whole command line, testable: it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("tfrun-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		model   = fs.String("model", "", "benchmark model: imdb_lstm, imdb_cnn_lstm, imdb_tuned, dcgan_mnist, dcgan_cifar")
		config  = fs.String("config", "", "the model's tfrun config (default: the model's, e.g. configs/imdb_lstm.yaml)")
		steps   = fs.Int("steps", 50, "timed training steps")
		warmup  = fs.Int("warmup", 2, "untimed steps first (>= 1; the first is reported as first_step_seconds)")
		batch   = fs.Int("batch", 0, "batch size (default: the model's)")
		jsonOut = fs.String("json", "", "also write the JSON result to this file")
		seed    = fs.Int64("seed", 42, "seed of the weights and the random inputs")
		threads = fs.Int("threads", 0, "TensorFlow intra-op threads (0: TensorFlow's choice, as Keras)")
		prec    = fs.String("precision", "", "dtype policy: float32 or mixed_bfloat16 (default: the config's precision)")
		profile = fs.String("profile", "", "after the timed steps, trace -profile-steps more op by op and write the profile (Markdown) to this file")
		pSteps  = fs.Int("profile-steps", 5, "steps -profile traces")
		pTop    = fs.Int("profile-top", 40, "slowest ops -profile lists one by one")
	)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "tfrun-bench: unexpected arguments %q\n", fs.Args())
		return 2
	}
	m, err := bench.FindModel(*model)
	if err != nil {
		fmt.Fprintf(stderr, "tfrun-bench: -model: %v\n", err)
		return 2
	}
	if *batch == 0 {
		*batch = m.Batch
	}
	if *pSteps < 1 || *pTop < 0 {
		fmt.Fprintf(stderr, "tfrun-bench: -profile-steps must be >= 1 and -profile-top >= 0, got %d, %d\n", *pSteps, *pTop)
		return 2
	}
	if *steps < 1 || *warmup < 1 || *batch < 1 || *threads < 0 {
		fmt.Fprintf(stderr, "tfrun-bench: -steps, -warmup and -batch must be >= 1 and -threads >= 0, got %d, %d, %d, %d\n",
			*steps, *warmup, *batch, *threads)
		return 2
	}
	if *config != "" {
		m.Config = *config
	}
	o := options{model: m, precision: *prec, steps: *steps, warmup: *warmup, batch: *batch, seed: *seed, threads: *threads,
		profile: *profile, profileSteps: *pSteps, profileTop: *pTop}

	cfg, err := configs.Load(m.Config)
	if err == nil && o.precision != "" {
		cfg.Precision = o.precision
		if err = cfg.Validate(); err != nil {
			err = fmt.Errorf("-precision: %w", err)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "tfrun-bench: %v\n", err)
		return 2
	}
	r, err := benchmark(cfg, o)
	if err != nil {
		fmt.Fprintf(stderr, "tfrun-bench: %s: %v\n", m.Name, err)
		return 1
	}
	r.Precision = cfg.Precision
	if err := report(r, *jsonOut, stdout); err != nil {
		fmt.Fprintf(stderr, "tfrun-bench: %v\n", err)
		return 1
	}
	return 0
}

// benchmark times the training steps of cfg's model with its kind's bench hook
// (runner.Kind.Bench): warmup+steps batches of random inputs of the model's shapes, drawn
// before the clock starts; the first step's time includes building the model.
func benchmark(cfg *configs.Config, o options) (bench.Result, error) {
	kind, err := runner.LookupKind(cfg.Task)
	if err != nil {
		return bench.Result{}, fmt.Errorf("%s: %w", cfg.File, err)
	}
	if kind.Bench == nil {
		return bench.Result{}, fmt.Errorf("%s: task %s is not benchmarked", cfg.File, cfg.Task)
	}
	total := o.warmup + o.steps
	build, err := kind.Bench(cfg, runner.BenchOptions{Batch: o.batch, Steps: total, Seed: o.seed, Threads: o.threads})
	if err != nil {
		return bench.Result{}, err
	}
	var clock stepClock
	clock.start()
	m, err := build()
	if err != nil {
		return bench.Result{}, err
	}
	defer m.Close()
	for step := range total {
		if err := m.Step(step); err != nil {
			return bench.Result{}, fmt.Errorf("step %d: %w", step+1, err)
		}
		clock.stepped()
	}
	r, err := bench.NewResult(o.model.Name, framework(), o.batch, o.warmup, clock.t0, clock.ends)
	if err != nil {
		return r, err
	}
	r.TrainableParams = m.TrainableParams()
	r.PeakRSSBytes = peakRSS() // before counting, which copies the graph
	if r.FLOPsPerStep, err = m.StepFLOPs(); err != nil {
		return r, fmt.Errorf("counting FLOPs: %w", err)
	}
	r.Precision = cfg.Precision
	if o.profile != "" {
		if err := profile(m, o, r); err != nil {
			return r, fmt.Errorf("-profile: %w", err)
		}
	}
	return r, nil
}

// profile traces o.profileSteps more steps (on the first batches again) op by op and
// writes their profile (graphs.Profile) to o.profile.
func profile(m runner.Bench, o options, r bench.Result) error {
	pm, ok := m.(runner.ProfiledBench)
	if !ok {
		return fmt.Errorf("model %s cannot be profiled", o.model.Name)
	}
	byOp, err := pm.StepFLOPsByOp()
	if err != nil {
		return fmt.Errorf("counting FLOPs: %w", err)
	}
	var runs []*step_stats_go_proto.StepStats
	pm.Session().Trace(func(st *step_stats_go_proto.StepStats) { runs = append(runs, st) })
	defer pm.Session().Trace(nil)
	for i := range o.profileSteps {
		if err := m.Step(i % (o.warmup + o.steps)); err != nil {
			return fmt.Errorf("traced step %d: %w", i+1, err)
		}
	}
	p := graphs.NewProfile(runs, o.profileSteps, byOp)
	var b strings.Builder
	fmt.Fprintf(&b, "# Profile of %s (%s, batch %d, %s, %s)\n\n", o.model.Name, r.Precision, o.batch, framework(), time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&b, "Untraced: %.1f examples/s, %.1f ms a step; %.3f GFLOP counted a step; thread layout %s.\n\n",
		r.ExamplesPerSec, 1e3*float64(o.batch)/r.ExamplesPerSec, float64(r.FLOPsPerStep)/1e9, pm.Session().ThreadLayout())
	if err := p.Write(&b, o.profileTop); err != nil {
		return err
	}
	return os.WriteFile(o.profile, []byte(b.String()), 0o644)
}

// report prints r as one line of JSON and writes it to path (if not "").
func report(r bench.Result, path string, stdout io.Writer) error {
	if path != "" {
		if err := bench.WriteResult(path, r); err != nil {
			return err
		}
	}
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", b)
	return err
}

// framework names tfrun's side: "tfrun / tensorflow 2.18.0".
func framework() string { return "tfrun / tensorflow " + tf.Version() }

// peakRSS is getrusage(RUSAGE_SELF).ru_maxrss in bytes (Linux reports KiB), as the Keras
// scripts measure it.
func peakRSS() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return int64(ru.Maxrss) * 1024
}

// stepClock stamps the end of each training step.
type stepClock struct {
	t0   time.Time
	ends []time.Time
}

func (c *stepClock) start()   { c.t0 = time.Now() }
func (c *stepClock) stepped() { c.ends = append(c.ends, time.Now()) }
