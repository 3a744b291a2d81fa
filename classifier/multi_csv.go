package classifier

import (
	"fmt"
	"slices"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/datasets"
)

// MultiSplits are a CSV read by the model's input and output names (data.inputs,
// data.outputs): the training examples, the validation examples (nil without
// data.validation_split) and the test examples (nil without data.test_path).
type MultiSplits struct {
	Train, Validation, Test *Examples
	// ClassNames are each classification output's classes in label order; a
	// regression output has none.
	ClassNames map[string][]string
	// Normalization is each numeric input's Normalization, adapted on the training rows
	// (empty when data.normalize is false).
	Normalization map[string]Normalization
	// Vocabularies are each text input's vocabulary, built from the training rows.
	Vocabularies map[string]*datasets.Vocabulary
}

// LoadMultiSplits loads the data of a config whose model is fed by name (data.inputs,
// data.outputs) as its run does (loadMultiCSV, the output losses telling which outputs
// are real-valued), and writes the files export needs (writeMultiFiles) to outDir ("" for
// none).
func LoadMultiSplits(cfg *configs.Config, outDir string, seed int64) (*MultiSplits, error) {
	sup := cfg.Supervised()
	if sup == nil || !sup.Model.MultiIO() {
		return nil, fmt.Errorf("%s: not a model fed by name (data.inputs, data.outputs)", cfg.File)
	}
	s, err := loadMultiCSV(cfg.Data, func(name string) bool { return sup.Train.OutputLoss(name).Regression() }, seed)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.File, err)
	}
	if outDir != "" {
		if err := writeMultiFiles(outDir, s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// loadMultiCSV reads data.path (and data.test_path) by data.inputs and data.outputs:
// each numeric input's columns, normalized as data.normalize says with the mean and
// variance of the training rows, each text input's column through the text_directory
// pipeline (Tokenize, a vocabulary of num_words built from the training rows, Encode,
// PadSequences to maxlen), and each output's labels, class ids (classes as
// data.label's are found) or, when regression says its loss is a regression one, real
// targets. The validation split and shuffle are loadCSV's. The file is read once per
// output.
func loadMultiCSV(d configs.Data, regression func(output string) bool, seed int64) (*MultiSplits, error) {
	if d.SampleWeight != "" {
		return nil, fmt.Errorf("%s: data.sample_weight with data.outputs is not yet supported", d.Path)
	}
	var features []string // every numeric input's columns, in data.inputs order
	for _, in := range d.Inputs {
		features = append(features, in.Columns...)
	}
	if len(features) == 0 {
		return nil, fmt.Errorf("%s: data.inputs: a CSV fed by name needs a numeric input for now (text inputs alone are not yet read)", d.Path)
	}
	read := func(path string, classes map[string][]string) (map[string]*datasets.Table, error) {
		tables := map[string]*datasets.Table{}
		for _, o := range d.Outputs {
			opt := datasets.CSVOptions{FeatureColumns: features, Regression: regression(o.Name)}
			if len(o.Columns) > 1 {
				opt.Labels = o.Columns
			} else {
				opt.Label, opt.ClassNames = o.Columns[0], classes[o.Name]
			}
			t, err := datasets.ReadCSV(path, opt)
			if err != nil {
				return nil, fmt.Errorf("data.outputs.%s: %w", o.Name, err)
			}
			tables[o.Name] = t
		}
		return tables, nil
	}
	tables, err := read(d.Path, nil)
	if err != nil {
		return nil, err
	}
	first := tables[d.Outputs[0].Name]
	n := first.NumRows
	s := &MultiSplits{ClassNames: map[string][]string{}, Normalization: map[string]Normalization{}, Vocabularies: map[string]*datasets.Vocabulary{}}
	for _, o := range d.Outputs {
		if t := tables[o.Name]; !t.Regression() {
			s.ClassNames[o.Name] = slices.Clone(t.ClassNames)
		} else if len(o.Columns) > 1 && !regression(o.Name) {
			s.ClassNames[o.Name] = slices.Clone([]string(o.Columns)) // multi-label: the columns are the classes
		}
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	if d.ShuffleOrDefault() {
		order = datasets.Shuffle(n, d.SeedOr(seed))
	}
	nVal := int(d.ValidationSplit * float64(n))
	if d.ValidationSplit > 0 && (nVal == 0 || nVal == n) {
		return nil, fmt.Errorf("%s: data.validation_split %g of %d rows leaves an empty split", d.Path, d.ValidationSplit, n)
	}
	// texts reads each text input's column of path, tokenized, checking its rows are the
	// tables' n.
	texts := func(path string, n int) (map[string][][]string, error) {
		out := map[string][][]string{}
		for _, in := range d.Inputs {
			if in.Text == "" {
				continue
			}
			raw, err := datasets.ReadCSVText(path, in.Text, 0)
			if err != nil {
				return nil, fmt.Errorf("data.inputs.%s: %w", in.Name, err)
			}
			if len(raw) != n {
				return nil, fmt.Errorf("%s: data.inputs.%s: %d texts, but %d rows", path, in.Name, len(raw), n)
			}
			toks := make([][]string, n)
			for i, t := range raw {
				toks[i] = datasets.Tokenize(t)
			}
			out[in.Name] = toks
		}
		return out, nil
	}
	// examples turns the tables' rows idx (and the texts') into Examples, normalizing
	// and encoding with s's statistics and vocabularies.
	examples := func(tables map[string]*datasets.Table, toks map[string][][]string, idx []int) (*Examples, error) {
		e := &Examples{Inputs: map[string]Tensor{}, Labels: map[string]Tensor{}}
		rows, err := tables[d.Outputs[0].Name].Rows(idx)
		if err != nil {
			return nil, err
		}
		for _, in := range d.Inputs {
			if in.Text == "" {
				continue
			}
			seqs := make([][]int32, len(idx))
			for k, i := range idx {
				seqs[k] = s.Vocabularies[in.Name].Encode(toks[in.Name][i])
			}
			ids, err := datasets.PadSequences(seqs, in.Maxlen)
			if err != nil {
				return nil, fmt.Errorf("data.inputs.%s: %w", in.Name, err)
			}
			e.Inputs[in.Name] = Tensor{Ints: ids, Shape: builders.Shape{in.Maxlen}}
		}
		col := 0
		for _, in := range d.Inputs {
			if in.Text != "" {
				continue
			}
			k := len(in.Columns)
			x := make([]float32, 0, len(idx)*k)
			for r := range len(idx) {
				x = append(x, rows.Features[r*len(features)+col:r*len(features)+col+k]...)
			}
			if norm, ok := s.Normalization[in.Name]; ok {
				if x, err = datasets.Normalize(x, k, norm.Mean, norm.Variance); err != nil {
					return nil, fmt.Errorf("data.inputs.%s: %w", in.Name, err)
				}
			}
			e.Inputs[in.Name] = Tensor{Floats: x, Shape: builders.Shape{k}}
			col += k
		}
		for _, o := range d.Outputs {
			t, err := tables[o.Name].Rows(idx)
			if err != nil {
				return nil, err
			}
			shape := builders.Shape{}
			if t.TargetWidth > 1 {
				shape = builders.Shape{t.TargetWidth}
			}
			labels := t.Targets
			if !t.Regression() {
				labels = floatLabels(t.Labels)
			}
			e.Labels[o.Name] = Tensor{Floats: labels, Shape: shape}
		}
		return e, nil
	}
	trainIdx := order[:n-nVal]
	if d.NormalizeOrDefault() {
		rows, err := first.Rows(trainIdx)
		if err != nil {
			return nil, err
		}
		col := 0
		for _, in := range d.Inputs {
			if in.Text != "" {
				continue
			}
			k := len(in.Columns)
			x := make([]float32, 0, rows.NumRows*k)
			for r := range rows.NumRows {
				x = append(x, rows.Features[r*len(features)+col:r*len(features)+col+k]...)
			}
			norm := Normalization{FeatureNames: slices.Clone(in.Columns)}
			if norm.Mean, norm.Variance, err = datasets.AdaptNormalization(x, rows.NumRows, k); err != nil {
				return nil, fmt.Errorf("data.inputs.%s: %w", in.Name, err)
			}
			s.Normalization[in.Name] = norm
			col += k
		}
	}
	toks, err := texts(d.Path, n)
	if err != nil {
		return nil, err
	}
	for _, in := range d.Inputs {
		if in.Text == "" {
			continue
		}
		// the training rows in file order, as tokenizer.fit_on_texts(train[column])
		rowsInFile := slices.Sorted(slices.Values(trainIdx))
		train := make([][]string, len(rowsInFile))
		for k, i := range rowsInFile {
			train[k] = toks[in.Name][i]
		}
		s.Vocabularies[in.Name] = datasets.BuildVocabulary(train, in.NumWords)
	}
	if s.Train, err = examples(tables, toks, trainIdx); err != nil {
		return nil, err
	}
	if nVal > 0 {
		if s.Validation, err = examples(tables, toks, order[n-nVal:]); err != nil {
			return nil, err
		}
	}
	if d.TestPath != "" {
		tt, err := read(d.TestPath, s.ClassNames)
		if err != nil {
			return nil, err
		}
		all := make([]int, tt[d.Outputs[0].Name].NumRows)
		for i := range all {
			all[i] = i
		}
		testToks, err := texts(d.TestPath, len(all))
		if err != nil {
			return nil, err
		}
		if s.Test, err = examples(tt, testToks, all); err != nil {
			return nil, err
		}
	}
	return s, nil
}
