package layers

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tfrun/tfrun/configs"
)

// Node is a symbolic tensor of a functional model (Keras's KerasTensor): a model input
// (Input) or a layer's output (Layer.On). tfrun.Functional makes a model of the nodes
// between its inputs and outputs.
type Node struct {
	g   *graph
	ref *string // the tensor's name, shared by every Node of it: a merge may rename it
}

// name is the node's tensor name ("" for a zero or failed node).
func (n Node) name() string {
	if n.ref == nil {
		return ""
	}
	return *n.ref
}

// graph is what the calls made so far describe: the inputs and the layer entries of a
// functional model's definition (a YAML model section with inputs and call).
type graph struct {
	parent *graph // set when merged into another graph (a call on nodes of both)
	inputs configs.Inputs
	layers []configs.Layer
	counts map[string]int     // Keras's default names handed out, by base name
	called map[*layer]string  // each layer's name, from its first call
	calls  map[*layer]int     // how many times each layer was called
	auto   map[string]bool    // the layer names Keras's defaults gave (a merge may change them)
	refs   map[string]*string // each tensor name's cell, shared by its Nodes
	err    error
}

// node returns the Node of tensor name in g.
func (g *graph) node(name string) Node {
	if g.refs == nil {
		g.refs = map[string]*string{}
	}
	r, ok := g.refs[name]
	if !ok {
		r = new(string)
		*r = name
		g.refs[name] = r
	}
	return Node{g: g, ref: r}
}

// root is the graph g was merged into, or g.
func (g *graph) root() *graph {
	for g.parent != nil {
		g = g.parent
	}
	return g
}

// Input is keras.Input(shape=shape, name=name): a float32 input of examples of shape
// shape (without the batch axis).
func Input(name string, shape ...int) Node { return input(name, configs.DTypeFloat32, shape) }

// IntInput is keras.Input(shape=shape, dtype="int32", name=name): token ids.
func IntInput(name string, shape ...int) Node { return input(name, configs.DTypeInt32, shape) }

func input(name, dtype string, shape []int) Node {
	g := &graph{counts: map[string]int{}, called: map[*layer]string{}, calls: map[*layer]int{}, auto: map[string]bool{}}
	g.inputs = configs.Inputs{{Name: name, Shape: configs.Shape(shape), DType: dtype}}
	if name == "" {
		g.err = errors.New("input: no name")
	}
	return g.node(name)
}

// Name is the node's tensor name: the input's, or the name of the layer call giving it.
func (n Node) Name() string { return n.name() }

// On calls the layer on the nodes (Keras's layer(x), or layer([a, b]) for a merge layer)
// and returns its output. Calling a layer again shares its weights (a reuse entry). An
// error (the layer's, or nodes of no model) is kept and reported by tfrun.Functional.
func (l Layer) On(ins ...Node) Node {
	if len(ins) == 0 || ins[0].g == nil {
		g := &graph{err: errors.New("a layer called on no input node")}
		return Node{g: g}
	}
	g := ins[0].g.root()
	var call []string
	for _, in := range ins {
		if in.g == nil {
			g.fail(errors.New("a layer called on a zero Node"))
			return Node{g: g}
		}
		if o := in.g.root(); o != g { // nodes of two inputs' graphs: one model
			g.merge(o)
		}
		call = append(call, in.name())
	}
	if l.layer == nil || l.err != nil {
		g.fail(l.Err())
		return Node{g: g}
	}
	c := l.cfg.Clone()
	c.Call = call
	first, again := g.called[l.layer]
	if again {
		g.calls[l.layer]++
		c.Reuse = first
		c.Name = fmt.Sprintf("%s_call%d", first, g.calls[l.layer])
	} else {
		c.Name = g.name(&c)
		g.called[l.layer], g.calls[l.layer] = c.Name, 1
	}
	g.layers = append(g.layers, c)
	return g.node(c.Name)
}

// name is the layer's name, or the default name Keras gives it (configs names unnamed
// layers so: dense, dense_1, ...; a wrapped layer is named first, and named explicitly).
func (g *graph) name(c *configs.Layer) string {
	def := func(l *configs.Layer) string {
		if l.Name != "" {
			return l.Name
		}
		base := l.Type
		if spec := l.Spec(); spec != nil {
			base = spec.DefaultName
		}
		return g.nextName(base)
	}
	if w := c.Wrapped(); w != nil { // named explicitly too: every name of the model is given
		w.Name = def(w)
	}
	name := def(c)
	if c.Name == "" {
		g.auto[name] = true
	}
	return name
}

// nextName is Keras's next default name of base in g: base, base_1, ...
func (g *graph) nextName(base string) string {
	k := g.counts[base]
	g.counts[base]++
	if k == 0 {
		return base
	}
	return fmt.Sprintf("%s_%d", base, k)
}

// fail keeps the first error.
func (g *graph) fail(err error) {
	if g.err == nil {
		g.err = err
	}
}

// merge moves o's inputs and layers into g. A layer of o named by Keras's defaults with
// a name g has (two inputs' branches each with a "dense") takes g's next default name,
// as Keras's one counter for the session would have named it.
func (g *graph) merge(o *graph) {
	o.renameFor(g)
	g.inputs = append(g.inputs, o.inputs...)
	g.layers = append(g.layers, o.layers...)
	for k, v := range o.counts {
		g.counts[k] = max(g.counts[k], v)
	}
	for k, v := range o.called {
		g.called[k] = v
	}
	for k, v := range o.calls {
		g.calls[k] = v
	}
	for k, v := range o.auto {
		g.auto[k] = v
	}
	for k, v := range o.refs {
		if g.refs == nil {
			g.refs = map[string]*string{}
		}
		g.refs[k] = v
	}
	g.fail(o.err)
	o.parent = g
}

// Graph returns the model section the calls leading to outputs describe (every call made
// on the nodes' inputs so far): its inputs, its layers in call order and outputs' names,
// or the first error a call met. All nodes must belong to one model.
func Graph(inputs, outputs []Node) (configs.Model, error) {
	if len(inputs) == 0 || len(outputs) == 0 {
		return configs.Model{}, errors.New("functional model: no inputs or no outputs")
	}
	var g *graph
	for _, n := range append(append([]Node{}, inputs...), outputs...) {
		if n.g == nil || n.ref == nil && n.g.root().err == nil {
			return configs.Model{}, errors.New("functional model: a zero Node")
		}
		switch r := n.g.root(); {
		case r.err != nil:
			return configs.Model{}, fmt.Errorf("functional model: %w", r.err)
		case g == nil:
			g = r
		case r != g:
			return configs.Model{}, fmt.Errorf("functional model: %q is not connected to %q", n.name(), inputs[0].name())
		}
	}
	m := configs.Model{Layers: make([]configs.Layer, len(g.layers))}
	for i := range g.layers {
		m.Layers[i] = g.layers[i].Clone()
	}
	want := map[string]bool{}
	for _, in := range inputs {
		want[in.name()] = true
	}
	for _, in := range g.inputs {
		if !want[in.Name] {
			return configs.Model{}, fmt.Errorf("functional model: input %q is used but not one of the model's inputs", in.Name)
		}
		m.Inputs = append(m.Inputs, in)
	}
	if len(m.Inputs) != len(inputs) {
		return configs.Model{}, fmt.Errorf("functional model: %d inputs given, %d reach the outputs", len(inputs), len(m.Inputs))
	}
	slices.SortFunc(m.Inputs, func(a, b configs.Input) int { return strings.Compare(a.Name, b.Name) }) // configs.Inputs' order
	for _, out := range outputs {
		m.Outputs = append(m.Outputs, out.name())
	}
	return m, nil
}

// renameFor renames o's default-named layers whose names g has, before o merges into g:
// their entries, the calls and reuses naming them, and their Nodes.
func (o *graph) renameFor(g *graph) {
	taken := map[string]bool{}
	for _, in := range g.inputs {
		taken[in.Name] = true
	}
	for _, l := range g.layers {
		taken[l.Name] = true
	}
	renamed := map[string]string{}
	for _, l := range o.layers {
		if l.Reuse != "" || !o.auto[l.Name] || !taken[l.Name] {
			continue
		}
		base := l.Type
		if spec := l.Spec(); spec != nil {
			base = spec.DefaultName
		}
		n := g.nextName(base)
		for taken[n] {
			n = g.nextName(base)
		}
		renamed[l.Name], taken[n] = n, true
	}
	if len(renamed) == 0 {
		return
	}
	to := func(name string) string {
		if n, ok := renamed[name]; ok {
			return n
		}
		return name
	}
	for i := range o.layers {
		l := &o.layers[i]
		if l.Reuse != "" {
			if n, ok := renamed[l.Reuse]; ok {
				old := l.Name
				l.Name = n + strings.TrimPrefix(l.Name, l.Reuse)
				renamed[old] = l.Name
			}
			l.Reuse = to(l.Reuse)
		} else {
			l.Name = to(l.Name)
		}
		for j := range l.Call {
			l.Call[j] = to(l.Call[j])
		}
	}
	for k, v := range o.called {
		o.called[k] = to(v)
	}
	for old, n := range renamed {
		if o.auto[old] {
			delete(o.auto, old)
			o.auto[n] = true
		}
		if r, ok := o.refs[old]; ok {
			*r = n
			delete(o.refs, old)
			o.refs[n] = r
		}
	}
}
