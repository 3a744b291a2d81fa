package builders

import (
	"fmt"
	"slices"
	"strings"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/graphs"
)

// Model is what a classifier trains: a Sequential stack or a Functional graph.
type Model interface {
	// Build creates the variables for inputs of shape in (without batch).
	Build(s *graphs.Scope, in Shape) error
	// OutputShape is the output's shape (after Build).
	OutputShape() Shape
	// Call emits the model on x; logits are those of a final sigmoid or softmax (see
	// Sequential.Call), a zero Output otherwise.
	Call(x tf.Output, training bool) (out, logits tf.Output)
	// Penultimate is the input of the output layer in the most recent Call.
	Penultimate() tf.Output
	// Updates are the training Calls' state updates (BatchNormalization's statistics).
	Updates() []*tf.Operation
	Variables() []*graphs.Variable
	TrainableVariables() []*graphs.Variable
	// Summary renders Keras's model.summary().
	Summary() string
	// AllLayers lists the model's layers, each once, in the order they are first called.
	AllLayers() []Layer
	// OutputLayer is the layer that gives the output.
	OutputLayer() Layer
}

var (
	_ Model = (*Sequential)(nil)
	_ Model = (*Functional)(nil)
)

// Node is one call of a layer in a Functional model: Layer called on the tensors named
// Call, its output named Tensor. Calling one Layer in several nodes shares its weights,
// as calling a Keras layer object twice does.
type Node struct {
	Tensor string
	Layer  Layer
	Call   []string
}

// Functional is Keras's functional Model: layers called on named tensors, from the
// model's input to its output. Nodes are in an order where each comes after the nodes
// whose outputs it takes. One input and one output for now; the names make room for
// more.
type Functional struct {
	Name   string
	Input  string // the input's name
	Nodes  []Node
	Output string // the output tensor's name

	input       Shape
	shapes      map[string]Shape
	built       map[Layer][]Shape // each layer's input shapes, at its first call
	layers      []Layer           // each once, in first-call order
	penultimate tf.Output
	scope       *graphs.Scope
}

// NewFunctional returns a functional model named name (Keras's default: "functional").
func NewFunctional(name, input string, output string, nodes ...Node) *Functional {
	if name == "" {
		name = "functional"
	}
	return &Functional{Name: name, Input: input, Nodes: nodes, Output: output}
}

// Build creates each layer's variables at its first call, checking every call's input
// shapes (a shared layer's later calls must match its first). Under a mixed policy the
// output layer computes in float32, as a Sequential's last.
func (m *Functional) Build(s *graphs.Scope, in Shape) error {
	ms := modelScope(s.Sub(m.Name))
	m.scope, m.input = ms, in
	m.shapes = map[string]Shape{m.Input: in}
	m.built = map[Layer][]Shape{}
	m.layers = nil
	out := m.outputLayer()
	for i, n := range m.Nodes {
		var ins []Shape
		for _, t := range n.Call {
			sh, ok := m.shapes[t]
			if !ok {
				return fmt.Errorf("%s: node %d (%s): unknown tensor %q, or not computed before it", m.Name, i, n.Tensor, t)
			}
			ins = append(ins, sh)
		}
		if first, ok := m.built[n.Layer]; ok {
			if !slices.EqualFunc(first, ins, func(a, b Shape) bool { return slices.Equal(a, b) }) {
				return fmt.Errorf("%s: %s: layer %q was built for %v, called again on %v", m.Name, n.Tensor, n.Layer.Name(), first, ins)
			}
			m.shapes[n.Tensor] = m.shapes[m.firstTensor(n.Layer)]
			continue
		}
		ls := layerScope(ms, n.Layer, n.Layer == out)
		var sh Shape
		var err error
		if ml, ok := n.Layer.(MergeLayer); ok {
			sh, err = ml.BuildMerge(ls, ins)
		} else if len(ins) != 1 {
			err = fmt.Errorf("layer %q (%s) takes one tensor, called on %d", n.Layer.Name(), n.Layer.Type(), len(ins))
		} else {
			sh, err = n.Layer.Build(ls, ins[0])
		}
		if err != nil {
			return fmt.Errorf("%s: %s: %w", m.Name, n.Tensor, err)
		}
		m.built[n.Layer] = ins
		m.layers = append(m.layers, n.Layer)
		m.shapes[n.Tensor] = sh
	}
	if _, ok := m.shapes[m.Output]; !ok {
		return fmt.Errorf("%s: unknown output tensor %q", m.Name, m.Output)
	}
	if err := ms.Err(); err != nil {
		return fmt.Errorf("%s: %w", m.Name, err)
	}
	return nil
}

// firstTensor is the output of layer l's first call.
func (m *Functional) firstTensor(l Layer) string {
	for _, n := range m.Nodes {
		if n.Layer == l {
			return n.Tensor
		}
	}
	return ""
}

// outputNode is the node that gives the output.
func (m *Functional) outputNode() *Node {
	for i := range m.Nodes {
		if m.Nodes[i].Tensor == m.Output {
			return &m.Nodes[i]
		}
	}
	return nil
}

func (m *Functional) outputLayer() Layer {
	if n := m.outputNode(); n != nil {
		return n.Layer
	}
	return nil
}

// OutputLayer is the layer that gives the output.
func (m *Functional) OutputLayer() Layer { return m.outputLayer() }

// OutputShape is the output's shape (after Build).
func (m *Functional) OutputShape() Shape { return m.shapes[m.Output] }

// Call emits the model on x: every node in order, each layer's inputs cast to the type it
// computes in. logits are the output layer's, as Sequential.Call's.
func (m *Functional) Call(x tf.Output, training bool) (out, logits tf.Output) {
	tensors := map[string]tf.Output{m.Input: x}
	outNode := m.outputNode()
	for i := range m.Nodes {
		n := &m.Nodes[i]
		xs := make([]tf.Output, len(n.Call))
		for k, t := range n.Call {
			xs[k] = tensors[t]
			if dt, ok := computeDType(n.Layer); ok {
				xs[k] = m.scope.CastTo(xs[k], dt)
			}
		}
		if !m.scope.Ok(xs...) {
			return tf.Output{}, tf.Output{}
		}
		if n == outNode {
			m.penultimate = xs[0]
		}
		if ml, ok := n.Layer.(MergeLayer); ok {
			tensors[n.Tensor] = ml.CallMerge(xs, training)
		} else {
			tensors[n.Tensor] = n.Layer.Call(xs[0], training)
		}
		if n == outNode {
			logits = finalLogits(n.Layer, m.penultimate)
		}
	}
	return tensors[m.Output], logits
}

// finalLogits are the logits of a final sigmoid or softmax layer l called on x (a Dense's
// pre-activation, an Activation's input), a zero Output for other layers.
func finalLogits(l Layer, x tf.Output) tf.Output {
	switch last := l.(type) {
	case *Dense:
		if last.Activation == "sigmoid" || last.Activation == "softmax" {
			return last.Logits()
		}
	case *Activation:
		if last.Activation == "sigmoid" || last.Activation == "softmax" {
			return x
		}
	}
	return tf.Output{}
}

// Penultimate is the output layer's (first) input in the most recent Call.
func (m *Functional) Penultimate() tf.Output { return m.penultimate }

// AllLayers lists the layers, each once, in first-call order (after Build).
func (m *Functional) AllLayers() []Layer { return m.layers }

// Updates are the training Calls' state updates.
func (m *Functional) Updates() []*tf.Operation {
	var ops []*tf.Operation
	for _, l := range m.layers {
		if u, ok := l.(interface{ Updates() []*tf.Operation }); ok {
			ops = append(ops, u.Updates()...)
		}
	}
	return ops
}

// Variables lists the variables, each shared layer's once, in first-call order.
func (m *Functional) Variables() []*graphs.Variable {
	var vs []*graphs.Variable
	for _, l := range m.layers {
		vs = append(vs, l.Variables()...)
	}
	return vs
}

// TrainableVariables lists the variables an optimizer updates.
func (m *Functional) TrainableVariables() []*graphs.Variable {
	var vs []*graphs.Variable
	for _, v := range m.Variables() {
		if v.Trainable {
			vs = append(vs, v)
		}
	}
	return vs
}

// Summary renders Keras's functional model.summary(): the input layer, then each layer
// once with its type, output shape, parameters and the tensors its calls are connected
// to (Keras's "name[node][0]": a shared layer's second call is node 1), then the totals.
func (m *Functional) Summary() string {
	var b strings.Builder
	const w1, w2, w3, w4 = 29, 24, 10, 22
	width := w1 + w2 + w3 + w4 + 3
	line := func(c byte) { b.WriteString(strings.Repeat(string(c), width) + "\n") }
	row := func(a, c, d, e string) {
		fmt.Fprintf(&b, "%s\n", strings.TrimRight(fmt.Sprintf("%-*s %-*s %*s %-*s", w1, a, w2, c, w3, d, w4, e), " "))
	}
	fmt.Fprintf(&b, "Model: %q\n", m.Name)
	line('_')
	row("Layer (type)", "Output Shape", "Param #", " Connected to")
	line('=')
	// ref names a tensor as Keras does: the layer and node that gave it.
	calls := map[Layer]int{}
	ref := map[string]string{m.Input: m.Input + "[0][0]"}
	for _, n := range m.Nodes {
		ref[n.Tensor] = fmt.Sprintf("%s[%d][0]", n.Layer.Name(), calls[n.Layer])
		calls[n.Layer]++
	}
	row(m.Input+" (InputLayer)", m.input.String(), "0", " -")
	for _, l := range m.layers {
		line('_')
		var conns []string
		for _, n := range m.Nodes {
			if n.Layer == l {
				for _, t := range n.Call {
					conns = append(conns, ref[t])
				}
			}
		}
		tr, nt := CountParams(l.Variables())
		row(fmt.Sprintf("%s (%s)", l.Name(), l.Type()), m.shapes[m.firstTensor(l)].String(), withCommas(tr+nt), " "+conns[0])
		for _, c := range conns[1:] {
			row("", "", "", " "+c)
		}
	}
	line('=')
	tr, nt := CountParams(m.Variables())
	fmt.Fprintf(&b, "Total params: %s\n", withCommas(tr+nt))
	fmt.Fprintf(&b, "Trainable params: %s\n", withCommas(tr))
	fmt.Fprintf(&b, "Non-trainable params: %s\n", withCommas(nt))
	line('_')
	return b.String()
}
