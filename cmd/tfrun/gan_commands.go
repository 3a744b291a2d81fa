package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/gan"
	"github.com/tfrun/tfrun/ganeval"
	"github.com/tfrun/tfrun/plots"
)

// classifierConfigs name the classifier that scores each data set's GANs, beside the
// GAN's config.
var classifierConfigs = map[string]string{
	configs.DatasetMNIST:        "mnist_classifier.yaml",
	configs.DatasetFashionMNIST: "fashion_classifier.yaml",
	configs.DatasetCIFAR10:      "cifar_classifier.yaml",
}

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

// runGenerate is `tfrun generate`: a grid of images drawn from a GAN's latest checkpoint.
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
	if *runDir == "" {
		*runDir = filepath.Join("runs", cfg.Name)
	}
	if err := generate(cfg, *runDir, *out, gan.GenerateOptions{N: *n, Class: *class, Seed: *seed}, *threads, stdout); err != nil {
		fmt.Fprintf(stderr, "tfrun: %v\n", err)
		return exitCodeOf(ctx, err)
	}
	return 0
}

// generate draws a grid from the GAN's latest checkpoint in runDir into the PNG out.
func generate(cfg *configs.Config, runDir, out string, o gan.GenerateOptions, threads int, stdout io.Writer) error {
	if err := o.Check(cfg.GAN()); err != nil {
		return usageError(err)
	}
	m, prefix, err := gan.Load(cfg, runDir, threads)
	if err != nil {
		return err
	}
	defer m.Close()
	grid, drawn, err := gan.GenerateGrid(m, o)
	if err != nil {
		return err
	}
	if err := plots.SavePNG(out, grid); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Wrote %s (%d images from %s)\n", out, drawn, prefix)
	return nil
}

// runEvaluateGAN is `tfrun evaluate-gan`: the GAN quality scores.
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
	if *clfConfig == "" && cfg.Data.Own() {
		fmt.Fprintf(stderr, "tfrun: evaluate-gan: %s trains on %s, which has no default scoring classifier; "+
			"train a classifier on that folder (data.format: image_directory, the GAN's image_size and color_mode) and give its config with -classifier\n",
			*config, cfg.Data.Name())
		return 2
	}
	if *clfConfig == "" {
		*clfConfig = filepath.Join(filepath.Dir(*config), classifierConfigs[cfg.Data.Dataset])
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
	if *runDir == "" {
		*runDir = filepath.Join("runs", cfg.Name)
	}
	if *clfRun == "" {
		*clfRun = filepath.Join("runs", clf.Name)
	}
	if *n < 2 {
		fmt.Fprintln(stderr, "tfrun: -n must be at least 2")
		return 2
	}
	if _, err := ganeval.Evaluate(cfg, ganeval.Options{RunDir: *runDir, Classifier: clf, ClassifierRunDir: *clfRun,
		N: *n, DataDir: *dataDir, Threads: *threads, Seed: *seed, Out: stdout, Ctx: ctx}); err != nil {
		fmt.Fprintf(stderr, "tfrun: %v\n", err)
		return exitCodeOf(ctx, err)
	}
	return 0
}
