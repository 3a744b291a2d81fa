package tfrun_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every example is a main package with a test that runs it (go test ./... runs them, as
// CI's make test does), and every flag a documented `go run ./examples/<name>` command
// passes is one the example defines.
func TestExamplesAreRunAndTheirFlagsDocumented(t *testing.T) {
	dirs, err := filepath.Glob("examples/*")
	if err != nil {
		t.Fatal(err)
	}
	testFunc := regexp.MustCompile(`(?m)^func (Test\w*)\(t \*testing\.T\)`)
	flags := map[string]string{} // example → its main package's source
	for _, dir := range dirs {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			continue
		}
		name := filepath.Base(dir)
		srcs, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		var src, tests strings.Builder
		for _, f := range srcs {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasSuffix(f, "_test.go") {
				tests.Write(b)
			} else {
				src.Write(b)
			}
		}
		if !strings.Contains(src.String(), "package main") || !strings.Contains(src.String(), "func main()") {
			t.Errorf("examples/%s: not a main package", name)
		}
		if !testFunc.MatchString(tests.String()) {
			t.Errorf("examples/%s: no test: go test ./... (CI) would only build it", name)
		}
		flags[name] = src.String()
	}
	if len(flags) < 6 {
		t.Errorf("%d examples found, want imdb, callback, custom_loss, functional, iterator, gan and more", len(flags))
	}
	docs, _ := filepath.Glob("docs/guide/*.md")
	command := regexp.MustCompile(`go run \./examples/(\w+)((?: +-\w+(?: +[^ -][^ ]*)?)*)`)
	flag := regexp.MustCompile(` -(\w+)`)
	checked := 0
	for _, doc := range append(docs, "README.md") {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range command.FindAllStringSubmatch(string(b), -1) {
			src, ok := flags[m[1]]
			if !ok {
				t.Errorf("%s: %q: no example %s", doc, m[0], m[1])
				continue
			}
			for _, f := range flag.FindAllStringSubmatch(m[2], -1) {
				if !strings.Contains(src, `"`+f[1]+`"`) {
					t.Errorf("%s: %q: examples/%s defines no flag -%s", doc, m[0], m[1], f[1])
				}
				checked++
			}
		}
	}
	if checked < 10 {
		t.Errorf("only %d documented example flags checked", checked)
	}
}
