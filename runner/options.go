package runner

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/tfrun/tfrun/distributed"
)

// Options are the command line's settings for one run.
type Options struct {
	Epochs  int    // > 0 overrides the config's epochs
	Limit   int    // > 0 uses only the first Limit training and test examples
	DataDir string // where data sets are looked for first
	OutDir  string // the run directory
	Seed    *int64 // overrides the config's seed
	Threads int    // TensorFlow intra-op threads (0: TensorFlow's choice)
	// Resume continues from the run directory's latest checkpoint; without one the run
	// fails with checkpoints.ErrNoCheckpoint. ResumeOrStart resumes too, but starts fresh
	// when there is no checkpoint. With neither, a run directory holding checkpoints is
	// refused (checkpoints.ErrCheckpointsExist).
	Resume        bool
	ResumeOrStart bool
	// Out receives the progress bar and the epoch lines; nil: silent.
	Out io.Writer
	// Verbose is how Fit shows each epoch's progress on Out (Keras's fit verbose); the
	// zero value, VerboseAuto, is a progress bar on a terminal and one line per epoch
	// anywhere else.
	Verbose Verbosity
	// Callbacks run after the config's (programs and tests); their state is not
	// checkpointed unless they implement Stateful.
	Callbacks []Callback
	// Cluster, when set (TF_CONFIG), makes the run one replica of a synchronous
	// data-parallel cluster (see replica.go): only the chief writes the run directory.
	Cluster *distributed.Cluster
	// CollectiveTimeout bounds each all-reduce of a cluster run (0: the model's default);
	// a dead or unreachable task ends the run within about twice it.
	CollectiveTimeout time.Duration
}

// ErrInterrupted reports that the context was cancelled (Ctrl-C, SIGTERM) and training
// stopped after the step in flight. Fit returns it inside an *InterruptedError.
var ErrInterrupted = errors.New("training interrupted")

// ErrResumeOptions: -resume with options that would not continue the same training
// (another -seed or -limit, another batch size or training set in the middle of an epoch).
var ErrResumeOptions = errors.New("the options differ from the checkpoint's")

// ErrNotFinite: a loss became NaN or infinite and TerminateOnNaN stopped training.
var ErrNotFinite = errors.New("non-finite loss")

// InterruptedError is Fit's error when its context is cancelled: training stopped between
// two steps, at At; Saved is the checkpoint that holds the run up to there ("" when the
// run was interrupted before its first step, with nothing to save, or on a replica that is
// not the chief, which saves nothing: then Replica is set).
type InterruptedError struct {
	At      Position
	Saved   string
	Replica bool
}

func (e *InterruptedError) Error() string {
	if e.Replica {
		return fmt.Sprintf("%v at epoch %d, step %d (this replica saves nothing; the chief saves)", ErrInterrupted, e.At.Epoch+1, e.At.Batch)
	}
	if e.Saved == "" {
		return fmt.Sprintf("%v before the first step (nothing to save)", ErrInterrupted)
	}
	return fmt.Sprintf("%v at epoch %d, step %d (saved %s)", ErrInterrupted, e.At.Epoch+1, e.At.Batch, e.Saved)
}

// Unwrap makes errors.Is(err, ErrInterrupted) hold.
func (e *InterruptedError) Unwrap() error { return ErrInterrupted }
