package main

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// tfrunModule is the module's import path: its root package is the Go API.
const tfrunModule = "github.com/tfrun/tfrun"

// clientImports are the module's packages the command may import: the Go API (the root
// package) and configs, which loads a config for it. Whatever else the command does, the
// API does for any Go program too.
var clientImports = []string{tfrunModule, tfrunModule + "/configs"}

// TestCommandIsAClientOfTheAPI checks that tfrun is one client of the Go API (issue 24: no
// private path that the library lacks): its non-test files import no package of the
// module but the API's root package and configs.
func TestCommandIsAClientOfTheAPI(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		ast, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range ast.Imports {
			path, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				t.Fatalf("%s: import %s: %v", f, imp.Path.Value, err)
			}
			if (path == tfrunModule || strings.HasPrefix(path, tfrunModule+"/")) && !slices.Contains(clientImports, path) {
				t.Errorf("%s imports %s: the command may import only %s (give the API what it needs)", f, path, strings.Join(clientImports, " and "))
			}
		}
	}
	if checked < 5 {
		t.Errorf("checked %d files of %v: want the command's files (main.go, export.go, ...)", checked, files)
	}
}
