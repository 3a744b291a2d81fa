package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/tfrun/tfrun"
	"github.com/tfrun/tfrun/configs"
)

const predictUsage = `usage: tfrun predict -config FILE [-run DIR] [-checkpoint latest|best|ckpt-N] [-file F] [TEXT ...]
       tfrun predict -model SAVEDMODEL_DIR [-file F] [TEXT ...]
       tfrun predict (-config FILE [-run DIR] | -model DIR) -images IMAGE ...
       (a CSV classifier or regression: each input is a row of comma-separated feature values;
       a model of named inputs (data.inputs): each input is a JSON object, {"<input>": value, ...})`

// maxTextBytes bounds one text read from standard input or -file.
const maxTextBytes = tfrun.MaxTextBytes

// runPredict is `tfrun predict`: one JSON line per text (from the arguments, -file or
// standard input, one per line) or image (-images), classified by a run's model (the
// inference graph export writes) or by an exported SavedModel, with a tfrun.Predictor.
func runPredict(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("tfrun predict", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		config  = fs.String("config", "", "the run's config (not needed with -model)")
		runDir  = fs.String("run", "", "the run directory (default runs/<config name>/)")
		model   = fs.String("model", "", "an exported SavedModel: its directory, or the export directory (the highest version)")
		ckpt    = fs.String("checkpoint", "latest", "with -run: latest, best or ckpt-N")
		file    = fs.String("file", "", "read the inputs from this file, one per line (- for standard input)")
		images  = fs.Bool("images", false, "the inputs are image files (PNG, JPEG, GIF) for an image classifier")
		batch   = fs.Int("batch", tfrun.DefaultPredictBatch, "inputs per TensorFlow run")
		threads = fs.Int("threads", 0, "TensorFlow intra-op threads")
	)
	fs.Usage = func() {
		fmt.Fprintln(stderr, predictUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	usage := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "tfrun: "+format+"\n", a...)
		fmt.Fprintln(stderr, predictUsage)
		return 2
	}
	switch {
	case *model == "" && *config == "":
		return usage("predict needs -config (with the run directory as -run) or -model")
	case *model != "" && (set["run"] || set["checkpoint"]):
		return usage("-model loads an exported SavedModel: -run and -checkpoint choose a run's checkpoint instead")
	case *file != "" && fs.NArg() > 0:
		return usage("give the inputs as arguments or with -file, not both")
	case *batch < 1 || *threads < 0:
		return usage("-batch must be at least 1 and -threads not negative")
	}
	opts := tfrun.PredictorOptions{Threads: *threads, Batch: *batch}
	var pr *tfrun.Predictor
	if *model != "" {
		var err error
		if pr, err = tfrun.LoadPredictor(*model, opts); err != nil {
			fmt.Fprintf(stderr, "tfrun: %v\n", err)
			return exitCodeOf(ctx, err)
		}
	} else {
		cfg, err := configs.Load(*config)
		if err != nil {
			fmt.Fprintf(stderr, "tfrun: %v\n", err)
			return 2
		}
		if *runDir == "" {
			*runDir = filepath.Join("runs", cfg.Name)
		}
		if pr, err = tfrun.RunPredictor(cfg, *runDir, *ckpt, opts); err != nil {
			fmt.Fprintf(stderr, "tfrun: %v\n", err)
			return exitCodeOf(ctx, err)
		}
	}
	defer pr.Close()
	if err := checkImagesFlag(pr.Input(), *images); err != nil {
		fmt.Fprintf(stderr, "tfrun: %v\n", err)
		return 2
	}
	var (
		failed, total int
		err           error
	)
	switch {
	case fs.NArg() > 0:
		failed, total, err = pr.PredictArgs(ctx, fs.Args(), stdout)
	case *file != "" && *file != "-":
		f, ferr := os.Open(*file)
		if ferr != nil {
			fmt.Fprintf(stderr, "tfrun: %v\n", ferr)
			return 2
		}
		defer f.Close()
		failed, total, err = pr.PredictLines(ctx, f, stdout)
	default:
		failed, total, err = pr.PredictLines(ctx, os.Stdin, stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "tfrun: %v\n", err)
		return exitCodeOf(ctx, err)
	}
	if failed > 0 {
		fmt.Fprintf(stderr, "tfrun: %d of %d inputs could not be classified (see their \"error\")\n", failed, total)
		return 1
	}
	return 0
}

// checkImagesFlag refuses -images for a model that takes no images, and its absence for
// one that does.
func checkImagesFlag(in tfrun.PredictorInput, images bool) error {
	switch {
	case images && in == tfrun.PredictorNamed:
		return errors.New("-images: the model takes named inputs (give each input line as a JSON object of them)")
	case images && in == tfrun.PredictorFeatures:
		return errors.New("-images: the model classifies rows of a table (give each row's feature values, comma-separated, as an argument, with -file or on standard input)")
	case images && in != tfrun.PredictorImages:
		return errors.New("-images: the model classifies text, not images (give the texts as arguments, with -file or on standard input)")
	case !images && in == tfrun.PredictorImages:
		return errors.New("the model classifies images: give image files with -images")
	}
	return nil
}
