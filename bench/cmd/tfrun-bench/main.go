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
	"syscall"
	"time"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/bench"
	"github.com/tfrun/tfrun/configs"
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
	if *steps < 1 || *warmup < 1 || *batch < 1 || *threads < 0 {
		fmt.Fprintf(stderr, "tfrun-bench: -steps, -warmup and -batch must be >= 1 and -threads >= 0, got %d, %d, %d, %d\n",
			*steps, *warmup, *batch, *threads)
		return 2
	}
	if *config != "" {
		m.Config = *config
	}
	o := options{model: m, precision: *prec, steps: *steps, warmup: *warmup, batch: *batch, seed: *seed, threads: *threads}

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
	return r, nil
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
