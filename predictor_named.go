package tfrun

import (
	"context"
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

// NamedPrediction is what a model of named inputs and outputs predicts for one example.
type NamedPrediction struct {
	// Classes are the classification outputs by name: each one's class id, probability,
	// label and (with more than one class unit) probabilities, as a classifier's
	// Prediction has them.
	Classes map[string]Prediction
	// Values are the other outputs by name: the example's values, flattened ([]float32
	// for a float32 output, the output's Go slice type for another dtype).
	Values map[string]any
	// Err is why the example could not be predicted (wrapping ErrBadInput); Classes and
	// Values are then nil.
	Err error
}

// namedPredictor predicts with a model of named inputs and outputs (a run fed by name:
// data.inputs, data.outputs): every input of serving_default by name, float32 [batch, n]
// for a numeric input, string [batch] for a text input; every output by name.
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

// namedOutput is one output: a classification output (its probabilities beside
// <name>_class_id, _probability and _label) or values.
type namedOutput struct {
	name  string
	class bool
}

// namedExample is one example's input values, or why it has none.
type namedExample struct {
	texts map[string]string
	nums  map[string][]float32
	err   error
}

// classicSignature reports whether sig is a single-input classifier's or regression's,
// which a Predictor reads as text, images or feature rows: one input named text, images
// or features, and a probability, prediction or images output.
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

// newNamedPredictor checks that sig's inputs are ones a Predictor can give (float32
// [batch, n], string [batch]) and its outputs do not take the JSON lines' own keys.
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
			return nil, unsuitable(fmt.Errorf("the model's input %q is %s%v: predict gives numbers (float32 [batch, n]) and text (string [batch]) by name", name, graphs.DTypeName(ti.DType), ti.Shape))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(sig.Outputs)) {
		if name == "line" || name == "error" {
			return nil, unsuitable(fmt.Errorf("the model has an output named %q, which predict's own key %q would hide", name, name))
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

func (np *namedPredictor) inputNames() []string {
	names := make([]string, len(np.inputs))
	for i, x := range np.inputs {
		names[i] = x.name
	}
	return names
}

// OutputNames are a named model's output names, sorted, without a classification
// output's companions (o_class_id, o_probability, o_label): the keys of its
// NamedPredictions' Classes and Values (nil for another model).
func (pr *Predictor) OutputNames() []string {
	if pr.named == nil {
		return nil
	}
	names := make([]string, len(pr.named.outputs))
	for i, o := range pr.named.outputs {
		names[i] = o.name
	}
	return names
}

// PredictNamed predicts examples with a model of named inputs (Input PredictorNamed):
// each example holds every input of the model by name, a string for a text input and
// []float32 or []float64 of the input's width for a numeric one (a bare float32 or
// float64 when the width is 1). An example with a key missing or unknown, a value of
// another type or length, or a value that is not a finite float32 gets a NamedPrediction
// whose Err says why.
func (pr *Predictor) PredictNamed(ctx context.Context, examples []map[string]any) ([]NamedPrediction, error) {
	if err := pr.wrongInput("PredictNamed", PredictorNamed); err != nil {
		return nil, err
	}
	exs := make([]namedExample, len(examples))
	for i, e := range examples {
		exs[i] = pr.named.fromGo(e)
	}
	out := make([]NamedPrediction, 0, len(exs))
	for start := 0; start < len(exs); start += pr.batch {
		if err := ctx.Err(); err != nil {
			return out, stopped(ctx, start)
		}
		ps, err := pr.named.predict(exs[start:min(start+pr.batch, len(exs))])
		if err != nil {
			return out, err
		}
		out = append(out, ps...)
	}
	return out, nil
}

// checkKeys refuses a key that is not an input's.
func (np *namedPredictor) checkKeys(keys []string) error {
	names := np.inputNames()
	for _, k := range slices.Sorted(slices.Values(keys)) {
		if !slices.Contains(names, k) {
			return badInputf("key %q is not an input of the model (inputs: %s)", k, strings.Join(names, ", "))
		}
	}
	return nil
}

// missing is the error of an example without input x.
func (np *namedPredictor) missing(x namedInput) error {
	return badInputf("key %q missing (the model's inputs: %s)", x.name, strings.Join(np.inputNames(), ", "))
}

// numbers checks one numeric input's values (nil: JSON's null) and converts them.
func numbers(x namedInput, vs []*float64) ([]float32, error) {
	if len(vs) != x.width {
		return nil, badInputf("key %q: %d values, the input takes %d", x.name, len(vs), x.width)
	}
	row := make([]float32, x.width)
	for j, v := range vs {
		if v == nil || math.IsInf(float64(float32(*v)), 0) || math.IsNaN(*v) {
			return nil, badInputf("key %q: value %d is not a float32 number", x.name, j+1)
		}
		row[j] = float32(*v)
	}
	return row, nil
}

// fromGo reads one example of Go values.
func (np *namedPredictor) fromGo(e map[string]any) namedExample {
	fail := func(err error) namedExample { return namedExample{err: err} }
	if err := np.checkKeys(slices.Collect(maps.Keys(e))); err != nil {
		return fail(err)
	}
	ex := namedExample{texts: map[string]string{}, nums: map[string][]float32{}}
	for _, x := range np.inputs {
		v, ok := e[x.name]
		if !ok {
			return fail(np.missing(x))
		}
		if x.text {
			s, ok := v.(string)
			if !ok {
				return fail(badInputf("key %q: want a string (text), not %T", x.name, v))
			}
			if err := checkText(s); err != nil {
				return fail(badInputf("key %q: %v", x.name, err))
			}
			ex.texts[x.name] = s
			continue
		}
		var vs []*float64
		switch v := v.(type) {
		case []float32:
			for _, f := range v {
				d := float64(f)
				vs = append(vs, &d)
			}
		case []float64:
			for _, f := range v {
				vs = append(vs, &f)
			}
		case float32, float64:
			if x.width != 1 {
				return fail(badInputf("key %q: want %d numbers ([]float32 or []float64), not one %T", x.name, x.width, v))
			}
			d := reflect.ValueOf(v).Float()
			vs = []*float64{&d}
		default:
			return fail(badInputf("key %q: want %d numbers ([]float32 or []float64), not %T", x.name, x.width, v))
		}
		row, err := numbers(x, vs)
		if err != nil {
			return fail(err)
		}
		ex.nums[x.name] = row
	}
	return ex
}

// fromJSON reads one JSON line, an object of the model's inputs: a number list for a
// numeric input (a bare number when its width is 1), a string for a text input. Its
// errors name the line as where says.
func (np *namedPredictor) fromJSON(line, where string) namedExample {
	fail := func(err error) namedExample {
		return namedExample{err: badInputf("%s: %v", where, err)}
	}
	if !utf8.ValidString(line) {
		return fail(errors.New("not valid UTF-8"))
	}
	want := "want an object of the model's inputs (" + strings.Join(np.inputNames(), ", ") + ")"
	var v any
	if err := json.Unmarshal([]byte(line), &v); err != nil {
		return fail(fmt.Errorf("not JSON (%v); %s", strings.TrimPrefix(err.Error(), "json: "), want))
	}
	if _, ok := v.(map[string]any); !ok {
		return fail(fmt.Errorf("a JSON %s, not an object; %s", jsonKind(v), want))
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(line), &obj); err != nil {
		return fail(fmt.Errorf("%v; %s", err, want))
	}
	if err := np.checkKeys(slices.Collect(maps.Keys(obj))); err != nil {
		return fail(err)
	}
	ex := namedExample{texts: map[string]string{}, nums: map[string][]float32{}}
	for _, x := range np.inputs {
		raw, ok := obj[x.name]
		if !ok {
			return fail(np.missing(x))
		}
		if x.text {
			var s *string
			if err := json.Unmarshal(raw, &s); err != nil || s == nil {
				return fail(fmt.Errorf("key %q: want a string (text), not %s", x.name, raw))
			}
			if err := checkText(*s); err != nil {
				return fail(fmt.Errorf("key %q: %v", x.name, err))
			}
			ex.texts[x.name] = *s
			continue
		}
		var vs []*float64
		if err := json.Unmarshal(raw, &vs); err != nil {
			var v *float64
			if x.width != 1 || json.Unmarshal(raw, &v) != nil || v == nil {
				return fail(fmt.Errorf("key %q: want a list of %d numbers, not %s", x.name, x.width, raw))
			}
			vs = []*float64{v}
		}
		row, err := numbers(x, vs)
		if err != nil {
			return fail(err)
		}
		ex.nums[x.name] = row
	}
	return ex
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

// predict runs one batch: examples with an error keep it, the others get one run of
// serving_default.
func (np *namedPredictor) predict(exs []namedExample) ([]NamedPrediction, error) {
	results := make([]NamedPrediction, len(exs))
	var ok []int
	texts := map[string][]string{}
	nums := map[string][]float32{}
	for i, ex := range exs {
		if ex.err != nil {
			results[i].Err = ex.err
			continue
		}
		for k, v := range ex.texts {
			texts[k] = append(texts[k], v)
		}
		for k, v := range ex.nums {
			nums[k] = append(nums[k], v...)
		}
		ok = append(ok, i)
	}
	if len(ok) == 0 {
		return results, nil
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
	for _, i := range ok {
		results[i].Classes, results[i].Values = map[string]Prediction{}, map[string]any{}
	}
	for _, o := range np.outputs {
		rows, err := outputRows(res[o.name], len(ok))
		if err != nil {
			return nil, fmt.Errorf("predict: output %q: %w", o.name, err)
		}
		if !o.class {
			for k, i := range ok {
				results[i].Values[o.name] = rows[k]
			}
			continue
		}
		ids, _ := graphs.Value(res[o.name+export.SuffixClassID]).([]int64)
		labels, _ := graphs.Value(res[o.name+export.SuffixLabel]).([]string)
		probs, _ := graphs.Value(res[o.name+export.SuffixProbability]).([]float32)
		if len(ids) != len(ok) || len(labels) != len(ok) || len(probs) != len(ok) {
			return nil, fmt.Errorf("predict: output %q: the model returned %d class ids, %d labels, %d probabilities for %d inputs", o.name, len(ids), len(labels), len(probs), len(ok))
		}
		for k, i := range ok {
			c := Prediction{Probability: probs[k], Label: labels[k], ClassID: ids[k]}
			if row, isFloat := rows[k].([]float32); isFloat && len(row) > 1 {
				c.Probabilities = row
			}
			results[i].Classes[o.name] = c
		}
	}
	return results, nil
}

// outputRows splits an output [n, ...] into its n examples' values, each flat.
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
		rows[k] = flat.Slice3(k*width, (k+1)*width, (k+1)*width).Interface()
	}
	return rows, nil
}
