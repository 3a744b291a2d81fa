package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/tfrun/tfrun"
	"github.com/tfrun/tfrun/configs"
)

// loadGANConfig loads a config that must be a GAN's.
func loadGANConfig(path string, stderr io.Writer) (*configs.Config, int) {
	if path == "" {
		fmt.Fprintln(stderr, "tfrun: -config is required")
		return nil, 2
	}
	cfg, err := configs.Load(path)
	if err != nil {
		fmt.Fprintf(stderr, "tfrun: %v\n", err)
		return nil, 2
	}
	if cfg.GAN() == nil {
		fmt.Fprintf(stderr, "tfrun: %s: task %q: not a GAN\n", path, cfg.Task)
		return nil, 2
	}
	return cfg, 0
}

// runGenerate is `tfrun generate`: a grid of images drawn from a GAN's latest checkpoint
// (tfrun.Generate).
func runGenerate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("tfrun generate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		config  = fs.String("config", "", "the GAN's run config")
		n       = fs.Int("n", 64, "how many images")
		class   = fs.Int("class", -1, "conditional GAN: the class to draw (default: every class, one row each)")
		seed    = fs.Int64("seed", 1, "the noise's seed")
		runDir  = fs.String("run", "", "the GAN's run directory (default runs/<config name>/)")
		out     = fs.String("out", "", "the PNG to write")
		threads = fs.Int("threads", 0, "TensorFlow intra-op threads")
	)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *out == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: tfrun generate -config FILE [-n 64] [-class K] [-seed S] [-run DIR] -out FILE.png")
		return 2
	}
	cfg, code := loadGANConfig(*config, stderr)
	if cfg == nil {
		return code
	}
	o := tfrun.GenerateOptions{RunDir: *runDir, N: *n, Seed: *seed, Threads: *threads}
	if *class != -1 {
		o.Class = class
	}
	g, err := tfrun.Generate(cfg, *out, o)
	if err != nil {
		fmt.Fprintf(stderr, "tfrun: %v\n", err)
		return exitCodeOf(ctx, err)
	}
	fmt.Fprintf(stdout, "Wrote %s (%d images from %s)\n", *out, g.Images, g.Checkpoint)
	return 0
}

// runEvaluateGAN is `tfrun evaluate-gan`: the GAN quality scores (tfrun.EvaluateGAN).
func runEvaluateGAN(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("tfrun evaluate-gan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		config    = fs.String("config", "", "the GAN's run config")
		runDir    = fs.String("run", "", "the GAN's run directory (default runs/<config name>/)")
		clfConfig = fs.String("classifier", "", "the scoring classifier's config (default: configs/<data set>_classifier.yaml beside the GAN's)")
		clfRun    = fs.String("classifier-run", "", "the classifier's run directory (default runs/<its name>/)")
		n         = fs.Int("n", 10000, "images generated and real images compared")
		seed      = fs.Int64("seed", 1, "the noise's seed")
		dataDir   = fs.String("data-dir", "", "the folder searched first for a built-in data set (then $TFRUN_DATA_DIR, ../shared/data beside the tfrun checkout, the user cache)")
		threads   = fs.Int("threads", 0, "TensorFlow intra-op threads")
	)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: tfrun evaluate-gan -config FILE [-run DIR] [-classifier FILE] [-classifier-run DIR] [-n 10000]")
		return 2
	}
	cfg, code := loadGANConfig(*config, stderr)
	if cfg == nil {
		return code
	}
	if *clfConfig == "" {
		path, ok := tfrun.DefaultGANClassifier(cfg)
		if !ok {
			fmt.Fprintf(stderr, "tfrun: evaluate-gan: %s trains on %s, which has no default scoring classifier; "+
				"train a classifier on that folder (data.format: image_directory, the GAN's image_size and color_mode) and give its config with -classifier\n",
				*config, cfg.Data.Name())
			return 2
		}
		*clfConfig = path
	}
	clf, err := configs.Load(*clfConfig)
	if err != nil {
		fmt.Fprintf(stderr, "tfrun: %v\n", err)
		return 2
	}
	if clf.Supervised() == nil {
		fmt.Fprintf(stderr, "tfrun: %s: task %q: -classifier must name a classifier's config\n", *clfConfig, clf.Task)
		return 2
	}
	if *n < 2 {
		fmt.Fprintln(stderr, "tfrun: -n must be at least 2")
		return 2
	}
	if _, err := tfrun.EvaluateGAN(ctx, cfg, tfrun.EvaluateGANOptions{RunDir: *runDir, Classifier: clf, ClassifierRunDir: *clfRun,
		N: *n, DataDir: *dataDir, Threads: *threads, Seed: *seed, Out: stdout}); err != nil {
		fmt.Fprintf(stderr, "tfrun: %v\n", err)
		return exitCodeOf(ctx, err)
	}
	return 0
}
