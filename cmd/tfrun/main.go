// Command tfrun trains Keras-style models on TensorFlow's kernels from YAML run configs.
//
//	tfrun -config configs/imdb_cnn_lstm.yaml
//	tfrun -config configs/imdb_lstm.yaml -epochs 2 -limit 2000
//	tfrun -version
//
// Checkpoints go to <run dir>/checkpoints/ every checkpoint.every epochs, at the end and
// when the run is interrupted (Ctrl-C or SIGTERM: the step in flight finishes, a checkpoint
// is saved, a second signal quits at once); -resume continues from the latest.
//
// Subcommands: generate and evaluate-gan (GANs), export (a run as a SavedModel), predict
// (classify text or images with a run's model or an exported one), import (a Keras
// .keras, legacy .h5 or .weights.h5 file as a run directory).
//
// Exit codes: 0 success, 1 runtime error, 2 usage or config error (including -resume
// without a checkpoint, a run directory that already holds checkpoints, a checkpoint of
// another model, an export version that exists, a directory that is not a SavedModel),
// 130 interrupted by SIGINT, 143 interrupted by SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/tfrun/tfrun"
	"github.com/tfrun/tfrun/configs"
)

// version is tfrun's version.
const version = tfrun.Version

func main() {
	if len(os.Args) > 1 && os.Args[1] == stderrFilterArg {
		if load := loadStderr(); load != nil {
			load.Close() // the run's own load has passed these lines on
		}
		os.Exit(runStderrFilter(os.Stdin, os.Stderr))
	}
	quietTensorFlow(os.Args[1:])
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-sigs
		fmt.Fprintf(os.Stderr, "\ntfrun: %v: stopping; a training run finishes the current step and saves a checkpoint first (send it again to quit at once)\n", sig)
		cancel(signalError{sig})
		sig = <-sigs
		fmt.Fprintf(os.Stderr, "tfrun: %v again: quitting without saving\n", sig)
		os.Exit(exitCode(sig))
	}()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	signal.Stop(sigs)
	os.Exit(code)
}

// signalError is the cause of the context's cancellation: the signal received.
type signalError struct{ sig os.Signal }

func (e signalError) Error() string { return e.sig.String() }

// exitCode is the shell's code for death by a signal: 128 + its number (SIGINT 130,
// SIGTERM 143).
func exitCode(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 130
}

// run is tfrun's whole command line, testable: it returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "generate":
			return runGenerate(ctx, args[1:], stdout, stderr)
		case "evaluate-gan":
			return runEvaluateGAN(ctx, args[1:], stdout, stderr)
		case "export":
			return runExport(ctx, args[1:], stdout, stderr)
		case "predict":
			return runPredict(ctx, args[1:], stdout, stderr)
		case "import":
			return runImport(ctx, args[1:], stdout, stderr)
		}
	}
	fs := flag.NewFlagSet("tfrun", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		config  = fs.String("config", "", "run config (YAML), e.g. configs/imdb_cnn_lstm.yaml")
		resume  = fs.Bool("resume", false, "continue from the run directory's latest checkpoint (none: exit 2)")
		resumeS = fs.Bool("resume-or-start", false, "like -resume, but start fresh when there is no checkpoint")
		epochs  = fs.Int("epochs", 0, "train this many epochs instead of the config's")
		limit   = fs.Int("limit", 0, "use only the first N training and N test examples (smoke runs)")
		dataDir = fs.String("data-dir", "", "the folder searched first for a built-in data set (then $TFRUN_DATA_DIR, ../shared/data beside the tfrun checkout, the user cache)")
		outDir  = fs.String("out", "", "run directory (default runs/<config name>/)")
		seed    = fs.Int64("seed", 0, "override the config's seed")
		threads = fs.Int("threads", 0, "TensorFlow intra-op threads (0: one per core)")
		showVer = fs.Bool("version", false, "print tfrun's and TensorFlow's versions")
		_       = fs.Bool("v", false, "verbose: let TensorFlow's C++ library log at INFO level (see quietTensorFlow)")
	)
	var verbose tfrun.Verbosity
	fs.Var(&verbose, "verbose", "`auto|0|1|2`: how each epoch shows, as Keras's fit(verbose=): 0 silent, 1 progress bar, 2 one line per epoch; auto (default) is 1 on a terminal, 2 elsewhere")
	dist := addDistributedFlags(fs)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: tfrun -config FILE [-resume | -resume-or-start] [-epochs N] [-limit N] [-data-dir DIR] [-out DIR] [-seed N] [-threads N] [-verbose auto|0|1|2]\n                  [-cluster JOB=HOST:PORT,... -task JOB:INDEX] [-collective-timeout D] [-startup-timeout D]   (one task of a cluster; or TF_CONFIG)\n       tfrun generate -config FILE [-n 64] [-class K] [-seed S] [-run DIR] -out FILE.png\n       tfrun evaluate-gan -config FILE [-run DIR] [-classifier FILE] [-classifier-run DIR] [-n 10000]\n       tfrun export -config FILE [-run DIR] [-checkpoint latest|best|ckpt-N] -out DIR [-version N] [-force]\n       tfrun predict (-config FILE [-run DIR] | -model DIR) [-file F | TEXT ... | -images IMAGE ...]\n       tfrun import MODEL.keras|MODEL.h5 -out DIR [-name NAME]   (or WEIGHTS.weights.h5 -config FILE -out DIR)\n       tfrun -version\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *showVer {
		return printVersion(stdout, stderr)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "tfrun: unexpected arguments %q\n", fs.Args())
		return 2
	}
	if *config == "" {
		fs.Usage()
		return 2
	}
	if *resume && *resumeS {
		fmt.Fprintln(stderr, "tfrun: -resume and -resume-or-start exclude each other")
		return 2
	}
	if *epochs < 0 || *limit < 0 || *threads < 0 {
		fmt.Fprintln(stderr, "tfrun: -epochs, -limit and -threads must not be negative")
		return 2
	}
	cfg, err := configs.Load(*config)
	if err != nil {
		fmt.Fprintf(stderr, "tfrun: %v\n", err)
		return 2
	}
	opts := tfrun.RunOptions{Epochs: *epochs, Limit: *limit, DataDir: *dataDir, OutDir: *outDir, Threads: *threads, Resume: *resume, ResumeOrStart: *resumeS, Out: stdout, Verbose: verbose}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "seed" {
			opts.Seed = seed
		}
	})
	if err := dist.apply(&opts, stderr); err != nil { // TF_CONFIG or -cluster/-task: a replica of a cluster
		fmt.Fprintf(stderr, "tfrun: %v\n", err)
		return 2
	}
	runDir, err := tfrun.Run(ctx, cfg, opts)
	if err != nil {
		fmt.Fprintf(stderr, "tfrun: %v\n", err)
		return exitCodeOf(ctx, err)
	}
	fmt.Fprintf(stdout, "Run directory: %s\n", runDir)
	return 0
}

// exitCodeOf is the exit code of a command that failed with err, the same for training,
// generate and evaluate-gan: 130/143 for an interruption by SIGINT/SIGTERM (also one
// that cut a wait short, such as a cluster's start: context.Canceled once ctx is done); 2 for what the
// user must change (options, config, a missing checkpoint, a checkpoint of another model,
// a run directory that holds checkpoints); 1 for the rest (a damaged checkpoint, a failed
// save, a NaN loss, missing data).
func exitCodeOf(ctx context.Context, err error) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, tfrun.ErrInterrupted), ctx.Err() != nil && errors.Is(err, context.Canceled):
		return interruptedCode(ctx)
	case tfrun.IsUserError(err):
		return 2
	}
	return 1
}

// interruptedCode is the exit code of a command stopped by the signal that cancelled ctx.
func interruptedCode(ctx context.Context) int {
	var se signalError
	if errors.As(context.Cause(ctx), &se) {
		return exitCode(se.sig)
	}
	return 130
}
