package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/export"
	"github.com/tfrun/tfrun/graphs"
)

const exportUsage = "usage: tfrun export -config FILE [-run DIR] [-checkpoint latest|best|ckpt-N] -out DIR [-version N] [-force]"

// runExport is `tfrun export`: a run's checkpoint as a SavedModel in DIR/<version>/.
func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("tfrun export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		config  = fs.String("config", "", "the run's config")
		runDir  = fs.String("run", "", "the run directory (default runs/<config name>/)")
		ckpt    = fs.String("checkpoint", export.CheckpointLatest, "which checkpoint: latest, best (ModelCheckpoint's save_best_only) or ckpt-N")
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
	if *runDir == "" {
		*runDir = filepath.Join("runs", cfg.Name)
	}
	if err := exportRun(cfg, export.Options{RunDir: *runDir, Checkpoint: *ckpt, Threads: *threads},
		*out, export.WriteOptions{Version: *version, Force: *force}, stdout); err != nil {
		fmt.Fprintf(stderr, "tfrun: %v\n", err)
		return exitCodeOf(ctx, err)
	}
	return 0
}

// exportRun builds the model of a run's checkpoint and writes it to out.
func exportRun(cfg *configs.Config, o export.Options, out string, w export.WriteOptions, stdout io.Writer) error {
	m, err := export.Build(cfg, o)
	if err != nil {
		return err
	}
	defer m.Close()
	dir, err := m.Write(out, w)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Exported %s (%s) to %s\n", m.Checkpoint, strings.ReplaceAll(m.Kind, "_", " "), dir)
	sigs := m.Signatures()
	for _, key := range slices.Sorted(maps.Keys(sigs)) {
		fmt.Fprintf(stdout, "  %-16s %s → %s\n", key, describeTensors(sigs[key].Inputs), describeTensors(sigs[key].Outputs))
	}
	return nil
}

// describeTensors lists a signature's tensors as "name dtype[shape]".
func describeTensors(ts map[string]tf.TensorInfo) string {
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(ts)) {
		ti := ts[name]
		dims, _ := ti.Shape.ToSlice()
		shape := make([]string, len(dims))
		for i, d := range dims {
			shape[i] = fmt.Sprint(d)
			if d < 0 {
				shape[i] = "None"
			}
		}
		parts = append(parts, fmt.Sprintf("%s %s[%s]", name, graphs.DTypeName(ti.DType), strings.Join(shape, ", ")))
	}
	return strings.Join(parts, ", ")
}
