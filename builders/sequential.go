package builders

import (
	"fmt"
	"strings"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/graphs"
)

// Sequential is Keras's Sequential model: layers applied in order.
type Sequential struct {
	Name   string
	Layers []Layer

	input       Shape
	shapes      []Shape
	built       bool
	penultimate tf.Output
	scope       *graphs.Scope
}

// NewSequential returns a model named name (Keras's default: "sequential").
func NewSequential(name string, layers ...Layer) *Sequential {
	if name == "" {
		name = "sequential"
	}
	return &Sequential{Name: name, Layers: layers}
}

// Build creates every layer's variables for inputs of shape in (without batch), in a
// scope named after the model, checking each layer's input shape. Under a mixed policy
// the layers compute in the graph's ComputeDType, the last one in float32 (precision.go).
func (m *Sequential) Build(s *graphs.Scope, in Shape) error {
	ms := modelScope(s.Sub(m.Name))
	m.scope = ms
	m.input = in
	shape := in
	for i, l := range m.Layers {
		out, err := l.Build(layerScope(ms, l, i == len(m.Layers)-1), shape)
		if err != nil {
			return fmt.Errorf("%s: layers[%d]: %w", m.Name, i, err)
		}
		m.shapes = append(m.shapes, out)
		shape = out
	}
	if err := ms.Err(); err != nil {
		return fmt.Errorf("%s: %w", m.Name, err)
	}
	m.built = true
	return nil
}

// OutputShape is the model's output shape (after Build).
func (m *Sequential) OutputShape() Shape { return m.shapes[len(m.shapes)-1] }

// Call emits the model on x, each layer getting the mask of its input as in Keras
// (callMasked). It also returns the logits of a final sigmoid or softmax (a
// Dense's activation or an Activation layer), which Keras too computes its loss from, or a
// zero Output when the last layer is something else. Under a mixed policy, out and logits
// are float32 (the last layer computes in float32) and x may be float32 or bfloat16.
func (m *Sequential) Call(x tf.Output, training bool) (out, logits tf.Output) {
	var mask tf.Output // the Keras mask of x, if it has one (see callMasked)
	for i, l := range m.Layers {
		if !m.scope.Ok(x) { // an earlier error: stop, and let the caller report it
			return tf.Output{}, tf.Output{}
		}
		if i == len(m.Layers)-1 {
			if dt, ok := computeDType(l); ok {
				x = m.scope.CastTo(x, dt)
			}
			m.penultimate = x
		}
		if dt, ok := computeDType(l); ok {
			x = m.scope.CastTo(x, dt)
		}
		x, mask = callMasked(m.scope, l, []tf.Output{x}, []tf.Output{mask}, training)
	}
	switch last := m.Layers[len(m.Layers)-1].(type) {
	case *Dense:
		if last.Activation == "sigmoid" || last.Activation == "softmax" {
			logits = last.Logits()
		}
	case *Activation:
		if last.Activation == "sigmoid" || last.Activation == "softmax" {
			logits = m.penultimate
		}
	}
	return x, logits
}

// Penultimate is the input of the last layer in the most recent Call: the features a
// classifier's head sees (used for Fréchet distances).
func (m *Sequential) Penultimate() tf.Output { return m.penultimate }

// Updates are the state updates of the training Calls (BatchNormalization's moving
// statistics) that a training step must run with the optimizer.
func (m *Sequential) Updates() []*tf.Operation {
	var ops []*tf.Operation
	for _, l := range m.Layers {
		if u, ok := l.(interface{ Updates() []*tf.Operation }); ok {
			ops = append(ops, u.Updates()...)
		}
	}
	return ops
}

// Variables lists all the model's variables in layer order.
func (m *Sequential) Variables() []*graphs.Variable {
	var vs []*graphs.Variable
	for _, l := range m.Layers {
		vs = append(vs, l.Variables()...)
	}
	return vs
}

// TrainableVariables lists the variables an optimizer updates.
func (m *Sequential) TrainableVariables() []*graphs.Variable {
	var vs []*graphs.Variable
	for _, v := range m.Variables() {
		if v.Trainable {
			vs = append(vs, v)
		}
	}
	return vs
}

// Summary renders Keras's model.summary() table: each layer with its type, output shape
// and parameter count, then the totals.
func (m *Sequential) Summary() string {
	return renderSummary(m.Name, m.Layers, m.shapes, m.Variables())
}

// renderSummary draws the summary table of layers with their output shapes.
func renderSummary(name string, layers []Layer, shapes []Shape, vars []*graphs.Variable) string {
	var b strings.Builder
	const w1, w2, w3 = 32, 26, 12
	line := func(c byte) { b.WriteString(strings.Repeat(string(c), w1+w2+w3+3) + "\n") }
	row := func(a, c, d string) { fmt.Fprintf(&b, "%-*s %-*s %*s\n", w1, a, w2, c, w3, d) }
	fmt.Fprintf(&b, "Model: %q\n", name)
	line('_')
	row("Layer (type)", "Output Shape", "Param #")
	line('=')
	for i, l := range layers {
		tr, nt := CountParams(l.Variables())
		row(fmt.Sprintf("%s (%s)", l.Name(), l.Type()), shapes[i].String(), fmt.Sprint(tr+nt))
		if i < len(layers)-1 {
			line('_')
		}
	}
	line('=')
	tr, nt := CountParams(vars)
	fmt.Fprintf(&b, "Total params: %s\n", withCommas(tr+nt))
	fmt.Fprintf(&b, "Trainable params: %s\n", withCommas(tr))
	fmt.Fprintf(&b, "Non-trainable params: %s\n", withCommas(nt))
	line('_')
	return b.String()
}

func withCommas(n int) string {
	s := fmt.Sprint(n)
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// AllLayers lists the model's layers in order.
func (m *Sequential) AllLayers() []Layer { return m.Layers }

// OutputLayer is the last layer.
func (m *Sequential) OutputLayer() Layer { return m.Layers[len(m.Layers)-1] }
