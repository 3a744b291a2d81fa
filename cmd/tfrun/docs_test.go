package main

// The documentation's own tests: the README stays a front door (≤ 300 lines), every
// relative link and #anchor of the repository's Markdown files (README.md, docs/**, the
// checks' READMEs) resolves, and every shell command in the README, the user guide and
// docs/CONTRIBUTING.md is checked or says why it is not.
//
// What "checked" means for a command (the lines of ```sh, ```bash and ```shell blocks, and
// the "$ " lines of ```console blocks; a trailing backslash continues a line; `|`, `&&`
// and `;` separate commands; leading VAR=value assignments are skipped):
//   - tfrun, bin/tfrun, bin/tfrun-gpu: the arguments parse with the real flag set of the
//     command or subcommand (read from its own -h output: every flag exists, every
//     non-boolean flag has a value of the flag's type, positional arguments only where
//     the command takes them), and every -config names a file of the repository;
//   - make: every target is a Makefile target, every VAR=value names a Makefile
//     variable, CONFIG= names an existing config and ARGS= parses as tfrun's flags;
//   - go test / go run / go build / go doc: every ./package exists, and a -run pattern
//     matches a test of that package;
//   - bin/tfrun-bench: every -flag is one bench/cmd/tfrun-bench declares.
// They are not run (but tfrun -version is): a training run takes minutes to hours (make
// test's other tests run the same commands on small data). The commands of other
// programs are listed in notChecked with the reason. Inline `code` in prose is not
// checked; code blocks must be fenced with a language, so that no command escapes.

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
)

// repoRoot is the repository, seen from cmd/tfrun.
const repoRoot = "../.."

// notChecked are the programs whose documented commands no test runs, and why.
var notChecked = map[string]string{
	"python":      "Python TensorFlow reading tfrun's files: make compat, make export-check and make tensorboard-check run the same calls on short runs",
	"python3":     "as python",
	"curl":        "needs a running examples/serve server; examples/serve's TestServeText and TestServeImages POST the same requests over loopback",
	"echo":        "feeds the next command of the pipe, which is checked",
	"tensorboard": "a server for a browser; make tensorboard-check reads the event files with TensorBoard's own EventAccumulator",
	"eval":        "sets the cgo variables for a shell (make env, which the Makefile defines)",
	"git":         "the contributor's version control",
	"gofmt":       "part of make lint",
	"cd":          "a shell builtin",
	"dot":         "Graphviz, which tfrun does not need: plots' and builders' tests parse the model.dot tfrun writes with gonum's DOT parser",
}

// docFiles lists the repository's Markdown files, relative to the root: README.md,
// docs/**, and the READMEs of the checks and the benchmark's results. Hidden
// directories (.git, the checks' .venv), fetched libraries and run outputs are skipped.
func docFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(repoRoot, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(repoRoot, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." && (strings.HasPrefix(d.Name(), ".") || rel == "runs" || rel == "bin" || strings.HasPrefix(rel, "third_party/libtensorflow")) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(rel, ".md") {
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(files, "README.md") || !slices.Contains(files, "docs/guide/README.md") {
		t.Fatalf("the walk found %v: no README.md or docs/guide/README.md", files)
	}
	return files
}

// guideFiles are the files whose commands are checked: the README, the user guide and
// docs/CONTRIBUTING.md (docs/results records what was run, with its commit).
func guideFiles(t *testing.T) []string {
	var out []string
	for _, f := range docFiles(t) {
		if f == "README.md" || f == "docs/CONTRIBUTING.md" || strings.HasPrefix(f, "docs/guide/") {
			out = append(out, f)
		}
	}
	return out
}

func readDoc(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDocsREADMEIsAFrontDoor(t *testing.T) {
	text := readDoc(t, "README.md")
	if n := strings.Count(text, "\n"); n > 300 {
		t.Errorf("README.md has %d lines; the front door stays within 300: move details into docs/guide/", n)
	}
}

// block is a fenced code block: its language and lines, and where it starts.
type block struct {
	lang  string
	line  int
	lines []string
}

// mdLine is a line of Markdown outside fenced code blocks.
type mdLine struct {
	n    int
	text string
}

// splitMarkdown separates a Markdown file into its fenced code blocks and its other lines.
func splitMarkdown(text string) (blocks []block, prose []mdLine) {
	var cur *block
	for i, l := range strings.Split(text, "\n") {
		trimmed := strings.TrimLeft(l, " ")
		if strings.HasPrefix(trimmed, "```") {
			if cur == nil {
				cur = &block{lang: strings.TrimSpace(strings.TrimPrefix(trimmed, "```")), line: i + 1}
			} else {
				blocks = append(blocks, *cur)
				cur = nil
			}
			continue
		}
		if cur != nil {
			cur.lines = append(cur.lines, l)
		} else {
			prose = append(prose, mdLine{i + 1, l})
		}
	}
	return blocks, prose
}

var (
	inlineCode = regexp.MustCompile("`[^`]*`")
	mdLink     = regexp.MustCompile(`\[[^\]]*\]\(([^()\s]+)\)`)
	htmlLink   = regexp.MustCompile(`(?:src|href)="([^"]+)"`)
	heading    = regexp.MustCompile(`^(#{1,6})\s+(.*?)\s*#*\s*$`)
)

// anchors returns the GitHub anchors of a Markdown file's headings: the heading's text
// (code spans and links by their text), lower-cased, every character but letters,
// digits, '_', '-' and spaces dropped, spaces turned into '-'; a repeated anchor gets
// -1, -2, ...
func anchors(text string) map[string]bool {
	_, prose := splitMarkdown(text)
	seen := map[string]int{}
	out := map[string]bool{}
	for _, l := range prose {
		m := heading.FindStringSubmatch(l.text)
		if m == nil {
			continue
		}
		h := mdLink.ReplaceAllStringFunc(m[2], func(s string) string { return s[1:strings.Index(s, "](")] })
		var b strings.Builder
		for _, r := range strings.ToLower(h) {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r):
				b.WriteRune(r)
			}
		}
		slug := b.String()
		if n := seen[slug]; n > 0 {
			out[fmt.Sprintf("%s-%d", slug, n)] = true
		} else {
			out[slug] = true
		}
		seen[slug]++
	}
	return out
}

func TestDocsAnchors(t *testing.T) {
	got := anchors("# tfrun\n## The two commands\n```sh\n# on 10.0.0.1\n```\n### `-resume` and [Data](data.md)\n## Sizes, memory\n## Sizes, memory\n## Files, checkpoints, resume\n")
	for _, want := range []string{"tfrun", "the-two-commands", "-resume-and-data", "sizes-memory", "sizes-memory-1", "files-checkpoints-resume"} {
		if !got[want] {
			t.Errorf("anchors: no %q in %v", want, got)
		}
	}
	if got["on-10001"] {
		t.Errorf("anchors: a comment in a code block became a heading")
	}
}

// TestDocsLinks checks every relative link and image of the Markdown files: the
// file or directory exists, and a #anchor names a heading of the target (or of the page
// itself).
func TestDocsLinks(t *testing.T) {
	for _, file := range docFiles(t) {
		text := readDoc(t, file)
		_, prose := splitMarkdown(text)
		for _, l := range prose {
			line := inlineCode.ReplaceAllString(l.text, "")
			var targets []string
			for _, m := range mdLink.FindAllStringSubmatch(line, -1) {
				targets = append(targets, m[1])
			}
			for _, m := range htmlLink.FindAllStringSubmatch(line, -1) {
				targets = append(targets, m[1])
			}
			for _, target := range targets {
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				if err := checkLink(file, target); err != nil {
					t.Errorf("%s:%d: link %s: %v", file, l.n, target, err)
				}
			}
		}
	}
}

// checkLink resolves target, a link in the file from (relative to the root).
func checkLink(from, target string) error {
	path, anchor, _ := strings.Cut(target, "#")
	rel := from
	if path != "" {
		rel = filepath.ToSlash(filepath.Clean(filepath.Join(filepath.Dir(from), path)))
		if strings.HasPrefix(rel, "../") {
			return fmt.Errorf("points outside the repository")
		}
	}
	st, err := os.Stat(filepath.Join(repoRoot, rel))
	if err != nil {
		return fmt.Errorf("%s does not exist", rel)
	}
	if anchor == "" {
		return nil
	}
	if st.IsDir() || !strings.HasSuffix(rel, ".md") {
		return fmt.Errorf("an anchor into %s, which is not a Markdown file", rel)
	}
	b, err := os.ReadFile(filepath.Join(repoRoot, rel))
	if err != nil {
		return err
	}
	if !anchors(string(b))[anchor] {
		return fmt.Errorf("%s has no heading with the anchor #%s", rel, anchor)
	}
	return nil
}

// shellLangs are the fenced blocks whose lines are commands; consoleLangs those whose
// "$ " lines are.
var (
	shellLangs   = []string{"sh", "bash", "shell"}
	consoleLangs = []string{"console"}
	otherLangs   = []string{"yaml", "yml", "python", "py", "text", "json", "go", "csv", "diff"}
)

// commands returns the documented commands of a Markdown file, each with its line.
func commands(t *testing.T, file, text string) (cmds []mdLine) {
	blocks, prose := splitMarkdown(text)
	for i, l := range prose {
		if strings.HasPrefix(l.text, "    ") && strings.TrimSpace(l.text) != "" && i > 0 && strings.TrimSpace(prose[i-1].text) == "" && prose[i-1].n == l.n-1 {
			t.Errorf("%s:%d: an indented code block; fence it with its language (```sh, ```yaml, ...) so its commands are checked", file, l.n)
		}
	}
	for _, b := range blocks {
		shell, console := slices.Contains(shellLangs, b.lang), slices.Contains(consoleLangs, b.lang)
		if !shell && !console {
			if !slices.Contains(otherLangs, b.lang) {
				t.Errorf("%s:%d: a code block of language %q; use sh or console for commands, or one of %v", file, b.line, b.lang, otherLangs)
			}
			continue
		}
		var cur strings.Builder
		start := 0
		for i, l := range b.lines {
			if cur.Len() == 0 {
				if console {
					var ok bool
					if l, ok = strings.CutPrefix(l, "$ "); !ok {
						continue // output
					}
				}
				start = b.line + 1 + i
			}
			if s, ok := strings.CutSuffix(strings.TrimRight(l, " "), "\\"); ok {
				cur.WriteString(s + " ")
				continue
			}
			cur.WriteString(l)
			if c := strings.TrimSpace(cur.String()); c != "" && !strings.HasPrefix(c, "#") {
				cmds = append(cmds, mdLine{start, c})
			}
			cur.Reset()
		}
	}
	return cmds
}

// shellWords splits a command line as a POSIX shell does its words (quotes, backslashes,
// comments), and into commands at |, && and ;.
func shellWords(line string) ([][]string, error) {
	var cmds [][]string
	var words []string
	var w strings.Builder
	inWord := false
	flush := func() {
		if inWord {
			words = append(words, w.String())
			w.Reset()
			inWord = false
		}
	}
	end := func() {
		flush()
		if len(words) > 0 {
			cmds = append(cmds, words)
		}
		words = nil
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("unterminated '")
			}
			w.WriteString(line[i+1 : i+1+j])
			inWord = true
			i += j + 1
		case c == '"':
			inWord = true
			for i++; ; i++ {
				if i >= len(line) {
					return nil, fmt.Errorf(`unterminated "`)
				}
				if line[i] == '\\' && i+1 < len(line) {
					i++
				} else if line[i] == '"' {
					break
				}
				w.WriteByte(line[i])
			}
		case c == '\\' && i+1 < len(line):
			i++
			w.WriteByte(line[i])
			inWord = true
		case c == ' ' || c == '\t':
			flush()
		case c == '#' && !inWord:
			end()
			return cmds, nil
		case c == '|' || c == ';' || (c == '&' && i+1 < len(line) && line[i+1] == '&'):
			if c == '|' && i+1 < len(line) && line[i+1] == '|' || c == '&' {
				i++
			}
			end()
		default:
			w.WriteByte(c)
			inWord = true
		}
	}
	end()
	return cmds, nil
}

func TestDocsShellWords(t *testing.T) {
	got, err := shellWords(`TF_CONFIG='{"a": 1}' tfrun -config "x y.yaml" a\ b # comment | no`)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{`TF_CONFIG={"a": 1}`, "tfrun", "-config", "x y.yaml", "a b"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("shellWords = %q, want %q", got, want)
	}
	got, _ = shellWords(`echo "a|b" | bin/tfrun predict -model m && make run; go test ./x`)
	if len(got) != 4 || got[1][0] != "bin/tfrun" || got[3][0] != "go" || got[0][1] != "a|b" {
		t.Errorf("shellWords split = %q", got)
	}
	if _, err := shellWords(`echo "open`); err == nil {
		t.Errorf("an unterminated quote is not an error")
	}
}

// flagSpec is a command's flags by name: the type PrintDefaults names ("" for a boolean).
type flagSpec map[string]string

var defaultsLine = regexp.MustCompile(`^  -(\S+)(?: (\S+))?`)

// tfrunFlags reads the flags of tfrun's command sub ("" for training) from its -h output.
func tfrunFlags(t *testing.T, sub string) flagSpec {
	t.Helper()
	args := []string{"-h"}
	if sub != "" {
		args = []string{sub, "-h"}
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), args, &out, &errb); code != 2 && code != 0 {
		t.Fatalf("tfrun %v: exit %d", args, code)
	}
	spec := flagSpec{}
	for _, l := range strings.Split(errb.String(), "\n") {
		if m := defaultsLine.FindStringSubmatch(l); m != nil {
			spec[m[1]] = m[2]
		}
	}
	if spec["config"] == "" && sub != "" || len(spec) < 3 {
		t.Fatalf("tfrun %v -h: found only the flags %v in %q", args, spec, errb.String())
	}
	return spec
}

// tfrunSubcommands take positional arguments when true.
var tfrunSubcommands = map[string]bool{"": false, "generate": false, "evaluate-gan": false, "export": false, "predict": true, "import": true}

// checkTfrun checks the arguments of a tfrun command line.
func checkTfrun(t *testing.T, specs map[string]flagSpec, args []string) error {
	sub := ""
	if len(args) > 0 {
		if _, ok := tfrunSubcommands[args[0]]; ok && args[0] != "" {
			sub, args = args[0], args[1:]
		}
	}
	spec, ok := specs[sub]
	if !ok {
		spec = tfrunFlags(t, sub)
		specs[sub] = spec
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" || !strings.HasPrefix(a, "-") || a == "-" {
			if !tfrunSubcommands[sub] {
				return fmt.Errorf("positional argument %q: tfrun %s takes none", a, sub)
			}
			return nil // flag parsing stops at the first argument
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		typ, ok := spec[name]
		if !ok {
			return fmt.Errorf("-%s: no such flag of tfrun %s (flags: %v)", name, sub, slices.Sorted(maps.Keys(spec)))
		}
		if typ == "" {
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				return fmt.Errorf("-%s needs a value", name)
			}
			i++
			value = args[i]
		}
		if err := checkValue(name, typ, value); err != nil {
			return err
		}
	}
	return nil
}

// checkValue checks a flag's value against the flag's type, and a -config against the
// repository's files.
func checkValue(name, typ, value string) error {
	var err error
	switch typ {
	case "int", "int64", "uint":
		_, err = strconv.ParseInt(value, 10, 64)
	case "float":
		_, err = strconv.ParseFloat(value, 64)
	case "duration":
		_, err = time.ParseDuration(value)
	}
	if err != nil {
		return fmt.Errorf("-%s %s: not a %s: %v", name, value, typ, err)
	}
	if name == "config" {
		if _, err := os.Stat(filepath.Join(repoRoot, value)); err != nil {
			return fmt.Errorf("-config %s: no such file in the repository", value)
		}
	}
	return nil
}

var (
	makeTarget = regexp.MustCompile(`(?m)^([A-Za-z0-9_.-]+(?: [A-Za-z0-9_.-]+)*):`)
	makeVar    = regexp.MustCompile(`^[A-Z_][A-Z0-9_]*$`)
)

// checkMake checks the targets and variables of a make command line.
func checkMake(t *testing.T, specs map[string]flagSpec, makefile string, args []string) error {
	targets := map[string]bool{}
	for _, m := range makeTarget.FindAllStringSubmatch(makefile, -1) {
		for _, name := range strings.Fields(m[1]) {
			targets[name] = true
		}
	}
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			continue // make's own flags (-s, -n)
		}
		if name, value, ok := strings.Cut(a, "="); ok && makeVar.MatchString(name) {
			if !regexp.MustCompile(`\b` + name + `\b`).MatchString(makefile) {
				return fmt.Errorf("%s: the Makefile has no variable %s", a, name)
			}
			switch name {
			case "CONFIG":
				if _, err := os.Stat(filepath.Join(repoRoot, value)); err != nil {
					return fmt.Errorf("CONFIG=%s: no such file", value)
				}
			case "ARGS":
				words, err := shellWords(value)
				if err != nil || len(words) > 1 {
					return fmt.Errorf("ARGS=%q: not one list of flags", value)
				}
				if len(words) == 1 {
					if err := checkTfrun(t, specs, words[0]); err != nil {
						return fmt.Errorf("ARGS=%q: %v", value, err)
					}
				}
			}
			continue
		}
		if !targets[a] {
			return fmt.Errorf("make %s: no such Makefile target", a)
		}
	}
	return nil
}

var testFunc = regexp.MustCompile(`(?m)^func ((?:Test|Benchmark|Example)\w*)\(`)

// checkGo checks the packages of a go command line, and that a -run pattern matches a
// test (or -bench a benchmark) of the package.
func checkGo(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("go without a command")
	}
	switch args[0] {
	case "test", "run", "build", "doc", "vet", "generate":
	default:
		return fmt.Errorf("go %s: not a documented go command here", args[0])
	}
	var pkgs []string
	var run string
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-run" || a == "-bench":
			if i+1 < len(args) {
				i++
				if a == "-run" {
					run = args[i]
				}
			}
		case strings.HasPrefix(a, "-run="):
			run = strings.TrimPrefix(a, "-run=")
		case strings.HasPrefix(a, "./"):
			pkgs = append(pkgs, a)
			if args[0] == "run" {
				i = len(args) // the rest are the program's arguments
			}
		}
	}
	for _, p := range pkgs {
		dir := strings.TrimSuffix(p, "/...")
		if st, err := os.Stat(filepath.Join(repoRoot, dir)); err != nil || !st.IsDir() {
			return fmt.Errorf("%s: no such package directory", p)
		}
	}
	if run == "" || run == "^$" || len(pkgs) != 1 || strings.HasSuffix(pkgs[0], "...") {
		return nil
	}
	re, err := regexp.Compile(strings.Split(run, "/")[0])
	if err != nil {
		return fmt.Errorf("-run %s: %v", run, err)
	}
	files, _ := filepath.Glob(filepath.Join(repoRoot, pkgs[0], "*_test.go"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		for _, m := range testFunc.FindAllStringSubmatch(string(b), -1) {
			if re.MatchString(m[1]) {
				return nil
			}
		}
	}
	return fmt.Errorf("-run %s matches no test of %s", run, pkgs[0])
}

// declaredFlag matches a flag a command declares on its FlagSet: fs.Int("steps", ...).
var declaredFlag = regexp.MustCompile(`fs\.\w+\("([a-z0-9-]+)"`)

// checkDeclaredFlags checks that every -flag of args is one the program's main file
// declares (its own tests run the flags).
func checkDeclaredFlags(mainFile string, args []string) error {
	b, err := os.ReadFile(filepath.Join(repoRoot, mainFile))
	if err != nil {
		return err
	}
	flags := map[string]bool{}
	for _, m := range declaredFlag.FindAllStringSubmatch(string(b), -1) {
		flags[m[1]] = true
	}
	for _, a := range args {
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if strings.HasPrefix(a, "-") && !flags[name] {
			return fmt.Errorf("%s: no flag -%s (%s)", mainFile, name, strings.Join(slices.Sorted(maps.Keys(flags)), ", "))
		}
	}
	return nil
}

// TestDocsCommands checks every shell command of the README, the guide and
// docs/CONTRIBUTING.md (see the top of this file).
func TestDocsCommands(t *testing.T) {
	makefile := readDoc(t, "Makefile")
	specs := map[string]flagSpec{}
	checked := 0
	for _, file := range guideFiles(t) {
		for _, c := range commands(t, file, readDoc(t, file)) {
			cmds, err := shellWords(c.text)
			if err != nil {
				t.Errorf("%s:%d: %q: %v", file, c.n, c.text, err)
				continue
			}
			for _, words := range cmds {
				for len(words) > 0 && makeVar.MatchString(strings.SplitN(words[0], "=", 2)[0]) && strings.Contains(words[0], "=") {
					words = words[1:] // VAR=value before the command
				}
				if len(words) == 0 {
					continue
				}
				prog := words[0]
				switch {
				case prog == "tfrun" || prog == "bin/tfrun" || prog == "./bin/tfrun" || prog == "bin/tfrun-gpu":
					err = checkTfrun(t, specs, words[1:])
					if err == nil && slices.Equal(words[1:], []string{"-version"}) {
						err = runDocumentedVersion() // the one documented command cheap enough to run
					}
				case prog == "make":
					err = checkMake(t, specs, makefile, words[1:])
				case prog == "go":
					err = checkGo(words[1:])
				case prog == "bin/tfrun-bench":
					err = checkDeclaredFlags("bench/cmd/tfrun-bench/main.go", words[1:])
				default:
					if _, ok := notChecked[filepath.Base(prog)]; !ok {
						err = fmt.Errorf("%s: no check and no reason in notChecked", prog)
					}
				}
				if err != nil {
					t.Errorf("%s:%d: %s\n\t%v", file, c.n, c.text, err)
				}
				checked++
			}
		}
	}
	t.Logf("%d documented commands checked", checked)
	if checked < 20 {
		t.Errorf("only %d documented commands found: are the code blocks fenced (```sh)?", checked)
	}
}

// runDocumentedVersion runs tfrun -version as documented: exit 0 and a line "tfrun <version>
// (TensorFlow 2.18.0...".
func runDocumentedVersion() error {
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"-version"}, &out, &errb)
	if code != 0 || !strings.HasPrefix(out.String(), "tfrun ") || !strings.Contains(out.String(), "(TensorFlow 2.18.0") {
		return fmt.Errorf("tfrun -version: exit %d, output %q, %q", code, out.String(), errb.String())
	}
	return nil
}

// The checks catch what they are for.
func TestDocsCommandChecksFail(t *testing.T) {
	specs := map[string]flagSpec{}
	makefile := readDoc(t, "Makefile")
	for _, c := range []struct {
		name string
		err  error
	}{
		{"unknown flag", checkTfrun(t, specs, []string{"-config", "configs/imdb_lstm.yaml", "-epoch", "3"})},
		{"missing config", checkTfrun(t, specs, []string{"-config", "configs/nope.yaml"})},
		{"bad int", checkTfrun(t, specs, []string{"-epochs", "three"})},
		{"positional to training", checkTfrun(t, specs, []string{"-config", "configs/imdb_lstm.yaml", "extra"})},
		{"export flag of predict", checkTfrun(t, specs, []string{"export", "-model", "m"})},
		{"unknown target", checkMake(t, specs, makefile, []string{"tests"})},
		{"unknown variable", checkMake(t, specs, makefile, []string{"run", "CONFIGS=x"})},
		{"bad ARGS", checkMake(t, specs, makefile, []string{"run", "ARGS=-epoch 2"})},
		{"renamed test", checkGo([]string{"test", "./configs", "-run", "TestREADMELayerReference"})},
		{"no package", checkGo([]string{"test", "./nope"})},
	} {
		if c.err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
	for _, c := range []struct {
		name string
		err  error
	}{
		{"predict texts", checkTfrun(t, specs, []string{"predict", "-model", "m", "a text", "-not-a-flag-after-text"})},
		{"make vars", checkMake(t, specs, makefile, []string{"run", "CONFIG=configs/imdb_lstm.yaml", "ARGS=-epochs 2"})},
		{"go test", checkGo([]string{"test", "./configs", "-run", "TestGuideLayerReference", "-update"})},
	} {
		if c.err != nil {
			t.Errorf("%s: %v", c.name, c.err)
		}
	}
}
