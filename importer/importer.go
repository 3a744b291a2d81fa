package importer

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	tf "github.com/wamuir/graft/tensorflow"

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
	if err := os.WriteFile(cfgPath, []byte(configYAML(m, name, spec)), 0o644); err != nil {
		return nil, err
	}
	cfg, err := configs.Load(cfgPath)
	if err != nil {
		return nil, fmt.Errorf("the config written for %s does not load (a bug in tfrun import): %w", m.File, err)
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

// AssignWeights sets each of vars (a model's weights, in its layers' order) to the Keras
// weights of its layer, matched by layer name and checked shape by shape, and returns
// the number of values set. A weight of another shape, a layer whose weights are missing
// or extra, is an error wrapping ErrWeights that names the layer and the weight.
func AssignWeights(sess *graphs.Session, vars []*graphs.Variable, m *kerasfile.Model) (int, error) {
	byLayer := map[string][]*graphs.Variable{}
	var order []string
	for _, v := range vars {
		layer := layerOf(v.Name, m)
		if layer == "" {
			return 0, fmt.Errorf("%w: variable %s belongs to no layer of %s", ErrWeights, v.Name, m.File)
		}
		if _, seen := byLayer[layer]; !seen {
			order = append(order, layer)
		}
		byLayer[layer] = append(byLayer[layer], v)
	}
	var set []*graphs.Variable
	var values []*tf.Tensor
	params := 0
	var problems []string
	for _, layer := range order {
		vs, ws := byLayer[layer], m.Weights[layer]
		class := classOf(layer, m)
		ws = skipExtra(class, vs, ws)
		if len(ws) != len(vs) {
			problems = append(problems, fmt.Sprintf("layer %q (%s): the file has %d weights (%s), tfrun's layer %d (%s)", layer, class, len(ws), weightList(ws), len(vs), varList(vs)))
			continue
		}
		for i, v := range vs {
			w := ws[i]
			want := make([]int, len(v.Shape))
			for j, d := range v.Shape {
				want[j] = int(d)
			}
			if !slices.Equal(want, w.Shape) {
				problems = append(problems, fmt.Sprintf("layer %q (%s): weight %s is %v in the file, tfrun's %s is %v", layer, class, w.Path, w.Shape, v.Name, want))
				continue
			}
			dims := make([]int64, len(w.Shape))
			for j, d := range w.Shape {
				dims[j] = int64(d)
			}
			t, err := graphs.NewTensor(w.Values, dims...)
			if err != nil {
				return 0, err
			}
			set, values = append(set, v), append(values, t)
			params += len(w.Values)
		}
	}
	for name, ws := range m.Weights {
		if _, used := byLayer[name]; !used && len(ws) > 0 {
			problems = append(problems, fmt.Sprintf("layer %q: the file has %d weights for it, tfrun's layer has none", name, len(ws)))
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return 0, fmt.Errorf("%s: %w:\n  - %s", m.File, ErrWeights, strings.Join(problems, "\n  - "))
	}
	if err := sess.Set(set, values); err != nil {
		return 0, err
	}
	return params, nil
}

// skipExtra drops the Keras weights tfrun's layer does not hold: Normalization's count.
func skipExtra(class string, vs []*graphs.Variable, ws []kerasfile.Weight) []kerasfile.Weight {
	if class == configs.LayerNormalization && len(ws) == len(vs)+1 && len(ws[len(ws)-1].Shape) == 0 {
		return ws[:len(ws)-1]
	}
	return ws
}

// layerOf is the layer of m a variable belongs to: the longest layer name that prefixes
// its name as a scope ("dense_1/kernel" is dense_1's).
func layerOf(varName string, m *kerasfile.Model) string {
	best := ""
	for _, l := range m.Layers {
		if l.Reuse != "" {
			continue
		}
		for _, prefix := range []string{l.Name + "/"} {
			if (strings.HasPrefix(varName, prefix) || strings.Contains(varName, "/"+prefix)) && len(l.Name) > len(best) {
				best = l.Name
			}
		}
	}
	return best
}

func classOf(layer string, m *kerasfile.Model) string {
	for _, l := range m.Layers {
		if l.Name == layer {
			return l.Class
		}
	}
	return ""
}

func weightList(ws []kerasfile.Weight) string {
	var s []string
	for _, w := range ws {
		s = append(s, fmt.Sprintf("%s %v", w.Path, w.Shape))
	}
	return strings.Join(s, ", ")
}

func varList(vs []*graphs.Variable) string {
	var s []string
	for _, v := range vs {
		s = append(s, fmt.Sprintf("%s %v", v.Name, v.Shape))
	}
	return strings.Join(s, ", ")
}
