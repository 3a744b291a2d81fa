package tfrun_test

import (
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// Every exported name of the API packages has a doc comment (what pkg.go.dev shows).
func TestEveryExportedNameHasADoc(t *testing.T) {
	for _, dir := range []string{".", "layers", "cmd/tfrun-env"} {
		fset := token.NewFileSet()
		names, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		var files []*ast.File
		for _, name := range names {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
		{
			d, err := doc.NewFromFiles(fset, files, "github.com/tfrun/tfrun/"+dir)
			if err != nil {
				t.Fatal(err)
			}
			if strings.TrimSpace(d.Doc) == "" {
				t.Errorf("%s: package %s has no doc comment", dir, d.Name)
			}
			missing := func(kind, name, text string) {
				if strings.TrimSpace(text) == "" {
					t.Errorf("%s: %s %s has no doc comment", dir, kind, name)
				}
			}
			values := func(vs []*doc.Value) {
				for _, v := range vs {
					for _, s := range v.Decl.Specs {
						for _, n := range s.(*ast.ValueSpec).Names {
							if n.IsExported() && strings.TrimSpace(v.Doc) == "" && s.(*ast.ValueSpec).Doc == nil {
								t.Errorf("%s: %s has no doc comment", dir, n.Name)
							}
						}
					}
				}
			}
			values(d.Consts)
			values(d.Vars)
			for _, f := range d.Funcs {
				missing("func", f.Name, f.Doc)
			}
			for _, ty := range d.Types {
				missing("type", ty.Name, ty.Doc)
				values(ty.Consts)
				values(ty.Vars)
				for _, f := range ty.Funcs {
					missing("func", f.Name, f.Doc)
				}
				for _, m := range ty.Methods {
					missing("method", ty.Name+"."+m.Name, m.Doc)
				}
			}
		}
	}
}
