package importer

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tfrun/tfrun/assemble"
	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/classifier"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/kerasfile"
	"github.com/tfrun/tfrun/runner"
)

var (
	// ErrWeights reports weights that do not fit the model: a layer's weight of another
	// shape than its config gives, a missing or extra weight. It wraps kerasfile.ErrFormat.
	ErrWeights = fmt.Errorf("%w: the weights do not fit the model", kerasfile.ErrFormat)
	// ErrNotImportable reports a model kerasfile reads but a run directory cannot hold yet
	// (several inputs or outputs). It wraps kerasfile.ErrUnsupported.
	ErrNotImportable = fmt.Errorf("%w: not yet importable as a run", kerasfile.ErrUnsupported)
)

// Options say where and how to import.
type Options struct {
	// Dir is the run directory to write; it must not hold checkpoints.
	Dir string
	// Name is the config's name (default: the Keras model's name, else the file's).
	Name string
	// Threads sizes TensorFlow's intra-op pool (0: one per core).
	Threads int
}

// Result is what Import wrote.
type Result struct {
	Model *kerasfile.Model
	// Config is the written config's path, Checkpoint the checkpoint's prefix.
	Config, Checkpoint string
	// Params is the number of weights imported.
	Params int
}

// Import reads the Keras model file path (kerasfile.Load) and writes its run directory.
func Import(path string, o Options) (*Result, error) {
	m, err := kerasfile.Load(path)
	if err != nil {
		return nil, err
	}
	return Write(m, o)
}

// Write writes the run directory of a loaded Keras model: o.Dir/<name>.yaml, the
// checkpoint of its weights and, for a classifier, class_names.json.
func Write(m *kerasfile.Model, o Options) (*Result, error) {
	name := o.Name
	if name == "" {
		name = m.Name
	}
	name = configName(name, m.File)
	spec, err := runSpec(m)
	if err != nil {
		return nil, err
	}
	if err := checkEmpty(o.Dir); err != nil {
		return nil, err
	}
	cfgPath := filepath.Join(o.Dir, name+".yaml")
	if err := os.WriteFile(cfgPath, []byte(configYAML(m, name, o.Dir, spec)), 0o644); err != nil {
		return nil, err
	}
	cfg, err := configs.Load(cfgPath)
	if err != nil {
		// The directory was empty: leave it so. A model tfrun reads but cannot train from a
		// run directory (an image out, as a GAN generator's) ends here, its reason in err.
		os.Remove(cfgPath)
		return nil, fmt.Errorf("%s: %w: a run directory holds a model trained on labels, one output vector per example (a classifier or a regressor), and the config written for this one does not load: %w", m.File, ErrNotImportable, err)
	}
	params, prefix, err := save(cfg, m, spec, o)
	if err != nil {
		return nil, err
	}
	return &Result{Model: m, Config: cfgPath, Checkpoint: prefix, Params: params}, nil
}

// save compiles cfg's model as training does, assigns m's weights and saves the checkpoint
// (and, for a classifier, class_names.json) in o.Dir.
func save(cfg *configs.Config, m *kerasfile.Model, spec spec, o Options) (int, string, error) {
	var mod compiled
	var err error
	if spec.multi {
		mod, err = compileMulti(cfg, m, o.Threads)
	} else {
		mod, err = classifier.FromConfig(cfg, builders.Shape(spec.shape), spec.ids, cfg.Seed, o.Threads)
	}
	if err != nil {
		return 0, "", err
	}
	defer mod.Close()
	params, err := AssignWeights(mod.Session(), mod.Weights(), m)
	if err != nil {
		return 0, "", err
	}
	if c, ok := mod.(*classifier.Classifier); ok && spec.classes {
		n := c.Model.OutputShape()[0]
		if n == 1 {
			n = 2
		}
		names := make([]string, n)
		for i := range names {
			names[i] = fmt.Sprintf("class_%d", i)
		}
		if err := runner.WriteJSON(filepath.Join(o.Dir, classifier.ClassNamesFile), names); err != nil {
			return 0, "", err
		}
	}
	ck, err := checkpoints.NewCheckpointer(mod.Graph(), mod.Session(), mod.Variables(), runner.CheckpointOptions(cfg, o.Dir))
	if err != nil {
		return 0, "", err
	}
	prefix, err := ck.Save(0, importState{ImportedFrom: m.File, KerasVersion: m.KerasVersion})
	if err != nil {
		return 0, "", err
	}
	return params, prefix, nil
}

// checkEmpty refuses a run directory that holds checkpoints and creates it.
func checkEmpty(dir string) error {
	if prefix, err := checkpoints.Latest(checkpoints.Dir(dir)); err != nil || prefix != "" {
		if err == nil {
			err = fmt.Errorf("%w: %s has checkpoint %s; import into a new directory", checkpoints.ErrCheckpointsExist, dir, prefix)
		}
		return err
	}
	return os.MkdirAll(dir, 0o755)
}

// compiled is a model compiled as training compiles it: a classifier.Classifier or, for
// several inputs or outputs, a classifier.MultiOutput.
type compiled interface {
	Graph() *graphs.Graph
	Session() *graphs.Session
	Variables() []*graphs.Variable
	Weights() []*graphs.Variable
	Close() error
}

// compileMulti compiles a model of several inputs and outputs as a run on a CSV's columns
// does (classifier's runMulti): each input a vector of numbers, each output one label.
func compileMulti(cfg *configs.Config, m *kerasfile.Model, threads int) (compiled, error) {
	sup := cfg.Supervised()
	f, _, err := assemble.Functional(&sup.Model, nil)
	if err != nil {
		return nil, err
	}
	spec := classifier.MultiSpec{Model: f, Inputs: map[string]builders.Shape{}, IntInputs: map[string]bool{}, Labels: map[string]builders.Shape{},
		NewOpt: func(s *graphs.Scope) (graphs.Optimizer, error) { return assemble.Optimizer(s, sup.Train.Optimizer) },
		Seed:   uint64(cfg.Seed), Threads: threads, TopK: sup.Train.TopK}
	for _, in := range m.Inputs {
		spec.Inputs[in.Name] = builders.Shape(in.Shape)
		spec.IntInputs[in.Name] = false
	}
	for _, name := range f.Outputs {
		spec.Labels[name] = builders.Shape{}
		spec.Outputs = append(spec.Outputs, classifier.OutputSpec{Name: name, Loss: sup.Train.OutputLoss(name),
			Weight: sup.Train.LossWeight(name), Metrics: sup.Train.OutputMetrics(name), LabelMode: cfg.Data.LabelMode})
	}
	return classifier.NewMultiOutput(spec)
}

// importState is the training state of an imported checkpoint: where it came from. (A
// run does not resume from it: -resume is for a run tfrun trained.)
type importState struct {
	ImportedFrom string `json:"imported_from"`
	KerasVersion string `json:"keras_version,omitempty"`
}

// configName is name made a file name (letters, digits, _ and -), or file's base name
// when name is empty.
func configName(n, file string) string {
	if n == "" {
		n = strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	}
	var b strings.Builder
	for _, r := range n {
		if r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteRune('_')
		}
	}
	return b.String()
}
