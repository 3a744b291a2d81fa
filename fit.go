package tfrun

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/classifier"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/plots"
	"github.com/tfrun/tfrun/runner"
)

// History is what Fit returns: the epochs trained and each metric's value per epoch
// (Keras's History.history), as history.json holds them.
type History = runner.History

// defaultBatchSize is Keras's fit, evaluate and predict batch_size.
const defaultBatchSize = 32

// fitSettings are Fit's arguments.
type fitSettings struct {
	epochs, batchSize int
	shuffle           bool
	validation        *Data
	callbacks         []CallbackOption
	out               io.Writer
	verbose           runner.Verbosity
	runDir            string
	resume            bool
	stepsPerEpoch     int      // fit's steps_per_epoch; 0: one pass (or the iterator's batches)
	validationSteps   int      // fit's validation_steps; 0: all the validation data
	steps             int      // evaluate's and predict's steps; 0: all the data
	set               []string // the options given, by name, for Evaluate's and Predict's check
}

// FitOption is an argument of Fit (Evaluate and Predict take BatchSize).
type FitOption func(s *fitSettings) error

// named records an option's name and applies f.
func named(name string, f func(s *fitSettings) error) FitOption {
	return func(s *fitSettings) error {
		s.set = append(s.set, name)
		return f(s)
	}
}

// Epochs is fit's epochs (default 1, Keras's; a loaded config's train.epochs).
func Epochs(n int) FitOption {
	return named("Epochs", func(s *fitSettings) error {
		if n <= 0 {
			return fmt.Errorf("epochs: %d: want > 0", n)
		}
		s.epochs = n
		return nil
	})
}

// BatchSize is fit's, evaluate's and predict's batch_size (default 32, Keras's; a loaded
// config's train.batch_size).
func BatchSize(n int) FitOption {
	return named("BatchSize", func(s *fitSettings) error {
		if n <= 0 {
			return fmt.Errorf("batch size: %d: want > 0", n)
		}
		s.batchSize = n
		return nil
	})
}

// Shuffle is fit's shuffle: reshuffle the training examples every epoch (default true; a
// loaded config's train.shuffle).
func Shuffle(on bool) FitOption {
	return named("Shuffle", func(s *fitSettings) error { s.shuffle = on; return nil })
}

// ValidationData is fit's validation_data: evaluated after every epoch, as val_loss and
// val_ of each metric.
func ValidationData(d Data) FitOption {
	return named("ValidationData", func(s *fitSettings) error { s.validation = &d; return nil })
}

// StepsPerEpoch is fit's steps_per_epoch: an epoch is that many batches. Of data in
// memory, the next batches of the current pass over it (a pass spans epochs, as Keras's
// fit on arrays); of an iterator (Data.Batches), the first that many batches the epoch's
// call yields, fewer if it ends first. An endless iterator needs it.
func StepsPerEpoch(n int) FitOption {
	return named("StepsPerEpoch", func(s *fitSettings) error {
		if n <= 0 {
			return fmt.Errorf("steps per epoch: %d: want > 0", n)
		}
		s.stepsPerEpoch = n
		return nil
	})
}

// ValidationSteps is fit's validation_steps: validate on the first n batches of the
// validation data (of an iterator, the first n it yields each epoch; an endless one
// needs it). Default: all of it.
func ValidationSteps(n int) FitOption {
	return named("ValidationSteps", func(s *fitSettings) error {
		if n <= 0 {
			return fmt.Errorf("validation steps: %d: want > 0", n)
		}
		s.validationSteps = n
		return nil
	})
}

// Callbacks are fit's callbacks, called in order after a loaded config's train.callbacks
// (and before TerminateOnNaN's check, which every fit has).
func Callbacks(cbs ...CallbackOption) FitOption {
	return named("Callbacks", func(s *fitSettings) error { s.callbacks = append(s.callbacks, cbs...); return nil })
}

// Progress shows fit's progress on w as Keras's verbose does (runner.VerboseBar,
// VerboseLines, ...; VerboseAuto: a bar on a terminal, lines elsewhere). Default: silent.
func Progress(w io.Writer, v runner.Verbosity) FitOption {
	return named("Progress", func(s *fitSettings) error { s.out, s.verbose = w, v; return nil })
}

// RunDir keeps the fit's files in dir, as a tfrun run directory: checkpoints/ (every 15
// epochs and at the end, the newest 5), history.json, history.csv, summary.txt, model.dot
// and model.svg (Model.PlotModel's picture) and the callbacks' files. Without it, nothing is kept.
func RunDir(dir string) FitOption {
	return named("RunDir", func(s *fitSettings) error {
		if dir == "" {
			return fmt.Errorf("run directory: empty")
		}
		s.runDir = dir
		return nil
	})
}

// Resume continues the RunDir's latest checkpoint (weights, optimizer, position,
// history, callbacks' state), as tfrun -resume does, or starts there when it has none.
func Resume() FitOption {
	return named("Resume", func(s *fitSettings) error { s.resume = true; return nil })
}

// settings applies opts to t's epochs, batch size and shuffle; only may name the
// options allowed (nil: all).
func settings(what string, t configs.Train, opts []FitOption, only ...string) (*fitSettings, error) {
	s := &fitSettings{epochs: t.Epochs, batchSize: t.BatchSize, shuffle: t.Shuffle}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
	}
	if only != nil {
		for _, name := range s.set {
			if !contains(only, name) {
				return nil, fmt.Errorf("%s: option %s: %s takes only %v", what, name, what, only)
			}
		}
	}
	if s.resume && s.runDir == "" {
		return nil, fmt.Errorf("%s: Resume needs a RunDir", what)
	}
	return s, nil
}

// Fit trains the model on data (Keras's Model.fit) with runner's loop, the loop of a
// tfrun run: per epoch a seeded shuffle, the batches, the validation, the callbacks; a
// checkpoint at the end. It builds the model first if Build has not, and before its first
// fit adapts the model's Normalization layers to data (Keras's layer.adapt), as a tfrun
// run does. It returns the
// history of the epochs trained.
//
// Cancelling ctx stops training between two steps with an error for which
// errors.Is(err, runner.ErrInterrupted) holds; with RunDir the checkpoint of that step is
// kept there, and Fit with RunDir and Resume continues from it.
func (m *Model) Fit(ctx context.Context, data Data, opts ...FitOption) (*History, error) {
	if m.compiled == nil {
		return nil, fmt.Errorf("fit: %w", ErrNotCompiled)
	}
	s, err := settings("fit", m.train(), opts)
	if err != nil {
		return nil, err
	}
	if s.steps > 0 {
		return nil, fmt.Errorf("fit: Steps is evaluate's and predict's; fit takes StepsPerEpoch")
	}
	if data.Batches != nil || (s.validation != nil && s.validation.Batches != nil) {
		return m.fitFed(ctx, data, s)
	}
	if m.multi() {
		if s.validationSteps > 0 {
			return nil, fmt.Errorf("fit: ValidationSteps with several inputs or outputs takes validation data from an iterator (Data.Batches)")
		}
		return m.fitMulti(ctx, data, s)
	}
	train, err := data.dataset("fit: data")
	if err != nil {
		return nil, err
	}
	var val *classifier.Dataset
	if s.validation != nil {
		if val, err = s.validation.dataset("fit: validation data"); err != nil {
			return nil, err
		}
		if val.LabelWidth != train.LabelWidth || !slices.Equal(val.Shape, train.Shape) || (val.Ints != nil) != (train.Ints != nil) {
			return nil, fmt.Errorf("fit: validation data: examples %v with %d labels each, but the training data's are %v with %d", val.Shape, max(val.LabelWidth, 1), train.Shape, max(train.LabelWidth, 1))
		}
		if s.validationSteps > 0 {
			val = val.Head(s.validationSteps * s.batchSize)
		}
	}
	if err := m.build(data.X, max(train.LabelWidth, 1), s.batchSize, data.SampleWeight != nil); err != nil {
		return nil, fmt.Errorf("fit: %w", err)
	}
	first := !m.adapted // the first Fit of weights that came from no checkpoint
	if !m.adapted {     // layer.adapt(data) before the first fit, as a tfrun run does
		if err := m.c.Adapt(train, s.batchSize); err != nil {
			return nil, fmt.Errorf("fit: %w", err)
		}
		m.adapted = true
	}
	tm := m.c.Training(train, val, s.batchSize)
	var initial func(io.Writer, *configs.Config, *runner.Run) error
	if first { // a loaded config's train.initial_weights, unless the run resumes
		initial = func(log io.Writer, cfg *configs.Config, r *runner.Run) error {
			return classifier.LoadInitialWeights(log, cfg, r, m.c.Session(), m.c.Weights())
		}
	}
	return m.runFit(ctx, s, tm, train.Len(), m.c.Model, func(t configs.Train) (*configs.Config, error) { return m.config(t), nil }, initial)
}

// fitMulti is Fit for a model of several inputs or outputs.
func (m *Model) fitMulti(ctx context.Context, data Data, s *fitSettings) (*History, error) {
	train, err := data.examples("fit: data", true)
	if err != nil {
		return nil, err
	}
	var val *classifier.Examples
	if s.validation != nil {
		if val, err = s.validation.examples("fit: validation data", true); err != nil {
			return nil, err
		}
		if signature(val) != signature(train) {
			return nil, fmt.Errorf("fit: validation data: %s, but the training data's are %s", signature(val), signature(train))
		}
	}
	if err := m.buildMulti(train, s.batchSize); err != nil {
		return nil, fmt.Errorf("fit: %w", err)
	}
	first := !m.adapted // the first Fit of weights that came from no checkpoint
	if !m.adapted {     // layer.adapt(data) before the first fit
		if err := m.mo.Adapt(train, s.batchSize); err != nil {
			return nil, fmt.Errorf("fit: %w", err)
		}
		m.adapted = true
	}
	tm, err := m.mo.Training(train, val, s.batchSize)
	if err != nil {
		return nil, fmt.Errorf("fit: %w", err)
	}
	var initial func(io.Writer, *configs.Config, *runner.Run) error
	if first { // a loaded config's train.initial_weights, unless the run resumes
		initial = func(log io.Writer, cfg *configs.Config, r *runner.Run) error {
			return classifier.LoadInitialWeights(log, cfg, r, m.mo.Session(), m.mo.Weights())
		}
	}
	return m.runFit(ctx, s, tm, train.Len(), m.mo.Model, m.multiConfig, initial)
}

// runFit trains tm (examples training examples) with runner's loop as s says, with the
// run config config gives for the fit's train section; model is the built model (its
// summary.txt and picture go to the run directory);
// initial, unless nil, loads the run's first weights (train.initial_weights) once it has begun.
func (m *Model) runFit(ctx context.Context, s *fitSettings, tm runner.Model, examples int, model builders.Model, config func(configs.Train) (*configs.Config, error),
	initial func(io.Writer, *configs.Config, *runner.Run) error) (*History, error) {
	cbs, own, err := s.splitCallbacks()
	if err != nil {
		return nil, err
	}
	dir, cleanup, err := s.workDir()
	if err != nil {
		return nil, err
	}
	defer cleanup()
	t := m.train()
	t.Epochs, t.BatchSize, t.Shuffle = s.epochs, s.batchSize, s.shuffle
	t.Callbacks = append(slices.Clone(t.Callbacks), cbs...)
	if s.stepsPerEpoch > 0 {
		t.StepsPerEpoch = &s.stepsPerEpoch
	}
	cfg, err := config(t)
	if err != nil {
		return nil, fmt.Errorf("fit: %w", err)
	}
	if s.runDir == "" {
		cfg.Checkpoint = configs.Checkpoint{Every: s.epochs, Keep: 1}
	}
	sched := classifier.Schedule(cfg)
	sched.BatchSizeKey = "BatchSize"
	r, err := runner.Begin(cfg, runner.Options{OutDir: dir, Out: s.out, Verbose: s.verbose, Callbacks: own, ResumeOrStart: s.resume}, sched)
	if err != nil {
		return nil, fmt.Errorf("fit: %w", err)
	}
	defer r.Close()
	if initial != nil {
		log := s.out
		if log == nil {
			log = io.Discard
		}
		if err := initial(log, cfg, r); err != nil {
			return nil, fmt.Errorf("fit: %w", err)
		}
	}
	if s.runDir != "" {
		if err := runner.WriteFile(filepath.Join(s.runDir, "summary.txt"), []byte(model.Summary())); err != nil {
			return nil, fmt.Errorf("fit: %w", err)
		}
		if err := plots.SaveModelGraph(s.runDir, builders.PlotGraph(model)); err != nil {
			return nil, fmt.Errorf("fit: %w", err)
		}
	}
	spec := runner.FitSpec{Examples: examples}
	if s.runDir != "" {
		spec.Report = func(h *runner.History) error { return h.WriteFiles(s.runDir) }
	}
	h, err := r.Fit(ctx, tm, spec)
	if err != nil {
		return h, fmt.Errorf("fit: %w", err)
	}
	return h, nil
}

// splitCallbacks sorts the fit's callbacks into the built-in ones (by Keras's name, as a
// config's train.callbacks) and the Go ones the runner calls directly.
func (s *fitSettings) splitCallbacks() ([]configs.Callback, []runner.Callback, error) {
	var cbs []configs.Callback
	var own []runner.Callback
	for i, c := range s.callbacks {
		cfgCB, cb, err := c.callback()
		if err != nil {
			return nil, nil, fmt.Errorf("fit: callbacks[%d]: %w", i, err)
		}
		if cb != nil {
			own = append(own, cb)
		} else {
			cbs = append(cbs, cfgCB)
		}
	}
	return cbs, own, nil
}

// workDir is the run directory the fit writes: RunDir's, or a temporary one that cleanup
// removes.
func (s *fitSettings) workDir() (dir string, cleanup func(), err error) {
	if s.runDir != "" {
		return s.runDir, func() {}, nil
	}
	if dir, err = os.MkdirTemp("", "tfrun-fit-"); err != nil {
		return "", nil, fmt.Errorf("fit: %w", err)
	}
	return dir, func() { os.RemoveAll(dir) }, nil
}
