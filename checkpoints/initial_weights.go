package checkpoints

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
)

// Starting a run from another run's weights (train.initial_weights), Keras's
// model.load_weights by layer name: a model's weight is named <model>/<layer>/<weight>
// (functional/conv1/kernel), and is matched with the bundle's tensor of the same layer
// and weight under any model name, so a phase-2 config may name its model differently.
// Optimizer slots and counters are never read: the run starts its own.

// ErrInitialWeights: train.initial_weights cannot be used: no such file or run directory,
// a format tfrun cannot read yet, or weights of another shape than the model's.
var ErrInitialWeights = errors.New("checkpoints: initial weights")

// WeightsConverter turns a weights file of another format (a Keras .keras file) into a
// tfrun checkpoint bundle under dir, and returns its prefix; its errors name path. config is the config file of
// the run the weights start: a weights-only file (Keras's .weights.h5) holds no
// architecture, and is read as the weights of that config's model, as Keras's
// model.load_weights reads it.
type WeightsConverter func(path, config, dir string) (prefix string, err error)

var converters = map[string]WeightsConverter{}

// RegisterWeightsFormat makes ResolveWeights accept files whose name ends with ext
// (".keras"), converted by convert; of several registered extensions a name ends with, the
// longest decides (".weights.h5" before ".h5"). It is meant for a package's init (package
// importer registers Keras's files); registering an extension twice panics.
func RegisterWeightsFormat(ext string, convert WeightsConverter) {
	if _, dup := converters[ext]; dup {
		panic("checkpoints: RegisterWeightsFormat: " + ext + " registered twice")
	}
	converters[ext] = convert
}

// kerasExtensions are Keras's weight files, which package importer converts; a program
// that does not link it refuses them with a message saying so.
var kerasExtensions = []string{".keras", ".h5", ".weights.h5"}

// converterFor is the converter registered for the longest extension path ends with.
func converterFor(path string) (string, WeightsConverter) {
	best := ""
	for ext := range converters {
		if strings.HasSuffix(path, ext) && len(ext) > len(best) {
			best = ext
		}
	}
	return best, converters[best]
}

// ResolveWeights finds the checkpoint bundle path names: a run directory (its latest
// checkpoint), a checkpoints directory, a checkpoint prefix (.../ckpt-40), or a file of a
// registered format, converted into scratch (a directory the caller removes) for the run
// of the config file config. Anything else is an error wrapping ErrInitialWeights that
// says what was found.
func ResolveWeights(path, config, scratch string) (string, error) {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrInitialWeights, path, fmt.Sprintf(format, args...))
	}
	if ext, convert := converterFor(path); convert != nil {
		if st, err := os.Stat(path); err == nil && st.IsDir() {
			return "", fail("a directory, not a %s file", ext)
		}
		prefix, err := convert(path, config, scratch)
		if err != nil {
			return "", fmt.Errorf("%w: %s: %w", ErrInitialWeights, path, err)
		}
		return prefix, nil
	}
	for _, ext := range kerasExtensions {
		if strings.HasSuffix(path, ext) {
			return "", fail("a Keras weights file, which this program cannot read: it does not link tfrun's Keras importer (package github.com/tfrun/tfrun/importer; bin/tfrun does). Convert it with `tfrun import` and give the run directory")
		}
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		for _, dir := range []string{Dir(path), path} {
			latest, err := Latest(dir)
			if err != nil {
				return "", fmt.Errorf("%w: %w", ErrInitialWeights, err)
			}
			if latest != "" {
				return latest, nil
			}
		}
		return "", fail("a directory without checkpoints (want a tfrun run directory, whose checkpoints/ holds one, or a checkpoint prefix such as runs/x/checkpoints/ckpt-40)")
	}
	if _, err := os.Stat(IndexFile(path)); err == nil {
		return path, nil
	}
	if _, err := os.Stat(path); err == nil {
		return "", fail("not a checkpoint (want a tfrun run directory or a checkpoint prefix such as runs/x/checkpoints/ckpt-40, without .index)")
	}
	hint := ""
	if dir := filepath.Dir(path); dir != "." {
		if _, err := os.Stat(dir); err != nil {
			hint = fmt.Sprintf(" (%s does not exist either)", dir)
		}
	}
	return "", fail("no such run directory or checkpoint%s", hint)
}

// WeightsLoaded says what LoadWeightsByLayer did.
type WeightsLoaded struct {
	// Prefix is the bundle read.
	Prefix string
	// Layers are the model's layers whose weights were loaded; Missing those the bundle
	// lacks, which keep their initial values; Unused the bundle's layers the model lacks.
	Layers, Missing, Unused []string
}

// LoadWeightsByLayer assigns the model weights vars (named <model>/<layer>/..., as a
// builders model names them) from the bundle at prefix, matched by layer name. A layer
// the bundle lacks entirely keeps its values; one whose weights the bundle has only in
// part, or of another shape or dtype, is an error wrapping ErrInitialWeights that names
// the layer and both shapes. On any error no variable has changed.
func LoadWeightsByLayer(sess *graphs.Session, prefix string, vars []*graphs.Variable) (*WeightsLoaded, error) {
	entries, err := List(prefix)
	if err != nil {
		return nil, err
	}
	// The bundle's weights by layer and weight path, under each model name.
	type key struct{ layer, rest string }
	found := map[key][]Entry{}
	fileLayers := map[string]map[string]bool{} // model name → its layers
	fileWeights := map[string][]string{}       // model name/layer → its weights
	for _, e := range entries {
		parts := strings.SplitN(e.Name, "/", 3)
		if len(parts) < 3 {
			continue // step, an optimizer's iterations
		}
		found[key{parts[1], parts[2]}] = append(found[key{parts[1], parts[2]}], e)
		if fileLayers[parts[0]] == nil {
			fileLayers[parts[0]] = map[string]bool{}
		}
		fileLayers[parts[0]][parts[1]] = true
		fileWeights[parts[0]+"/"+parts[1]] = append(fileWeights[parts[0]+"/"+parts[1]], parts[2])
	}
	var order []string // the model's layers, in variable order
	byLayer := map[string][]*graphs.Variable{}
	model := ""
	for _, v := range vars {
		parts := strings.SplitN(v.Name, "/", 3)
		if len(parts) < 3 {
			return nil, fmt.Errorf("%w: variable %q is not named <model>/<layer>/<weight>", ErrInitialWeights, v.Name)
		}
		model = parts[0]
		if byLayer[parts[1]] == nil {
			order = append(order, parts[1])
		}
		byLayer[parts[1]] = append(byLayer[parts[1]], v)
	}
	fail := func(format string, args ...any) error {
		return &Error{Op: "reading initial weights from", Path: prefix, Kind: ErrInitialWeights, Err: fmt.Errorf(format, args...)}
	}
	out := &WeightsLoaded{Prefix: prefix}
	var assign []*graphs.Variable
	var read []Entry
	source := "" // the bundle's model name the weights come from
	for _, layer := range order {
		var have, lack []string
		var entriesOf []Entry
		for _, v := range byLayer[layer] {
			rest := strings.SplitN(v.Name, "/", 3)[2]
			cands := found[key{layer, rest}]
			var e *Entry
			for i := range cands { // the same model name first, else the only one
				if strings.HasPrefix(cands[i].Name, model+"/") {
					e = &cands[i]
				}
			}
			if e == nil && len(cands) > 1 {
				var names []string
				for _, c := range cands {
					names = append(names, c.Name)
				}
				return nil, fail("layer %q: weight %s is in the bundle under several models (%s); give the checkpoint of one model", layer, rest, strings.Join(names, ", "))
			}
			if e == nil && len(cands) == 1 {
				e = &cands[0]
			}
			if e == nil {
				lack = append(lack, rest)
				continue
			}
			if e.DType != v.DType || !slices.Equal(e.Shape, v.Shape) {
				return nil, fail("layer %q: %s is %s %v in the bundle (%s), %s %v in the model",
					layer, rest, graphs.DTypeName(e.DType), e.Shape, e.Name, graphs.DTypeName(v.DType), v.Shape)
			}
			have = append(have, rest)
			entriesOf = append(entriesOf, *e)
		}
		switch {
		case len(have) == 0:
			out.Missing = append(out.Missing, layer)
			continue
		case len(lack) > 0:
			return nil, fail("layer %q: the bundle has %s but not %s (is it another kind of layer, or configured otherwise?)",
				layer, strings.Join(have, ", "), strings.Join(lack, ", "))
		}
		from := strings.SplitN(entriesOf[0].Name, "/", 2)[0]
		if extra := len(fileWeights[from+"/"+layer]) - len(have); extra > 0 {
			var more []string
			for _, rest := range fileWeights[from+"/"+layer] {
				if !slices.Contains(have, rest) {
					more = append(more, rest)
				}
			}
			return nil, fail("layer %q: the bundle has %s too, which the model's layer lacks (is it another kind of layer, or configured otherwise?)",
				layer, strings.Join(more, ", "))
		}
		out.Layers = append(out.Layers, layer)
		for i, v := range byLayer[layer] {
			assign = append(assign, v)
			read = append(read, entriesOf[i])
		}
		if source == "" {
			source = strings.SplitN(entriesOf[0].Name, "/", 2)[0]
		}
	}
	if source != "" {
		for l := range fileLayers[source] {
			if byLayer[l] == nil {
				out.Unused = append(out.Unused, l)
			}
		}
		slices.Sort(out.Unused)
	}
	if len(assign) == 0 {
		return out, nil
	}
	values, err := readTensors(prefix, read)
	if err != nil {
		return nil, err
	}
	if err := sess.Set(assign, values); err != nil {
		return nil, &Error{Op: "reading initial weights from", Path: prefix, Kind: ErrMismatch, Err: err}
	}
	return out, nil
}

// readTensors reads the bundle's tensors es with RestoreV2 in a graph and session of
// their own, so the model's graph gains no ops.
func readTensors(prefix string, es []Entry) ([]*tf.Tensor, error) {
	s := op.NewScope()
	names := make([]string, len(es))
	types := make([]tf.DataType, len(es))
	for i, e := range es {
		names[i], types[i] = e.Name, e.DType
	}
	outs := op.RestoreV2(s, op.Const(s.SubScope("prefix"), prefix), op.Const(s.SubScope("names"), names),
		op.Const(s.SubScope("slices"), make([]string, len(es))), types)
	g, err := s.Finalize()
	if err != nil {
		return nil, fmt.Errorf("checkpoints: building the read of %s: %w", prefix, err)
	}
	sess, err := tf.NewSession(g, nil)
	if err != nil {
		return nil, fmt.Errorf("checkpoints: reading %s: %w", prefix, err)
	}
	defer sess.Close()
	vals, err := sess.Run(nil, outs, nil)
	if err != nil {
		return nil, &Error{Op: "reading initial weights from", Path: prefix, Kind: ErrCorrupt, Err: tfMessage(err)}
	}
	return vals, nil
}
