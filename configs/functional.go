package configs

import (
	"fmt"
	"slices"
	"strings"
)

// Functional models, Keras's functional API: model.inputs names the model's inputs
// (keras.Input), each layer of model.layers names the tensors it is called on (call) and
// its output is known by its name, and model.outputs names what the model returns
// (keras.Model(inputs, outputs)). A layer entry with reuse calls an earlier layer again,
// sharing its weights. Without model.inputs, model.layers is a keras.Sequential stack.
//
//	model:
//	  inputs: {image: {shape: [28, 28, 1]}}
//	  layers:
//	    - {name: conv1, type: Conv2D, filters: 8, kernel_size: 3, padding: same}  # call: image
//	    - {name: conv2, type: Conv2D, filters: 1, kernel_size: 3, padding: same}  # call: conv1
//	    - {name: res, type: Add, call: [conv2, image]}
//	    - {type: Flatten}
//	    - {name: head, type: Dense, units: 10, activation: softmax}
//	  outputs: [head]

// Input dtypes (keras.Input dtype).
const (
	DTypeFloat32 = "float32"
	DTypeInt32   = "int32" // token ids or class labels
)

// Input is one input of a functional model: keras.Input(shape=..., dtype=..., name=...).
type Input struct {
	// Name is the input's name, its key in model.inputs (lower case: YAML keys are
	// case-insensitive).
	Name string `mapstructure:"-"`
	// Shape is the shape of one example, without the batch axis. Default: the data's.
	Shape Shape `mapstructure:"shape"`
	// DType is DTypeFloat32 or DTypeInt32. Default: the data's (int32 for token ids).
	DType string `mapstructure:"dtype"`
}

// Inputs are a functional model's inputs, sorted by name. YAML: a mapping from each
// input's name to its {shape, dtype}.
type Inputs []Input

// Functional reports whether the model is a functional one (model.inputs given) rather
// than a Sequential stack.
func (m *Model) Functional() bool { return len(m.Inputs) > 0 }

// Graph is a functional model's layers resolved into a graph of layer calls.
type Graph struct {
	Inputs Inputs
	// Nodes are the layer calls, each after the calls whose outputs it takes (the order
	// of model.layers where it allows).
	Nodes []Node
	// Outputs names the tensors the model returns.
	Outputs []string
}

// Node is one call of a layer in a functional model.
type Node struct {
	// Index is the node's entry in model.layers, Path its key path ("model.layers[3]").
	Index int
	Path  string
	// Tensor names the node's output: the layer's name, or a reuse entry's name.
	Tensor string
	// Layer is the name of the layer called (its default name if unnamed), and First the
	// entry that defines it: Index, or for a reuse entry the reused layer's.
	Layer string
	First int
	// Call names the tensors the layer is called on.
	Call []string
	// Config is the entry (a reuse entry carries the reused layer's type and arguments).
	Config *Layer
}

// Reused reports whether the node calls a layer defined by an earlier entry.
func (n *Node) Reused() bool { return n.First != n.Index }

// Graph resolves a functional model's layers into a graph (see Validate for the checks;
// a validated config's graph has no error).
func (m *Model) Graph() (*Graph, error) {
	c := &checker{}
	return c.graph("model", m)
}

// MultiIO reports whether the model's inputs and outputs are fed by name
// (data.inputs/data.outputs; set by Validate), so it may have several of each.
func (m *Model) MultiIO() bool { return m.multiIO }

// FeedByName marks the model as fed by name by a program (package tfrun's Data.Inputs and
// Data.Outputs), as Validate marks one fed by data.inputs/data.outputs: it may then have
// several inputs and outputs.
func (m *Model) FeedByName() { m.multiIO = true }

// defaultLayerNames names each entry of ls as Keras names unnamed layers, in list order,
// a wrapped layer before its wrapper (the names builders' layers get, assemble.Namer's):
// dense, dense_1, ...; a reuse entry gets its own name ("" if none).
func defaultLayerNames(ls []Layer) []string {
	counts := map[string]int{}
	name := func(l *Layer) string {
		if l.Name != "" {
			return l.Name
		}
		base := l.Type
		if spec := l.Spec(); spec != nil {
			base = spec.DefaultName
		}
		k := counts[base]
		counts[base]++
		if k == 0 {
			return base
		}
		return fmt.Sprintf("%s_%d", base, k)
	}
	out := make([]string, len(ls))
	for i := range ls {
		if ls[i].Reuse != "" {
			out[i] = ls[i].Name
			continue
		}
		if w := ls[i].Wrapped(); w != nil {
			name(w)
		}
		out[i] = name(&ls[i])
	}
	return out
}

// notFunctional refuses call and reuse outside a functional model.
func (c *checker) notFunctional(path string, l *Layer) error {
	switch {
	case len(l.Call) > 0:
		return c.bad(path+".call", "%v: only a functional model's layers name the tensors they are called on (give model.inputs)", l.Call)
	case l.Reuse != "":
		return c.bad(path+".reuse", "%q: only a functional model's layers are called again (give model.inputs)", l.Reuse)
	}
	return nil
}

// graph resolves model m's layers (path: "model") into a graph: every name known and
// unique, no cycle, every input and layer reaching an output, one input and one output
// (several are not yet supported).
func (c *checker) graph(path string, m *Model) (*Graph, error) {
	lp := path + ".layers"
	if len(m.Layers) == 0 {
		return nil, c.bad(lp, "no layers; give at least one")
	}
	g := &Graph{Inputs: m.Inputs}
	// Every tensor's name, and where it comes from.
	where := map[string]string{} // tensor → its key path
	producer := map[string]int{} // tensor → entry, -1 for an input
	for _, in := range m.Inputs {
		ip := join(path+".inputs", in.Name)
		if in.Name == "" || strings.Contains(in.Name, "/") {
			return nil, c.bad(ip, "%q: an input needs a name without \"/\"", in.Name)
		}
		where[in.Name], producer[in.Name] = ip, -1
	}
	names := defaultLayerNames(m.Layers)
	defined := map[string]int{} // layer name → defining entry
	for i := range m.Layers {
		p := indexPath(lp, i)
		l := &m.Layers[i]
		if l.Reuse != "" && l.Name == "" {
			return nil, c.missing(p+".name", ": a reuse entry names its call's output")
		}
		if other, dup := where[names[i]]; dup {
			return nil, c.bad(p+".name", "%q already names %s", names[i], other)
		}
		where[names[i]], producer[names[i]] = p, i
		if l.Reuse == "" {
			defined[names[i]] = i
		}
	}
	prev := ""
	if len(m.Inputs) == 1 {
		prev = m.Inputs[0].Name
	}
	for i := range m.Layers {
		p := indexPath(lp, i)
		l := &m.Layers[i]
		n := Node{Index: i, Path: p, Tensor: names[i], Layer: names[i], First: i, Call: slices.Clone(l.Call), Config: l}
		if l.Reuse != "" {
			first, ok := defined[l.Reuse]
			if !ok {
				return nil, c.bad(p+".reuse", "unknown layer %q (layers: %s)", l.Reuse, strings.Join(sortedKeys(defined), ", "))
			}
			if l.Type != m.Layers[first].Type {
				if l.Type == "" {
					return nil, c.missing(p+".type", fmt.Sprintf(": a reuse entry has its layer's type, %s (Load copies it)", m.Layers[first].Type))
				}
				return nil, c.bad(p+".type", "%s, but the reused layer %q is a %s", l.Type, l.Reuse, m.Layers[first].Type)
			}
			n.Layer, n.First = l.Reuse, first
		}
		if len(n.Call) == 0 {
			if prev == "" {
				return nil, c.missing(p+".call", ": the model has several inputs; name the tensors the layer is called on")
			}
			n.Call = []string{prev}
		}
		for k, t := range n.Call {
			if _, ok := producer[t]; !ok {
				return nil, c.bad(indexPath(p+".call", k), "unknown tensor %q%s (known: %s)", t, caseHint(t, where), strings.Join(sortedKeys(where), ", "))
			}
		}
		prev = names[i]
		g.Nodes = append(g.Nodes, n)
	}
	g.Outputs = slices.Clone(m.Outputs)
	if len(g.Outputs) == 0 {
		g.Outputs = []string{names[len(names)-1]}
	}
	for k, t := range g.Outputs {
		switch i, ok := producer[t]; {
		case !ok:
			return nil, c.bad(indexPath(path+".outputs", k), "unknown tensor %q%s (known: %s)", t, caseHint(t, where), strings.Join(sortedKeys(where), ", "))
		case i < 0:
			return nil, c.bad(indexPath(path+".outputs", k), "%q is an input; the model's outputs are layers' outputs", t)
		}
	}
	// Order the calls: each after the calls it takes; a cycle is an error.
	const (
		unseen = iota
		visiting
		done
	)
	state := make([]int, len(g.Nodes))
	var order []Node
	var visit func(i int, trail []string) error
	visit = func(i int, trail []string) error {
		n := &g.Nodes[i]
		switch state[i] {
		case done:
			return nil
		case visiting:
			k := slices.Index(trail, n.Tensor)
			return c.bad(n.Path+".call", "a cycle: %s (a layer cannot take its own output, directly or through others)",
				strings.Join(append(slices.Clone(trail[k:]), n.Tensor), " → "))
		}
		state[i] = visiting
		for _, t := range n.Call {
			if j := producer[t]; j >= 0 {
				if err := visit(j, append(trail, n.Tensor)); err != nil {
					return err
				}
			}
		}
		state[i] = done
		order = append(order, *n)
		return nil
	}
	for i := range g.Nodes {
		if err := visit(i, nil); err != nil {
			return nil, err
		}
	}
	// Every input and layer reaches an output.
	reached := map[string]bool{}
	var mark func(t string)
	mark = func(t string) {
		if reached[t] {
			return
		}
		reached[t] = true
		if j := producer[t]; j >= 0 {
			for _, u := range g.Nodes[j].Call {
				mark(u)
			}
		}
	}
	for _, t := range g.Outputs {
		mark(t)
	}
	for _, in := range m.Inputs {
		if !reached[in.Name] {
			return nil, c.bad(join(path+".inputs", in.Name), "does not reach the model's outputs (%s): no layer on a path to them is called on it", strings.Join(g.Outputs, ", "))
		}
	}
	for _, n := range g.Nodes {
		if !reached[n.Tensor] {
			return nil, c.bad(n.Path, "%q (%s) does not reach the model's outputs (%s): remove it, or call a layer on its way to them on it", n.Tensor, n.Config.Type, strings.Join(g.Outputs, ", "))
		}
	}
	// What the graph type holds but training does not yet do.
	if len(m.Inputs) > 1 && !m.multiIO {
		return nil, c.bad(path+".inputs", "%d inputs (%s): several inputs are not yet supported (tfrun issue #21: a CSV's columns by input name, docs/guide/multi_io.md); give one", len(m.Inputs), strings.Join(inputNames(m.Inputs), ", "))
	}
	if len(g.Outputs) > 1 && !m.multiIO {
		return nil, c.bad(path+".outputs", "%d outputs (%s): several outputs are not yet supported by tfrun's run (tfrun issue #21, docs/guide/multi_io.md: train.loss, loss_weights and metrics by output name are checked); give one", len(g.Outputs), strings.Join(g.Outputs, ", "))
	}
	g.Nodes = order
	return g, nil
}

// caseHint explains an unknown tensor name that differs from a known one only in case.
func caseHint(t string, known map[string]string) string {
	for k := range known {
		if strings.EqualFold(k, t) {
			return fmt.Sprintf(" (%q is known: names are case-sensitive, and input names lower case, as YAML keys are matched case-insensitively)", k)
		}
	}
	return ""
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func inputNames(ins Inputs) []string {
	out := make([]string, len(ins))
	for i, in := range ins {
		out[i] = in.Name
	}
	return out
}

// tensorShape is a tensor's inferred shape and whether it holds integer ids.
type tensorShape struct {
	shape Shape
	ids   bool
}

// inputShapes checks a functional model's inputs against the data's input (shape in, ids
// whether it is token ids, known whether the data set tells) and returns each input's.
func (c *checker) inputShapes(path string, ins Inputs, in Shape, ids, known bool) (map[string]tensorShape, bool, error) {
	out := map[string]tensorShape{}
	for _, x := range ins {
		ip := join(path+".inputs", x.Name)
		switch x.DType {
		case "":
		case DTypeFloat32, DTypeInt32:
			if known && (x.DType == DTypeInt32) != ids {
				want := map[bool]string{true: "int32 (token ids)", false: "float32"}[ids]
				return nil, false, c.bad(ip+".dtype", "%s, but the data gives %s", x.DType, want)
			}
		default:
			return nil, false, c.err(ip+".dtype", unknownValue(x.DType, []string{DTypeFloat32, DTypeInt32}))
		}
		for k, d := range x.Shape {
			if d <= 0 {
				return nil, false, c.bad(indexPath(ip+".shape", k), "must be > 0, got %d", d)
			}
			if err := c.atMostMaxDim(indexPath(ip+".shape", k), d); err != nil {
				return nil, false, err
			}
		}
		switch {
		case known && x.Shape != nil && !slices.Equal(x.Shape, in):
			return nil, false, c.bad(ip+".shape", "%v, but the data's examples are %v", []int(x.Shape), []int(in))
		case known:
			out[x.Name] = tensorShape{slices.Clone(in), ids}
		case x.Shape != nil:
			out[x.Name] = tensorShape{slices.Clone(x.Shape), x.DType == DTypeInt32}
		default:
			return out, false, nil // only the files tell
		}
	}
	return out, true, nil
}

// graphShapes infers every tensor's shape over graph g from its inputs' shapes: each
// layer's through its spec (a merge layer's MergeShape for the tensors it is called on),
// a reused layer's input being its first call's. It returns the shapes by tensor name.
func (c *checker) graphShapes(g *Graph, ins map[string]tensorShape) (map[string]tensorShape, error) {
	shapes := cloneShapes(ins)
	firstIn := map[int][]Shape{} // defining entry → the shapes of its first call
	for _, n := range g.Nodes {
		l := n.Config
		spec := l.Spec()
		var in []Shape
		var described []string
		for k, t := range n.Call {
			s := shapes[t]
			if spec.Merge && s.ids {
				return nil, c.bad(indexPath(n.Path+".call", k), "%q is integer ids; %s takes floats (an Embedding turns ids into vectors)", t, l.Type)
			}
			in = append(in, s.shape)
			described = append(described, fmt.Sprintf("%s %v", t, s.shape))
		}
		var out Shape
		var err error
		switch {
		case spec.Merge:
			if len(in) < spec.MinInputs || spec.MaxInputs > 0 && len(in) > spec.MaxInputs {
				return nil, c.bad(n.Path+".call", "%s is called on %d tensors (%s); it takes %s", l.Type, len(in), strings.Join(n.Call, ", "), countRange(spec.MinInputs, spec.MaxInputs))
			}
			out, err = spec.MergeShape(l, in)
		case len(in) != 1:
			return nil, c.bad(n.Path+".call", "%s is called on %d tensors (%s); it takes one (a merge layer such as Add or Concatenate joins several)", l.Type, len(in), strings.Join(n.Call, ", "))
		default:
			out, err = l.OutputShape(in[0], shapes[n.Call[0]].ids)
		}
		if err != nil {
			if _, isArg := err.(*layerArgError); !isArg {
				err = fmt.Errorf("called on %s: %w", strings.Join(described, " and "), err)
			}
			return nil, c.shapeError(n.Path, l, err)
		}
		if first, ok := firstIn[n.First]; ok {
			if !slices.EqualFunc(first, in, func(a, b Shape) bool { return slices.Equal(a, b) }) {
				return nil, c.bad(n.Path+".call", "%q was built for %v (its first call, %s); this call gives %v", n.Layer, first, indexPath("model.layers", n.First), in)
			}
		} else {
			firstIn[n.First] = in
		}
		if err := c.dimsFit(n.Path, l, in[0], out); err != nil {
			return nil, err
		}
		shapes[n.Tensor] = tensorShape{out, false}
	}
	return shapes, nil
}

func cloneShapes(m map[string]tensorShape) map[string]tensorShape {
	out := make(map[string]tensorShape, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func countRange(lo, hi int) string {
	switch {
	case hi == 0:
		return fmt.Sprintf("%d or more", lo)
	case lo == hi:
		return fmt.Sprintf("exactly %d", lo)
	}
	return fmt.Sprintf("%d to %d", lo, hi)
}

// OutputLayer returns the entry of model.layers that gives the model's output (its
// last layer for a Sequential stack), and its key path.
func (m *Model) OutputLayer() (*Layer, string) {
	if !m.Functional() {
		last := len(m.Layers) - 1
		return &m.Layers[last], indexPath("model.layers", last)
	}
	g, err := m.Graph()
	if err != nil || len(g.Outputs) == 0 {
		last := len(m.Layers) - 1
		return &m.Layers[last], indexPath("model.layers", last)
	}
	for _, n := range g.Nodes {
		if n.Tensor == g.Outputs[0] {
			return n.Config, n.Path
		}
	}
	last := len(m.Layers) - 1
	return &m.Layers[last], indexPath("model.layers", last)
}

// resolveReuse gives each reuse entry of a functional model the type and arguments of
// the layer it reuses (Load does, after decoding).
func (m *Model) resolveReuse() {
	names := defaultLayerNames(m.Layers)
	for i := range m.Layers {
		l := &m.Layers[i]
		if l.Reuse == "" || l.Type != "" {
			continue
		}
		for j := range m.Layers {
			if d := &m.Layers[j]; d.Reuse == "" && names[j] == l.Reuse {
				c := d.clone()
				l.Type, l.args = c.Type, c.args
				break
			}
		}
	}
}

// model checks a classifier's model section: a Sequential stack, or a functional graph
// whose every entry is a valid layer.
func (c *checker) model(m *Model) error {
	if !m.Functional() {
		if len(m.Outputs) > 0 {
			return c.bad("model.outputs", "only for a functional model: give model.inputs too (a Sequential stack's output is its last layer's)")
		}
		if err := c.layers("model.layers", m.Layers); err != nil {
			return err
		}
		_, err := c.baseEntries(m)
		return err
	}
	if _, err := c.graph("model", m); err != nil {
		return err
	}
	for i := range m.Layers {
		if err := c.layer(indexPath("model.layers", i), &m.Layers[i]); err != nil {
			return err
		}
	}
	_, err := c.baseEntries(m)
	return err
}

// modelShape infers the model's output shape for the data's input (shape in, ids, known
// whether the data set tells); known is false when the input shape is known only from
// the files (and a functional model's inputs do not give it).
func (c *checker) modelShape(m *Model, in Shape, ids, known bool) (Shape, bool, error) {
	if !m.Functional() {
		if !known {
			return nil, false, nil
		}
		out, _, err := c.stack("model.layers", m.Layers, 0, in, ids)
		return out, true, err
	}
	g, err := c.graph("model", m)
	if err != nil {
		return nil, false, err
	}
	ins, known, err := c.inputShapes("model", g.Inputs, in, ids, known)
	if err != nil || !known {
		return nil, known, err
	}
	shapes, err := c.graphShapes(g, ins)
	if err != nil {
		return nil, false, err
	}
	return shapes[g.Outputs[0]].shape, true, nil
}
