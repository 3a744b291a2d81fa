package export

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/graphs"
)

// tokenizerSession runs a TextTokenizer in its own graph.
type tokenizerSession struct {
	text        tf.Output
	words, rows tf.Output
	ids         tf.Output
	sess        *graphs.Session
	maxlen      int
}

func newTokenizerSession(t testing.TB, vocab *datasets.Vocabulary, maxlen int) *tokenizerSession {
	t.Helper()
	tok := &TextTokenizer{Vocabulary: vocab, Maxlen: maxlen}
	if err := tok.Check(); err != nil {
		t.Fatal(err)
	}
	g := graphs.NewGraph(tf.Float, 1)
	s := g.Root()
	ts := &tokenizerSession{maxlen: maxlen}
	ts.text = s.Placeholder("text", tf.String, -1)
	ts.words, ts.rows = tok.Tokens(s, ts.text)
	table, fill := tok.Table(s)
	ts.ids = tok.Encode(s, table, ts.text)
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	sess, err := graphs.NewSession(g, graphs.SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	if _, err := sess.Run(nil, nil, fill); err != nil {
		t.Fatal(err)
	}
	ts.sess = sess
	return ts
}

// tokens returns the in-graph word lists of texts.
func (ts *tokenizerSession) tokens(t testing.TB, texts []string) [][]string {
	t.Helper()
	in, err := tf.NewTensor(texts)
	if err != nil {
		t.Fatal(err)
	}
	out, err := ts.sess.Run(map[tf.Output]*tf.Tensor{ts.text: in}, []tf.Output{ts.words, ts.rows})
	if err != nil {
		t.Fatal(err)
	}
	words, rows := graphs.Value(out[0]).([]string), graphs.Value(out[1]).([]int64)
	got := make([][]string, len(texts))
	for i := range got {
		got[i] = []string{}
	}
	for i, w := range words {
		got[rows[i]] = append(got[rows[i]], w)
	}
	return got
}

// encode returns the in-graph id rows of texts.
func (ts *tokenizerSession) encode(t testing.TB, texts []string) [][]int32 {
	t.Helper()
	in, err := tf.NewTensor(texts)
	if err != nil {
		t.Fatal(err)
	}
	out, err := ts.sess.Run(map[tf.Output]*tf.Tensor{ts.text: in}, []tf.Output{ts.ids})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := out[0].Shape(), []int64{int64(len(texts)), int64(ts.maxlen)}; !slices.Equal(got, want) {
		t.Fatalf("ids shape %v, want %v", got, want)
	}
	flat := graphs.Flat(out[0]).([]int32)
	rows := make([][]int32, len(texts))
	for i := range rows {
		rows[i] = flat[i*ts.maxlen : (i+1)*ts.maxlen]
	}
	return rows
}

// goEncode is the Go encoding the graph must equal: Tokenize, Encode, PadSequences.
func goEncode(t testing.TB, vocab *datasets.Vocabulary, texts []string, maxlen int) [][]int32 {
	t.Helper()
	seqs := make([][]int32, len(texts))
	for i, text := range texts {
		seqs[i] = vocab.Encode(datasets.Tokenize(text))
	}
	flat, err := datasets.PadSequences(seqs, maxlen)
	if err != nil {
		t.Fatal(err)
	}
	rows := make([][]int32, len(texts))
	for i := range rows {
		rows[i] = flat[i*maxlen : (i+1)*maxlen]
	}
	return rows
}

// Tokenize's own cases, and the corners of the in-graph steps: runs of separators,
// line-break tags the regex must not over-match, the characters ICU lower-cases
// differently from Go, NUL.
func TestTokensEqualGo(t *testing.T) {
	texts := []string{
		"Hello, World!", "I loved it.<br /><br />The END", "<BR>line<br/>two<Br />three", "a<br />b", "<br",
		"<br  />x", "<br >x", "<<br />", "<b>bold</b>", "don't stop: it's 10/10!!", "O'Neil's 'quoted' word'",
		"e-mail@x.com", "tab\there\nnew", "", "   ...   ", " lead and trail ", "a" + strings.Join(strings.Split(datasets.KerasFilters, ""), "a") + "a",
		"Café\u00a0au lait", "x\u0085y", "cr\rlf\r\nvt\vff\f", "“Quotes” ‘curly’", "ÉCOLE", "ΟΔΟΣ ΣΑΣ Σ", "İSTANBUL İi", "ÌÍĨĮ JI",
		"ǅungla ǈ ǋ", "ẞ straße", "ΐ ΰ", "a\x00b NUL\x00", "\uffff", "K Å Ω", // Kelvin, Ångström and Ohm signs
	}
	ts := newTokenizerSession(t, datasets.BuildVocabulary(nil, 100), 5)
	got := ts.tokens(t, texts)
	for i, text := range texts {
		want := datasets.Tokenize(text)
		for k, w := range want {
			want[k] = strings.ReplaceAll(w, "\x00", nulStandIn)
		}
		if !slices.Equal(got[i], want) {
			t.Errorf("%q: graph %q, Go %q", text, got[i], want)
		}
	}
}

// Every Unicode scalar value, upper or lower case, in the middle of a word and alone,
// tokenizes as in Go: the lower-casing fixes cover every difference between ICU's and
// Go's case mappings.
func TestLowerEqualsGoForEveryCodePoint(t *testing.T) {
	if testing.Short() {
		t.Skip("1.1 million texts")
	}
	ts := newTokenizerSession(t, datasets.BuildVocabulary(nil, 100), 5)
	var texts []string
	var bad []string
	flush := func() {
		got := ts.tokens(t, texts)
		for i, text := range texts {
			want := datasets.Tokenize(text)
			for k, w := range want {
				want[k] = strings.ReplaceAll(w, "\x00", nulStandIn)
			}
			if !slices.Equal(got[i], want) {
				r, _ := utf8.DecodeRuneInString(text[2:])
				bad = append(bad, fmt.Sprintf("U+%04X %q: graph %q, Go %q", r, text, got[i], want))
			}
		}
		texts = texts[:0]
	}
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if !utf8.ValidRune(r) {
			continue
		}
		c := string(r)
		texts = append(texts, "Ab"+c+"Cd "+c)
		if len(texts) == 1<<16 {
			flush()
		}
	}
	flush()
	if len(bad) > 0 {
		t.Errorf("%d code points tokenize differently:\n%s", len(bad), strings.Join(bad[:min(len(bad), 60)], "\n"))
	}
}

// The in-graph encoding equals the Go one, id for id, on every IMDB review (train and
// test, 50,000: <br /> tags, punctuation, accents, other non-ASCII text), with the
// vocabulary and maxlen of imdb_lstm.yaml, and on every 5th with a maxlen longer than most
// reviews.
func TestTokenizerEqualsGoOnIMDB(t *testing.T) {
	if testing.Short() {
		t.Skip("reads IMDB")
	}
	path, err := datasets.Locate("imdb", "")
	if errors.Is(err, datasets.ErrDataSetNotFound) {
		t.Skipf("IMDB not available: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	train, test, err := datasets.LoadIMDBText(path)
	if err != nil {
		t.Fatal(err)
	}
	toks := make([][]string, len(train))
	for i, r := range train {
		toks[i] = datasets.Tokenize(r.Text)
	}
	vocab := datasets.BuildVocabulary(toks, 20000)
	var texts []string
	var withBR, nonASCII, accents int
	for _, r := range append(train, test...) {
		texts = append(texts, r.Text)
		if strings.Contains(r.Text, "<br />") {
			withBR++
		}
		if strings.ContainsFunc(r.Text, func(c rune) bool { return c >= utf8.RuneSelf }) {
			nonASCII++
		}
		if strings.ContainsAny(r.Text, "éèêëáàâäíìîïóòôöúùûüñçÉÈÁÀÓÖÜÑ") {
			accents++
		}
	}
	t.Logf("%d reviews: %d with <br />, %d with non-ASCII text, %d with accented letters", len(texts), withBR, nonASCII, accents)
	seqs := make([][]int32, len(texts)) // the Go encoding, before padding
	for i, text := range texts {
		seqs[i] = vocab.Encode(datasets.Tokenize(text))
	}
	// maxlen 80 truncates most reviews; 1000 pads most and still truncates the longest
	// (every 5th review: the padding needs no 50,000 more).
	for _, c := range []struct{ maxlen, every int }{{80, 1}, {1000, 5}} {
		ts := newTokenizerSession(t, vocab, c.maxlen)
		var idx []int
		var some []string
		var someSeqs [][]int32
		for i := 0; i < len(texts); i += c.every {
			idx, some, someSeqs = append(idx, i), append(some, texts[i]), append(someSeqs, seqs[i])
		}
		want, err := datasets.PadSequences(someSeqs, c.maxlen)
		if err != nil {
			t.Fatal(err)
		}
		mismatches := 0
		for start := 0; start < len(some); start += 5000 {
			for i, got := range ts.encode(t, some[start:min(start+5000, len(some))]) {
				k := start + i
				if w := want[k*c.maxlen : (k+1)*c.maxlen]; !slices.Equal(got, w) {
					if mismatches++; mismatches <= 3 {
						t.Errorf("maxlen %d, review %d: graph %v, Go %v", c.maxlen, idx[k], got, w)
					}
				}
			}
		}
		if mismatches > 0 {
			t.Errorf("maxlen %d: %d of %d reviews encode differently", c.maxlen, mismatches, len(some))
		}
	}
}

// localeEnv marks the test binary re-run by TestTokenizerUnderLocales.
const localeEnv = "TFRUN_EXPORT_LOCALE_CHILD"

// ICU lower-cases in the process's default locale, which it takes from LANG or LC_ALL: a
// Turkish locale lower-cases I to ı, a Lithuanian one adds U+0307 to i before accents.
// The tokenizer's fixes keep it equal to Go under both (TestTokensEqualGo, re-run with
// each locale in the environment).
func TestTokenizerUnderLocales(t *testing.T) {
	if os.Getenv(localeEnv) != "" {
		t.Skip("the child run")
	}
	for _, loc := range []string{"tr_TR.UTF-8", "lt_LT.UTF-8"} {
		t.Run(loc, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestTokensEqualGo$", "-test.count=1", "-test.v")
			cmd.Env = append(os.Environ(), localeEnv+"=1", "LANG="+loc, "LC_ALL="+loc)
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), "--- PASS: TestTokensEqualGo") {
				t.Errorf("under %s: %v\n%s", loc, err, out)
			}
		})
	}
}
