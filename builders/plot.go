package builders

import (
	"github.com/tfrun/tfrun/plots"
)

// PlotGraph is the graph keras.utils.plot_model(model, show_shapes=True) draws of a built
// model: a Functional's inputs (InputLayer boxes) and layers, each shared layer once,
// with an arrow from each layer to each layer it feeds; a Sequential's input and its
// layers in a chain. plots.SaveModelGraph writes it as model.dot and model.svg.
func PlotGraph(m Model) plots.ModelGraph {
	switch m := m.(type) {
	case *Functional:
		return m.plotGraph()
	case *Sequential:
		return chainGraph(m.Name, m.input, m.Layers, m.shapes)
	}
	return chainGraph("model", nil, m.AllLayers(), nil)
}

// plotGraph is PlotGraph of a built Functional model.
func (m *Functional) plotGraph() plots.ModelGraph {
	g := plots.ModelGraph{Name: m.Name}
	from := map[string]string{} // tensor → the layer (or input) that gives it
	for _, name := range m.Inputs {
		in := shapeString(m.inputs[name])
		g.Nodes = append(g.Nodes, plots.ModelNode{Name: name, Class: "InputLayer", OutputShape: in})
		from[name] = name
	}
	for _, n := range m.Nodes {
		from[n.Tensor] = n.Layer.Name()
	}
	for _, l := range m.layers {
		node := plots.ModelNode{Name: l.Name(), Class: l.Type(), OutputShape: shapeString(m.shapes[m.firstTensor(l)])}
		for _, s := range m.built[l] {
			node.InputShapes = append(node.InputShapes, shapeString(s))
		}
		g.Nodes = append(g.Nodes, node)
	}
	seen := map[plots.ModelEdge]bool{}
	for _, n := range m.Nodes {
		for _, t := range n.Call {
			e := plots.ModelEdge{From: from[t], To: n.Layer.Name()}
			if !seen[e] {
				seen[e] = true
				g.Edges = append(g.Edges, e)
			}
		}
	}
	return g
}

// chainGraph is the graph of layers applied in order to an input of shape in, with their
// output shapes (nil: not known).
func chainGraph(name string, in Shape, layers []Layer, shapes []Shape) plots.ModelGraph {
	g := plots.ModelGraph{Name: name}
	prev := "input_layer" // Keras's name of a Sequential's input
	g.Nodes = append(g.Nodes, plots.ModelNode{Name: prev, Class: "InputLayer", OutputShape: shapeString(in)})
	inShape := shapeString(in)
	for i, l := range layers {
		out := "?"
		if i < len(shapes) {
			out = shapeString(shapes[i])
		}
		g.Nodes = append(g.Nodes, plots.ModelNode{Name: l.Name(), Class: l.Type(), InputShapes: []string{inShape}, OutputShape: out})
		g.Edges = append(g.Edges, plots.ModelEdge{From: prev, To: l.Name()})
		prev, inShape = l.Name(), out
	}
	return g
}

// shapeString is s as Keras prints it, "?" when not known.
func shapeString(s Shape) string {
	if s == nil {
		return "?"
	}
	return s.String()
}
