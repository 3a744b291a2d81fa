package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/tfrun/tfrun"
)

const importUsage = "usage: tfrun import MODEL.keras|MODEL.h5 -out DIR [-name NAME]\n       tfrun import WEIGHTS.weights.h5 -config FILE -out DIR"

// runImport is `tfrun import`: a Keras model file as a run directory DIR (its config
// DIR/<name>.yaml and a checkpoint of its weights), which predict and export take as
// they take a trained run. A bad file, a model tfrun cannot represent, a directory that
// holds checkpoints exit 2 (tfrun.ImportKeras).
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
	res, err := tfrun.ImportKeras(file, *out, tfrun.ImportOptions{Config: *config, Name: *name, Threads: *threads})
	if res != nil {
		for _, w := range res.Warnings {
			fmt.Fprintf(stderr, "tfrun: warning: %s\n", w)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "tfrun: %v\n", err)
		return exitCodeOf(ctx, err)
	}
	kind := "functional"
	if res.Sequential {
		kind = "Sequential"
	}
	fmt.Fprintf(stdout, "Imported %s (%s, %d layers, %d weights, Keras %s)\n", file, kind, res.Layers, res.Params, res.KerasVersion)
	fmt.Fprintf(stdout, "  config:     %s\n  checkpoint: %s\n", res.Config, res.Checkpoint)
	fmt.Fprintf(stdout, "Predict: tfrun predict -config %s -run %s ...\n", res.Config, filepath.Clean(*out))
	return 0
}
