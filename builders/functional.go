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
// model's inputs to its outputs. Nodes are in an order where each comes after the nodes
// whose outputs it takes. BuildGraph and CallGraph take any number of inputs and give any
// number of outputs, by name; Build and Call, the Model a classifier trains, one of each.
type Functional struct {
	Name    string
	Inputs  []string // the inputs' names
	Nodes   []Node
	Outputs []string // the output tensors' names

	inputs      map[string]Shape
	shapes      map[string]Shape
	built       map[Layer][]Shape // each layer's input shapes, at its first call
	layers      []Layer           // each once, in first-call order
	penultimate tf.Output
	scope       *graphs.Scope
}

// NewFunctional returns a functional model named name (Keras's default: "functional").
func NewFunctional(name string, inputs, outputs []string, nodes ...Node) *Functional {
	if name == "" {
		name = "functional"
	}
	return &Functional{Name: name, Inputs: inputs, Nodes: nodes, Outputs: outputs}
}

// one checks that the model has one input and one output, what Build and Call take.
func (m *Functional) one() error {
	if len(m.Inputs) != 1 || len(m.Outputs) != 1 {
		return fmt.Errorf("%s: %d inputs and %d outputs: a classifier trains a model of one input and one output (several are not yet supported)", m.Name, len(m.Inputs), len(m.Outputs))
	}
	return nil
}

// Build is BuildGraph for a model of one input, of shape in.
func (m *Functional) Build(s *graphs.Scope, in Shape) error {
	if err := m.one(); err != nil {
		return err
	}
	return m.BuildGraph(s, map[string]Shape{m.Inputs[0]: in})
}

// BuildGraph creates each layer's variables at its first call for inputs of the shapes
// ins (by input name), checking every call's input shapes (a shared layer's later calls
// must match its first). Under a mixed policy the output layers compute in float32, as a
// Sequential's last.
func (m *Functional) BuildGraph(s *graphs.Scope, ins map[string]Shape) error {
	ms := modelScope(s.Sub(m.Name))
	m.scope, m.inputs = ms, map[string]Shape{}
	m.shapes = map[string]Shape{}
	for _, name := range m.Inputs {
		in, ok := ins[name]
		if !ok {
			return fmt.Errorf("%s: no shape for input %q", m.Name, name)
		}
		m.inputs[name], m.shapes[name] = in, in
	}
	m.built = map[Layer][]Shape{}
	m.layers = nil
	outLayers := map[Layer]bool{}
	for _, t := range m.Outputs {
		if n := m.node(t); n != nil {
			outLayers[n.Layer] = true
		}
	}
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
		ls := layerScope(ms, n.Layer, outLayers[n.Layer])
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
	for _, t := range m.Outputs {
		if _, ok := m.shapes[t]; !ok || m.node(t) == nil {
			return fmt.Errorf("%s: output %q is no layer's output", m.Name, t)
		}
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

// node is the node whose output is tensor t (nil for an input).
func (m *Functional) node(t string) *Node {
	for i := range m.Nodes {
		if m.Nodes[i].Tensor == t {
			return &m.Nodes[i]
		}
	}
	return nil
}

// OutputLayer is the layer that gives the (first) output.
func (m *Functional) OutputLayer() Layer {
	if len(m.Outputs) == 0 {
		return nil
	}
	if n := m.node(m.Outputs[0]); n != nil {
		return n.Layer
	}
	return nil
}

// OutputShape is the (first) output's shape (after Build).
func (m *Functional) OutputShape() Shape { return m.OutputShapes()[0] }

// OutputShapes are the outputs' shapes, in Outputs' order (after Build).
func (m *Functional) OutputShapes() []Shape {
	out := make([]Shape, len(m.Outputs))
	for i, t := range m.Outputs {
		out[i] = m.shapes[t]
	}
	return out
}

// Call is CallGraph for a model of one input and one output.
func (m *Functional) Call(x tf.Output, training bool) (out, logits tf.Output) {
	outs, lgs := m.CallGraph(map[string]tf.Output{m.Inputs[0]: x}, training)
	if outs == nil {
		return tf.Output{}, tf.Output{}
	}
	return outs[m.Outputs[0]], lgs[m.Outputs[0]]
}

// CallGraph emits the model on the inputs xs (by name): every node in order, each
// layer's inputs cast to the type it computes in, and with their masks (see callMasked). It returns the outputs by name, and
// the logits of those from a final sigmoid or softmax (as Sequential.Call's); nil after
// an error (the scope holds it). Penultimate is then the first output layer's input.
func (m *Functional) CallGraph(xs map[string]tf.Output, training bool) (outs, logits map[string]tf.Output) {
	tensors := map[string]tf.Output{}
	masks := map[string]tf.Output{} // each tensor's Keras mask, if it has one
	for _, name := range m.Inputs {
		tensors[name] = xs[name]
	}
	isOut := map[string]bool{}
	for _, t := range m.Outputs {
		isOut[t] = true
	}
	logits = map[string]tf.Output{}
	for i := range m.Nodes {
		n := &m.Nodes[i]
		ins := make([]tf.Output, len(n.Call))
		for k, t := range n.Call {
			ins[k] = tensors[t]
			if dt, ok := computeDType(n.Layer); ok {
				ins[k] = m.scope.CastTo(ins[k], dt)
			}
		}
		if !m.scope.Ok(ins...) {
			return nil, nil
		}
		ms := make([]tf.Output, len(n.Call))
		for k, t := range n.Call {
			ms[k] = masks[t]
		}
		if _, merge := n.Layer.(MergeLayer); !merge && len(ins) != 1 {
			m.scope.Fail("builders: %s: layer %q (%s) takes one tensor, called on %d", m.Name, n.Layer.Name(), n.Layer.Type(), len(ins))
			return nil, nil
		}
		tensors[n.Tensor], masks[n.Tensor] = callMasked(m.scope, n.Layer, ins, ms, training)
		if isOut[n.Tensor] {
			if n.Tensor == m.Outputs[0] {
				m.penultimate = ins[0]
			}
			if l := finalLogits(n.Layer, ins[0]); l.Op != nil {
				logits[n.Tensor] = l
			}
		}
	}
	outs = map[string]tf.Output{}
	for _, t := range m.Outputs {
		outs[t] = tensors[t]
	}
	return outs, logits
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
	ref := map[string]string{}
	for _, name := range m.Inputs {
		ref[name] = name + "[0][0]"
	}
	for _, n := range m.Nodes {
		ref[n.Tensor] = fmt.Sprintf("%s[%d][0]", n.Layer.Name(), calls[n.Layer])
		calls[n.Layer]++
	}
	for i, name := range m.Inputs {
		if i > 0 {
			line('_')
		}
		row(name+" (InputLayer)", m.inputs[name].String(), "0", " -")
	}
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
