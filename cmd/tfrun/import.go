package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"

	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/importer"
	"github.com/tfrun/tfrun/kerasfile"
)

const importUsage = "usage: tfrun import MODEL.keras|MODEL.h5 -out DIR [-name NAME]\n       tfrun import WEIGHTS.weights.h5 -config FILE -out DIR"

// runImport is `tfrun import`: a Keras model file as a run directory DIR (its config
// DIR/<name>.yaml and a checkpoint of its weights), which predict and export take as
// they take a trained run. A bad file, a model tfrun cannot represent, a directory that
// holds checkpoints exit 2.
func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("tfrun import", flag.ContinueOnError)
	flags.SetOutput(stderr)
	var (
		out     = flags.String("out", "", "the run directory to write (it must hold no checkpoints)")
		config  = flags.String("config", "", "with a weights file (model.save_weights's .weights.h5): the tfrun config of the model it was saved from")
		name    = flags.String("name", "", "the config's name (default: the Keras model's)")
		threads = flags.Int("threads", 0, "TensorFlow intra-op threads")
	)
	flags.Usage = func() {
		fmt.Fprintln(stderr, importUsage)
		flags.PrintDefaults()
	}
	// The model file may come before the flags (tfrun import m.keras -out DIR).
	var file string
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		file, args = args[0], args[1:]
	}
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if file == "" && flags.NArg() == 1 {
		file = flags.Arg(0)
	} else if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "tfrun: unexpected arguments %q\n", flags.Args())
		return 2
	}
	if file == "" || *out == "" || *threads < 0 {
		flags.Usage()
		return 2
	}
	o := importer.Options{Dir: *out, Name: *name, Threads: *threads}
	var (
		res *importer.Result
		err error
	)
	if *config != "" {
		res, err = importer.ImportWeights(file, *config, o)
	} else {
		res, err = importer.Import(file, o)
	}
	if res != nil {
		for _, w := range res.Model.Warnings {
			fmt.Fprintf(stderr, "tfrun: warning: %s\n", w)
		}
	}
	if err != nil {
		var ke *kerasfile.Error
		if errors.As(err, &ke) {
			fmt.Fprintf(stderr, "tfrun: import: %v\n", err)
			return 2
		}
		fmt.Fprintf(stderr, "tfrun: import: %v\n", err)
		var ce *configs.Error
		if errors.As(err, &ce) || errors.Is(err, kerasfile.ErrFormat) || errors.Is(err, kerasfile.ErrUnsupported) ||
			errors.Is(err, fs.ErrNotExist) || errors.Is(err, checkpoints.ErrCheckpointsExist) {
			return 2
		}
		return exitCodeOf(ctx, err)
	}
	m := res.Model
	kind := "functional"
	if m.Sequential {
		kind = "Sequential"
	}
	fmt.Fprintf(stdout, "Imported %s (%s, %d layers, %d weights, Keras %s)\n", file, kind, len(m.Layers), res.Params, m.KerasVersion)
	fmt.Fprintf(stdout, "  config:     %s\n  checkpoint: %s\n", res.Config, res.Checkpoint)
	fmt.Fprintf(stdout, "Predict: tfrun predict -config %s -run %s ...\n", res.Config, filepath.Clean(*out))
	return 0
}
