package builders

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"os"
	"slices"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"gonum.org/v1/gonum/graph/formats/dot"
	"gonum.org/v1/gonum/graph/formats/dot/ast"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/plots"
)

// plotModel is a functional model with two inputs, a layer shared by both, an Add of its
// two calls, a residual Add reaching back to an input and two outputs.
func plotModel(t *testing.T) *Functional {
	t.Helper()
	shared := NewDense("shared", 8, "relu")
	m := NewFunctional("siamese", []string{"left", "right"}, []string{"class", "value"},
		Node{Tensor: "sl", Layer: shared, Call: []string{"left"}},
		Node{Tensor: "sr", Layer: shared, Call: []string{"right"}},
		Node{Tensor: "sum", Layer: NewAdd("add"), Call: []string{"sl", "sr"}},
		Node{Tensor: "res", Layer: NewAdd("skip"), Call: []string{"sum", "left"}},
		Node{Tensor: "class", Layer: NewDense("class", 3, "softmax"), Call: []string{"res"}},
		Node{Tensor: "value", Layer: NewDense("value", 1, ""), Call: []string{"res"}},
	)
	g := graphs.NewGraph(tf.Float, 1)
	if err := m.BuildGraph(g.Root(), map[string]Shape{"left": {8}, "right": {8}}); err != nil {
		t.Fatal(err)
	}
	return m
}

// PlotGraph draws each layer once (the shared one too), the inputs as InputLayer boxes,
// with Keras's shapes, and one arrow per pair of layers: the shared layer's two calls
// feed the Add by one arrow, as plot_model draws them.
func TestPlotGraphFunctional(t *testing.T) {
	g := PlotGraph(plotModel(t))
	if g.Name != "siamese" {
		t.Errorf("name %q, want siamese", g.Name)
	}
	wantNodes := []plots.ModelNode{
		{Name: "left", Class: "InputLayer", OutputShape: "(None, 8)"},
		{Name: "right", Class: "InputLayer", OutputShape: "(None, 8)"},
		{Name: "shared", Class: "Dense", InputShapes: []string{"(None, 8)"}, OutputShape: "(None, 8)"},
		{Name: "add", Class: "Add", InputShapes: []string{"(None, 8)", "(None, 8)"}, OutputShape: "(None, 8)"},
		{Name: "skip", Class: "Add", InputShapes: []string{"(None, 8)", "(None, 8)"}, OutputShape: "(None, 8)"},
		{Name: "class", Class: "Dense", InputShapes: []string{"(None, 8)"}, OutputShape: "(None, 3)"},
		{Name: "value", Class: "Dense", InputShapes: []string{"(None, 8)"}, OutputShape: "(None, 1)"},
	}
	if !slices.EqualFunc(g.Nodes, wantNodes, func(a, b plots.ModelNode) bool {
		return a.Name == b.Name && a.Class == b.Class && a.OutputShape == b.OutputShape && slices.Equal(a.InputShapes, b.InputShapes)
	}) {
		t.Errorf("nodes\n%v\nwant\n%v", g.Nodes, wantNodes)
	}
	wantEdges := []plots.ModelEdge{
		{From: "left", To: "shared"}, {From: "right", To: "shared"}, {From: "shared", To: "add"},
		{From: "add", To: "skip"}, {From: "left", To: "skip"}, {From: "skip", To: "class"}, {From: "skip", To: "value"},
	}
	if !slices.Equal(g.Edges, wantEdges) {
		t.Errorf("edges\n%v\nwant\n%v", g.Edges, wantEdges)
	}

	// The DOT parses, and holds those nodes (with their labels) and edges.
	var buf bytes.Buffer
	if err := g.WriteDOT(&buf); err != nil {
		t.Fatal(err)
	}
	nodes, edges := parseDOT(t, buf.String())
	for _, n := range wantNodes {
		label, ok := nodes[n.Name]
		if !ok {
			t.Errorf("DOT has no node %q:\n%s", n.Name, buf.String())
			continue
		}
		in := strings.Join(n.InputShapes, ", ")
		if len(n.InputShapes) > 1 {
			in = "[" + in + "]"
		}
		want := `{` + n.Name + ` (` + n.Class + `)|{Input shape: ` + in + `|Output shape: ` + n.OutputShape + `}}`
		if in == "" {
			want = `{` + n.Name + ` (` + n.Class + `)|Output shape: ` + n.OutputShape + `}`
		}
		if label != want {
			t.Errorf("DOT label of %s: %s, want %s", n.Name, label, want)
		}
	}
	if len(nodes) != len(wantNodes) {
		t.Errorf("DOT has %d nodes, want %d", len(nodes), len(wantNodes))
	}
	if !slices.Equal(edges, wantEdges) {
		t.Errorf("DOT edges\n%v\nwant\n%v", edges, wantEdges)
	}

	// The SVG is well-formed XML with a box per layer and a path per edge.
	buf.Reset()
	if err := g.WriteSVG(&buf); err != nil {
		t.Fatal(err)
	}
	boxes, paths := countSVG(t, buf.Bytes())
	if boxes != len(wantNodes) || paths != len(wantEdges) {
		t.Errorf("SVG: %d layer boxes and %d edge paths, want %d and %d", boxes, paths, len(wantNodes), len(wantEdges))
	}
}

// The boxes (name, class, shapes) and arrows are those Keras 3.15.1's
// keras.utils.model_to_dot(show_shapes=True) draws for the same models
// (testdata/keras/plot_model.py): the siamese model above, and a Dense called on the
// input and again on Add(its output, the input), whose arrows close a cycle.
func TestPlotGraphKeras(t *testing.T) {
	type kerasGraph struct {
		Nodes []struct {
			Name   string            `json:"name"`
			Class  string            `json:"class"`
			Shapes map[string]string `json:"shapes"`
		} `json:"nodes"`
		Edges [][2]string `json:"edges"`
	}
	var golden map[string]kerasGraph
	b, err := os.ReadFile("testdata/keras_plot_model.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &golden); err != nil {
		t.Fatal(err)
	}
	shared := NewDense("shared", 13, "tanh")
	again := NewFunctional("called_again", []string{"features"}, []string{"out"},
		Node{Tensor: "h", Layer: shared, Call: []string{"features"}},
		Node{Tensor: "sum", Layer: NewAdd("add"), Call: []string{"h", "features"}},
		Node{Tensor: "h2", Layer: shared, Call: []string{"sum"}},
		Node{Tensor: "out", Layer: NewDense("head", 3, ""), Call: []string{"h2"}},
	)
	if err := again.Build(graphs.NewGraph(tf.Float, 1).Root(), Shape{13}); err != nil {
		t.Fatal(err)
	}
	for name, m := range map[string]*Functional{"siamese": plotModel(t), "called_again": again} {
		want, ok := golden[name]
		if !ok {
			t.Fatalf("testdata/keras_plot_model.json has no %s", name)
		}
		g := PlotGraph(m)
		if len(g.Nodes) != len(want.Nodes) {
			t.Errorf("%s: %d boxes, Keras %d", name, len(g.Nodes), len(want.Nodes))
			continue
		}
		for i, n := range g.Nodes {
			k := want.Nodes[i]
			in := strings.Join(n.InputShapes, ", ")
			if len(n.InputShapes) > 1 {
				in = "[" + in + "]"
			}
			if n.Name != k.Name || n.Class != k.Class || n.OutputShape != k.Shapes["Output"] || in != k.Shapes["Input"] {
				t.Errorf("%s: box %d is %s (%s) %q → %s, Keras's %s (%s) %q → %s", name, i, n.Name, n.Class, in, n.OutputShape, k.Name, k.Class, k.Shapes["Input"], k.Shapes["Output"])
			}
		}
		var edges [][2]string
		for _, e := range g.Edges {
			edges = append(edges, [2]string{e.From, e.To})
		}
		slices.SortFunc(edges, func(a, b [2]string) int { return strings.Compare(a[0]+"\x00"+a[1], b[0]+"\x00"+b[1]) })
		if !slices.Equal(edges, want.Edges) {
			t.Errorf("%s: arrows %v, Keras's %v", name, edges, want.Edges)
		}
	}
}

// A Sequential's picture is its input and its layers in a chain.
func TestPlotGraphSequential(t *testing.T) {
	m := NewSequential("", NewDense("hidden", 4, "relu"), NewDense("out", 2, "softmax"))
	if err := m.Build(graphs.NewGraph(tf.Float, 1).Root(), Shape{3}); err != nil {
		t.Fatal(err)
	}
	g := PlotGraph(m)
	var names []string
	for _, n := range g.Nodes {
		names = append(names, n.Name+" "+n.Class+" "+strings.Join(n.InputShapes, ",")+" "+n.OutputShape)
	}
	want := []string{"input_layer InputLayer  (None, 3)", "hidden Dense (None, 3) (None, 4)", "out Dense (None, 4) (None, 2)"}
	if !slices.Equal(names, want) {
		t.Errorf("nodes %q, want %q", names, want)
	}
	wantEdges := []plots.ModelEdge{{From: "input_layer", To: "hidden"}, {From: "hidden", To: "out"}}
	if !slices.Equal(g.Edges, wantEdges) {
		t.Errorf("edges %v, want %v", g.Edges, wantEdges)
	}
}

// parseDOT parses a DOT file with gonum's parser and returns its nodes' record labels by
// node and its edges, in order.
func parseDOT(t *testing.T, src string) (map[string]string, []plots.ModelEdge) {
	t.Helper()
	f, err := dot.ParseString(src)
	if err != nil {
		t.Fatalf("DOT does not parse: %v\n%s", err, src)
	}
	if len(f.Graphs) != 1 || !f.Graphs[0].Directed {
		t.Fatalf("DOT: %d graphs, want one digraph", len(f.Graphs))
	}
	nodes := map[string]string{}
	var edges []plots.ModelEdge
	for _, s := range f.Graphs[0].Stmts {
		switch s := s.(type) {
		case *ast.NodeStmt:
			for _, a := range s.Attrs {
				if a.Key == "label" {
					nodes[unquoteDOT(s.Node.ID)] = unquoteDOT(a.Val)
				}
			}
		case *ast.EdgeStmt:
			from, ok1 := s.From.(*ast.Node)
			to, ok2 := s.To.Vertex.(*ast.Node)
			if !ok1 || !ok2 || !s.To.Directed || s.To.To != nil {
				t.Fatalf("DOT edge %v: want one directed edge between two nodes", s)
			}
			edges = append(edges, plots.ModelEdge{From: unquoteDOT(from.ID), To: unquoteDOT(to.ID)})
		}
	}
	return nodes, edges
}

// unquoteDOT is a DOT ID's value: a quoted string without its quotes and \" escapes.
func unquoteDOT(id string) string {
	if len(id) >= 2 && id[0] == '"' && id[len(id)-1] == '"' {
		return strings.ReplaceAll(id[1:len(id)-1], `\"`, `"`)
	}
	return id
}

// countSVG parses an SVG with encoding/xml and counts its layer groups and edge paths.
func countSVG(t *testing.T, svg []byte) (boxes, paths int) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(svg))
	root := true
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v", err)
		}
		el, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if root {
			if el.Name.Local != "svg" || el.Name.Space != "http://www.w3.org/2000/svg" {
				t.Fatalf("SVG root element %v, want svg in the SVG namespace", el.Name)
			}
			root = false
		}
		for _, a := range el.Attr {
			if a.Name.Local == "class" && a.Value == "layer" && el.Name.Local == "g" {
				boxes++
			}
			if a.Name.Local == "class" && a.Value == "edge" && el.Name.Local == "path" {
				paths++
			}
		}
	}
	return boxes, paths
}
