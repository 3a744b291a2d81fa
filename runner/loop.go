package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"time"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/graphs"
)

// Model is what the loop trains. A classifier and a GAN each implement it; the loop does
// everything else.
type Model interface {
	Graph() *graphs.Graph
	Session() *graphs.Session
	// Variables are every variable a checkpoint holds: weights and non-trainable state,
	// every optimizer's variables, the graph's step counter.
	Variables() []*graphs.Variable
	// Weights are the model's weights, trainable and not: what EarlyStopping snapshots and
	// TensorBoard draws.
	Weights() []*graphs.Variable
	// TrainStep trains on the training examples at idx (the epoch's order), advances the
	// graph's step counter by one and returns the batch's metrics.
	TrainStep(idx []int) (Logs, error)
	// EndEpoch returns what an epoch's logs add after its steps: validation metrics
	// (val_*) and learning rates.
	EndEpoch() (Logs, error)
	// LearningRate and SetLearningRate are the learning rate ReduceLROnPlateau acts on.
	LearningRate() (float64, error)
	SetLearningRate(lr float64) error
}

// ImageModel is a Model with pictures of each epoch (a GAN's sample grid), which the
// TensorBoard callback logs. EndEpoch makes them.
type ImageModel interface {
	Model
	Images() map[string]image.Image
}

// Schedule is how a kind of run trains: its config's epochs, batch size and shuffling.
type Schedule struct {
	Epochs    int
	BatchSize int
	// BatchSizeKey is the config key of BatchSize, for messages ("train.batch_size").
	BatchSizeKey string
	Shuffle      bool
	// Callbacks are the config's callbacks.
	Callbacks []configs.Callback
	// Distributed says the model can train as one replica of a cluster (Options.Cluster):
	// it splits each global batch and all-reduces its gradients and metrics.
	Distributed bool
	// LearningRate, if set, is a learning-rate schedule (configs.Schedule.LearningRate):
	// before each training step the loop sets the model's learning rate to its value at
	// the step, the number of steps before (the graph's step counter, which a checkpoint
	// keeps, so a resumed run continues the schedule exactly).
	LearningRate func(step int64) float64
	// StepsPerEpoch > 0 is Keras's fit steps_per_epoch: an epoch is that many batches of
	// the current pass over the data, or fewer when the pass ends first (epochSlice).
	StepsPerEpoch int
	// InitialEpoch is Keras's fit initial_epoch: the 0-based epoch a fresh run starts at;
	// a resumed run starts at its checkpoint's, as Keras's BackupAndRestore overrides it.
	InitialEpoch int
	// Validate, if set, says whether the 0-based epoch validates (fit's validation_freq);
	// on the other epochs the loop ends the epoch through the model's
	// ValidationSkipper. Nil: every epoch.
	Validate func(epoch int) bool
}

// ValidationSkipper is a Model that can end an epoch without validating (fit's
// validation_freq): EndEpochWithoutValidation returns EndEpoch's logs but the val_ ones.
type ValidationSkipper interface {
	EndEpochWithoutValidation() (Logs, error)
}

// Run is one training run: its run directory (locked against a second run), its seed and
// epochs, and the checkpoint it continues, if it resumes. Begin makes one, Fit trains it,
// Close releases it.
type Run struct {
	Config  *configs.Config
	Options Options
	// Seed is the run's seed: the config's, -seed's, or the resumed checkpoint's.
	Seed int64
	// Epochs is how many epochs the run trains to.
	Epochs int
	// Out receives the run's log (never nil).
	Out io.Writer
	// Verbose is how Fit shows progress on Out: Options.Verbose, resolved (never VerboseAuto).
	Verbose Verbosity

	sched  Schedule
	ckOpts checkpoints.Options
	info   *checkpoints.Info
	state  *runState
	unlock func()
}

// CheckpointOptions are the checkpoint options of runs of cfg in runDir.
func CheckpointOptions(cfg *configs.Config, runDir string) checkpoints.Options {
	return checkpoints.Options{Dir: checkpoints.Dir(runDir), Keep: cfg.Checkpoint.Keep, Fingerprint: cfg.Fingerprint(),
		Source: cfg.File, Definition: cfg.ModelDefinition()}
}

// Begin prepares a run of cfg in o.OutDir before anything is built: it creates the run
// directory, locks its checkpoints, applies the -resume policy (checkpoints.Prepare) and
// refuses to resume under options that would not continue the same training.
func Begin(cfg *configs.Config, o Options, s Schedule) (*Run, error) {
	r := &Run{Config: cfg, Options: o, Seed: cfg.Seed, Epochs: s.Epochs, Out: o.Out, sched: s,
		ckOpts: CheckpointOptions(cfg, o.OutDir)}
	if r.Out == nil {
		r.Out = io.Discard
	}
	r.Verbose = o.Verbose.resolve(r.Out)
	if o.Seed != nil {
		r.Seed = *o.Seed
	}
	if o.Epochs > 0 {
		r.Epochs = o.Epochs
	}
	if err := checkDistributed(o, s); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return nil, fmt.Errorf("run directory: %w", err)
	}
	prepare := checkpoints.Prepare
	if isWorker(o) {
		prepare = prepareWorker
	}
	info, unlock, err := prepare(r.ckOpts, checkpoints.Policy{Resume: o.Resume, ResumeOrStart: o.ResumeOrStart})
	if err != nil {
		return nil, err
	}
	r.unlock = unlock
	if info == nil {
		if s.InitialEpoch >= r.Epochs {
			r.Close()
			return nil, fmt.Errorf("initial epoch %d >= epochs %d: nothing to train (epochs is the final epoch, as in Keras's fit)", s.InitialEpoch, r.Epochs)
		}
		return r, nil
	}
	var tag struct {
		Format string `json:"format"`
	}
	if json.Unmarshal(info.State, &tag); tag.Format != runStateFormat {
		r.Close()
		return nil, &checkpoints.Error{Op: "restoring", Path: info.Prefix, Kind: checkpoints.ErrMismatch,
			Err: fmt.Errorf("its training state is of another format (%q, this tfrun reads %q): it was written by an earlier tfrun, which can continue it; or start over in another -out", tag.Format, runStateFormat)}
	}
	st := &runState{}
	if err := checkpoints.DecodeState(info.Prefix, info.State, st); err != nil {
		r.Close()
		return nil, err
	}
	if err := st.resumable(o, s); err != nil {
		r.Close()
		return nil, fmt.Errorf("-resume from %s: %w", info.Prefix, err)
	}
	r.info, r.state, r.Seed = info, st, st.Seed
	return r, nil
}

// resumable refuses to resume under options that would not continue the same training:
// another seed, other examples, or a partial epoch with another batch size.
func (st *runState) resumable(o Options, s Schedule) error {
	if o.Seed != nil && *o.Seed != st.Seed {
		return fmt.Errorf("%w: -seed %d: the checkpoint was trained with seed %d (a resumed run keeps its seed; drop -seed)", ErrResumeOptions, *o.Seed, st.Seed)
	}
	if o.Limit != st.Limit {
		return fmt.Errorf("%w: -limit %d: the checkpoint was trained with -limit %d (resume with the same -limit)", ErrResumeOptions, o.Limit, st.Limit)
	}
	if st.Position.Batch > 0 && st.BatchSize != s.BatchSize {
		return fmt.Errorf("%w: %s %d: the checkpoint is in the middle of an epoch of batches of %d (resume with batch_size %d)",
			ErrResumeOptions, s.BatchSizeKey, s.BatchSize, st.BatchSize, st.BatchSize)
	}
	return nil
}

// Resumed is the checkpoint the run continues, nil for a fresh run.
func (r *Run) Resumed() *checkpoints.Info { return r.info }

// Close releases the run directory's lock.
func (r *Run) Close() {
	if r.unlock != nil {
		r.unlock()
		r.unlock = nil
	}
}

// FitSpec is what Fit needs besides the model.
type FitSpec struct {
	// Examples is the number of training examples; TrainStep gets positions in [0, Examples).
	Examples int
	// Report writes the run's report files (history, curves, sample grids) after each
	// epoch and after a resume; a failure is a warning, training goes on.
	Report func(h *History) error
}

// Fit trains m as Keras's Model.fit does: per epoch, a (seeded) shuffle, batches in order
// (the last one partial), the running means of the step's metrics weighted by batch size
// and a CountingModel's stateful metrics of the epoch's summed counts,
// the model's end-of-epoch logs (validation), the callbacks and one line of logs. It
// checkpoints every checkpoint.every epochs, when a callback asks, when the run is
// interrupted and once at the end, after the callbacks' OnTrainEnd: the final checkpoint
// holds the weights the run ends with (EarlyStopping's restored best), and what a resumed
// run needs to continue exactly.
//
// A resumed run (Begin found a checkpoint) first restores the checkpoint, its history and
// its callbacks' states, and continues where it stopped.
//
// When ctx is cancelled Fit stops between two steps, saves a checkpoint and returns an
// *InterruptedError. A non-finite loss stops it with ErrNotFinite (TerminateOnNaN, which
// every run has) and the last good checkpoint stays the latest.
func (r *Run) Fit(ctx context.Context, m Model, spec FitSpec) (*History, error) {
	out, bs := r.Out, r.sched.BatchSize
	n := spec.Examples
	im, fromIterator := m.(IteratorModel)
	if n <= 0 && !fromIterator {
		return nil, fmt.Errorf("fit: no training examples")
	}
	if bs <= 0 {
		return nil, fmt.Errorf("fit: batch size %d", bs)
	}
	passBatches := (n + bs - 1) / bs
	spe, origin := r.sched.StepsPerEpoch, r.sched.InitialEpoch
	if fromIterator { // an epoch is the iterator's batches, or steps_per_epoch of them (-1: unknown)
		passBatches = spe
		if spe <= 0 {
			passBatches = -1
		}
	}
	report := func(h *History) {
		if spec.Report == nil || isWorker(r.Options) {
			return
		}
		if err := spec.Report(h); err != nil {
			fmt.Fprintf(out, "warning: %v (training goes on)\n", err)
		}
	}
	callbacks, err := NewCallbacks(r.sched.Callbacks)
	if err != nil {
		return nil, err
	}
	callbacks = withTerminateOnNaN(append(callbacks, r.Options.Callbacks...))

	ck, err := checkpoints.NewCheckpointer(m.Graph(), m.Session(), m.Variables(), r.ckOpts)
	if err != nil {
		return nil, err
	}
	t := &trainer{run: r, m: m, h: &History{}, ck: ck, callbacks: callbacks, examples: n}
	if isWorker(r.Options) {
		if t.scratch, err = os.MkdirTemp("", "tfrun-worker-"); err != nil {
			return nil, fmt.Errorf("worker scratch directory: %w", err)
		}
		defer os.RemoveAll(t.scratch)
	}
	var extras map[string]*tf.Tensor
	if r.info != nil {
		st := r.state
		if st.Position.Batch > 0 && st.TrainExamples != n {
			return nil, fmt.Errorf("-resume from %s: %w: the checkpoint is in the middle of an epoch over %d training examples, this run has %d (was the data or train.validation_split changed?)",
				r.info.Prefix, ErrResumeOptions, st.TrainExamples, n)
		}
		if fromIterator {
			origin = st.Position.Epoch
		} else if origin, err = r.resumedOrigin(n); err != nil {
			return nil, err
		}
		if extras, err = ck.Restore(r.info.Prefix, nil); err != nil {
			return nil, err
		}
		if st.LastEpochWeights {
			if err := t.restoreLastEpoch(extras); err != nil {
				return nil, fmt.Errorf("-resume from %s: %w", r.info.Prefix, err)
			}
		}
		t.h, t.at = st.History, st.Position
		if t.h == nil {
			t.h = &History{}
		}
		fmt.Fprintf(out, "Resumed from %s: %s\n", r.info.Prefix, describePosition(t.at, r.info.Step, epochSteps(fromIterator, t.at.Epoch, origin, spe, passBatches)))
		if r.sched.InitialEpoch != 0 {
			fmt.Fprintf(out, "Note: initial epoch %d is not used: a resumed run continues at its checkpoint's epoch (as Keras's BackupAndRestore overrides fit's initial_epoch).\n", r.sched.InitialEpoch)
		}
		if len(t.h.Epochs) > 0 {
			report(t.h)
		}
	}
	if r.info == nil {
		t.at = Position{Epoch: r.sched.InitialEpoch}
	}
	t.origin = origin
	if note := stepsNote(spe, passBatches, n, bs); note != "" && !fromIterator {
		fmt.Fprintln(out, note)
	}
	if t.step, err = stepOf(m); err != nil {
		return nil, err
	}
	h := t.h
	defer func() {
		for _, cb := range callbacks {
			if c, ok := cb.(Closer); ok {
				if err := c.Close(); err != nil {
					fmt.Fprintf(out, "warning: callback %s: %v\n", cb.Name(), err)
				}
			}
		}
	}()
	for _, cb := range callbacks {
		if err := cb.OnTrainBegin(t); err != nil {
			return h, fmt.Errorf("callback %s: %w", cb.Name(), err)
		}
	}
	if r.state != nil {
		if err := restoreCallbacks(callbacks, r.state.Callbacks, extras, m.Weights(), t.Logf); err != nil {
			return h, err
		}
	}
	// fail ends a fit that went wrong: the report files are brought up to date and the
	// error says which checkpoint is kept.
	fail := func(err error) (*History, error) {
		if len(h.Epochs) > 0 {
			report(h)
		}
		var ce *checkpoints.Error
		if prefix, _ := ck.Last(); prefix != "" && !(errors.As(err, &ce) && ce.Op == "saving") {
			return h, fmt.Errorf("%w; the last good checkpoint, %s, is kept (continue from it with -resume)", err, prefix)
		}
		return h, err
	}
	every := max(r.Config.Checkpoint.Every, 1)

	for epoch := t.at.Epoch; epoch < r.Epochs && !t.at.Stopped; epoch++ {
		start := time.Now().Add(-time.Duration(t.at.Seconds * float64(time.Second)))
		var sl epochSlice
		if fromIterator {
			sl.batches = passBatches
		} else {
			sl = sliceOf(epoch, origin, spe, passBatches)
		}
		steps, lo := sl.batches, sl.first*bs
		var order []int
		if fromIterator {
			if err := im.BeginEpoch(epoch, t.at.Batch); err != nil {
				return fail(fmt.Errorf("epoch %d: %w", epoch+1, err))
			}
		} else {
			order = epochOrder(n, r.sched.Shuffle, r.Seed+int64(sl.passStart))
		}
		if p, ok := m.(EpochPlanner); ok && !fromIterator {
			if err := p.PlanEpoch(order[min(lo+t.at.Batch*bs, n):min(lo+steps*bs, n)], bs); err != nil {
				return fail(fmt.Errorf("epoch %d: %w", epoch+1, err))
			}
		}
		sums, seen := map[string]float64{}, t.at.Seen
		for k, v := range t.at.Sums {
			sums[k] = float64(v)
		}
		counts := countsFromJSON(t.at.Counts)
		bar := beginEpoch(out, r.Verbose, epoch+1, r.Epochs, steps, t.at.Batch)
		for b := t.at.Batch; b < steps || steps < 0; b++ {
			if ctx.Err() != nil {
				bar.stop()
				t.at = Position{Epoch: epoch, Batch: b, Sums: toJSONFloats(sums), Seen: seen, Counts: countsToJSON(counts), Seconds: time.Since(start).Seconds()}
				return r.interrupted(t, steps)
			}
			var idx []int
			if !fromIterator {
				idx = order[lo+b*bs : min(lo+(b+1)*bs, n)]
			}
			if lr := r.sched.LearningRate; lr != nil {
				if err := m.SetLearningRate(lr(t.step)); err != nil {
					bar.stop()
					return fail(fmt.Errorf("learning-rate schedule: %w", err))
				}
			}
			var logs Logs
			var batchCounts Counts
			size := len(idx)
			switch cm, ok := m.(CountingModel); {
			case fromIterator:
				size, logs, batchCounts, err = im.TrainNext()
			case ok:
				logs, batchCounts, err = cm.TrainStepCounts(idx)
			default:
				logs, err = m.TrainStep(idx)
			}
			if fromIterator && errors.Is(err, ErrEndOfData) {
				if b == 0 {
					bar.stop()
					return fail(fmt.Errorf("epoch %d: the iterator yielded no batches", epoch+1))
				}
				steps = b
				break
			}
			if err != nil {
				bar.stop()
				return fail(err)
			}
			t.step++
			for k, v := range logs {
				sums[k] += float64(size) * v
			}
			seen += size
			counts.add(batchCounts)
			running, err := epochLogs(m, sums, seen, counts)
			if err != nil {
				bar.stop()
				return fail(err)
			}
			for _, cb := range callbacks {
				if err := cb.OnBatchEnd(t, t.step, running); err != nil {
					bar.stop()
					return fail(fmt.Errorf("epoch %d, batch %d: %w", epoch+1, b+1, err))
				}
			}
			bar.step(running)
		}

		logs, err := epochLogs(m, sums, seen, counts)
		if err != nil {
			bar.stop()
			return fail(err)
		}
		end, err := r.endEpoch(m, epoch) // validation: the finished bar stays up meanwhile, as Keras's does
		if err != nil {
			bar.stop()
			return fail(err)
		}
		for k, v := range end {
			logs[k] = v
		}
		elapsed := time.Since(start)
		secs := elapsed.Seconds()
		bar.endEpoch(steps, elapsed, logs)
		h.Append(epoch+1, withSeconds(logs, secs))
		t.at = Position{Epoch: epoch + 1}
		var msgs []string
		for _, cb := range callbacks {
			msg, err := cb.OnEpochEnd(t, epoch, logs)
			if err != nil {
				return fail(fmt.Errorf("callback %s: %w", cb.Name(), err))
			}
			msgs = append(msgs, msg...)
		}
		for _, msg := range msgs {
			fmt.Fprintln(out, msg)
		}
		if t.stop || epoch+1 >= r.Epochs {
			t.at.Stopped = t.stop
			break // the final checkpoint comes after OnTrainEnd
		}
		// The checkpoint first: the run's files are reports, the checkpoint is the work.
		if (epoch+1)%every == 0 || t.requested {
			if _, err := t.save(true); err != nil {
				return fail(fmt.Errorf("epoch %d: %w", epoch+1, err))
			}
		}
		t.requested = false
		report(h)
	}

	t.ending = true
	for _, cb := range callbacks {
		if err := cb.OnTrainEnd(t); err != nil {
			return fail(fmt.Errorf("callback %s: %w", cb.Name(), err))
		}
	}
	if _, err := t.save(true); err != nil {
		return fail(fmt.Errorf("epoch %d: %w", t.at.Epoch, err))
	}
	report(h)
	return h, nil
}

// endEpoch is the model's end-of-epoch logs: with validation, unless fit's
// validation_freq skips this epoch's.
func (r *Run) endEpoch(m Model, epoch int) (Logs, error) {
	if v := r.sched.Validate; v == nil || v(epoch) {
		return m.EndEpoch()
	}
	vs, ok := m.(ValidationSkipper)
	if !ok {
		return nil, fmt.Errorf("epoch %d: validation_freq skips its validation, but a %T cannot end an epoch without validating", epoch+1, m)
	}
	return vs.EndEpochWithoutValidation()
}

// resumedOrigin is the epoch the resumed run's passes over its n training examples count
// from (epochSlice): the checkpoint's, when the batches per pass and steps_per_epoch are
// as they were; otherwise the checkpoint's epoch starts a new pass, which only a
// checkpoint at the end of a pass allows.
func (r *Run) resumedOrigin(n int) (int, error) {
	st, bs, spe := r.state, r.sched.BatchSize, r.sched.StepsPerEpoch
	if st.StepsPerEpoch == spe && st.BatchSize == bs && st.TrainExamples == n {
		return st.PassOrigin, nil
	}
	oldBatches := 1
	if st.BatchSize > 0 {
		oldBatches = (st.TrainExamples + st.BatchSize - 1) / st.BatchSize
	}
	if old := sliceOf(st.Position.Epoch, st.PassOrigin, st.StepsPerEpoch, oldBatches); st.Position.Batch > 0 || old.first > 0 {
		return 0, fmt.Errorf("-resume from %s: %w: the checkpoint is at batch %d of a pass over its %d training examples in batches of %d, %d per epoch (steps_per_epoch %d); this run has %d examples, batch size %d, steps_per_epoch %d: resume with the checkpoint's to continue that pass",
			r.info.Prefix, ErrResumeOptions, old.first+st.Position.Batch, st.TrainExamples, st.BatchSize, old.batches, st.StepsPerEpoch, n, bs, spe)
	}
	return st.Position.Epoch, nil
}

// interrupted saves the run at t.at and returns the *InterruptedError.
func (r *Run) interrupted(t *trainer, steps int) (*History, error) {
	if t.step == 0 {
		fmt.Fprintf(r.Out, "\nInterrupted before the first training step: nothing to save.\n")
		return t.h, &InterruptedError{At: t.at}
	}
	prefix, err := t.save(false)
	if err != nil {
		return t.h, fmt.Errorf("%w at epoch %d, step %d; saving a checkpoint failed: %v", ErrInterrupted, t.at.Epoch+1, t.at.Batch, err)
	}
	if t.scratch != "" {
		fmt.Fprintf(r.Out, "\nInterrupted at epoch %d/%d, step %d/%s: this replica saves nothing (the chief does); stop every task.\n",
			t.at.Epoch+1, r.Epochs, t.at.Batch, stepsOf(steps))
		return t.h, &InterruptedError{At: t.at, Replica: true}
	}
	fmt.Fprintf(r.Out, "\nInterrupted at epoch %d/%d, step %d/%s: checkpoint %s holds the run up to here; continue it with -resume.\n",
		t.at.Epoch+1, r.Epochs, t.at.Batch, stepsOf(steps), prefix)
	return t.h, &InterruptedError{At: t.at, Saved: prefix}
}

// trainer is the loop's Trainer: the model, the run's position and history, and the
// checkpointing the callbacks may ask for.
type trainer struct {
	run       *Run
	m         Model
	h         *History
	ck        *checkpoints.Checkpointer
	callbacks []Callback
	examples  int // training examples per epoch
	origin    int // an epoch a pass over the data starts at (epochSlice)
	at        Position
	step      int64 // the graph's step counter, tracked
	stop      bool  // a callback stopped training
	requested bool  // a callback asked for a checkpoint this epoch
	ending    bool  // OnTrainEnd is running
	// lastEpoch is a copy of the weights the last epoch ended with, taken when a callback
	// replaces them at the end of training.
	lastEpoch []*tf.Tensor
	// scratch, on a replica that is not the chief, is where its callbacks write, removed at
	// the end (Keras's workertemp directories); its checkpoints are not written at all.
	scratch string
}

func (t *trainer) LearningRate() (float64, error)      { return t.m.LearningRate() }
func (t *trainer) SetLearningRate(lr float64) error    { return t.m.SetLearningRate(lr) }
func (t *trainer) WeightVariables() []*graphs.Variable { return t.m.Weights() }
func (t *trainer) StopTraining()                       { t.stop = true }
func (t *trainer) RunDir() string                      { return t.writeDir() }
func (t *trainer) Position() Position                  { return t.at }
func (t *trainer) GlobalStep() (int64, error)          { return t.step, nil }
func (t *trainer) History() *History                   { return t.h }
func (t *trainer) RequestCheckpoint()                  { t.requested = true }

// validationSkipping is a Trainer that says whether some epochs skip validation (fit's
// validation_freq), which CSVLogger's columns need to know.
type validationSkipping interface{ SkipsValidation() bool }

func (t *trainer) SkipsValidation() bool { return t.run.sched.Validate != nil }

func (t *trainer) Logf(format string, args ...any) { fmt.Fprintf(t.run.Out, format+"\n", args...) }

func (t *trainer) Weights() ([]*tf.Tensor, error) { return t.m.Session().Get(t.m.Weights()...) }

// SetWeights replaces the model's weights. At the end of training it first keeps the last
// epoch's, which the final checkpoint needs for a resumed run to continue exactly.
func (t *trainer) SetWeights(w []*tf.Tensor) error {
	if t.ending && t.lastEpoch == nil {
		last, err := t.Weights()
		if err != nil {
			return err
		}
		t.lastEpoch = last
	}
	return t.m.Session().Set(t.m.Weights(), w)
}

func (t *trainer) GraphDef() ([]byte, error) {
	var b bytes.Buffer
	if _, err := t.m.Graph().TF().WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func (t *trainer) Images() map[string]image.Image {
	if im, ok := t.m.(ImageModel); ok {
		return im.Images()
	}
	return nil
}

// SaveCheckpoint saves the run as it is now into another directory (ModelCheckpoint's
// best checkpoint).
func (t *trainer) SaveCheckpoint(dir string, keep int) (string, error) {
	if t.scratch != "" {
		return "", nil // the chief saves
	}
	st, extras, err := t.snapshot()
	if err != nil {
		return "", err
	}
	return t.ck.SaveCopy(dir, keep, t.step, st, extras...)
}

// save writes the run's checkpoint at t.at (nothing when the step is the one last saved
// or restored) and, if say, names a new one in the log.
func (t *trainer) save(say bool) (string, error) {
	if t.scratch != "" {
		return "", nil // the chief saves
	}
	st, extras, err := t.snapshot()
	if err != nil {
		return "", err
	}
	_, last := t.ck.Last()
	prefix, err := t.ck.Save(t.step, st, extras...)
	if err == nil && say && t.step != last {
		fmt.Fprintf(t.run.Out, "Epoch %d: saved checkpoint %s\n", t.at.Epoch, prefix)
	}
	return prefix, err
}

// snapshot is the training state and the extra tensors of a checkpoint taken now.
func (t *trainer) snapshot() (*runState, []checkpoints.Tensor, error) {
	r := t.run
	states, extras, err := callbackStates(t.callbacks, t.m.Weights())
	if err != nil {
		return nil, nil, err
	}
	st := &runState{Format: runStateFormat, Seed: r.Seed, Limit: r.Options.Limit, BatchSize: r.sched.BatchSize, Epochs: r.Epochs,
		Position: t.at, History: t.h, Callbacks: states}
	st.TrainExamples = t.examples
	st.StepsPerEpoch, st.PassOrigin = r.sched.StepsPerEpoch, t.origin
	if k, ok := t.m.(KernelFormer); ok {
		st.KernelForms = k.KernelForms()
	}
	if t.lastEpoch != nil {
		st.LastEpochWeights = true
		for i, v := range t.m.Weights() {
			extras = append(extras, checkpoints.Tensor{Name: lastEpochPrefix + "/" + v.Name, Value: t.lastEpoch[i]})
		}
	}
	return st, extras, nil
}

// restoreLastEpoch puts a final checkpoint's last-epoch weights back into the model.
func (t *trainer) restoreLastEpoch(extras map[string]*tf.Tensor) error {
	vars := t.m.Weights()
	ts := make([]*tf.Tensor, len(vars))
	for i, v := range vars {
		if ts[i] = extras[lastEpochPrefix+"/"+v.Name]; ts[i] == nil {
			return fmt.Errorf("%w: the checkpoint lacks %s/%s", checkpoints.ErrCorrupt, lastEpochPrefix, v.Name)
		}
	}
	return t.m.Session().Set(vars, ts)
}

// callbackStates snapshots the Stateful callbacks' states; the i-th callback of a type
// keeps its tensors under _<type>[_i] (EarlyStopping: _early_stopping/best_weights/...).
func callbackStates(cbs []Callback, weights []*graphs.Variable) ([]callbackState, []checkpoints.Tensor, error) {
	var states []callbackState
	var extras []checkpoints.Tensor
	count := map[string]int{}
	for _, cb := range cbs {
		s, ok := cb.(Stateful)
		if !ok {
			continue
		}
		prefix := "_" + snakeCase(cb.Name())
		if k := count[cb.Name()]; k > 0 {
			prefix += fmt.Sprintf("_%d", k)
		}
		count[cb.Name()]++
		raw, ex, err := s.State(prefix, weights)
		if err != nil {
			return nil, nil, fmt.Errorf("callback %s: %w", cb.Name(), err)
		}
		states = append(states, callbackState{Type: cb.Name(), Monitor: s.Monitor(), State: raw})
		extras = append(extras, ex...)
	}
	return states, extras, nil
}

// restoreCallbacks puts checkpointed states back into callbacks that have had
// OnTrainBegin. Callbacks are matched in order by type and monitor; a callback the
// checkpoint does not have (the config changed) starts fresh, with a note on the log.
func restoreCallbacks(cbs []Callback, states []callbackState, extras map[string]*tf.Tensor, weights []*graphs.Variable, logf func(string, ...any)) error {
	used := make([]bool, len(states))
	for _, cb := range cbs {
		s, ok := cb.(Stateful)
		if !ok {
			continue
		}
		found := false
		for i := range states {
			if used[i] || states[i].Type != cb.Name() || states[i].Monitor != s.Monitor() {
				continue
			}
			used[i], found = true, true
			if err := s.SetState(states[i].State, extras, weights); err != nil {
				return fmt.Errorf("callback %s: restoring its state: %w", cb.Name(), err)
			}
			break
		}
		if !found {
			logf("Note: the checkpoint has no state for %s(monitor=%s); it starts fresh.", cb.Name(), s.Monitor())
		}
	}
	for i, st := range states {
		if !used[i] {
			logf("Note: the checkpoint's %s(monitor=%s) state is not used: the config no longer has that callback.", st.Type, st.Monitor)
		}
	}
	return nil
}

// stepOf reads a model's step counter.
func stepOf(m Model) (int64, error) {
	out, err := m.Session().Get(m.Graph().StepCounter())
	if err != nil {
		return 0, err
	}
	step, ok := graphs.Value(out[0]).(int64)
	if !ok {
		return 0, fmt.Errorf("step counter is %T", graphs.Value(out[0]))
	}
	return step, nil
}

// describePosition says where a checkpoint is: "epoch 3, step 12/40 (global step 92)".
func describePosition(at Position, step int64, steps int) string {
	switch {
	case at.Stopped:
		return fmt.Sprintf("training had stopped early after epoch %d (global step %d)", at.Epoch, step)
	case at.Batch == 0:
		return fmt.Sprintf("%d epochs done (global step %d)", at.Epoch, step)
	}
	return fmt.Sprintf("epoch %d, step %d/%s (global step %d)", at.Epoch+1, at.Batch, stepsOf(steps), step)
}

// epochOrder is the order of an epoch's examples: shuffled from seed, or as they are.
func epochOrder(n int, shuffle bool, seed int64) []int {
	if shuffle {
		return datasets.Shuffle(n, seed)
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	return order
}

// epochLogs are the epoch's logs so far: the means of the steps' logs, and a
// CountingModel's metrics of the summed counts.
func epochLogs(m Model, sums map[string]float64, seen int, counts Counts) (Logs, error) {
	logs := means(sums, seen)
	if cm, ok := m.(CountingModel); ok && len(counts) > 0 {
		counted, err := cm.CountedLogs(counts)
		if err != nil {
			return nil, err
		}
		for k, v := range counted {
			logs[k] = v
		}
	}
	return logs, nil
}

// means divides weighted sums by the count.
func means(sums map[string]float64, seen int) Logs {
	l := Logs{}
	for k, v := range sums {
		l[k] = v / float64(seen)
	}
	return l
}

func toJSONFloats(m map[string]float64) map[string]jsonFloat {
	out := make(map[string]jsonFloat, len(m))
	for k, v := range m {
		out[k] = jsonFloat(v)
	}
	return out
}

// withSeconds is a copy of logs with the epoch's seconds, as the history records it.
func withSeconds(logs Logs, secs float64) Logs {
	l := Logs{"seconds": secs}
	for k, v := range logs {
		l[k] = v
	}
	return l
}
