package tfrun

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/runner"
)

// RunOptions are the options of Run: tfrun -config's flags. The zero value trains the
// config as it is, into runs/<config name>/, silently.
type RunOptions struct {
	// Epochs > 0 trains this many epochs instead of the config's (-epochs).
	Epochs int
	// Limit > 0 uses only the first Limit training and Limit test examples (-limit: smoke
	// runs).
	Limit int
	// DataDir is the folder searched first for a built-in data set (-data-dir; then
	// $TFRUN_DATA_DIR, ../shared/data beside the tfrun checkout, the user cache).
	DataDir string
	// OutDir is the run directory (-out); "" is DefaultRunDir(cfg), runs/<config name>/.
	OutDir string
	// Seed, when set, overrides the config's seed (-seed).
	Seed *int64
	// Threads sizes TensorFlow's intra-op pool (-threads; 0: one per core).
	Threads int
	// Resume continues from the run directory's latest checkpoint (-resume); without one
	// Run fails with an error wrapping checkpoints.ErrNoCheckpoint. ResumeOrStart
	// (-resume-or-start) resumes too, but starts fresh when there is no checkpoint. With
	// neither, a run directory holding checkpoints is refused (checkpoints.ErrCheckpointsExist).
	// They exclude each other.
	Resume, ResumeOrStart bool
	// Out receives what the run prints: the model's summary, the progress, the results.
	// Nil: nothing is printed (the run directory's files are written all the same).
	Out io.Writer
	// Verbose is how each epoch shows on Out, as Keras's fit(verbose=) (-verbose); the
	// zero value, VerboseAuto, is a progress bar on a terminal and one line per epoch
	// elsewhere.
	Verbose Verbosity
	// Cluster, when set, makes the run one task of a synchronous data-parallel cluster, as
	// Keras's MultiWorkerMirroredStrategy (TF_CONFIG, or -cluster and -task): see
	// ClusterFromTFConfig and ClusterFromFlags. Only the chief writes the run directory.
	Cluster *Cluster
	// CollectiveTimeout bounds each all-reduce of a cluster run (-collective-timeout; 0:
	// DefaultCollectiveTimeout); a dead or unreachable task ends the run within about
	// twice it.
	CollectiveTimeout time.Duration
}

// Verbosity is Keras's Model.fit(verbose=...): how a run shows each epoch's progress. Its
// flag spellings (flag.Value) are Keras's values: "auto", "0", "1", "2".
type Verbosity = runner.Verbosity

// Keras's verbosities (runner.VerboseAuto, ...).
const (
	// VerboseAuto, the zero value, is Keras's "auto": VerboseBar on a terminal,
	// VerboseLines elsewhere.
	VerboseAuto = runner.VerboseAuto
	// VerboseSilent (0) shows no progress.
	VerboseSilent = runner.VerboseSilent
	// VerboseBar (1) is Keras's progress bar, then the epoch's line.
	VerboseBar = runner.VerboseBar
	// VerboseLines (2) is one line per epoch.
	VerboseLines = runner.VerboseLines
)

// ErrInterrupted reports that a run stopped because its context was cancelled (tfrun:
// Ctrl-C, SIGTERM): training stopped after the step in flight and, on the chief, saved a
// checkpoint that Resume continues from. Run's error wraps it (a *runner.InterruptedError
// says where training stopped and what it saved).
var ErrInterrupted = runner.ErrInterrupted

// DefaultRunDir is where tfrun writes a config's run when no directory is given:
// runs/<config name>/, relative to the working directory.
func DefaultRunDir(cfg *configs.Config) string { return filepath.Join("runs", cfg.Name) }

// Run trains the model cfg describes, of any registered task (classifier, gan, or a kind
// a program registers), exactly as tfrun -config does, and returns its run directory
// (also with an error, once the run got that far): the config's data is loaded, the model
// built, summarized, fitted with the config's callbacks, checkpointed and evaluated, and
// the run directory gets what tfrun writes (summary.txt, model.svg, history.json,
// metrics.json, curves.png, checkpoints/, ...; docs/guide/running.md lists them).
//
// cfg comes from configs.Load (or LoadConfig's Model.Config). A task no kind runs, options
// that exclude each other, Resume without a checkpoint, a run directory that already holds
// checkpoints, or a checkpoint of another model are errors for which IsUserError is true;
// a cancelled ctx stops training after the step in flight with an error wrapping
// ErrInterrupted, once a checkpoint is saved.
func Run(ctx context.Context, cfg *configs.Config, o RunOptions) (runDir string, err error) {
	if cfg == nil {
		return "", userError(fmt.Errorf("run: no config"))
	}
	if o.Resume && o.ResumeOrStart {
		return "", userError(fmt.Errorf("%s: Resume and ResumeOrStart exclude each other", cfg.File))
	}
	if o.Epochs < 0 || o.Limit < 0 || o.Threads < 0 {
		return "", userError(fmt.Errorf("%s: epochs %d, limit %d, threads %d: none may be negative", cfg.File, o.Epochs, o.Limit, o.Threads))
	}
	kind, err := runner.LookupKind(cfg.Task)
	if err != nil {
		return "", userError(fmt.Errorf("%s: %w", cfg.File, err))
	}
	if o.OutDir == "" {
		o.OutDir = DefaultRunDir(cfg)
	}
	ro := runner.Options{Epochs: o.Epochs, Limit: o.Limit, DataDir: o.DataDir, OutDir: o.OutDir, Seed: o.Seed,
		Threads: o.Threads, Resume: o.Resume, ResumeOrStart: o.ResumeOrStart, Out: o.Out, Verbose: o.Verbose,
		Cluster: o.Cluster, CollectiveTimeout: o.CollectiveTimeout}
	if err := kind.Run(ctx, cfg, ro); err != nil {
		return o.OutDir, err
	}
	return o.OutDir, nil
}
