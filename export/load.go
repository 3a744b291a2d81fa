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
)

// SavedModel is a SavedModel loaded with graft's LoadSavedModel (TensorFlow's C++ loader:
// restore, then the init op), the way a Go service loads one.
type SavedModel struct {
	// Dir is the SavedModel's directory (a version directory when an export directory
	// was given).
	Dir   string
	model *tf.SavedModel
}

// ResolveSavedModel returns the SavedModel directory dir names: dir itself when it holds
// saved_model.pb, else, as TensorFlow Serving does with a model's base path, its highest
// numbered version. Anything else is an error wrapping ErrNotSavedModel that says what
// the directory holds.
func ResolveSavedModel(dir string) (string, error) {
	const op = "loading"
	fi, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return "", errorf(op, dir, ErrNotSavedModel, "no such directory")
	}
	if err != nil {
		return "", &Error{Op: op, Path: dir, Err: err}
	}
	if !fi.IsDir() {
		return "", errorf(op, dir, ErrNotSavedModel, "a file, not a SavedModel directory (give the directory that holds %s, or the export directory above it)", SavedModelFile)
	}
	if _, err := os.Stat(filepath.Join(dir, SavedModelFile)); err == nil {
		return dir, nil
	}
	vs, err := Versions(dir)
	if err != nil {
		return "", err
	}
	for _, v := range slices.Backward(vs) {
		d := filepath.Join(dir, strconv.Itoa(v))
		if _, err := os.Stat(filepath.Join(d, SavedModelFile)); err == nil {
			return d, nil
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "saved_model.pbtxt")); err == nil {
		return "", errorf(op, dir, ErrNotSavedModel, "holds saved_model.pbtxt: only the binary %s is read", SavedModelFile)
	}
	if _, err := os.Stat(filepath.Join(dir, "checkpoints")); err == nil {
		return "", errorf(op, dir, ErrNotSavedModel, "no %s: this looks like a run directory (use -run, or export it with tfrun export first)", SavedModelFile)
	}
	return "", errorf(op, dir, ErrNotSavedModel, "no %s and no numbered version directory holding one (tfrun export writes <dir>/<version>/%s)", SavedModelFile, SavedModelFile)
}

// Load loads the SavedModel at dir (see ResolveSavedModel) with the "serve" tag: threads
// sizes TensorFlow's intra-op pool (0: one per core). A saved_model.pb that does not parse,
// has no "serve" meta graph or that TensorFlow refuses is an error wrapping
// ErrNotSavedModel.
func Load(dir string, threads int) (*SavedModel, error) {
	const op = "loading"
	dir, err := ResolveSavedModel(dir)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(dir, SavedModelFile))
	if err != nil {
		return nil, &Error{Op: op, Path: dir, Err: err}
	}
	var sm for_core_protos_go_proto.SavedModel
	if err := proto.Unmarshal(data, &sm); err != nil || len(sm.MetaGraphs) == 0 {
		why := "it holds no meta graph"
		if err != nil {
			why = err.Error()
		}
		return nil, errorf(op, dir, ErrNotSavedModel, "%s is not a SavedModel: %s", SavedModelFile, why)
	}
	var tags [][]string
	serve := false
	for _, mg := range sm.MetaGraphs {
		t := mg.GetMetaInfoDef().GetTags()
		tags = append(tags, t)
		serve = serve || (len(t) == 1 && t[0] == ServeTag)
	}
	if !serve {
		return nil, errorf(op, dir, ErrNotSavedModel, "no meta graph tagged only %q (tag sets: %v)", ServeTag, tags)
	}
	opts, err := sessionOptions(threads)
	if err != nil {
		return nil, err
	}
	model, err := tf.LoadSavedModel(dir, []string{ServeTag}, opts)
	if err != nil {
		return nil, errorf(op, dir, ErrNotSavedModel, "TensorFlow cannot load it: %v", tfMessage(err))
	}
	return &SavedModel{Dir: dir, model: model}, nil
}

// sessionOptions are the options of a serving session with threads intra-op threads.
func sessionOptions(threads int) (*tf.SessionOptions, error) {
	raw, err := proto.Marshal(&for_core_protos_go_proto.ConfigProto{
		IntraOpParallelismThreads: int32(threads), InterOpParallelismThreads: int32(min(threads, 2)),
		// A pool of the session's own, or TensorFlow would share the process's first
		// session's inter-op pool and ignore the size (see graphs.NewSession).
		UsePerSessionThreads: threads > 0,
		// On a GPU, take memory as the model needs it, not the whole GPU (as training does).
		GpuOptions: &for_core_protos_go_proto.GPUOptions{AllowGrowth: true}})
	if err != nil {
		return nil, fmt.Errorf("export: encoding ConfigProto: %w", err)
	}
	return &tf.SessionOptions{Config: raw}, nil
}

// Signatures are the SavedModel's signatures by key.
func (s *SavedModel) Signatures() map[string]tf.Signature { return s.model.Signatures }

// Run runs the signature key on inputs.
func (s *SavedModel) Run(key string, inputs map[string]*tf.Tensor) (map[string]*tf.Tensor, error) {
	sig, ok := s.model.Signatures[key]
	if !ok || key == initOpSignature {
		return nil, fmt.Errorf("export: %s has no signature %q", s.Dir, key)
	}
	return runSignature(s.model.Graph, func(feeds map[tf.Output]*tf.Tensor, fetches []tf.Output) ([]*tf.Tensor, error) {
		return s.model.Session.Run(feeds, fetches, nil)
	}, key, sig, inputs)
}

// Close releases the session.
func (s *SavedModel) Close() error { return s.model.Session.Close() }
