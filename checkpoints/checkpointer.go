package checkpoints

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/graphs"
)

// Dir is where a run keeps its checkpoints: <run dir>/checkpoints.
func Dir(runDir string) string { return filepath.Join(runDir, "checkpoints") }

// BestDir is where ModelCheckpoint(save_best_only) keeps a run's best checkpoint:
// <run dir>/checkpoints/best.
func BestDir(runDir string) string { return filepath.Join(Dir(runDir), "best") }

// Options configure a Checkpointer: which model its checkpoints belong to and how many
// are kept.
type Options struct {
	// Dir is the checkpoint directory, Dir(run dir).
	Dir string
	// Keep is how many checkpoints are kept, the newest (>= 1).
	Keep int
	// Fingerprint identifies the model-defining part of the run's config: a checkpoint
	// restores only into a model whose fingerprint matches.
	Fingerprint string
	// Source names the config in messages (its file).
	Source string
	// Definition is what Fingerprint hashes, as JSON; a checkpoint keeps it so that a
	// mismatch is explained setting by setting. Optional.
	Definition json.RawMessage
}

// Checkpointer saves and restores one training run: a fixed list of variables (all a run
// must continue from: model weights and non-trainable state, every optimizer's variables,
// the graph's step counter), extra tensors held in Go, and a JSON training state.
//
// Each Save writes checkpoint ckpt-<step> (TensorFlow's bundle format, readable by
// tf.train.load_checkpoint, plus the sidecar ckpt-<step>.json with the state) and makes it
// the latest in the directory's "checkpoint" file only once it is complete; the newest Keep
// are kept (see Manager). A Save refuses NaN or infinite values (ErrNotFinite) and leaves
// the last good checkpoint the latest.
type Checkpointer struct {
	sess       *graphs.Session
	saver      *Saver
	m          *Manager
	o          Options
	lastPrefix string
	lastStep   int64
}

// NewCheckpointer adds the save and restore ops for vars to g (scope "save") and returns a
// Checkpointer for them in sess.
func NewCheckpointer(g *graphs.Graph, sess *graphs.Session, vars []*graphs.Variable, o Options) (*Checkpointer, error) {
	sv, err := NewSaver(g.Root(), vars)
	if err != nil {
		return nil, err
	}
	m, err := NewManager(sv, o.Dir, o.Keep)
	if err != nil {
		return nil, err
	}
	return &Checkpointer{sess: sess, saver: sv, m: m, o: o, lastStep: -1}, nil
}

// Save writes checkpoint ckpt-<step> holding the variables' current values, the extras and
// state (encoded with encoding/json), and returns its prefix. A second Save at the step last
// saved or restored writes nothing and returns that checkpoint's prefix: a checkpoint is
// never overwritten, and the step (the count of training steps) determines the variables.
// Errors say whether the earlier checkpoint is intact.
func (c *Checkpointer) Save(step int64, state any, extras ...Tensor) (string, error) {
	if step == c.lastStep {
		return c.lastPrefix, nil
	}
	prefix, err := c.saveTo(c.m, step, state, extras)
	if err != nil {
		return "", err
	}
	c.lastPrefix, c.lastStep = prefix, step
	return prefix, nil
}

// SaveCopy writes the same kind of checkpoint into another directory, dir, keeping the
// newest keep there (ModelCheckpoint's best checkpoint). It does not change Last.
func (c *Checkpointer) SaveCopy(dir string, keep int, step int64, state any, extras ...Tensor) (string, error) {
	m, err := NewManager(c.saver, dir, keep)
	if err != nil {
		return "", err
	}
	return c.saveTo(m, step, state, extras)
}

func (c *Checkpointer) saveTo(m *Manager, step int64, state any, extras []Tensor) (string, error) {
	raw, err := json.Marshal(state)
	if err != nil {
		return "", fmt.Errorf("checkpoint state: %w", err)
	}
	return m.Save(c.sess, step, Meta{Fingerprint: c.o.Fingerprint, Source: c.o.Source, Definition: c.o.Definition, State: raw}, extras)
}

// Restore checks the checkpoint at prefix (files intact, the config fingerprint, every
// variable present with its dtype and shape and nothing else), assigns the variables,
// decodes the state into state (a pointer, as for json.Unmarshal; nil skips it) and returns
// the extras by name. On an error nothing has changed; the error names what is damaged or
// what does not match (ErrCorrupt, ErrMismatch).
func (c *Checkpointer) Restore(prefix string, state any) (map[string]*tf.Tensor, error) {
	sc, extras, err := c.m.Restore(c.sess, prefix, func(sc *Sidecar) error {
		if err := CheckFingerprint(prefix, sc, c.o); err != nil {
			return err
		}
		if state != nil {
			return DecodeState(prefix, sc.State, state)
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

// DecodeState decodes a sidecar's training state strictly (unknown fields are an error).
func DecodeState(prefix string, raw json.RawMessage, state any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(state); err != nil {
		return &Error{Op: "restoring", Path: prefix, Kind: ErrCorrupt,
			Err: fmt.Errorf("%s: training state: %v", filepath.Base(SidecarFile(prefix)), err)}
	}
	return nil
}

// RestoreLatest restores every variable of g from the latest checkpoint in o.Dir (what a
// later command — generate, evaluate-gan — loads) and returns its prefix; no checkpoint is
// ErrNoCheckpoint.
func RestoreLatest(g *graphs.Graph, sess *graphs.Session, o Options) (string, error) {
	prefix, err := Latest(o.Dir)
	if err != nil {
		return "", err
	}
	if prefix == "" {
		return "", fmt.Errorf("%w in %s (train %s first)", ErrNoCheckpoint, o.Dir, o.Source)
	}
	ck, err := NewCheckpointer(g, sess, g.Variables(), o)
	if err != nil {
		return "", err
	}
	if _, err := ck.Restore(prefix, nil); err != nil {
		return "", err
	}
	return prefix, nil
}
