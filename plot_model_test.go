package tfrun_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"gonum.org/v1/gonum/graph/formats/dot"
	"gonum.org/v1/gonum/graph/formats/dot/ast"

	"github.com/tfrun/tfrun"
	"github.com/tfrun/tfrun/layers"
	"github.com/tfrun/tfrun/plots"
)

// PlotModel draws a functional model with a residual Add and a layer called twice: the
// DOT (parsed with gonum's DOT parser) has the input, each layer once and an edge per
// pair of layers; the SVG is well-formed; another extension is refused.
func TestPlotModel(t *testing.T) {
	in := layers.Input("features", 13)
	shared := layers.Dense(13, layers.Activation("tanh"), layers.Name("shared"))
	h := shared.On(in)
	h = layers.New("Add", layers.Name("add")).On(h, in)
	h = shared.On(h)
	out := layers.Dense(3, layers.Activation("softmax"), layers.Name("head")).On(h)
	m, err := tfrun.Functional([]layers.Node{in}, []layers.Node{out})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.Compile(tfrun.Loss("sparse_categorical_crossentropy"), tfrun.Threads(1)); err != nil {
		t.Fatal(err)
	}
	if err := m.Build(tfrun.Floats(nil, 13)); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := m.PlotModel(filepath.Join(dir, "model.dot")); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(dir, "model.dot"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := dot.ParseBytes(src)
	if err != nil {
		t.Fatalf("model.dot does not parse: %v\n%s", err, src)
	}
	var nodes []string
	var edges [][2]string
	for _, s := range f.Graphs[0].Stmts {
		switch s := s.(type) {
		case *ast.NodeStmt:
			nodes = append(nodes, s.Node.ID)
		case *ast.EdgeStmt:
			edges = append(edges, [2]string{s.From.(*ast.Node).ID, s.To.Vertex.(*ast.Node).ID})
		}
	}
	if want := []string{`"features"`, `"shared"`, `"add"`, `"head"`}; !slices.Equal(nodes, want) {
		t.Errorf("model.dot nodes %v, want %v", nodes, want)
	}
	wantEdges := [][2]string{{`"features"`, `"shared"`}, {`"shared"`, `"add"`}, {`"features"`, `"add"`}, {`"add"`, `"shared"`}, {`"shared"`, `"head"`}}
	if !slices.Equal(edges, wantEdges) {
		t.Errorf("model.dot edges %v, want %v", edges, wantEdges)
	}
	if err := m.PlotModel(filepath.Join(dir, "model.svg")); err != nil {
		t.Fatal(err)
	}
	svg, err := os.ReadFile(filepath.Join(dir, "model.svg"))
	if err != nil {
		t.Fatal(err)
	}
	for d := xml.NewDecoder(bytes.NewReader(svg)); ; {
		if _, err := d.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("model.svg is not well-formed: %v", err)
		}
	}
	if err := m.PlotModel(filepath.Join(dir, "model.png")); !errors.Is(err, plots.ErrInvalidArgument) {
		t.Errorf("PlotModel(model.png): %v, want plots.ErrInvalidArgument", err)
	}
}
