package tfrun

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/export"
	"github.com/tfrun/tfrun/graphs"
)

// Which checkpoint of a run ExportRunOptions.Checkpoint exports (besides "ckpt-N", a
// checkpoint's name).
const (
	// CheckpointLatest is the run's latest checkpoint: where training ended (with
	// EarlyStopping's restored best weights, if it restored them). The default.
	CheckpointLatest = export.CheckpointLatest
	// CheckpointBest is the checkpoint ModelCheckpoint(save_best_only: true) keeps in
	// <run dir>/checkpoints/best/.
	CheckpointBest = export.CheckpointBest
)

// ExportRunOptions are the options of ExportRun: tfrun export's flags.
type ExportRunOptions struct {
	// RunDir is the run directory the config trained in (-run); "" is DefaultRunDir(cfg).
	RunDir string
	// Checkpoint is which of the run's checkpoints to export (-checkpoint):
	// CheckpointLatest (also ""), CheckpointBest or a checkpoint's name, "ckpt-N".
	Checkpoint string
	// Version is the version directory's number (-version); 0 picks the next free one (1
	// in an empty or new directory).
	Version int
	// Force replaces an existing version (-force); without it an existing version is an
	// error wrapping export.ErrVersionExists.
	Force bool
	// Threads sizes TensorFlow's intra-op pool (-threads; 0: one per core).
	Threads int
}

// ExportedRun is what ExportRun wrote.
type ExportedRun struct {
	// Dir is the SavedModel's directory, <dir>/<version>.
	Dir string
	// Checkpoint is the prefix of the checkpoint whose weights it holds.
	Checkpoint string
	// Kind is what the model serves: "text_classifier", "image_classifier",
	// "table_classifier", "table_regressor", "multi_io_model" or "gan_generator".
	Kind string
	// Signatures are its serving signatures by key ("serving_default", ...).
	Signatures map[string]SignatureSpec
}

// SignatureSpec is one serving signature of a SavedModel: its inputs and outputs, sorted
// by name.
type SignatureSpec struct {
	Inputs, Outputs []TensorSpec
}

// TensorSpec is one tensor of a signature, as tf.TensorSpec describes it.
type TensorSpec struct {
	// Name is the tensor's key in the signature.
	Name string
	// DType is its dtype, as TensorFlow spells it ("float32", "int32", "string", "uint8").
	DType string
	// Shape is its shape; -1 is a dimension of any size (None), such as the batch.
	Shape []int64
}

// String is the tensor as tfrun export prints it: "images uint8[None, 28, 28, 1]".
func (t TensorSpec) String() string {
	dims := make([]string, len(t.Shape))
	for i, d := range t.Shape {
		dims[i] = fmt.Sprint(d)
		if d < 0 {
			dims[i] = "None"
		}
	}
	return fmt.Sprintf("%s %s[%s]", t.Name, t.DType, strings.Join(dims, ", "))
}

// TensorSpecs lists the tensors of a signature's inputs or outputs (tf.Signature's
// Inputs, Outputs), sorted by name.
func TensorSpecs(ts map[string]tf.TensorInfo) []TensorSpec {
	out := make([]TensorSpec, 0, len(ts))
	for _, name := range slices.Sorted(maps.Keys(ts)) {
		ti := ts[name]
		dims, _ := ti.Shape.ToSlice() // an unknown rank lists no dimensions
		out = append(out, TensorSpec{Name: name, DType: graphs.DTypeName(ti.DType), Shape: dims})
	}
	return out
}

// ExportRun writes the model of one of a run's checkpoints as a SavedModel in
// dir/<version>/, as tfrun export does, for TensorFlow Serving, Python, Keras and tfrun's
// Go server: a classifier of text, images or a table takes its raw inputs (the
// vocabulary, the image size, the normalization are in the graph), a GAN's generator
// takes noise (and a class). cfg is the config the run trained (configs.Load).
//
// A run without that checkpoint, a version that exists (without Force), a config whose
// task has no serving signatures or a run directory without the files its data needs
// (vocabulary.json, ...) are errors for which IsUserError is true.
func ExportRun(cfg *configs.Config, dir string, o ExportRunOptions) (*ExportedRun, error) {
	if cfg == nil {
		return nil, userError(fmt.Errorf("export: no config"))
	}
	if o.RunDir == "" {
		o.RunDir = DefaultRunDir(cfg)
	}
	m, err := export.Build(cfg, export.Options{RunDir: o.RunDir, Checkpoint: o.Checkpoint, Threads: o.Threads})
	if err != nil {
		return nil, err
	}
	defer m.Close()
	out, err := m.Write(dir, export.WriteOptions{Version: o.Version, Force: o.Force})
	if err != nil {
		return nil, err
	}
	r := &ExportedRun{Dir: out, Checkpoint: m.Checkpoint, Kind: m.Kind, Signatures: map[string]SignatureSpec{}}
	for key, sig := range m.Signatures() {
		r.Signatures[key] = SignatureSpec{Inputs: TensorSpecs(sig.Inputs), Outputs: TensorSpecs(sig.Outputs)}
	}
	return r, nil
}
