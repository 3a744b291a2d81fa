package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/export"
	"github.com/tfrun/tfrun/graphs"
)

// namedPredictor predicts with a model of named inputs and outputs (a run fed by name:
// data.inputs, data.outputs): each input line is one JSON object holding every input
// of serving_default by name, a number list for a numeric input (float32 [batch, n]; a
// bare number when n is 1), a string for a text input (string [batch]); each output line
// one JSON object, "line" then every output by name.
type namedPredictor struct {
	p       export.Predictor
	inputs  []namedInput // by name
	outputs []namedOutput
}

// namedInput is one argument of serving_default.
type namedInput struct {
	name  string
	text  bool // string [batch]; else float32 [batch, width]
	width int
}

// namedOutput is one output as predict prints it: a classification output (its
// probabilities beside <name>_class_id, _probability and _label: printed as one object)
// or values (printed as the example's row of values).
type namedOutput struct {
	name  string
	class bool
}

// classicSignature reports whether sig is a single-input classifier's or regression's,
// which predict reads as text, images or comma-separated rows: one input named text,
// images or features, and a probability, prediction or images output.
func classicSignature(sig tf.Signature) bool {
	if len(sig.Inputs) != 1 {
		return false
	}
	in := slices.Collect(maps.Keys(sig.Inputs))[0]
	if in != export.InputText && in != export.InputImages && in != export.InputFeatures {
		return false
	}
	for _, o := range []string{export.OutputProbability, export.OutputPrediction, export.OutputImages} {
		if _, ok := sig.Outputs[o]; ok {
			return true
		}
	}
	return false
}

// newNamedPredictor checks that sig's inputs are ones a JSON line can give (float32
// [batch, n], string [batch]) and its outputs do not take predict's own keys.
func newNamedPredictor(p export.Predictor, sig tf.Signature) (*namedPredictor, error) {
	np := &namedPredictor{p: p}
	for _, name := range slices.Sorted(maps.Keys(sig.Inputs)) {
		ti := sig.Inputs[name]
		dims, err := ti.Shape.ToSlice()
		switch {
		case err == nil && ti.DType == tf.String && len(dims) == 1:
			np.inputs = append(np.inputs, namedInput{name: name, text: true})
		case err == nil && ti.DType == tf.Float && len(dims) == 2 && dims[1] > 0:
			np.inputs = append(np.inputs, namedInput{name: name, width: int(dims[1])})
		default:
			return nil, usageError(fmt.Errorf("the model's input %q is %s%v: predict gives numbers (float32 [batch, n]) and text (string [batch]) by name", name, graphs.DTypeName(ti.DType), ti.Shape))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(sig.Outputs)) {
		if name == "line" || name == "error" {
			return nil, usageError(fmt.Errorf("the model has an output named %q, which predict's own key %q would hide", name, name))
		}
		if isHeadOf(name, sig.Outputs) {
			continue
		}
		_, class := sig.Outputs[name+export.SuffixClassID]
		np.outputs = append(np.outputs, namedOutput{name: name, class: class})
	}
	return np, nil
}

// isHeadOf reports whether name is a class head's companion (o_class_id, o_probability,
// o_label) of an output o in outs.
func isHeadOf(name string, outs map[string]tf.TensorInfo) bool {
	for _, suffix := range []string{export.SuffixClassID, export.SuffixProbability, export.SuffixLabel} {
		if base, ok := strings.CutSuffix(name, suffix); ok {
			if _, has := outs[base]; has {
				if _, class := outs[base+export.SuffixClassID]; class {
					return true
				}
			}
		}
	}
	return false
}

// namedResult is one output line: its line (or argument) number, then the outputs in
// name order, or the error.
type namedResult struct {
	line    int
	names   []string
	outputs map[string]any
	err     string
}

func (r *namedResult) failed() bool { return r.err != "" }

func (r *namedResult) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	if r.line > 0 {
		fmt.Fprintf(&b, `"line":%d`, r.line)
	}
	add := func(key string, v any) error {
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(key)
		val, err := json.Marshal(v)
		if err != nil {
			return err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(val)
		return nil
	}
	if r.err != "" {
		if err := add("error", r.err); err != nil {
			return nil, err
		}
	} else {
		for _, name := range r.names {
			if err := add(name, r.outputs[name]); err != nil {
				return nil, err
			}
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// classOutput is a classification output of one example, as a single-output
// classifier's line has it.
type classOutput struct {
	Probability   float32j   `json:"probability"`
	Label         string     `json:"label"`
	ClassID       int64      `json:"class_id"`
	Probabilities []float32j `json:"probabilities,omitempty"`
}

// where names an input for an error: its line, or its argument's number.
func where(in input) string {
	if in.line > 0 {
		return fmt.Sprintf("line %d", in.line)
	}
	return fmt.Sprintf("argument %d", in.arg)
}

// parse reads one input line into the values of each model input.
func (np *namedPredictor) parse(in input) (texts map[string]string, nums map[string][]float32, err error) {
	if in.err != "" {
		return nil, nil, fmt.Errorf("%s: %s", where(in), in.err)
	}
	names := make([]string, len(np.inputs))
	for i, x := range np.inputs {
		names[i] = x.name
	}
	if !utf8.ValidString(in.value) {
		return nil, nil, fmt.Errorf("%s: not valid UTF-8", where(in))
	}
	want := "want an object of the model's inputs (" + strings.Join(names, ", ") + ")"
	var v any
	if err := json.Unmarshal([]byte(in.value), &v); err != nil {
		return nil, nil, fmt.Errorf("%s: not JSON (%v); %s", where(in), strings.TrimPrefix(err.Error(), "json: "), want)
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, nil, fmt.Errorf("%s: a JSON %s, not an object; %s", where(in), jsonKind(v), want)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(in.value), &obj); err != nil {
		return nil, nil, fmt.Errorf("%s: %v; %s", where(in), err, want)
	}
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		if !slices.Contains(names, k) {
			return nil, nil, fmt.Errorf("%s: key %q is not an input of the model (inputs: %s)", where(in), k, strings.Join(names, ", "))
		}
	}
	texts, nums = map[string]string{}, map[string][]float32{}
	for _, x := range np.inputs {
		raw, ok := obj[x.name]
		if !ok {
			return nil, nil, fmt.Errorf("%s: key %q missing (the model's inputs: %s)", where(in), x.name, strings.Join(names, ", "))
		}
		if x.text {
			var s *string
			if err := json.Unmarshal(raw, &s); err != nil || s == nil {
				return nil, nil, fmt.Errorf("%s: key %q: want a string (text), not %s", where(in), x.name, raw)
			}
			if err := checkText(*s); err != nil {
				return nil, nil, fmt.Errorf("%s: key %q: %v", where(in), x.name, err)
			}
			texts[x.name] = *s
			continue
		}
		var vs []*float64
		if err := json.Unmarshal(raw, &vs); err != nil {
			var v *float64
			if x.width != 1 || json.Unmarshal(raw, &v) != nil || v == nil {
				return nil, nil, fmt.Errorf("%s: key %q: want a list of %d numbers, not %s", where(in), x.name, x.width, raw)
			}
			vs = []*float64{v}
		}
		if len(vs) != x.width {
			return nil, nil, fmt.Errorf("%s: key %q: %d values, the input takes %d", where(in), x.name, len(vs), x.width)
		}
		row := make([]float32, x.width)
		for j, v := range vs {
			if v == nil || math.IsInf(float64(float32(*v)), 0) {
				return nil, nil, fmt.Errorf("%s: key %q: value %d is not a float32 number", where(in), x.name, j+1)
			}
			row[j] = float32(*v)
		}
		nums[x.name] = row
	}
	return texts, nums, nil
}

// jsonKind names the kind of a decoded JSON value.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []any:
		return "array"
	case string:
		return "string"
	case bool:
		return "boolean"
	}
	return "number"
}

// predict runs one batch: lines that do not parse get an error result, the others one
// run of serving_default.
func (np *namedPredictor) predict(inputs []input) ([]outcome, error) {
	results := make([]*namedResult, len(inputs))
	var ok []int
	texts := map[string][]string{}
	nums := map[string][]float32{}
	names := make([]string, len(np.outputs))
	for i, o := range np.outputs {
		names[i] = o.name
	}
	for i, in := range inputs {
		r := &namedResult{line: in.line, names: names}
		results[i] = r
		t, n, err := np.parse(in)
		if err != nil {
			r.err = err.Error()
			continue
		}
		for k, v := range t {
			texts[k] = append(texts[k], v)
		}
		for k, v := range n {
			nums[k] = append(nums[k], v...)
		}
		ok = append(ok, i)
	}
	out := make([]outcome, len(results))
	for i, r := range results {
		out[i] = r
	}
	if len(ok) == 0 {
		return out, nil
	}
	feeds := map[string]*tf.Tensor{}
	for _, x := range np.inputs {
		var t *tf.Tensor
		var err error
		if x.text {
			t, err = tf.NewTensor(texts[x.name])
		} else {
			t, err = graphs.NewTensor(nums[x.name], int64(len(ok)), int64(x.width))
		}
		if err != nil {
			return nil, err
		}
		feeds[x.name] = t
	}
	res, err := np.p.Run(export.DefaultSignature, feeds)
	if err != nil {
		return nil, err
	}
	for _, o := range np.outputs {
		rows, err := outputRows(res[o.name], len(ok))
		if err != nil {
			return nil, fmt.Errorf("predict: output %q: %w", o.name, err)
		}
		if !o.class {
			for k, i := range ok {
				results[i].set(o.name, rows[k])
			}
			continue
		}
		ids, _ := res[o.name+export.SuffixClassID].Value().([]int64)
		labels, _ := res[o.name+export.SuffixLabel].Value().([]string)
		probs, _ := res[o.name+export.SuffixProbability].Value().([]float32)
		if len(ids) != len(ok) || len(labels) != len(ok) || len(probs) != len(ok) {
			return nil, fmt.Errorf("predict: output %q: the model returned %d class ids, %d labels, %d probabilities for %d inputs", o.name, len(ids), len(labels), len(probs), len(ok))
		}
		for k, i := range ok {
			c := classOutput{Probability: float32j(probs[k]), Label: labels[k], ClassID: ids[k]}
			if row, isFloat := rows[k].([]float32j); isFloat && len(row) > 1 {
				c.Probabilities = row
			}
			results[i].set(o.name, c)
		}
	}
	return out, nil
}

func (r *namedResult) set(name string, v any) {
	if r.outputs == nil {
		r.outputs = map[string]any{}
	}
	r.outputs[name] = v
}

// outputRows splits an output [n, ...] into its n examples' values, each flat: a []float32
// row prints as the shortest decimals that read back as the same float32s.
func outputRows(t *tf.Tensor, n int) ([]any, error) {
	if t == nil {
		return nil, errors.New("missing from the model's answer")
	}
	shape := t.Shape()
	if len(shape) == 0 || shape[0] != int64(n) {
		return nil, fmt.Errorf("shape %v for %d inputs", shape, n)
	}
	flat := reflect.ValueOf(graphs.Flat(t))
	if flat.Kind() != reflect.Slice {
		return nil, fmt.Errorf("shape %v: cannot read its values", shape)
	}
	width := flat.Len() / n
	rows := make([]any, n)
	for k := range n {
		row := flat.Slice(k*width, (k+1)*width).Interface()
		if fs, ok := row.([]float32); ok {
			js := make([]float32j, len(fs))
			for j, f := range fs {
				js[j] = float32j(f)
			}
			rows[k] = js
			continue
		}
		rows[k] = row
	}
	return rows, nil
}
