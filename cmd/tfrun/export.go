package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/tfrun/tfrun"
	"github.com/tfrun/tfrun/configs"
)

const exportUsage = "usage: tfrun export -config FILE [-run DIR] [-checkpoint latest|best|ckpt-N] -out DIR [-version N] [-force]"

// runExport is `tfrun export`: a run's checkpoint as a SavedModel in DIR/<version>/
// (tfrun.ExportRun).
func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("tfrun export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		config  = fs.String("config", "", "the run's config")
		runDir  = fs.String("run", "", "the run directory (default runs/<config name>/)")
		ckpt    = fs.String("checkpoint", tfrun.CheckpointLatest, "which checkpoint: latest, best (ModelCheckpoint's save_best_only) or ckpt-N")
		out     = fs.String("out", "", "the export directory: the SavedModel goes to <out>/<version>/")
		version = fs.Int("version", 0, "the version directory's number (default: 1, or one more than the highest in -out)")
		force   = fs.Bool("force", false, "replace the version if it exists")
		threads = fs.Int("threads", 0, "TensorFlow intra-op threads")
	)
	fs.Usage = func() {
		fmt.Fprintln(stderr, exportUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *config == "" || *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	if *version < 0 || *threads < 0 {
		fmt.Fprintln(stderr, "tfrun: -version and -threads must not be negative")
		return 2
	}
	cfg, err := configs.Load(*config)
	if err != nil {
		fmt.Fprintf(stderr, "tfrun: %v\n", err)
		return 2
	}
	e, err := tfrun.ExportRun(cfg, *out, tfrun.ExportRunOptions{RunDir: *runDir, Checkpoint: *ckpt, Version: *version, Force: *force, Threads: *threads})
	if err != nil {
		fmt.Fprintf(stderr, "tfrun: %v\n", err)
		return exitCodeOf(ctx, err)
	}
	fmt.Fprintf(stdout, "Exported %s (%s) to %s\n", e.Checkpoint, strings.ReplaceAll(e.Kind, "_", " "), e.Dir)
	for _, key := range slices.Sorted(maps.Keys(e.Signatures)) {
		fmt.Fprintf(stdout, "  %-16s %s → %s\n", key, joinTensors(e.Signatures[key].Inputs), joinTensors(e.Signatures[key].Outputs))
	}
	return 0
}

// joinTensors lists a signature's tensors as "name dtype[shape], ...".
func joinTensors(ts []tfrun.TensorSpec) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = t.String()
	}
	return strings.Join(parts, ", ")
}
