package export

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/core/protobuf/for_core_protos_go_proto"
	"google.golang.org/protobuf/proto"

	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/internal/atomicfile"
)

// ServeTag is the tag of the one meta graph tfrun writes (tf.saved_model.SERVING).
const ServeTag = "serve"

// SavedModelFile is a SavedModel's graph and signatures, in its directory.
const SavedModelFile = "saved_model.pb"

// MetaGraphDef returns the SavedModel's one meta graph, tagged "serve":
//   - graph_def: the inference path only, pruned from the training graph to what the
//     signatures, the saver and the init op need (no dropout, BatchNormalization on its
//     moving statistics, no optimizer, no training placeholders), with attributes at their
//     op's default stripped and the ops' definitions in meta_info_def.stripped_op_list, as
//     Python's writer does;
//   - saver_def (V2): the filename tensor, the SaveV2 path and restore_all, which restores
//     the variables/ bundle;
//   - signature_def: the signatures (method tensorflow/serving/predict) and, when there
//     are lookup tables, __saved_model_init_op, which fills them after the restore.
func (m *Model) MetaGraphDef() (*for_core_protos_go_proto.MetaGraphDef, error) {
	gd, err := graphDef(m.graph)
	if err != nil {
		return nil, err
	}
	targets := append(m.outputOps(), m.saver.save.Op.Name(), m.saver.restore.Name())
	if m.init != nil {
		targets = append(targets, m.init.Name())
	}
	pruned, _, err := prune(gd, targets)
	if err != nil {
		return nil, err
	}
	ops, err := stripDefaultAttrs(pruned)
	if err != nil {
		return nil, err
	}
	sigs := map[string]*for_core_protos_go_proto.SignatureDef{}
	for key, s := range m.sigs {
		if sigs[key], err = s.def(); err != nil {
			return nil, err
		}
	}
	if m.init != nil {
		sigs[initOpSignature] = &for_core_protos_go_proto.SignatureDef{Outputs: map[string]*for_core_protos_go_proto.TensorInfo{
			initOpSignature: {Encoding: &for_core_protos_go_proto.TensorInfo_Name{Name: m.init.Name()}}}}
	}
	return &for_core_protos_go_proto.MetaGraphDef{
		MetaInfoDef: &for_core_protos_go_proto.MetaGraphDef_MetaInfoDef{
			MetaGraphVersion:  fmt.Sprintf("tfrun %s %s", m.Config.Name, filepath.Base(m.Checkpoint)),
			StrippedOpList:    ops,
			Tags:              []string{ServeTag},
			TensorflowVersion: tf.Version(),
		},
		GraphDef:     pruned,
		SaverDef:     m.saver.def(),
		SignatureDef: sigs,
	}, nil
}

// WriteOptions say where in an export directory a SavedModel goes.
type WriteOptions struct {
	// Version is the version directory's number; 0 picks the next free one (1 in an empty
	// or new directory).
	Version int
	// Force replaces an existing version; without it an existing version is an error
	// wrapping ErrVersionExists.
	Force bool
}

// Write exports the model as a SavedModel in TensorFlow Serving's layout and returns its
// directory, base/<version>: saved_model.pb (MetaGraphDef) and variables/variables.index +
// variables.data-00000-of-00001, the bundle of the variables the signatures read, under
// their own names, written by SaveV2 as tfrun's checkpoints are. Everything is written into
// a hidden temporary directory beside it (which TensorFlow Serving ignores), synced, then
// renamed into place: a reader never sees a half-written version.
func (m *Model) Write(base string, o WriteOptions) (string, error) {
	const op = "writing"
	if o.Version < 0 {
		return "", errorf(op, base, ErrInvalidArgument, "version %d: want a positive number (0 picks the next free one)", o.Version)
	}
	if fi, err := os.Stat(base); err == nil && !fi.IsDir() {
		return "", errorf(op, base, ErrInvalidArgument, "not a directory")
	}
	version := o.Version
	if version == 0 {
		v, err := NextVersion(base)
		if err != nil {
			return "", err
		}
		version = v
	}
	dir := filepath.Join(base, strconv.Itoa(version))
	_, statErr := os.Stat(dir)
	exists := statErr == nil
	if exists && !o.Force {
		return "", errorf(op, dir, ErrVersionExists, "version %d exists already; -force replaces it, or leave out -version for the next free one (%s)", version, describeVersions(base))
	}
	mg, err := m.MetaGraphDef()
	if err != nil {
		return "", err
	}
	data, err := proto.Marshal(&for_core_protos_go_proto.SavedModel{SavedModelSchemaVersion: 1, MetaGraphs: []*for_core_protos_go_proto.MetaGraphDef{mg}})
	if err != nil {
		return "", fmt.Errorf("export: encoding %s: %w", SavedModelFile, err)
	}
	if err := os.MkdirAll(base, 0o755); err != nil {
		return "", &Error{Op: op, Path: base, Err: err}
	}
	tmp, err := os.MkdirTemp(base, fmt.Sprintf(".tmp-%d-", version))
	if err != nil {
		return "", &Error{Op: op, Path: base, Err: err}
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return "", &Error{Op: op, Path: tmp, Err: err}
	}
	if err := atomicfile.WriteFile(filepath.Join(tmp, SavedModelFile), data); err != nil {
		return "", &Error{Op: op, Path: dir, Err: err}
	}
	if err := os.Mkdir(filepath.Join(tmp, "variables"), 0o755); err != nil {
		return "", &Error{Op: op, Path: dir, Err: err}
	}
	prefix := filepath.Join(tmp, filepath.FromSlash(variablesPrefix))
	if err := m.bundle.Write(m.sess, prefix, nil); err != nil {
		return "", &Error{Op: op, Path: dir, Err: err}
	}
	for _, f := range []string{checkpoints.IndexFile(prefix), checkpoints.DataFile(prefix, 0, 1)} {
		if err := syncFile(f); err != nil {
			return "", &Error{Op: op, Path: dir, Err: err}
		}
	}
	for _, d := range []string{filepath.Dir(prefix), tmp} {
		if err := atomicfile.SyncDir(d); err != nil {
			return "", &Error{Op: op, Path: dir, Err: err}
		}
	}
	if exists { // -force: move the old version aside, the new one in, then delete the old
		old := tmp + ".old"
		if err := os.Rename(dir, old); err != nil {
			return "", &Error{Op: op, Path: dir, Err: err}
		}
		if err := os.Rename(tmp, dir); err != nil {
			os.Rename(old, dir)
			return "", &Error{Op: op, Path: dir, Err: err}
		}
		os.RemoveAll(old)
	} else if err := os.Rename(tmp, dir); err != nil {
		return "", &Error{Op: op, Path: dir, Err: err}
	}
	done = true
	if err := atomicfile.SyncDir(base); err != nil {
		return "", &Error{Op: op, Path: dir, Err: err}
	}
	return dir, nil
}

// Versions lists the numbered version directories of an export directory, ascending
// (none when it does not exist).
func Versions(base string) ([]int, error) {
	entries, err := os.ReadDir(base)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, &Error{Op: "listing versions", Path: base, Err: err}
	}
	var vs []int
	for _, e := range entries {
		if v, err := strconv.Atoi(e.Name()); err == nil && v > 0 && e.IsDir() && strconv.Itoa(v) == e.Name() {
			vs = append(vs, v)
		}
	}
	slices.Sort(vs)
	return vs, nil
}

// NextVersion is the version an export into base gets by default: one more than the
// highest there, or 1.
func NextVersion(base string) (int, error) {
	vs, err := Versions(base)
	if err != nil || len(vs) == 0 {
		return 1, err
	}
	return vs[len(vs)-1] + 1, nil
}

// describeVersions lists base's versions for messages.
func describeVersions(base string) string {
	vs, _ := Versions(base)
	if len(vs) == 0 {
		return "no versions"
	}
	s := "versions"
	for _, v := range vs {
		s += " " + strconv.Itoa(v)
	}
	return s
}

// syncFile flushes a file to disk.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
