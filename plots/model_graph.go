package plots

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// ModelGraph is a model's graph as keras.utils.plot_model(show_shapes=True) draws it:
// one box per layer (each input an InputLayer, a shared layer once), with its name, class
// and shapes, and an arrow from each layer to each layer it feeds.
type ModelGraph struct {
	Name  string // the model's name (Keras's model.name)
	Nodes []ModelNode
	Edges []ModelEdge // each pair once, From feeding To
}

// ModelNode is one box: a layer, or an input as Keras's InputLayer.
type ModelNode struct {
	Name  string // the layer's name, unique in the graph
	Class string // its Keras class ("Dense", "InputLayer")
	// InputShapes are the shapes of the tensors the layer is called on, as Keras prints
	// them ("(None, 8)"), one per tensor (a merge layer's several); empty for an input.
	InputShapes []string
	OutputShape string
}

// ModelEdge is an arrow: the output of layer From is an input of layer To (From == To
// for a layer called on its own output).
type ModelEdge struct{ From, To string }

// ModelGraphFiles are the files SaveModelGraph writes in a run directory.
const (
	ModelDOTFile = "model.dot"
	ModelSVGFile = "model.svg"
)

// SaveModelGraph writes g to dir as model.dot (Graphviz's DOT, what plot_model renders
// through: `dot -Tpng model.dot -o model.png`) and model.svg (drawn by tfrun itself,
// without Graphviz), each atomically.
func SaveModelGraph(dir string, g ModelGraph) error {
	if err := g.check(); err != nil {
		return err
	}
	if err := WriteModelGraph(filepath.Join(dir, ModelDOTFile), g); err != nil {
		return err
	}
	return WriteModelGraph(filepath.Join(dir, ModelSVGFile), g)
}

// WriteModelGraph writes g to path, atomically, in the format its extension names, as
// plot_model's to_file does: .dot (Graphviz's DOT) or .svg.
func WriteModelGraph(path string, g ModelGraph) error {
	if err := g.check(); err != nil {
		return err
	}
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".dot", ".gv":
		return writeFileAtomic(path, g.WriteDOT)
	case ".svg":
		return writeFileAtomic(path, g.WriteSVG)
	default:
		return fmt.Errorf("%w: %s: a model graph is written as .dot or .svg, not %q (for a PNG: dot -Tpng model.dot -o model.png)", ErrInvalidArgument, path, ext)
	}
}

// check refuses a graph without nodes, with a nameless or repeated node, or with an edge
// naming no node. Cycles are a model graph's own: a layer called again on what it fed
// (h = shared(x); h = shared(add(h, x))) feeds a layer before it, or itself.
func (g ModelGraph) check() error {
	if len(g.Nodes) == 0 {
		return fmt.Errorf("%w: model graph %q has no layers", ErrInvalidArgument, g.Name)
	}
	seen := map[string]bool{}
	for i, n := range g.Nodes {
		if n.Name == "" {
			return fmt.Errorf("%w: model graph %q: node %d has no name", ErrInvalidArgument, g.Name, i)
		}
		if seen[n.Name] {
			return fmt.Errorf("%w: model graph %q: two layers named %q", ErrInvalidArgument, g.Name, n.Name)
		}
		seen[n.Name] = true
	}
	for _, e := range g.Edges {
		for _, end := range []string{e.From, e.To} {
			if !seen[end] {
				return fmt.Errorf("%w: model graph %q: edge %s -> %s names no layer %q", ErrInvalidArgument, g.Name, e.From, e.To, end)
			}
		}
	}
	return nil
}

// WriteDOT writes g in Graphviz's DOT language, as keras.utils.model_to_dot makes it:
// top to bottom, one record-shaped node per layer labelled "name (Class)" over its input
// and output shapes (an input's, its output shape only), an edge per pair of layers.
func (g ModelGraph) WriteDOT(w io.Writer) error {
	if err := g.check(); err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "digraph %s {\n", dotID(g.Name))
	fmt.Fprintf(&b, "\tgraph [rankdir=TB, label=%s, labelloc=t];\n", dotLabel(strings.ReplaceAll(g.Name, `\`, `\\`)))
	b.WriteString("\tnode [shape=record, fontname=\"Helvetica\", fontsize=12];\n")
	for _, n := range g.Nodes {
		label := fmt.Sprintf("{%s|Output shape: %s}", recordText(n.Name+" ("+n.Class+")"), recordText(n.OutputShape))
		if in := n.inputShape(); in != "" {
			label = fmt.Sprintf("{%s|{Input shape: %s|Output shape: %s}}",
				recordText(n.Name+" ("+n.Class+")"), recordText(in), recordText(n.OutputShape))
		}
		fmt.Fprintf(&b, "\t%s [label=%s];\n", dotID(n.Name), dotLabel(label))
	}
	for _, e := range g.Edges {
		fmt.Fprintf(&b, "\t%s -> %s;\n", dotID(e.From), dotID(e.To))
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// inputShape is the node's input shape as Keras prints it: the one tensor's shape, a
// merge layer's list of them, nothing for an input.
func (n ModelNode) inputShape() string {
	switch len(n.InputShapes) {
	case 0:
		return ""
	case 1:
		return n.InputShapes[0]
	}
	return "[" + strings.Join(n.InputShapes, ", ") + "]"
}

// dotID quotes s as a DOT ID (a double-quoted string, in which DOT reads only \" as
// an escape: a backslash is doubled so that none escapes the closing quote).
func dotID(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", " ").Replace(s) + `"`
}

// dotLabel quotes a label already escaped for Graphviz (recordText).
func dotLabel(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}

// recordText escapes the characters a record label gives a meaning to, and the
// backslash Graphviz's labels read escapes with.
func recordText(s string) string {
	return strings.NewReplacer(`\`, `\\`, `{`, `\{`, `}`, `\}`, `|`, `\|`, `<`, `\<`, `>`, `\>`, "\n", " ").Replace(s)
}
