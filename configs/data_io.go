package configs

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// A CSV's columns for a functional model of several named inputs and outputs
// (docs/guide/multi_io.md):
//
//	data:
//	  format: csv
//	  inputs:
//	    numbers: [price, stars]       # numeric columns → float32 (None, 2)
//	    review: {text: body, num_words: 10000, maxlen: 200}   # → int32 (None, 200)
//	  outputs:
//	    class: sentiment              # a label column (or a list of them)
//	    value: rating

// InputColumns are the CSV columns that feed one input of the model (data.inputs).
type InputColumns struct {
	// Name is the model input's name, its key in data.inputs (lower case).
	Name string `mapstructure:"-"`
	// Columns are numeric columns, one float32 input of shape (len(Columns),). YAML: a
	// list of column names, or one.
	Columns []string `mapstructure:"-"`
	// Text names a text column, tokenized as text_directory's texts are (NumWords,
	// Maxlen: both required, > 0) into an int32 input of shape (Maxlen,).
	Text     string `mapstructure:"text"`
	NumWords int    `mapstructure:"num_words"`
	Maxlen   int    `mapstructure:"maxlen"`
}

// DataInputs are data.inputs, sorted by input name.
type DataInputs []InputColumns

// OutputColumns are the CSV label columns of one output of the model (data.outputs).
type OutputColumns struct {
	// Name is the model output's name, its key in data.outputs (lower case).
	Name string
	// Columns are its label columns: one, or several as data.label takes them.
	Columns Columns
}

// DataOutputs are data.outputs, sorted by output name.
type DataOutputs []OutputColumns

// dataInputs decodes data.inputs.
func (d *decoder) dataInputs(path string, raw any, in *DataInputs) error {
	m, err := d.mapping(path, raw, " from the model's input names to CSV columns, e.g. {numbers: [price, stars]}")
	if err != nil {
		return err
	}
	out := DataInputs{}
	for _, name := range sortedKeys(m) {
		p := join(path, name)
		x := InputColumns{Name: name}
		switch r := m[name].(type) {
		case string, []any:
			var cols Columns
			if err := d.columns(p, r, &cols); err != nil {
				return err
			}
			x.Columns = cols
		default:
			sub, err := d.mapping(p, r, " with text, or a list of numeric columns")
			if err != nil {
				return err
			}
			if err := d.knownKeys(p, sub, []string{"text", "num_words", "maxlen"}, " for a text input"); err != nil {
				return err
			}
			if err := d.structure(p, sub, reflect.ValueOf(&x).Elem()); err != nil {
				return err
			}
		}
		out = append(out, x)
	}
	*in = out
	return nil
}

// dataOutputs decodes data.outputs.
func (d *decoder) dataOutputs(path string, raw any, out *DataOutputs) error {
	m, err := d.mapping(path, raw, " from the model's output names to label columns, e.g. {class: sentiment, value: rating}")
	if err != nil {
		return err
	}
	res := DataOutputs{}
	for _, name := range sortedKeys(m) {
		o := OutputColumns{Name: name}
		if err := d.columns(join(path, name), m[name], &o.Columns); err != nil {
			return err
		}
		res = append(res, o)
	}
	*out = res
	return nil
}

// checkDataIO checks a CSV's data.inputs and data.outputs: given together, instead of
// data.label and data.feature_columns, every column named once.
func (c *checker) checkDataIO(d *Data) error {
	if len(d.Inputs) == 0 && len(d.Outputs) == 0 {
		return nil
	}
	switch {
	case len(d.Outputs) == 0:
		return c.missing("data.outputs", ": data.inputs feeds the model's inputs; name each output's label columns too, e.g. {class: label}")
	case len(d.Label) > 0:
		return c.bad("data.label", "given with data.outputs; give one: data.outputs names each output's label columns")
	case len(d.FeatureColumns) > 0:
		return c.bad("data.feature_columns", "given with data.outputs; name the model's inputs' columns in data.inputs instead")
	}
	seen := map[string]string{}
	use := func(p, col string) error {
		switch {
		case col == "":
			return c.bad(p, "empty column name")
		case col == d.SampleWeight:
			return c.bad(p, "%q is data.sample_weight; a column feeds one input or output", col)
		case seen[col] != "":
			return c.bad(p, "%q is also %s; a column feeds one input or output", col, seen[col])
		}
		seen[col] = p
		return nil
	}
	for _, in := range d.Inputs {
		p := join("data.inputs", in.Name)
		if in.Text == "" && (in.NumWords != 0 || in.Maxlen != 0) {
			return c.missing(join(p, "text"), ": num_words and maxlen are a text input's")
		}
		if in.Text != "" {
			if err := firstErr([]error{
				c.positiveWhy(join(p, "num_words"), in.NumWords, "the vocabulary keeps indices below num_words, as imdb.load_data num_words"),
				c.positiveWhy(join(p, "maxlen"), in.Maxlen, "texts are padded or truncated to maxlen tokens, as pad_sequences maxlen"),
				c.atMostMaxDim(join(p, "maxlen"), in.Maxlen),
				use(join(p, "text"), in.Text),
			}); err != nil {
				return err
			}
		}
		for i, col := range in.Columns {
			if err := use(indexPath(p, i), col); err != nil {
				return err
			}
		}
	}
	for _, o := range d.Outputs {
		for i, col := range o.Columns {
			if err := use(indexPath(join("data.outputs", o.Name), i), col); err != nil {
				return err
			}
		}
	}
	return nil
}

// dataIOFitsModel checks that data.inputs and data.outputs name the model's inputs and
// outputs, each once, and that a numeric input's declared shape is its columns'.
func (c *checker) dataIOFitsModel(d *Data, m *Model) error {
	if len(d.Inputs) > 0 && !m.Functional() {
		return c.bad("data.inputs", "feeds a functional model's named inputs; give model.inputs (a Sequential stack takes data.feature_columns)")
	}
	if len(d.Inputs) > 0 {
		var want []string
		for _, in := range m.Inputs {
			want = append(want, in.Name)
		}
		var got []string
		for _, in := range d.Inputs {
			got = append(got, in.Name)
			k := slices.IndexFunc(m.Inputs, func(x Input) bool { return x.Name == in.Name })
			if k < 0 {
				return c.bad(join("data.inputs", in.Name), "not an input of the model (model.inputs: %s)", strings.Join(want, ", "))
			}
			want, what, dtype := []int{len(in.Columns)}, fmt.Sprintf("%d columns", len(in.Columns)), DTypeFloat32
			if in.Text != "" {
				want, what, dtype = []int{in.Maxlen}, fmt.Sprintf("token ids padded to maxlen %d", in.Maxlen), DTypeInt32
			}
			if sh := m.Inputs[k].Shape; sh != nil && !slices.Equal([]int(sh), want) {
				return c.bad(join("model.inputs", in.Name)+".shape", "%v, but data.inputs.%s gives %s, shape %v", []int(sh), in.Name, what, want)
			}
			if dt := m.Inputs[k].DType; dt != "" && dt != dtype {
				return c.bad(join("model.inputs", in.Name)+".dtype", "%s, but data.inputs.%s gives %s", dt, in.Name, dtype)
			}
		}
		for _, name := range want {
			if !slices.Contains(got, name) {
				return c.missing(join("data.inputs", name), ": every input of the model is fed from the CSV's columns")
			}
		}
	}
	if len(d.Outputs) > 0 {
		outs := m.OutputNames()
		var got []string
		for _, o := range d.Outputs {
			k := slices.IndexFunc(outs, func(x string) bool { return strings.EqualFold(x, o.Name) })
			if k < 0 {
				return c.bad(join("data.outputs", o.Name), "not an output of the model (outputs: %s)", strings.Join(outs, ", "))
			}
			got = append(got, outs[k])
		}
		for _, name := range outs {
			if !slices.Contains(got, name) {
				return c.missing(join("data.outputs", strings.ToLower(name)), ": every output of the model has its label columns")
			}
		}
	}
	if len(d.Outputs) > 0 && len(d.Inputs) == 0 {
		return c.missing("data.inputs", ": data.outputs needs data.inputs, the columns of each of the model's inputs")
	}
	return nil
}

// multiIOShapes infers a functional model's tensor shapes from data.inputs (each numeric
// input of shape (columns,)), refusing what the graph cannot compute.
func (c *checker) multiIOShapes(d *Data, m *Model) error {
	g, err := c.graph("model", m)
	if err != nil {
		return err
	}
	ins := map[string]tensorShape{}
	for _, in := range d.Inputs {
		ins[in.Name] = tensorShape{shape: Shape{len(in.Columns)}}
		if in.Text != "" {
			ins[in.Name] = tensorShape{shape: Shape{in.Maxlen}, ids: true}
		}
	}
	_, err = c.graphShapes(g, ins)
	return err
}

// canonicalDataIO is the fingerprint's form of data.inputs and data.outputs.
func canonicalDataIO(d Data) (inputs, outputs map[string]any) {
	inputs, outputs = map[string]any{}, map[string]any{}
	for _, in := range d.Inputs {
		inputs[in.Name] = map[string]any{"columns": in.Columns, "text": in.Text, "num_words": in.NumWords, "maxlen": in.Maxlen}
	}
	for _, o := range d.Outputs {
		outputs[o.Name] = []string(o.Columns)
	}
	return inputs, outputs
}
