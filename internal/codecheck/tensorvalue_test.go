package codecheck

import (
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const (
	module     = "github.com/tfrun/tfrun"
	tensorflow = "github.com/wamuir/graft/tensorflow"
)

// unsafeTensorMethods are graft's Tensor methods that read the tensor's C buffer after
// their last use of the tensor, so that its finalizer may free the buffer while they copy.
var unsafeTensorMethods = map[string]string{
	"Value":           "graphs.Value(t)",
	"WriteContentsTo": "a copy made with graphs.Value(t)",
}

// listedPackage is what go list -json tells of a package.
type listedPackage struct {
	ImportPath, Dir, Export, ForTest string
	GoFiles, CgoFiles, TestGoFiles   []string
	XTestGoFiles                     []string
	DepOnly                          bool
	Error                            *struct{ Err string }
}

// list returns tfrun's packages and the export data file of every package they and their
// tests import.
func list(t *testing.T) (own []listedPackage, exports map[string]string) {
	t.Helper()
	cmd := exec.Command("go", "list", "-e", "-export", "-deps", "-test", "-json", module+"/...")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	exports = map[string]string{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		if p.ForTest != "" || strings.HasSuffix(p.ImportPath, ".test") {
			continue // a test variant or test main: its files are the plain package's
		}
		if p.Error != nil {
			t.Fatalf("go list: package %s: %s", p.ImportPath, p.Error.Err)
		}
		exports[p.ImportPath] = p.Export
		if !p.DepOnly && (p.ImportPath == module || strings.HasPrefix(p.ImportPath, module+"/")) {
			own = append(own, p)
		}
	}
	return own, exports
}

// A call of graft's Tensor.Value (or WriteContentsTo) can return garbage: the method copies
// from the tensor's C buffer after its last use of the tensor, and a caller that holds the
// tensor nowhere else lets the garbage collector free the buffer mid-copy (CI saw the first
// mask value of a fetched tensor come back as 1e-7). tfrun calls graphs.Value, which keeps
// the tensor alive; this test finds, with types, every other call in tfrun's code and tests.
func TestNoUnsafeTensorValue(t *testing.T) {
	own, exports := list(t)
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		file, ok := exports[path]
		if !ok || file == "" {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(file)
	})
	sawGraphsValue := false
	for _, p := range own {
		for _, unit := range []struct {
			path  string
			files []string
		}{
			{p.ImportPath, concat(p.GoFiles, p.CgoFiles, p.TestGoFiles)},
			{p.ImportPath + "_test", p.XTestGoFiles},
		} {
			if len(unit.files) == 0 {
				continue
			}
			var files []*ast.File
			for _, name := range unit.files {
				f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, parser.SkipObjectResolution)
				if err != nil {
					t.Fatal(err)
				}
				files = append(files, f)
			}
			info := &types.Info{Selections: map[*ast.SelectorExpr]*types.Selection{}}
			// Type errors (cgo's C names, export_test.go's names seen from package x_test)
			// leave some expressions untyped; every selector on a Tensor is still typed.
			conf := types.Config{Importer: imp, FakeImportC: true, Error: func(error) {}}
			_, _ = conf.Check(unit.path, fset, files, info)
			for _, f := range files {
				for _, decl := range f.Decls {
					ast.Inspect(decl, func(n ast.Node) bool {
						sel, ok := n.(*ast.SelectorExpr)
						if !ok {
							return true
						}
						use, ok := unsafeTensorMethods[sel.Sel.Name]
						if !ok || !onTensor(info.Selections[sel]) {
							return true
						}
						if fd, ok := decl.(*ast.FuncDecl); ok && p.ImportPath == module+"/graphs" && fd.Name.Name == "Value" && fd.Recv == nil {
							sawGraphsValue = true
							return true
						}
						t.Errorf("%s: Tensor.%s can copy freed memory; use %s", fset.Position(sel.Pos()), sel.Sel.Name, use)
						return true
					})
				}
			}
		}
	}
	// The check is not vacuous: it typed graphs.Value's own call.
	if !sawGraphsValue {
		t.Errorf("did not find graphs.Value's call of Tensor.Value: the type check does not see Tensor methods")
	}
}

// onTensor reports whether sel selects a method of graft's *Tensor.
func onTensor(sel *types.Selection) bool {
	if sel == nil || sel.Kind() != types.MethodVal {
		return false
	}
	recv := sel.Recv()
	if ptr, ok := recv.(*types.Pointer); ok {
		recv = ptr.Elem()
	}
	named, ok := recv.(*types.Named)
	return ok && named.Obj().Pkg() != nil && named.Obj().Pkg().Path() == tensorflow && named.Obj().Name() == "Tensor"
}

func concat(lists ...[]string) []string {
	var all []string
	for _, l := range lists {
		all = append(all, l...)
	}
	return all
}
