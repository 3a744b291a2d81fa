// Package checkpoints saves and restores variables in TensorFlow's own tensor-bundle
// format (SaveV2 / RestoreV2: <prefix>.index + <prefix>.data-00000-of-00001), which Python's
// tf.train.load_checkpoint reads, under the variables' Keras-like names.
//
// A save never damages an earlier checkpoint: SaveV2 writes to a temporary prefix, and
// MergeV2Checkpoints moves the complete files into place (as TensorFlow's own saver does);
// the "checkpoint" state file naming the latest is replaced atomically afterwards.
package checkpoints

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
)

// Saver saves and restores a fixed list of variables.
type Saver struct {
	vars     []*graphs.Variable
	prefix   tf.Output // where SaveV2 writes (the temporary prefix)
	dest     tf.Output // where MergeV2Checkpoints puts the result
	save     *tf.Operation
	merge    *tf.Operation
	restored []tf.Output
	rprefix  tf.Output
}

// NewSaver adds the save and restore ops for vars to the graph, under scope "save".
func NewSaver(s *graphs.Scope, vars []*graphs.Variable) (*Saver, error) {
	ss := s.Sub("save")
	names := make([]string, len(vars))
	slices := make([]string, len(vars))
	values := make([]tf.Output, len(vars))
	dtypes := make([]tf.DataType, len(vars))
	for i, v := range vars {
		names[i] = v.Name
		values[i] = v.Value()
		dtypes[i] = v.DType
	}
	sv := &Saver{vars: vars}
	sv.prefix = ss.Placeholder("prefix", tf.String)
	sv.dest = ss.Placeholder("destination", tf.String)
	n := ss.Const(names)
	sl := ss.Const(slices)
	sv.save = op.SaveV2(ss.Op("SaveV2"), sv.prefix, n, sl, values)
	after := ss.WithControlDependencies(sv.save)
	sv.merge = op.MergeV2Checkpoints(after.Op("MergeV2Checkpoints"), op.Reshape(after.Op("Reshape"), sv.prefix, after.Const([]int32{1})), sv.dest,
		op.MergeV2CheckpointsDeleteOldDirs(true))
	sv.rprefix = ss.Placeholder("restore_prefix", tf.String)
	sv.restored = op.RestoreV2(ss.Op("RestoreV2"), sv.rprefix, n, sl, dtypes)
	if err := ss.Err(); err != nil {
		return nil, err
	}
	return sv, nil
}

// Save writes the variables' current values to <dir>/ckpt-<step> and names it in
// <dir>/checkpoint. It returns the checkpoint's prefix. Nothing of an earlier checkpoint
// is touched unless this one is complete.
func (sv *Saver) Save(sess *graphs.Session, dir string, step int) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("checkpoints: %w", err)
	}
	name := fmt.Sprintf("ckpt-%d", step)
	dest := filepath.Join(dir, name)
	tmp := filepath.Join(dir, name+"_temp", "part-00000-of-00001")
	p, _ := tf.NewTensor(tmp)
	d, _ := tf.NewTensor(dest)
	if _, err := sess.Run(map[tf.Output]*tf.Tensor{sv.prefix: p, sv.dest: d}, nil, sv.merge); err != nil {
		os.RemoveAll(filepath.Join(dir, name+"_temp"))
		return "", fmt.Errorf("checkpoints: saving %s: %w", dest, err)
	}
	if err := writeState(dir, name); err != nil {
		return "", err
	}
	return dest, nil
}

// Restore reads every variable from the checkpoint at prefix and assigns it. A missing
// variable, another dtype or another shape is an error naming the variable; nothing is
// assigned then.
func (sv *Saver) Restore(sess *graphs.Session, prefix string) error {
	if _, err := os.Stat(prefix + ".index"); err != nil {
		return fmt.Errorf("checkpoints: %s: %w", prefix, err)
	}
	p, _ := tf.NewTensor(prefix)
	vals, err := sess.Run(map[tf.Output]*tf.Tensor{sv.rprefix: p}, sv.restored)
	if err != nil {
		return fmt.Errorf("checkpoints: restoring %s: %w", prefix, err)
	}
	if err := sess.Set(sv.vars, vals); err != nil {
		return fmt.Errorf("checkpoints: restoring %s: %w", prefix, err)
	}
	return nil
}

// Latest returns the prefix of the checkpoint the state file in dir names, or "" if
// there is none.
func Latest(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "checkpoint"))
	if os.IsNotExist(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("checkpoints: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "model_checkpoint_path: "); ok {
			name, err := strconv.Unquote(strings.TrimSpace(v))
			if err != nil {
				return "", fmt.Errorf("checkpoints: %s: bad line %q", filepath.Join(dir, "checkpoint"), line)
			}
			if !filepath.IsAbs(name) {
				name = filepath.Join(dir, name)
			}
			return name, nil
		}
	}
	return "", fmt.Errorf("checkpoints: %s names no checkpoint", filepath.Join(dir, "checkpoint"))
}

// writeState replaces dir/checkpoint atomically with a CheckpointState (text format) naming
// name as the latest.
func writeState(dir, name string) error {
	body := fmt.Sprintf("model_checkpoint_path: %q\nall_model_checkpoint_paths: %q\n", name, name)
	f, err := os.CreateTemp(dir, ".checkpoint.tmp*")
	if err != nil {
		return fmt.Errorf("checkpoints: %w", err)
	}
	tmp := f.Name()
	if _, err := f.WriteString(body); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, "checkpoint"))
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("checkpoints: writing the state file: %w", err)
	}
	return nil
}
