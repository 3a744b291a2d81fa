package export

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/classifier"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/graphs"
)

// KindMultiIO is a model fed by name (data.inputs, data.outputs): one signature argument
// per model input, the outputs by name.
const KindMultiIO = "multi_io_model"

// Suffixes of the outputs a classification output o adds beside o itself in the
// signatures of a model fed by name: o_class_id, o_probability, o_label (as a
// single-output classifier's class_id, probability and label).
const (
	SuffixClassID     = "_" + OutputClassID
	SuffixProbability = "_" + OutputProbability
	SuffixLabel       = "_" + OutputLabel
)

// buildMultiIO is buildClassifier for a model fed by name from a CSV: the graph its run
// trained (classifier.MultiFromConfig), and signatures that take each model input as one
// argument named as the input and return each output by name:
//
//   - serving_default: a numeric input float32 [batch, n] in raw units, normalized
//     in-graph with the run's normalization_<input>.json (as training normalized it)
//     unless data.normalize is false; a text input string [batch] through the in-graph
//     tokenizer with the run's vocabulary_<input>.json;
//   - token_ids (with text inputs): the same, each text input as its padded ids int32
//     [batch, maxlen]; tokenize: each text input's ids, by input name.
//
// Every output o returns the model's output as Keras's predict gives it, float32
// [batch, units]; a classification output of one label column (its classes in the
// run's class_names.json) adds o_class_id (int64 [batch]), o_probability (float32
// [batch]: P(class 1) for one sigmoid unit, the predicted class's otherwise) and o_label
// (string [batch]), as a single-output classifier's class_id, probability and label.
func buildMultiIO(m *Model, runDir string, threads int) error {
	cfg := m.Config
	sup := cfg.Supervised()
	var classes map[string][]string
	for _, o := range cfg.Data.Outputs {
		if !sup.Train.OutputLoss(o.Name).Regression() && len(o.Columns) == 1 {
			var err error
			if classes, err = readOutputClassNames(runDir, cfg.File); err != nil {
				return err
			}
			break
		}
	}
	norms := map[string]*normalizer{}
	toks := map[string]*TextTokenizer{}
	for _, in := range cfg.Data.Inputs {
		switch {
		case in.Text != "":
			tok, err := inputTokenizer(runDir, cfg.File, in)
			if err != nil {
				return err
			}
			toks[in.Name] = tok
		case cfg.Data.NormalizeOrDefault():
			path := filepath.Join(runDir, classifier.InputNormalizationFile(in.Name))
			n, err := readNormalizationFile(path, runDir, cfg.File, "data.inputs."+in.Name, in.Columns)
			if err != nil {
				return err
			}
			norms[in.Name] = newNormalizer(n)
		}
	}
	c, err := classifier.MultiFromConfig(servingConfig(cfg), cfg.Seed, threads)
	if err != nil {
		return err
	}
	m.adopt(c.Graph(), c.Session(), c.Close)
	m.Kind = KindMultiIO
	ss := c.Graph().Root().Sub("serving")
	is := ss.Sub("inputs")
	raw := map[string]tf.Output{}    // serving_default's arguments
	ids := map[string]tf.Output{}    // token_ids's: the numeric inputs and each text input's ids
	xs := map[string]tf.Output{}     // what the model is called on
	tokens := map[string]tf.Output{} // tokenize's outputs
	var fills []*tf.Operation
	for _, in := range cfg.Data.Inputs {
		if tok := toks[in.Name]; tok != nil {
			text := is.Placeholder(in.Name, tf.String, -1)
			ts := ss.Sub("text_" + in.Name)
			table, fill := tok.Table(ts)
			encoded := tok.Encode(ts, table, text)
			x := op.PlaceholderWithDefault(ts.Op("token_ids"), encoded, tf.MakeShape(-1, int64(in.Maxlen)))
			raw[in.Name], ids[in.Name], xs[in.Name], tokens[in.Name] = text, x, x, encoded
			fills = append(fills, fill)
			continue
		}
		x := is.Placeholder(in.Name, tf.Float, -1, int64(len(in.Columns)))
		raw[in.Name], ids[in.Name], xs[in.Name] = x, x, x
		if z := norms[in.Name]; z != nil {
			xs[in.Name] = z.apply(ss.Sub("input_"+in.Name), x)
		}
	}
	outs, _ := c.Model.CallGraph(xs, false)
	if !ss.Ok() || outs == nil {
		return fmt.Errorf("export: %s: calling the model: %w", cfg.File, ss.Err())
	}
	out, err := outputHeads(ss, cfg.File, c.Model, outs, func(name string, units int) ([]string, error) {
		if sup.Train.OutputLoss(name).Regression() || labelColumns(cfg.Data.Outputs, name) != 1 {
			return nil, nil // a regression, or several label columns (multi-label)
		}
		cn, ok := classes[name]
		if !ok {
			return nil, errorf("building", filepath.Join(runDir, classifier.ClassNamesFile), ErrNoRunFile, "no classes for output %q: the file is another run's", name)
		}
		if want := max(units, 2); len(cn) != want {
			return nil, errorf("building", filepath.Join(runDir, classifier.ClassNamesFile), ErrNoRunFile, "output %q has %d classes %v, but %d units: the file is another run's", name, len(cn), cn, units)
		}
		return cn, nil
	})
	if err != nil {
		return err
	}
	m.sigs[DefaultSignature] = &signature{inputs: raw, outputs: out}
	if len(toks) > 0 {
		m.sigs[TokenIDsSignature] = &signature{inputs: ids, outputs: out}
		m.sigs[TokenizeSignature] = &signature{inputs: onlyKeys(raw, tokens), outputs: tokens}
		m.init = op.NoOp(ss.WithControlDependencies(fills...).Op("init_tables"))
	}
	return ss.Err()
}

// outputHeads are the signature outputs of a model of several outputs called on the
// serving inputs (outs, by output name): each output o as Keras's predict gives it and,
// for an output of one row of units that classes names (nil: not a classification of
// one label), o_class_id, o_probability and o_label.
func outputHeads(ss *graphs.Scope, file string, model *builders.Functional, outs map[string]tf.Output, classes func(name string, units int) ([]string, error)) (map[string]tf.Output, error) {
	shapes := model.OutputShapes()
	out := map[string]tf.Output{}
	add := func(name, from string, o tf.Output) error {
		if prev, dup := out[name]; dup && prev != o {
			return errorf("building", file, ErrUnsupported, "the signature output %q of output %q is also another output's: rename one of the model's outputs", name, from)
		}
		out[name] = o
		return nil
	}
	for i, name := range model.Outputs {
		hs := ss.Sub("head_" + name)
		if err := add(name, name, op.Identity(hs.Op("Identity"), outs[name])); err != nil {
			return nil, err
		}
		if len(shapes[i]) != 1 {
			continue // not one row of units
		}
		units := shapes[i][0]
		cn, err := classes(name, units)
		if err != nil {
			return nil, err
		}
		if cn == nil {
			continue
		}
		head := classHead(hs, outs[name], units, func(int) []string { return cn })
		for _, k := range []string{OutputClassID, OutputProbability, OutputLabel} {
			if err := add(name+"_"+k, name, head[k]); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// labelColumns is the number of label columns of the output name.
func labelColumns(outs configs.DataOutputs, name string) int {
	for _, o := range outs {
		if o.Name == name {
			return len(o.Columns)
		}
	}
	return 0
}

// onlyKeys is the entries of m whose keys are keys'.
func onlyKeys(m, keys map[string]tf.Output) map[string]tf.Output {
	out := map[string]tf.Output{}
	for k := range keys {
		out[k] = m[k]
	}
	return out
}

// inputTokenizer is a text input's tokenizer: the run's vocabulary_<input>.json, checked
// against the input's num_words, and maxlen.
func inputTokenizer(runDir, config string, in configs.InputColumns) (*TextTokenizer, error) {
	path := filepath.Join(runDir, classifier.InputVocabularyFile(in.Name))
	vocab, err := datasets.LoadVocabulary(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, errorf("building", path, ErrNoRunFile, "missing: a run writes each text input's vocabulary when it reads the CSV (is %s the run directory of %s?)", runDir, config)
	}
	if err != nil {
		return nil, err
	}
	if vocab.NumWords() != in.NumWords {
		return nil, errorf("building", path, ErrNoRunFile, "num_words is %d, %s says data.inputs.%s.num_words: %d: the vocabulary is another run's", vocab.NumWords(), config, in.Name, in.NumWords)
	}
	tok := &TextTokenizer{Vocabulary: vocab, Maxlen: in.Maxlen, TableName: "tfrun_vocabulary_" + in.Name}
	if err := tok.Check(); err != nil {
		return nil, err
	}
	return tok, nil
}

// readOutputClassNames reads the class_names.json of a run fed by name: each
// classification output's classes, by output name.
func readOutputClassNames(runDir, config string) (map[string][]string, error) {
	path := filepath.Join(runDir, classifier.ClassNamesFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, errorf("building", path, ErrNoRunFile, "missing: a run fed by name writes its outputs' classes when it reads the CSV (is %s the run directory of %s? a run trained before tfrun wrote it must run again)", runDir, config)
	}
	if err != nil {
		return nil, errorf("building", path, ErrNoRunFile, "%v", err)
	}
	var names map[string][]string
	if err := json.Unmarshal(b, &names); err != nil {
		return nil, errorf("building", path, ErrNoRunFile, "want a JSON object of each classification output's class names (%v)", err)
	}
	for _, k := range slices.Sorted(maps.Keys(names)) {
		if len(names[k]) < 2 {
			return nil, errorf("building", path, ErrNoRunFile, "output %q: %d class names, want 2 or more", k, len(names[k]))
		}
	}
	return names, nil
}
