package tfrun

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// PredictLines reads one input per line from r ("\n" or "\r\n" ends it) and writes one
// JSON line per input to w, in input order, as tfrun predict prints them: a text, an image
// file's path, a row of comma-separated feature values, or a JSON object of a named
// model's inputs, as Input says. Each line holds "line" (its number from 1) and the
// prediction (class_id, probability, label, probabilities; prediction or predictions for
// a regression; a named model's outputs by name), or "error". A line that cannot be
// predicted (longer than MaxTextBytes, bad UTF-8, an unreadable image, a bad row or
// object) gets its error and the other lines are still predicted; failed counts them.
// The error is for what stops the whole run: reading r, writing w, TensorFlow, or ctx
// (an error wrapping ctx.Err()).
func (pr *Predictor) PredictLines(ctx context.Context, r io.Reader, w io.Writer) (failed, total int, err error) {
	return pr.predictAll(ctx, &lineInputs{r: bufio.NewReader(r)}, w)
}

// PredictArgs is PredictLines for inputs given as strings (a command's arguments): its
// JSON lines have no "line", and a named model's errors name the "argument N".
func (pr *Predictor) PredictArgs(ctx context.Context, args []string, w io.Writer) (failed, total int, err error) {
	return pr.predictAll(ctx, &argInputs{args: args}, w)
}

// input is one line or argument to predict.
type input struct {
	value string
	line  int   // its line (0 for an argument)
	arg   int   // its argument's number (from 1), for an argument
	err   error // why it cannot be predicted, found while reading it
}

// where names an input for an error: its line, or its argument's number.
func (in input) where() string {
	if in.line > 0 {
		return fmt.Sprintf("line %d", in.line)
	}
	return fmt.Sprintf("argument %d", in.arg)
}

// inputSource yields the inputs; ok false at the end.
type inputSource interface {
	next() (in input, ok bool, err error)
}

type argInputs struct {
	args []string
	n    int
}

func (a *argInputs) next() (input, bool, error) {
	if len(a.args) == 0 {
		return input{}, false, nil
	}
	a.n++
	in := input{value: a.args[0], arg: a.n}
	a.args = a.args[1:]
	return in, true, nil
}

// lineInputs reads one input per line ("\n" or "\r\n" ends it); a line longer than
// MaxTextBytes is an input error, and reading goes on after it.
type lineInputs struct {
	r    *bufio.Reader
	line int
}

func (l *lineInputs) next() (input, bool, error) {
	var buf []byte
	long := false
	for {
		chunk, err := l.r.ReadSlice('\n')
		if !long && len(buf)+len(chunk) <= MaxTextBytes+2 {
			buf = append(buf, chunk...)
		} else {
			long = true
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil && err != io.EOF {
			return input{}, false, fmt.Errorf("reading the inputs: %w", err)
		}
		if err == io.EOF && len(buf) == 0 && !long {
			return input{}, false, nil
		}
		l.line++
		buf = bytes.TrimSuffix(bytes.TrimSuffix(buf, []byte("\n")), []byte("\r"))
		in := input{value: string(buf), line: l.line}
		if long || len(buf) > MaxTextBytes {
			in.value, in.err = "", badInputf("line longer than %d bytes", MaxTextBytes)
		}
		return in, true, nil
	}
}

// predictAll predicts every input, pr.batch inputs per run, and writes one JSON line per
// input in input order.
func (pr *Predictor) predictAll(ctx context.Context, in inputSource, w io.Writer) (failed, total int, err error) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for done := false; !done; {
		if ctx.Err() != nil {
			return failed, total, stopped(ctx, total)
		}
		var chunk []input
		for len(chunk) < pr.batch {
			x, ok, err := in.next()
			if err != nil {
				return failed, total, err
			}
			if !ok {
				done = true
				break
			}
			chunk = append(chunk, x)
		}
		if len(chunk) == 0 {
			break
		}
		lines, err := pr.predictChunk(chunk)
		if err != nil {
			return failed, total, err
		}
		for _, l := range lines {
			if l.failed() {
				failed++
			}
			if err := enc.Encode(l); err != nil {
				return failed, total, err
			}
		}
		total += len(chunk)
	}
	return failed, total, nil
}

// outputLine is one JSON line of output: a result or a namedResult.
type outputLine interface{ failed() bool }

// predictChunk predicts one batch of inputs as pr.Input reads them.
func (pr *Predictor) predictChunk(chunk []input) ([]outputLine, error) {
	out := make([]outputLine, len(chunk))
	if pr.input == PredictorNamed {
		exs := make([]namedExample, len(chunk))
		for i, in := range chunk {
			if in.err != nil {
				exs[i].err = badInputf("%s: %v", in.where(), in.err)
				continue
			}
			exs[i] = pr.named.fromJSON(in.value, in.where())
		}
		ps, err := pr.named.predict(exs)
		if err != nil {
			return nil, err
		}
		for i, p := range ps {
			out[i] = &namedResult{line: chunk[i].line, outputs: pr.named.outputs, p: p}
		}
		return out, nil
	}
	ins := make([]classicInput, len(chunk))
	for i, in := range chunk {
		ins[i] = classicInput{text: in.value, path: in.value, err: in.err}
		if pr.input == PredictorFeatures && in.err == nil {
			ins[i].row, ins[i].err = parseRow(in.value, pr.features)
		}
	}
	ps, err := pr.classify(ins)
	if err != nil {
		return nil, err
	}
	for i, p := range ps {
		v := chunk[i].value
		r := &result{Line: chunk[i].line}
		switch pr.input {
		case PredictorImages:
			r.Image = &v
		case PredictorFeatures:
			r.Row = &v
		default:
			r.Text = &v
		}
		r.fill(p)
		out[i] = r
	}
	return out, nil
}

// result is one JSON line of a text, image or table model.
type result struct {
	Text          *string    `json:"text,omitempty"`
	Image         *string    `json:"image,omitempty"`
	Row           *string    `json:"row,omitempty"`
	Line          int        `json:"line,omitempty"`
	Probability   *float32j  `json:"probability,omitempty"`
	Label         *string    `json:"label,omitempty"`
	ClassID       *int64     `json:"class_id,omitempty"`
	Probabilities []float32j `json:"probabilities,omitempty"`
	Prediction    *float32j  `json:"prediction,omitempty"`  // a regression's value
	Predictions   []float32j `json:"predictions,omitempty"` // a regression's values (k outputs)
	Error         string     `json:"error,omitempty"`
}

func (r *result) failed() bool { return r.Error != "" }

// fill sets r's prediction or error from p.
func (r *result) fill(p Prediction) {
	switch {
	case p.Err != nil:
		r.Error = p.Err.Error()
	case p.scalar:
		v := float32j(p.Values[0])
		r.Prediction = &v
	case p.Values != nil:
		r.Predictions = float32js(p.Values)
	default:
		prob, label, id := float32j(p.Probability), p.Label, p.ClassID
		r.Probability, r.Label, r.ClassID = &prob, &label, &id
		r.Probabilities = float32js(p.Probabilities)
	}
}

// float32j prints a float32 as the shortest decimal that reads back as the same float32.
type float32j float32

func (f float32j) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, float64(f), 'g', -1, 32), nil
}

func float32js(fs []float32) []float32j {
	if fs == nil {
		return nil
	}
	js := make([]float32j, len(fs))
	for i, f := range fs {
		js[i] = float32j(f)
	}
	return js
}

// namedResult is one JSON line of a named model: its line number, then the outputs in
// name order, or the error.
type namedResult struct {
	line    int
	outputs []namedOutput
	p       NamedPrediction
}

func (r *namedResult) failed() bool { return r.p.Err != nil }

// classOutput is a classification output of one example, as a single-output
// classifier's line has it.
type classOutput struct {
	Probability   float32j   `json:"probability"`
	Label         string     `json:"label"`
	ClassID       int64      `json:"class_id"`
	Probabilities []float32j `json:"probabilities,omitempty"`
}

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
	if r.p.Err != nil {
		if err := add("error", r.p.Err.Error()); err != nil {
			return nil, err
		}
	} else {
		for _, o := range r.outputs {
			var v any
			if c, ok := r.p.Classes[o.name]; ok && o.class {
				v = classOutput{Probability: float32j(c.Probability), Label: c.Label, ClassID: c.ClassID, Probabilities: float32js(c.Probabilities)}
			} else if fs, ok := r.p.Values[o.name].([]float32); ok {
				v = float32js(fs)
			} else {
				v = r.p.Values[o.name]
			}
			if err := add(o.name, v); err != nil {
				return nil, err
			}
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
