package tfrun

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/importer"
	"github.com/tfrun/tfrun/kerasfile"
)

// ImportOptions are the options of ImportKeras: tfrun import's flags.
type ImportOptions struct {
	// Config, for a weights file (model.save_weights's .weights.h5), is the path of the
	// tfrun config of the model it was saved from (-config); "" for a model file.
	Config string
	// Name is the written config's name (-name; default: the Keras model's, else the
	// file's).
	Name string
	// Threads sizes TensorFlow's intra-op pool (-threads; 0: one per core).
	Threads int
}

// Imported is what ImportKeras wrote.
type Imported struct {
	// Config is the written config's path, Checkpoint the prefix of the checkpoint of
	// the weights.
	Config, Checkpoint string
	// Sequential says the Keras model is a Sequential (else a functional model).
	Sequential bool
	// Layers is the number of the model's layers, Params of the weights imported.
	Layers, Params int
	// KerasVersion is the Keras version the file was saved with.
	KerasVersion string
	// Warnings are what the import changed without changing the model's function (an
	// argument tfrun does not need, ...), one line each.
	Warnings []string
}

// ImportKeras reads a Keras file, as keras.saving.load_model does, and writes it as the
// run directory dir (tfrun import): a tfrun config, dir/<name>.yaml, and a checkpoint of
// its weights, which Run (train.initial_weights, -resume), ExportRun and tfrun predict
// take as they take a trained run. file is a Keras 3 .keras file or a legacy .h5 model
// (the model and its weights), or with ImportOptions.Config a weights file
// (.weights.h5), whose config tfrun cannot read from it.
//
// dir must hold no checkpoints. A file that is not a Keras file, a model tfrun cannot
// represent (the error lists each layer and argument at fault), a missing file or a
// directory that holds checkpoints are errors for which IsUserError is true. When the
// file was read, the returned Imported holds its Warnings even with an error.
func ImportKeras(file, dir string, o ImportOptions) (*Imported, error) {
	iopts := importer.Options{Dir: dir, Name: o.Name, Threads: o.Threads}
	var (
		res *importer.Result
		err error
	)
	if o.Config != "" {
		res, err = importer.ImportWeights(file, o.Config, iopts)
	} else {
		res, err = importer.Import(file, iopts)
	}
	var out *Imported
	if res != nil {
		out = &Imported{Config: res.Config, Checkpoint: res.Checkpoint, Params: res.Params}
		if m := res.Model; m != nil {
			out.Sequential, out.Layers, out.KerasVersion = m.Sequential, len(m.Layers), m.KerasVersion
			for _, w := range m.Warnings {
				out.Warnings = append(out.Warnings, w.String())
			}
		}
	}
	if err != nil {
		err = fmt.Errorf("import: %w", err)
		var ke *kerasfile.Error
		var ce *configs.Error
		if errors.As(err, &ke) || errors.As(err, &ce) || errors.Is(err, kerasfile.ErrFormat) || errors.Is(err, kerasfile.ErrUnsupported) ||
			errors.Is(err, fs.ErrNotExist) {
			err = userError(err)
		}
		return out, err
	}
	return out, nil
}
