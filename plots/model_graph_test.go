package plots

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// residual is a residual block: x → conv → bn → relu → conv → add(x), then a head.
func residual() ModelGraph {
	n := func(name, class string) ModelNode {
		return ModelNode{Name: name, Class: class, InputShapes: []string{"(None, 8, 8, 4)"}, OutputShape: "(None, 8, 8, 4)"}
	}
	return ModelGraph{
		Name: "resnet_block",
		Nodes: []ModelNode{
			{Name: "x", Class: "InputLayer", OutputShape: "(None, 8, 8, 4)"},
			n("conv", "Conv2D"), n("bn", "BatchNormalization"), n("relu", "ReLU"), n("conv_1", "Conv2D"),
			{Name: "add", Class: "Add", InputShapes: []string{"(None, 8, 8, 4)", "(None, 8, 8, 4)"}, OutputShape: "(None, 8, 8, 4)"},
			{Name: "head", Class: "Dense", InputShapes: []string{"(None, 256)"}, OutputShape: "(None, 10)"},
		},
		Edges: []ModelEdge{{"x", "conv"}, {"conv", "bn"}, {"bn", "relu"}, {"relu", "conv_1"}, {"conv_1", "add"}, {"x", "add"}, {"add", "head"}},
	}
}

// The layout puts the input on top and each layer below its inputs, keeps a rank's boxes
// apart, and routes the skip connection through a point on each rank it passes.
func TestModelGraphLayout(t *testing.T) {
	g := residual()
	widths := []float64{100, 100, 100, 100, 100, 100, 100}
	l := newLayout(g, widths)
	wantRank := []int{0, 1, 2, 3, 4, 5, 6}
	for i, r := range wantRank {
		if l.nodes[i].rank != r {
			t.Errorf("%s on rank %d, want %d", g.Nodes[i].Name, l.nodes[i].rank, r)
		}
	}
	skip := l.chains[5] // x → add skips ranks 1 to 4
	if len(skip) != 6 {
		t.Fatalf("x → add passes %d points, want 6 (x, 4 on the ranks between, add)", len(skip))
	}
	for _, rank := range l.ranks {
		for k := 1; k < len(rank); k++ {
			a, b := l.nodes[rank[k-1]], l.nodes[rank[k]]
			if gap := (b.x - b.w/2) - (a.x + a.w/2); gap < layoutGap-1e-9 {
				t.Errorf("rank %d: nodes %d and %d %.1f apart, want ≥ %d", a.rank, rank[k-1], rank[k], gap, layoutGap)
			}
		}
	}
	for _, n := range l.nodes {
		if n.x-n.w/2 < -1e-9 {
			t.Errorf("node at %.1f (width %.0f) left of 0", n.x, n.w)
		}
	}
	// The chain's boxes stand in one column: each centred under the one before.
	for i := 2; i <= 4; i++ {
		if d := l.nodes[i].x - l.nodes[i-1].x; d*d > 1e-9 {
			t.Errorf("%s not under %s (%.1f apart)", g.Nodes[i].Name, g.Nodes[i-1].Name, d)
		}
	}
}

// The DOT and the SVG of a residual block: each line of the DOT is a statement of the
// graph, the SVG is well-formed with a box per layer and a path per edge, and
// SaveModelGraph writes both.
func TestSaveModelGraph(t *testing.T) {
	dir := t.TempDir()
	g := residual()
	if err := SaveModelGraph(dir, g); err != nil {
		t.Fatal(err)
	}
	dotSrc, err := os.ReadFile(filepath.Join(dir, ModelDOTFile))
	if err != nil {
		t.Fatal(err)
	}
	edges := 0
	for _, line := range strings.Split(string(dotSrc), "\n") {
		if strings.Contains(line, " -> ") {
			edges++
		}
	}
	if !strings.HasPrefix(string(dotSrc), `digraph "resnet_block" {`) || edges != len(g.Edges) {
		t.Errorf("model.dot: %d edges, want %d:\n%s", edges, len(g.Edges), dotSrc)
	}
	svg, err := os.ReadFile(filepath.Join(dir, ModelSVGFile))
	if err != nil {
		t.Fatal(err)
	}
	boxes, paths, texts := readSVG(t, svg)
	if boxes != len(g.Nodes) || paths != len(g.Edges) {
		t.Errorf("model.svg: %d boxes and %d paths, want %d and %d", boxes, paths, len(g.Nodes), len(g.Edges))
	}
	all := strings.Join(texts, "\n")
	for _, s := range []string{"conv_1 (Conv2D)", "Output shape: (None, 8, 8, 4)", "Input shape:  [(None, 8, 8, 4), (None, 8, 8, 4)]"} {
		if !strings.Contains(all, s) {
			t.Errorf("model.svg's text lacks %q", s)
		}
	}
}

// A shared layer called again further down closes a cycle (x → shared → add → shared),
// and one called on its own output an edge to itself: Keras draws both, and so does
// tfrun: the edge back up turned round for the layout (the layer stays above the add),
// drawn from add to shared; the self-loop beside its box.
func TestModelGraphCycles(t *testing.T) {
	d := func(name string) ModelNode { return ModelNode{Name: name, Class: "Dense", OutputShape: "(None, 4)"} }
	g := ModelGraph{Name: "m",
		Nodes: []ModelNode{{Name: "x", Class: "InputLayer", OutputShape: "(None, 4)"}, d("shared"), d("add"), d("again")},
		Edges: []ModelEdge{{"x", "shared"}, {"shared", "add"}, {"x", "add"}, {"add", "shared"}, {"add", "again"}, {"again", "again"}},
	}
	l := newLayout(g, []float64{100, 100, 100, 100})
	for i, want := range []int{0, 1, 2, 3} {
		if l.nodes[i].rank != want {
			t.Errorf("%s on rank %d, want %d", g.Nodes[i].Name, l.nodes[i].rank, want)
		}
	}
	if want := []bool{false, false, false, true, false, false}; !slices.Equal(l.back, want) {
		t.Errorf("turned round %v, want %v (add → shared only)", l.back, want)
	}
	if l.chains[5] != nil {
		t.Errorf("the self-loop has chain %v, want none", l.chains[5])
	}
	var svg bytes.Buffer
	if err := g.WriteSVG(&svg); err != nil {
		t.Fatal(err)
	}
	_, paths, _ := readSVG(t, svg.Bytes())
	if paths != len(g.Edges) {
		t.Errorf("%d edge paths, want %d", paths, len(g.Edges))
	}
}

// Names with characters DOT, records and XML give a meaning to come out escaped: the
// SVG stays well-formed and the DOT's labels keep their braces literal.
func TestModelGraphEscapes(t *testing.T) {
	g := ModelGraph{Name: `a "b" <c>`, Nodes: []ModelNode{
		{Name: `in<&>`, Class: "InputLayer", OutputShape: "(None, 2)"},
		{Name: `d{|}"`, Class: "Dense", InputShapes: []string{"(None, 2)"}, OutputShape: "(None, 1)"},
	}, Edges: []ModelEdge{{`in<&>`, `d{|}"`}}}
	var dot, svg bytes.Buffer
	if err := g.WriteDOT(&dot); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(dot.String(), `"d{|}\"" [label="{d\{\|\}\" (Dense)|`) {
		t.Errorf("DOT escapes:\n%s", dot.String())
	}
	if err := g.WriteSVG(&svg); err != nil {
		t.Fatal(err)
	}
	readSVG(t, svg.Bytes())
}

// WriteModelGraph picks the format by the file's extension, and refuses another one.
func TestWriteModelGraphFormats(t *testing.T) {
	dir := t.TempDir()
	for file, head := range map[string]string{"m.dot": "digraph ", "m.GV": "digraph ", "m.svg": "<svg "} {
		if err := WriteModelGraph(filepath.Join(dir, file), residual()); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		b, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil || !strings.HasPrefix(string(b), head) {
			t.Errorf("%s starts %.20q (%v), want %q", file, b, err, head)
		}
	}
	err := WriteModelGraph(filepath.Join(dir, "m.png"), residual())
	if !errors.Is(err, ErrInvalidArgument) || !strings.Contains(err.Error(), `not ".png"`) {
		t.Errorf("m.png: %v, want ErrInvalidArgument naming the extension", err)
	}
	if _, statErr := os.Stat(filepath.Join(dir, "m.png")); !os.IsNotExist(statErr) {
		t.Errorf("m.png written after refusing it: %v", statErr)
	}
}

// A graph that cannot be drawn is refused, with ErrInvalidArgument and what is wrong.
func TestModelGraphRefuses(t *testing.T) {
	node := func(name string) ModelNode { return ModelNode{Name: name, Class: "Dense", OutputShape: "(None, 1)"} }
	tests := []struct {
		name string
		g    ModelGraph
		want string
	}{
		{"empty", ModelGraph{Name: "m"}, `model graph "m" has no layers`},
		{"nameless", ModelGraph{Name: "m", Nodes: []ModelNode{node("")}}, "node 0 has no name"},
		{"twice", ModelGraph{Name: "m", Nodes: []ModelNode{node("a"), node("a")}}, `two layers named "a"`},
		{"unknown end", ModelGraph{Name: "m", Nodes: []ModelNode{node("a")}, Edges: []ModelEdge{{"a", "b"}}}, `edge a -> b names no layer "b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.g.WriteSVG(io.Discard)
			if !errors.Is(err, ErrInvalidArgument) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("WriteSVG: %v, want ErrInvalidArgument and %q", err, tt.want)
			}
			if err := tt.g.WriteDOT(io.Discard); !errors.Is(err, ErrInvalidArgument) {
				t.Errorf("WriteDOT: %v, want ErrInvalidArgument", err)
			}
			dir := t.TempDir()
			if err := SaveModelGraph(dir, tt.g); !errors.Is(err, ErrInvalidArgument) {
				t.Errorf("SaveModelGraph: %v, want ErrInvalidArgument", err)
			}
			if left, _ := os.ReadDir(dir); len(left) != 0 {
				t.Errorf("SaveModelGraph left %d files after refusing", len(left))
			}
		})
	}
}

// readSVG parses an SVG with encoding/xml (failing the test when it is not well-formed)
// and returns its numbers of layer boxes and edge paths, and its text.
func readSVG(t *testing.T, svg []byte) (boxes, paths int, texts []string) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(svg))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return boxes, paths, texts
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			for _, a := range tok.Attr {
				if a.Name.Local == "class" && a.Value == "layer" && tok.Name.Local == "g" {
					boxes++
				}
				if a.Name.Local == "class" && a.Value == "edge" && tok.Name.Local == "path" {
					paths++
				}
			}
		case xml.CharData:
			texts = append(texts, string(tok))
		}
	}
}
