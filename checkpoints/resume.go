package checkpoints

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
)

// Errors of the -resume policy (Prepare); the command line exits 2 on them.
var (
	// ErrNoCheckpoint: -resume found no checkpoint in the run directory.
	ErrNoCheckpoint = errors.New("no checkpoint to resume from")
	// ErrCheckpointsExist: a fresh run was asked for in a run directory that holds
	// checkpoints, which it would mix with its own.
	ErrCheckpointsExist = errors.New("the run directory holds checkpoints")
)

// Policy is the command line's choice of what to do with a run directory's checkpoints.
type Policy struct {
	// Resume continues from the latest checkpoint; none is ErrNoCheckpoint.
	Resume bool
	// ResumeOrStart resumes too, but starts fresh when there is no checkpoint.
	ResumeOrStart bool
}

// Info is a checked checkpoint found before a graph is built: its prefix and its sidecar
// (step, fingerprint, the training state as JSON).
type Info struct {
	Prefix string
	*Sidecar
}

// Prepare applies policy p to the checkpoints in o.Dir before anything is built, and locks
// the directory against a second run (unlock releases it; the kernel does if the process
// dies).
//
//   - p.Resume: the latest checkpoint, checked (files intact, o.Fingerprint); no checkpoint
//     is ErrNoCheckpoint.
//   - p.ResumeOrStart: the same, or nil (start fresh) when there is none.
//   - neither: nil, or ErrCheckpointsExist when the directory holds checkpoints, which a
//     fresh run must not mix with its own.
//
// A directory tfrun import wrote (its checkpoint holds a Keras model's weights and no
// training) is refused under every policy, with what to do instead: a run does not train
// into it, and there is no training to resume.
//
// The directory must be writable: a run that could not save finds out now, not after
// hours of training.
func Prepare(o Options, p Policy) (info *Info, unlock func(), err error) {
	dir := o.Dir
	release, err := Lock(dir)
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
	latest, err := Latest(dir)
	if err != nil {
		return nil, nil, err
	}
	if err := Cleanup(dir); err != nil {
		return nil, nil, err
	}
	if from := importedFrom(latest); from != "" {
		return nil, nil, importedError(dir, latest, from, p)
	}
	if !p.Resume && !p.ResumeOrStart {
		if latest != "" {
			return nil, nil, fmt.Errorf("%w: %s has %s; add -resume to continue from the latest, or choose another -out (or delete it) to start over",
				ErrCheckpointsExist, dir, Describe(dir))
		}
		return nil, release, nil
	}
	if latest == "" {
		if p.Resume {
			return nil, nil, fmt.Errorf("%w in %s (use -resume-or-start to start fresh when there is none)", ErrNoCheckpoint, dir)
		}
		return nil, release, nil
	}
	sc, err := Inspect(latest)
	if err != nil {
		return nil, nil, fmt.Errorf("%w (kept checkpoints: %s; nothing was changed)", err, Describe(dir))
	}
	if err := CheckFingerprint(latest, sc, o); err != nil {
		return nil, nil, err
	}
	return &Info{Prefix: latest, Sidecar: sc}, release, nil
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

// CheckFingerprint refuses a checkpoint written for another model-defining config than
// o's, naming the settings that differ when both definitions are known (ErrMismatch).
func CheckFingerprint(prefix string, sc *Sidecar, o Options) error {
	if sc.Fingerprint == o.Fingerprint {
		return nil
	}
	from := ""
	if sc.Source != "" {
		from = " (" + sc.Source + ")"
	}
	what := "the model, data or layer settings differ"
	if diffs := diffDefinitions(sc.Definition, o.Definition); len(diffs) > 0 {
		what = strings.Join(diffs, "; ")
	}
	return &Error{Op: "restoring", Path: prefix, Kind: ErrMismatch,
		Err: fmt.Errorf("it was written for another model: %s; the checkpoint's config%s has fingerprint %.12s, %s has %.12s",
			what, from, sc.Fingerprint, o.Source, o.Fingerprint)}
}

// diffDefinitions lists the settings in which two model definitions differ, as
// "model.layers[0].output_dim: 16 in the checkpoint, 12 now" (at most 5).
func diffDefinitions(old, now json.RawMessage) []string {
	var a, b any
	if json.Unmarshal(old, &a) != nil || json.Unmarshal(now, &b) != nil || a == nil || b == nil {
		return nil
	}
	var out []string
	show := func(v any) string {
		if v == nil {
			return "absent"
		}
		s, _ := json.Marshal(v)
		return string(s)
	}
	var walk func(path string, x, y any)
	walk = func(path string, x, y any) {
		if len(out) >= 5 {
			return
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
