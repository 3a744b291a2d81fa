package configs

import (
	"errors"
	"slices"
	"strconv"
	"strings"
)

// A GAN's networks. Each is a keras.Sequential stack (layers alone) on its one input, or
// a functional graph (inputs given) built as a classifier's functional model is. A
// conditional GAN's networks are functional graphs of two inputs: GANLabelInput, the
// class label, and the noise (generator) or the image (discriminator), named freely:
//
//	generator:
//	  inputs: {noise: {shape: [100]}, label: {shape: [1], dtype: int32}}
//	  layers:
//	    - {type: Embedding, input_dim: 10, output_dim: 50, call: label}
//	    - {type: Dense, units: 49}                         # called on the embedding
//	    - {type: Reshape, target_shape: [7, 7, 1]}
//	    - {type: Dense, units: 12544, call: noise}
//	    - {type: Reshape, target_shape: [7, 7, 256]}
//	    - {type: Concatenate, call: [reshape_1, reshape]}
//	    - ...
//
// The form before functional graphs, label_branch → Concatenate ← input_branch, still
// loads: Validate rewrites it into that graph (fromBranches), with the same layer names,
// so the same variables, and the same fingerprint (canonicalNetwork), so its checkpoints
// resume.

// GANLabelInput names a conditional GAN network's class-label input: int32, shape [1].
const GANLabelInput = "label"

// The main inputs' names in a network rewritten from the old form.
const (
	ganNoiseInput = "noise"
	ganImageInput = "image"
)

// Functional reports whether the network is a functional graph (inputs given) rather
// than a Sequential stack.
func (n *Network) Functional() bool { return len(n.Inputs) > 0 }

// Model is the network as a functional Model (its inputs, layers and outputs; a GAN
// network may have two inputs), for Graph and assemble.Functional.
func (n *Network) Model() *Model {
	return &Model{Inputs: n.Inputs, Layers: n.Layers, Outputs: n.Outputs, multiIO: true}
}

// MainInput is the name of a functional network's input that takes the noise or the
// image: the one not named GANLabelInput ("" for a Sequential stack).
func (n *Network) MainInput() string {
	for _, in := range n.Inputs {
		if in.Name != GANLabelInput {
			return in.Name
		}
	}
	return ""
}

// hasLabel reports whether the network has an input named GANLabelInput.
func (n *Network) hasLabel() bool {
	return slices.ContainsFunc(n.Inputs, func(in Input) bool { return in.Name == GANLabelInput })
}

// fromBranches rewrites a network in the old conditional form (label_branch,
// input_branch, layers starting with Concatenate) into the functional graph it always
// meant: label → label_branch, main → input_branch, Concatenate([input branch, label
// branch]) → the rest of layers, the layers listed in that order (so Keras's default
// names, and with them the variables, are the old ones).
func (c *checker) fromBranches(path string, n *Network, main string, numClasses int) error {
	if len(n.LabelBranch) == 0 && len(n.InputBranch) == 0 {
		return nil
	}
	if numClasses == 0 {
		key := "label_branch"
		if len(n.LabelBranch) == 0 {
			key = "input_branch"
		}
		return c.bad(path+"."+key, "only for a conditional GAN (gan.num_classes > 0)")
	}
	if len(n.LabelBranch) == 0 {
		return c.bad(path+".input_branch", "only with label_branch (the old form of a conditional GAN network); better, write the network as a functional graph: inputs, and layers that name the tensors they are called on (docs/guide/gans.md)")
	}
	if n.Functional() {
		return c.bad(path+".label_branch", "given with %s.inputs: write the network either as a functional graph (inputs, layers with call) or in the old form (label_branch, input_branch, layers), not both", path)
	}
	for _, part := range []struct {
		key string
		ls  []Layer
	}{{"label_branch", n.LabelBranch}, {"input_branch", n.InputBranch}, {"layers", n.Layers}} {
		for i := range part.ls {
			p := indexPath(path+"."+part.key, i)
			if len(part.ls[i].Call) > 0 {
				return c.bad(p+".call", "%v: in the old form (label_branch) layers are not called by name; write the network as a functional graph with inputs to name tensors", part.ls[i].Call)
			}
			if part.ls[i].Reuse != "" {
				return c.bad(p+".reuse", "%q: in the old form (label_branch) no layer is called again; write the network as a functional graph with inputs", part.ls[i].Reuse)
			}
		}
	}
	if len(n.Layers) == 0 || n.Layers[0].Type != LayerConcatenate {
		got := ""
		if len(n.Layers) > 0 {
			got = n.Layers[0].Type
		}
		return c.bad(path+".layers[0].type", "%q: in the old form (label_branch) a conditional GAN network's layers start with Concatenate, joining label_branch and input_branch", got)
	}
	if axis := n.Layers[0].Int("axis"); axis != -1 {
		return c.bad(path+".layers[0].axis", "%d: in the old form (label_branch) a conditional GAN network joins its branches along the last axis, -1", axis)
	}
	nl, ni := len(n.LabelBranch), len(n.InputBranch)
	ls := slices.Concat(n.LabelBranch, n.InputBranch, n.Layers)
	names := defaultLayerNames(ls)
	ls[0].Call = []string{GANLabelInput}
	inputEnd := main
	if ni > 0 {
		ls[nl].Call = []string{main}
		inputEnd = names[nl+ni-1]
	}
	ls[nl+ni].Call = []string{inputEnd, names[nl-1]}
	n.Inputs = Inputs{{Name: GANLabelInput}, {Name: main}}
	slices.SortFunc(n.Inputs, func(a, b Input) int { return strings.Compare(a.Name, b.Name) })
	n.oldPaths = nil
	for _, part := range []struct {
		key string
		n   int
	}{{"label_branch", nl}, {"input_branch", ni}, {"layers", len(n.Layers)}} {
		for i := range part.n {
			n.oldPaths = append(n.oldPaths, indexPath(path+"."+part.key, i))
		}
	}
	n.Layers, n.LabelBranch, n.InputBranch = ls, nil, nil
	return nil
}

// LayerPath is the key path of the network's layer i (path: the network's, such as
// "gan.generator"): path.layers[i], or in a network written in the old form, where the
// layer was in it (path.label_branch[0], ...).
func (n *Network) LayerPath(path string, i int) string {
	if i < len(n.oldPaths) {
		return n.oldPaths[i]
	}
	return indexPath(path+".layers", i)
}

// oldKey maps a key path into a network rewritten from the old form (path.layers[i]...)
// back to where the user wrote it.
func (n *Network) oldKey(path, key string) string {
	prefix := path + ".layers["
	if len(n.oldPaths) == 0 || !strings.HasPrefix(key, prefix) {
		return key
	}
	rest := key[len(prefix):]
	j := strings.IndexByte(rest, ']')
	i, err := strconv.Atoi(rest[:max(j, 0)])
	if j < 0 || err != nil || i >= len(n.oldPaths) {
		return key
	}
	return n.oldPaths[i] + rest[j+1:]
}

// oldKeys maps an error's key into a network written in the old form back to where the
// user wrote it (see oldKey).
func (g *GAN) oldKeys(err error) error {
	var e *Error
	if errors.As(err, &e) {
		e.Key = g.Generator.oldKey("gan.generator", e.Key)
		e.Key = g.Discriminator.oldKey("gan.discriminator", e.Key)
	}
	return err
}

// branches is the network in the old form, when its graph is one: a Sequential stack
// (layers alone; or the old form itself, in a config not yet validated), or the
// conditional pattern fromBranches makes, its layers in that order. ok is false for any
// other graph.
func (n *Network) branches() (label, input, layers []Layer, ok bool) {
	if !n.Functional() {
		return n.LabelBranch, n.InputBranch, n.Layers, true
	}
	ls := n.Layers
	if len(n.Inputs) != 2 || n.MainInput() == "" || !n.hasLabel() {
		return nil, nil, nil, false
	}
	main := n.MainInput()
	names := defaultLayerNames(ls)
	call := func(i int) []string {
		if len(ls[i].Call) > 0 || i == 0 {
			return ls[i].Call
		}
		return []string{names[i-1]}
	}
	is := func(i int, t ...string) bool { return slices.Equal(call(i), t) }
	for i := range ls {
		if ls[i].Reuse != "" {
			return nil, nil, nil, false
		}
	}
	if len(ls) == 0 || !is(0, GANLabelInput) {
		return nil, nil, nil, false
	}
	i := 1
	for i < len(ls) && is(i, names[i-1]) {
		i++
	}
	nl := i
	inputEnd := main
	if i < len(ls) && is(i, main) {
		for i++; i < len(ls) && is(i, names[i-1]); i++ {
		}
		inputEnd = names[i-1]
	}
	ni := i - nl
	if i >= len(ls) || ls[i].Type != LayerConcatenate || ls[i].Int("axis") != -1 || !is(i, inputEnd, names[nl-1]) {
		return nil, nil, nil, false
	}
	for i++; i < len(ls); i++ {
		if !is(i, names[i-1]) {
			return nil, nil, nil, false
		}
	}
	if len(n.Outputs) > 1 || len(n.Outputs) == 1 && n.Outputs[0] != names[len(names)-1] {
		return nil, nil, nil, false
	}
	bare := func(ls []Layer) []Layer {
		out := slices.Clone(ls)
		for i := range out {
			out[i].Call = nil
		}
		return out
	}
	return bare(ls[:nl]), bare(ls[nl : nl+ni]), bare(ls[nl+ni:]), true
}

// canonicalNetwork is a network's model definition: the old form's (layers,
// label_branch, input_branch) when the graph is one (see branches), so a network keeps
// its fingerprint whichever way it is written; a functional model's otherwise.
func canonicalNetwork(n *Network) map[string]any {
	if label, input, layers, ok := n.branches(); ok {
		return map[string]any{
			"layers":       canonicalLayers(layers),
			"label_branch": canonicalLayers(label),
			"input_branch": canonicalLayers(input),
		}
	}
	m := n.Model()
	m.Inputs = slices.Clone(m.Inputs)
	for i := range m.Inputs { // their defaults spelt out: the main input's shape is noise_dim's or the images'
		if m.Inputs[i].Name == GANLabelInput {
			m.Inputs[i].Shape, m.Inputs[i].DType = Shape{1}, DTypeInt32
		} else {
			m.Inputs[i].Shape, m.Inputs[i].DType = nil, DTypeFloat32
		}
	}
	return map[string]any{"functional": canonicalModel(m)}
}

// network checks one network of a GAN: a Sequential stack, or a functional graph whose
// inputs are a conditional GAN's (the label and the main input) or an unconditional
// one's (the main input).
func (c *checker) network(path string, n *Network, numClasses int) error {
	if err := c.noRegularizers(path+".layers", n.Layers); err != nil {
		return err
	}
	conditional := numClasses > 0
	if !n.Functional() {
		if len(n.Outputs) > 0 {
			return c.bad(path+".outputs", "only for a functional graph: give %s.inputs too (a Sequential stack's output is its last layer's)", path)
		}
		if conditional {
			return c.missing(path+".inputs", " for a conditional GAN (gan.num_classes > 0): its networks take the class label; give inputs {label: {shape: [1], dtype: int32}, noise or image: ...} and call layers on them (docs/guide/gans.md)")
		}
		return c.layers(path+".layers", n.Layers)
	}
	g, err := c.graph(path, n.Model())
	if err != nil {
		return err
	}
	want := 1
	if conditional {
		want = 2
	}
	if !conditional && n.hasLabel() {
		return c.bad(join(path+".inputs", GANLabelInput), "only for a conditional GAN (gan.num_classes > 0): the class label's input")
	}
	if len(n.Inputs) != want || n.MainInput() == "" || conditional && !n.hasLabel() {
		what := "one input, the " + mainWhat(path)
		if conditional {
			what = "two inputs: label, the class label, and the " + mainWhat(path)
		}
		return c.bad(path+".inputs", "%s: a GAN network takes %s", strings.Join(inputNames(n.Inputs), ", "), what)
	}
	for _, in := range n.Inputs {
		ip := join(path+".inputs", in.Name)
		if in.Name == GANLabelInput {
			if in.DType != "" && in.DType != DTypeInt32 {
				return c.bad(ip+".dtype", "%s: the class label is int32", in.DType)
			}
			if in.Shape != nil && !slices.Equal(in.Shape, Shape{1}) {
				return c.bad(ip+".shape", "%v: the class label's shape is [1]", []int(in.Shape))
			}
		} else if in.DType == DTypeInt32 {
			return c.bad(ip+".dtype", "int32: the %s is float32", mainWhat(path))
		}
	}
	if len(g.Outputs) != 1 {
		return c.bad(path+".outputs", "%v: a GAN network has one output", g.Outputs)
	}
	for i := range n.Layers {
		p := indexPath(path+".layers", i)
		if err := c.layer(p, &n.Layers[i]); err != nil {
			return err
		}
	}
	for _, nd := range g.Nodes {
		if nd.Config.Type == LayerEmbedding && slices.Contains(nd.Call, GANLabelInput) && nd.Config.Int("input_dim") < numClasses {
			return c.bad(nd.Path+".input_dim", "%d < gan.num_classes %d; labels go up to num_classes-1", nd.Config.Int("input_dim"), numClasses)
		}
	}
	return nil
}

// mainWhat says what a network's main input takes.
func mainWhat(path string) string {
	if strings.HasSuffix(path, "generator") {
		return "noise"
	}
	return "image"
}

// networkShape infers a GAN network's output shape for main inputs of shape in (and
// class labels of shape [1]).
func (c *checker) networkShape(path string, n *Network, in Shape) (Shape, error) {
	if !n.Functional() {
		out, _, err := c.stack(path+".layers", n.Layers, 0, in, false)
		return out, err
	}
	g, err := c.graph(path, n.Model())
	if err != nil {
		return nil, err
	}
	ins := map[string]tensorShape{}
	for _, x := range n.Inputs {
		if x.Name == GANLabelInput {
			ins[x.Name] = tensorShape{Shape{1}, true}
			continue
		}
		if x.Shape != nil && !slices.Equal(x.Shape, in) {
			from := "gan.noise_dim"
			if mainWhat(path) == "image" {
				from = "the generator's output"
			}
			return nil, c.bad(join(path+".inputs", x.Name)+".shape", "%v, but %s gives %v", []int(x.Shape), from, []int(in))
		}
		ins[x.Name] = tensorShape{slices.Clone(in), false}
	}
	shapes, err := c.graphShapes(g, ins)
	if err != nil {
		return nil, err
	}
	return shapes[g.Outputs[0]].shape, nil
}

// networkOutputPath is the key path of the layer that gives the network's output.
func networkOutputPath(path string, n *Network) string {
	if n.Functional() {
		if g, err := (&checker{}).graph(path, n.Model()); err == nil {
			for _, nd := range g.Nodes {
				if nd.Tensor == g.Outputs[0] {
					return nd.Path
				}
			}
		}
	}
	return indexPath(path+".layers", len(n.Layers)-1)
}
