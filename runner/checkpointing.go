package runner

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

// Checkpointing, for any training loop (the classifier's Fit, the GAN's): a Checkpointer
// saves and restores a run's variables and a JSON "training state" as TensorFlow
// checkpoints in <run dir>/checkpoints/, and PrepareCheckpoints applies the command
// line's -resume policy before anything is built. A loop uses them like this:
//
//	info, unlock, err := PrepareCheckpoints(cfg, o) // nil info: start fresh
//	if err != nil { return err }
//	defer unlock()
//	var st myState
//	if info != nil { json.Unmarshal(info.State, &st) } // seeds etc. needed to build
//	... build the graph (same seed), the session ...
//	ck, err := NewCheckpointer(g, sess, g.Variables(), CheckpointOptionsFor(cfg, o))
//	if info != nil { extras, err := ck.Restore(info.Prefix, &st) ... }
//	... train; every cfg.Checkpoint.Every epochs, at the end and on interruption:
//	prefix, err := ck.Save(step, st, extras...)
//
// What goes where: tensors (weights, BatchNorm moving statistics, optimizer slots,
// iterations and learning rate, the graph's step counter, which positions the stateless
// random streams of dropout and noise) in the bundle, under their variable names; tensors
// held in Go (EarlyStopping's best weights) as extras in the same bundle; everything else
// (epoch and position, history, callbacks' counters, seeds) in the state, stored in the
// checkpoint's sidecar ckpt-<step>.json.

// Errors of the -resume policy (PrepareCheckpoints); the command line exits 2 on them.
var (
	// ErrNoCheckpoint: -resume found no checkpoint in the run directory.
	ErrNoCheckpoint = errors.New("no checkpoint to resume from")
	// ErrCheckpointsExist: a fresh run was asked for in a run directory that holds
	// checkpoints, which it would mix with its own.
	ErrCheckpointsExist = errors.New("the run directory holds checkpoints")
	// ErrResumeOptions: -resume with options that would not continue the same training
	// (another -seed or -limit, another batch size in the middle of an epoch).
	ErrResumeOptions = errors.New("the options differ from the checkpoint's")
)

// CheckpointDir is where a run keeps its checkpoints: <run dir>/checkpoints.
func CheckpointDir(runDir string) string { return filepath.Join(runDir, "checkpoints") }

// CheckpointOptions configure a Checkpointer.
type CheckpointOptions struct {
	// Dir is the checkpoint directory, CheckpointDir(run dir).
	Dir string
	// Keep is how many checkpoints are kept, the newest (config checkpoint.keep, >= 1).
	Keep int
	// Fingerprint is the run config's Fingerprint(): a checkpoint restores only into a
	// model its fingerprint matches.
	Fingerprint string
	// Source names the config in messages (its file).
	Source string
	// Definition is the config's ModelDefinition(), what Fingerprint hashes; a checkpoint
	// keeps it so that a mismatch is explained setting by setting. Optional.
	Definition json.RawMessage
}

// CheckpointOptionsFor returns the options a run of cfg with command-line options o uses.
func CheckpointOptionsFor(cfg *configs.Config, o Options) CheckpointOptions {
	return CheckpointOptions{Dir: CheckpointDir(o.OutDir), Keep: cfg.Checkpoint.Keep, Fingerprint: cfg.Fingerprint(), Source: cfg.File,
		Definition: cfg.ModelDefinition()}
}

// Checkpointer saves and restores one training run: a fixed list of variables (all a
// run must continue from: model weights and non-trainable state, every optimizer's
// variables, the graph's step counter — usually g.Variables()), extra tensors, and a
// JSON-serialisable training state.
//
// Each Save writes checkpoint ckpt-<step> (TensorFlow's bundle format, readable by
// tf.train.load_checkpoint, plus the sidecar ckpt-<step>.json with the state) and makes
// it the latest in the directory's "checkpoint" file only once it is complete; the
// newest Keep are kept. A process killed at any moment leaves the previous checkpoint
// loadable. A Save refuses NaN or infinite values (checkpoints.ErrNotFinite) and leaves
// the last good checkpoint the latest.
type Checkpointer struct {
	sess       *graphs.Session
	m          *checkpoints.Manager
	o          CheckpointOptions
	lastPrefix string
	lastStep   int64
}

// NewCheckpointer adds the save and restore ops for vars to g (scope "save") and returns a
// Checkpointer for them in sess.
func NewCheckpointer(g *graphs.Graph, sess *graphs.Session, vars []*graphs.Variable, o CheckpointOptions) (*Checkpointer, error) {
	sv, err := checkpoints.NewSaver(g.Root(), vars)
	if err != nil {
		return nil, err
	}
	m, err := checkpoints.NewManager(sv, o.Dir, o.Keep)
	if err != nil {
		return nil, err
	}
	return &Checkpointer{sess: sess, m: m, o: o, lastStep: -1}, nil
}

// Save writes checkpoint ckpt-<step> holding the variables' current values, the extras
// and state (encoded with encoding/json; floats that may be infinite should use a type
// that encodes them, as the runner's own states do), and returns its prefix. A second
// Save at the step last saved or restored writes nothing and returns that checkpoint's
// prefix: a checkpoint is never overwritten, and the step (the count of training steps)
// determines the variables. Errors say whether the earlier checkpoint is intact.
func (c *Checkpointer) Save(step int64, state any, extras ...checkpoints.Tensor) (string, error) {
	if step == c.lastStep {
		return c.lastPrefix, nil
	}
	raw, err := json.Marshal(state)
	if err != nil {
		return "", fmt.Errorf("checkpoint state: %w", err)
	}
	prefix, err := c.m.Save(c.sess, step, checkpoints.Meta{Fingerprint: c.o.Fingerprint, Source: c.o.Source, Definition: c.o.Definition, State: raw}, extras)
	if err != nil {
		return "", err
	}
	c.lastPrefix, c.lastStep = prefix, step
	return prefix, nil
}

// Restore checks the checkpoint at prefix (files intact, the config fingerprint, every
// variable present with its dtype and shape and nothing else), assigns the variables,
// decodes the state into state (a pointer, as for json.Unmarshal; nil skips it) and
// returns the extras by name. On an error nothing has changed; the error names what is
// damaged or what does not match (checkpoints.ErrCorrupt, checkpoints.ErrMismatch).
func (c *Checkpointer) Restore(prefix string, state any) (map[string]*tf.Tensor, error) {
	sc, extras, err := c.m.Restore(c.sess, prefix, func(sc *checkpoints.Sidecar) error {
		if err := checkFingerprint(prefix, sc, c.o.Fingerprint, c.o.Source, c.o.Definition); err != nil {
			return err
		}
		if state != nil {
			return decodeState(prefix, sc.State, state)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	c.lastPrefix, c.lastStep = prefix, sc.Step
	return extras, nil
}

// Last returns the checkpoint last saved or restored ("" and -1 if none).
func (c *Checkpointer) Last() (prefix string, step int64) { return c.lastPrefix, c.lastStep }

// CheckpointInfo is a checked checkpoint found before a graph is built: its prefix and
// its sidecar (step, fingerprint, the training state as JSON).
type CheckpointInfo struct {
	Prefix string
	*checkpoints.Sidecar
}

// PrepareCheckpoints applies the -resume policy of o to the run directory's checkpoints
// before anything is built, and locks the checkpoint directory against a second run
// (unlock releases it; the kernel does if the process dies).
//
//   - o.Resume: the latest checkpoint, checked (files intact, the fingerprint of cfg); no
//     checkpoint is ErrNoCheckpoint.
//   - o.ResumeOrStart: the same, or nil (start fresh) when there is none.
//   - neither: nil, or ErrCheckpointsExist when the directory holds checkpoints, which a
//     fresh run must not mix with its own.
//
// The directory must be writable: a run that could not save finds out now, not after
// hours of training.
func PrepareCheckpoints(cfg *configs.Config, o Options) (info *CheckpointInfo, unlock func(), err error) {
	dir := CheckpointDir(o.OutDir)
	release, err := checkpoints.Lock(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("checkpoint directory: %w", err)
	}
	defer func() {
		if err != nil {
			release()
		}
	}()
	if err := probeWritable(dir); err != nil {
		return nil, nil, fmt.Errorf("checkpoint directory %s is not writable: %w", dir, err)
	}
	latest, err := checkpoints.Latest(dir)
	if err != nil {
		return nil, nil, err
	}
	if err := checkpoints.Cleanup(dir); err != nil {
		return nil, nil, err
	}
	if !o.Resume && !o.ResumeOrStart {
		if latest != "" {
			return nil, nil, fmt.Errorf("%w: %s has %s; add -resume to continue from the latest, or choose another -out (or delete it) to start over",
				ErrCheckpointsExist, dir, checkpoints.Describe(dir))
		}
		return nil, release, nil
	}
	if latest == "" {
		if o.Resume {
			return nil, nil, fmt.Errorf("%w in %s (use -resume-or-start to start fresh when there is none)", ErrNoCheckpoint, dir)
		}
		return nil, release, nil
	}
	sc, err := checkpoints.Inspect(latest)
	if err != nil {
		return nil, nil, fmt.Errorf("%w (kept checkpoints: %s; nothing was changed)", err, checkpoints.Describe(dir))
	}
	if err := checkFingerprint(latest, sc, cfg.Fingerprint(), cfg.File, cfg.ModelDefinition()); err != nil {
		return nil, nil, err
	}
	return &CheckpointInfo{Prefix: latest, Sidecar: sc}, release, nil
}

// probeWritable creates and removes a file in dir.
func probeWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".probe*")
	if err != nil {
		return err
	}
	name := f.Name()
	_, err = f.Write([]byte("x"))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	os.Remove(name)
	return err
}

// checkFingerprint refuses a checkpoint written for another model-defining config,
// naming the settings that differ when both definitions are known.
func checkFingerprint(prefix string, sc *checkpoints.Sidecar, want, source string, definition json.RawMessage) error {
	if sc.Fingerprint == want {
		return nil
	}
	from := ""
	if sc.Source != "" {
		from = " (" + sc.Source + ")"
	}
	what := "the model, data or layer settings differ"
	if diffs := diffDefinitions(sc.Definition, definition); len(diffs) > 0 {
		what = strings.Join(diffs, "; ")
	}
	return &checkpoints.Error{Op: "restoring", Path: prefix, Kind: checkpoints.ErrMismatch,
		Err: fmt.Errorf("it was written for another model: %s; the checkpoint's config%s has fingerprint %.12s, %s has %.12s",
			what, from, sc.Fingerprint, source, want)}
}

// diffDefinitions lists the settings in which two model definitions differ, as
// "model[0].output_dim: 16 in the checkpoint, 12 now" (at most 5).
func diffDefinitions(old, now json.RawMessage) []string {
	var a, b any
	if json.Unmarshal(old, &a) != nil || json.Unmarshal(now, &b) != nil || a == nil || b == nil {
		return nil
	}
	var out []string
	var walk func(path string, x, y any)
	walk = func(path string, x, y any) {
		if len(out) >= 5 {
			return
		}
		show := func(v any) string {
			if v == nil {
				return "absent"
			}
			s, _ := json.Marshal(v)
			return string(s)
		}
		switch xv := x.(type) {
		case map[string]any:
			yv, ok := y.(map[string]any)
			if !ok {
				break
			}
			keys := make([]string, 0, len(xv)+len(yv))
			for k := range xv {
				keys = append(keys, k)
			}
			for k := range yv {
				if _, ok := xv[k]; !ok {
					keys = append(keys, k)
				}
			}
			slices.Sort(keys)
			for _, k := range keys {
				p := k
				if path != "" {
					p = path + "." + k
				}
				walk(p, xv[k], yv[k])
			}
			return
		case []any:
			yv, ok := y.([]any)
			if !ok {
				break
			}
			if len(xv) != len(yv) {
				out = append(out, fmt.Sprintf("%s: %d entries in the checkpoint, %d now", path, len(xv), len(yv)))
				return
			}
			for i := range xv {
				walk(fmt.Sprintf("%s[%d]", path, i), xv[i], yv[i])
			}
			return
		}
		if show(x) != show(y) {
			out = append(out, fmt.Sprintf("%s: %s in the checkpoint, %s now", path, show(x), show(y)))
		}
	}
	walk("", a, b)
	for i, d := range out { // spell the classifier's layers as the config does
		if rest, ok := strings.CutPrefix(d, "model["); ok {
			out[i] = "model.layers[" + rest
		}
	}
	return out
}

// decodeState decodes a sidecar's state strictly.
func decodeState(prefix string, raw json.RawMessage, state any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(state); err != nil {
		return &checkpoints.Error{Op: "restoring", Path: prefix, Kind: checkpoints.ErrCorrupt,
			Err: fmt.Errorf("%s: training state: %v", filepath.Base(checkpoints.SidecarFile(prefix)), err)}
	}
	return nil
}

// jsonFloat is a float64 that JSON-encodes NaN and ±Inf (a callback's "best" starts at
// ±Inf) as the strings "NaN", "Infinity" and "-Infinity"; finite values round-trip
// exactly.
type jsonFloat float64

func (f jsonFloat) MarshalJSON() ([]byte, error) {
	x := float64(f)
	switch {
	case math.IsNaN(x):
		return []byte(`"NaN"`), nil
	case math.IsInf(x, 1):
		return []byte(`"Infinity"`), nil
	case math.IsInf(x, -1):
		return []byte(`"-Infinity"`), nil
	}
	return strconv.AppendFloat(nil, x, 'g', -1, 64), nil
}

func (f *jsonFloat) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case `"NaN"`:
		*f = jsonFloat(math.NaN())
		return nil
	case `"Infinity"`:
		*f = jsonFloat(math.Inf(1))
		return nil
	case `"-Infinity"`:
		*f = jsonFloat(math.Inf(-1))
		return nil
	}
	x, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("want a number, NaN or ±Infinity, got %s", b)
	}
	*f = jsonFloat(x)
	return nil
}

// historyState is a History in a checkpoint (its values may be non-finite).
type historyState struct {
	Epochs  []int                  `json:"epochs"`
	Metrics map[string][]jsonFloat `json:"metrics"`
}

func newHistoryState(h *History) historyState {
	hs := historyState{Epochs: append([]int{}, h.Epochs...), Metrics: map[string][]jsonFloat{}}
	for k, vs := range h.Metrics {
		fs := make([]jsonFloat, len(vs))
		for i, v := range vs {
			fs[i] = jsonFloat(v)
		}
		hs.Metrics[k] = fs
	}
	return hs
}

func (hs historyState) history() *History {
	h := &History{Epochs: append([]int(nil), hs.Epochs...)}
	if len(hs.Metrics) > 0 {
		h.Metrics = map[string][]float64{}
		for k, fs := range hs.Metrics {
			vs := make([]float64, len(fs))
			for i, f := range fs {
				vs[i] = float64(f)
			}
			h.Metrics[k] = vs
		}
	}
	return h
}

// stepOf reads a graph's step counter.
func stepOf(sess *graphs.Session, g *graphs.Graph) (int64, error) {
	out, err := sess.Get(g.StepCounter())
	if err != nil {
		return 0, err
	}
	step, ok := out[0].Value().(int64)
	if !ok {
		return 0, fmt.Errorf("step counter is %T", out[0].Value())
	}
	return step, nil
}

// restoreLatest restores every variable of g from the latest checkpoint of the run
// directory runDir (a model trained by cfg) and returns its prefix; no checkpoint is
// ErrNoCheckpoint.
func restoreLatest(cfg *configs.Config, runDir string, g *graphs.Graph, sess *graphs.Session) (string, error) {
	prefix, err := checkpoints.Latest(CheckpointDir(runDir))
	if err != nil {
		return "", err
	}
	if prefix == "" {
		return "", fmt.Errorf("%w in %s (train %s first)", ErrNoCheckpoint, CheckpointDir(runDir), cfg.File)
	}
	ck, err := NewCheckpointer(g, sess, g.Variables(), CheckpointOptionsFor(cfg, Options{OutDir: runDir}))
	if err != nil {
		return "", err
	}
	if _, err := ck.Restore(prefix, nil); err != nil {
		return "", err
	}
	return prefix, nil
}
