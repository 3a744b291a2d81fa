// Package checkpoints saves and restores variables in TensorFlow's own tensor-bundle
// format (SaveV2 / RestoreV2: <prefix>.index + <prefix>.data-00000-of-00001), which Python's
// tf.train.load_checkpoint reads, under the variables' Keras-like names, and keeps a
// directory of such checkpoints as tf.train.CheckpointManager does (a "checkpoint" state
// file naming the newest, the newest few kept).
//
// Nothing it does can damage an earlier checkpoint: a bundle is written to a temporary
// prefix and merged into place (as TensorFlow's own saver does), its sidecar is written
// atomically, and only then is the state file atomically replaced to name it; a process
// killed at any moment leaves the previous checkpoint loadable. Reading checks everything
// before assigning anything.
package checkpoints

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
)

// Tensor is a named value held in Go (not in a variable) saved in a bundle beside the
// variables, such as EarlyStopping's best weights.
type Tensor struct {
	Name  string
	Value *tf.Tensor
}

// Saver writes and reads bundles of a fixed list of variables, plus extra tensors given
// at each save. Its ops live in the variables' graph under scope "save"; those for a new
// combination of extras are added on first use.
type Saver struct {
	scope   *graphs.Scope
	vars    []*graphs.Variable
	byName  map[string]*graphs.Variable
	writers map[string]*writeOps
	readers map[string]*readOps
	// finite[i] is true when every value of finiteVars[i] is finite.
	finite     []tf.Output
	finiteVars []*graphs.Variable
}

type writeOps struct {
	prefix, dest tf.Output
	extras       []tf.Output
	merge        *tf.Operation
}

type readOps struct {
	prefix tf.Output
	values []tf.Output
}

// NewSaver adds the ops that save and restore vars to their graph, under scope "save" of s.
// Variable names must be unique.
func NewSaver(s *graphs.Scope, vars []*graphs.Variable) (*Saver, error) {
	sv := &Saver{scope: s.Sub("save"), vars: slices.Clone(vars), byName: map[string]*graphs.Variable{},
		writers: map[string]*writeOps{}, readers: map[string]*readOps{}}
	if len(vars) == 0 {
		return nil, fmt.Errorf("checkpoints: NewSaver: no variables")
	}
	for _, v := range vars {
		if _, dup := sv.byName[v.Name]; dup {
			return nil, fmt.Errorf("checkpoints: NewSaver: variable %q listed twice", v.Name)
		}
		sv.byName[v.Name] = v
	}
	fs := sv.scope.Sub("finite")
	for _, v := range vars {
		if !graphs.IsFloat(v.DType) {
			continue
		}
		flat := op.Reshape(fs.Op("Reshape"), op.IsFinite(fs.Op("IsFinite"), v.Value()), fs.Const([]int32{-1}))
		sv.finite = append(sv.finite, op.All(fs.Op("All"), flat, fs.Const(int32(0))))
		sv.finiteVars = append(sv.finiteVars, v)
	}
	if _, err := sv.writer(nil); err != nil {
		return nil, err
	}
	if _, err := sv.reader(nil, nil); err != nil {
		return nil, err
	}
	return sv, nil
}

// Variables are the variables the saver saves, in its order.
func (sv *Saver) Variables() []*graphs.Variable { return slices.Clone(sv.vars) }

// writer returns (building once) SaveV2 + MergeV2Checkpoints for the variables and extras
// of these names and dtypes.
func (sv *Saver) writer(extras []Tensor) (*writeOps, error) {
	key := ""
	for _, e := range extras {
		key += fmt.Sprintf("%s\x00%d\x00", e.Name, e.Value.DataType())
	}
	if w := sv.writers[key]; w != nil {
		return w, nil
	}
	ss := sv.scope.Sub("write")
	names := make([]string, 0, len(sv.vars)+len(extras))
	values := make([]tf.Output, 0, cap(names))
	for _, v := range sv.vars {
		names = append(names, v.Name)
		values = append(values, v.Value())
	}
	w := &writeOps{}
	for _, e := range extras {
		if _, dup := sv.byName[e.Name]; dup || slices.Contains(names[len(sv.vars):], e.Name) {
			return nil, fmt.Errorf("checkpoints: tensor %q saved twice", e.Name)
		}
		names = append(names, e.Name)
		in := ss.Placeholder("extra", e.Value.DataType())
		w.extras = append(w.extras, in)
		values = append(values, in)
	}
	w.prefix = ss.Placeholder("prefix", tf.String)
	w.dest = ss.Placeholder("destination", tf.String)
	save := op.SaveV2(ss.Op("SaveV2"), w.prefix, ss.Const(names), ss.Const(make([]string, len(names))), values)
	after := ss.WithControlDependencies(save)
	w.merge = op.MergeV2Checkpoints(after.Op("MergeV2Checkpoints"), op.Reshape(after.Op("Reshape"), w.prefix, after.Const([]int32{1})),
		w.dest, op.MergeV2CheckpointsDeleteOldDirs(true))
	if err := ss.Err(); err != nil {
		return nil, fmt.Errorf("checkpoints: building the save ops: %w", err)
	}
	sv.writers[key] = w
	return w, nil
}

// reader returns (building once) RestoreV2 for the variables and these extras.
func (sv *Saver) reader(extras []string, dtypes []tf.DataType) (*readOps, error) {
	key := ""
	for i, e := range extras {
		key += fmt.Sprintf("%s\x00%d\x00", e, dtypes[i])
	}
	if r := sv.readers[key]; r != nil {
		return r, nil
	}
	ss := sv.scope.Sub("read")
	var names []string
	var types []tf.DataType
	for _, v := range sv.vars {
		names = append(names, v.Name)
		types = append(types, v.DType)
	}
	names = append(names, extras...)
	types = append(types, dtypes...)
	r := &readOps{prefix: ss.Placeholder("prefix", tf.String)}
	r.values = op.RestoreV2(ss.Op("RestoreV2"), r.prefix, ss.Const(names), ss.Const(make([]string, len(names))), types)
	if err := ss.Err(); err != nil {
		return nil, fmt.Errorf("checkpoints: building the restore ops: %w", err)
	}
	sv.readers[key] = r
	return r, nil
}

// Write saves the variables' current values and extras as the bundle at prefix. SaveV2
// writes <prefix>_temp/part-00000-of-00001.*, which MergeV2Checkpoints then moves to
// <prefix>.index and <prefix>.data-00000-of-00001 (deleting the temporary folder), as
// Python's saver does. On failure whatever this write left is removed. Write does not
// touch the state file (see Manager).
func (sv *Saver) Write(sess *graphs.Session, prefix string, extras []Tensor) error {
	w, err := sv.writer(extras)
	if err != nil {
		return err
	}
	tmpDir := prefix + "_temp"
	_ = os.RemoveAll(tmpDir) // left by a crash
	p, err := tf.NewTensor(filepath.Join(tmpDir, "part-00000-of-00001"))
	if err != nil {
		return err
	}
	d, err := tf.NewTensor(prefix)
	if err != nil {
		return err
	}
	feeds := map[tf.Output]*tf.Tensor{w.prefix: p, w.dest: d}
	for i, e := range extras {
		feeds[w.extras[i]] = e.Value
	}
	if _, err := sess.Run(feeds, nil, w.merge); err != nil {
		_ = os.RemoveAll(tmpDir)
		_ = os.Remove(IndexFile(prefix))
		_ = os.Remove(DataFile(prefix, 0, 1))
		return &Error{Op: "saving", Path: prefix, Err: tfMessage(err)}
	}
	return nil
}

// Read checks the bundle at prefix against the variables (every variable present with its
// dtype and shape, no tensor other than them and the named extras) and only then reads it,
// assigning every variable in one run. It returns the extras' values by name. A mismatch
// is an *Error wrapping ErrMismatch that names the tensors at fault; a damaged bundle one
// wrapping ErrCorrupt. On any error no variable has changed.
func (sv *Saver) Read(sess *graphs.Session, prefix string, extras []string) (map[string]*tf.Tensor, error) {
	entries, err := List(prefix)
	if err != nil {
		return nil, err
	}
	byName := make(map[string]Entry, len(entries))
	for _, e := range entries {
		byName[e.Name] = e
	}
	var missing, wrong, unexpected []string
	for _, v := range sv.vars {
		e, ok := byName[v.Name]
		switch {
		case !ok:
			missing = append(missing, fmt.Sprintf("%s %s %v", v.Name, graphs.DTypeName(v.DType), v.Shape))
		case e.DType != v.DType || !slices.Equal(e.Shape, v.Shape):
			wrong = append(wrong, fmt.Sprintf("%s is %s %v in the checkpoint, %s %v in the model",
				v.Name, graphs.DTypeName(e.DType), e.Shape, graphs.DTypeName(v.DType), v.Shape))
		}
	}
	dtypes := make([]tf.DataType, len(extras))
	for i, name := range extras {
		e, ok := byName[name]
		if !ok {
			return nil, &Error{Op: "restoring", Path: prefix, Kind: ErrCorrupt, Err: fmt.Errorf("tensor %q is missing", name)}
		}
		dtypes[i] = e.DType
	}
	for _, e := range entries {
		if sv.byName[e.Name] == nil && !slices.Contains(extras, e.Name) {
			unexpected = append(unexpected, e.String())
		}
	}
	if len(missing)+len(wrong)+len(unexpected) > 0 {
		var parts []string
		if len(wrong) > 0 {
			parts = append(parts, "other shapes or dtypes: "+listSome(wrong))
		}
		if len(missing) > 0 {
			parts = append(parts, "the checkpoint lacks "+listSome(missing))
		}
		if len(unexpected) > 0 {
			parts = append(parts, "the model lacks "+listSome(unexpected))
		}
		return nil, &Error{Op: "restoring", Path: prefix, Kind: ErrMismatch,
			Err: fmt.Errorf("the checkpoint is of another model: %s", strings.Join(parts, "; "))}
	}
	r, err := sv.reader(extras, dtypes)
	if err != nil {
		return nil, err
	}
	p, err := tf.NewTensor(prefix)
	if err != nil {
		return nil, err
	}
	vals, err := sess.Run(map[tf.Output]*tf.Tensor{r.prefix: p}, r.values)
	if err != nil {
		return nil, &Error{Op: "restoring", Path: prefix, Kind: ErrCorrupt, Err: tfMessage(err)}
	}
	if err := sess.Set(sv.vars, vals[:len(sv.vars)]); err != nil {
		return nil, &Error{Op: "restoring", Path: prefix, Kind: ErrMismatch, Err: err}
	}
	out := make(map[string]*tf.Tensor, len(extras))
	for i, name := range extras {
		out[name] = vals[len(sv.vars)+i]
	}
	return out, nil
}

// NonFinite returns the names of the variables and extras that hold a NaN or an
// infinity (none when all values are finite).
func (sv *Saver) NonFinite(sess *graphs.Session, extras []Tensor) ([]string, error) {
	var bad []string
	if len(sv.finite) > 0 {
		out, err := sess.Run(nil, sv.finite)
		if err != nil {
			return nil, fmt.Errorf("checkpoints: checking values: %w", tfMessage(err))
		}
		for i, t := range out {
			if ok, _ := graphs.Value(t).(bool); !ok {
				bad = append(bad, sv.finiteVars[i].Name)
			}
		}
	}
	for _, e := range extras {
		dt := e.Value.DataType()
		if dt != tf.Float && dt != tf.Double {
			continue
		}
		for _, x := range graphs.Float64s(e.Value) {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				bad = append(bad, e.Name)
				break
			}
		}
	}
	return bad, nil
}

// listSome joins up to 6 items and says how many more there are.
func listSome(items []string) string {
	const most = 6
	if len(items) <= most {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:most], ", "), len(items)-most)
}

// tfMessage drops graft's stack trace and TensorFlow's op context from a session error.
func tfMessage(err error) error {
	msg := err.Error()
	if i := strings.Index(msg, "\n\t [[{{node"); i >= 0 {
		msg = msg[:i]
	}
	if i := strings.Index(msg, " (Stacktrace:"); i >= 0 {
		msg = msg[:i]
	}
	return fmt.Errorf("%s", strings.TrimSpace(msg))
}
