package export

import (
	"cmp"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/graphs"
)

// TextTokenizer is tfrun's IMDB text encoding in TensorFlow ops: datasets.Tokenize
// (keras.preprocessing.text.text_to_word_sequence with Keras's defaults, after removing
// HTML line breaks), datasets.Vocabulary.Encode (start 1, OOV 2, index_from 3, words past
// num_words OOV) and datasets.PadSequences (padding and truncating "pre"), built from core
// ops only, so that a SavedModel takes raw text:
//
//  1. StringLower, encoding utf-8 (ICU's full lower-casing), after the few pre-mappings
//     that make ICU agree with Go's strings.ToLower (lowerFixes);
//  2. StaticRegexReplace of "<br />", "<br/>", "<br>" and every character of
//     datasets.KerasFilters with a space;
//  3. StringSplitV2 on " " (Keras splits on the space only), empty strings dropped;
//  4. LookupTableFindV2 in a HashTableV2 (word → index, default OOV) that the SavedModel's
//     init op fills from the vocabulary (LookupTableImportV2);
//  5. the start index prepended, then the last maxlen ids kept, zeros in front.
//
// text [batch] string → ids [batch, maxlen] int32, equal id for id to the Go encoding
// (TestTokenizerEqualsGoOnIMDB, TestLowerEqualsGoForEveryCodePoint). The text must be
// UTF-8 (datasets.Tokenize maps invalid bytes to U+FFFD, ICU may not: callers check, as
// tfrun predict and examples/serve do).
type TextTokenizer struct {
	Vocabulary *datasets.Vocabulary
	Maxlen     int
	// TableName names the vocabulary's hash table (its shared_name): "" is
	// "tfrun_vocabulary". A model of several text inputs gives each its own.
	TableName string
}

// lowerFix maps code points before StringLower to what Go's strings.ToLower makes of them,
// where ICU's lower-casing differs from Go's per-rune simple case mapping.
type lowerFix struct{ from, to string }

// lowerFixes are the pre-mappings that make StringLower (ICU, full case mapping in the
// process's default locale) equal strings.ToLower (Go, simple case mapping, no locale):
//   - U+0130 İ: ICU's unconditional full mapping is "i̇" (i + U+0307), Go's is "i";
//   - U+03A3 Σ: ICU lower-cases a final sigma to ς (the Final_Sigma context), Go to σ;
//   - U+00CC Ì, U+00CD Í, U+0128 Ĩ, U+012E Į: a Lithuanian default locale (LANG=lt_*)
//     makes ICU add U+0307; Go never does;
//   - the capitals Unicode 14 gave lower-case forms (Glagolitic, Latin Extended-D,
//     Vithkuqi): Go's tables are Unicode 15, TensorFlow 2.18's ICU predates them.
//
// ASCII is lower-cased first by an ASCII-only StringLower, so that a Turkish or Azeri
// default locale (whose I lower-cases to dotless ı) cannot touch it.
// TestLowerEqualsGoForEveryCodePoint checks that no other code point differs.
var lowerFixes = func() []lowerFix {
	fixes := []lowerFix{{"\u0130", "i"}, {"\u03a3", "\u03c3"}}
	for _, r := range []rune{0xcc, 0xcd, 0x128, 0x12e} {
		fixes = append(fixes, lowerFix{string(r), string(unicode.ToLower(r))})
	}
	for _, span := range [][2]rune{{0x2c2f, 0x2c2f}, {0xa7c0, 0xa7c0}, {0xa7d0, 0xa7d0}, {0xa7d6, 0xa7d6}, {0xa7d8, 0xa7d8}, {0x10570, 0x10595}} {
		for r := span[0]; r <= span[1]; r++ {
			if lr := unicode.ToLower(r); lr != r {
				fixes = append(fixes, lowerFix{string(r), string(lr)})
			}
		}
	}
	return fixes
}()

// nulStandIn replaces NUL before StringLower, which reads its input as a C string (ICU's
// UnicodeString from c_str()) and would cut it at a NUL. No vocabulary word may contain
// either (Check), so a word with a NUL is out of vocabulary on both sides.
const nulStandIn = "\uffff"

// separatorPattern is the RE2 pattern of everything Keras's tokenizer (with tfrun's
// line-break removal) turns into a separator: the HTML line breaks first (leftmost-first
// alternation, as datasets.Tokenize tries them before the '<' filter), then any one
// character of datasets.KerasFilters.
var separatorPattern = `<br />|<br/?>|[` + regexClass(datasets.KerasFilters) + `]`

// regexClass escapes chars for a character class, RE2 and Go regexp alike.
func regexClass(chars string) string {
	var b strings.Builder
	for _, c := range chars {
		switch c {
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		default:
			if strings.ContainsRune(`\]-^[`, c) {
				b.WriteByte('\\')
			}
			b.WriteRune(c)
		}
	}
	return b.String()
}

// Check reports a tokenizer that cannot be built: maxlen < 1, or a vocabulary word the
// in-graph tokenizer could not look up as the Go one does.
func (t *TextTokenizer) Check() error {
	if t.Maxlen < 1 {
		return fmt.Errorf("export: text tokenizer: maxlen %d, want >= 1", t.Maxlen)
	}
	if t.Vocabulary == nil {
		return fmt.Errorf("export: text tokenizer: no vocabulary")
	}
	for r, w := range t.Vocabulary.Words() {
		if !utf8.ValidString(w) || strings.ContainsAny(w, "\x00"+nulStandIn) {
			return fmt.Errorf("export: vocabulary word %d %q: a word must be UTF-8 without U+0000 or U+FFFF to be looked up in-graph", r+1, w)
		}
	}
	return nil
}

// Tokens emits the word sequence of each text: the words [n] (string) and the row of
// each [n] (int64), in order, row by row. text is [batch] string.
func (t *TextTokenizer) Tokens(s *graphs.Scope, text tf.Output) (words, rows tf.Output) {
	ts := s.Sub("tokenize")
	x := op.StaticRegexReplace(ts.Op("StaticRegexReplace"), text, `\x00`, nulStandIn)
	x = op.StringLower(ts.Op("StringLower"), x, op.StringLowerEncoding(""))
	for _, f := range lowerFixes {
		x = op.StaticRegexReplace(ts.Op("StaticRegexReplace"), x, regexp.QuoteMeta(f.from), f.to)
	}
	x = op.StringLower(ts.Op("StringLower"), x, op.StringLowerEncoding("utf-8"))
	x = op.StaticRegexReplace(ts.Op("StaticRegexReplace"), x, separatorPattern, " ")
	indices, values, _ := op.StringSplitV2(ts.Op("StringSplitV2"), x, ts.Const(" "))
	// Runs of separators leave empty strings: drop them.
	keep := op.Reshape(ts.Op("Reshape"), op.Where(ts.Op("Where"), op.NotEqual(ts.Op("NotEqual"), values, ts.Const(""))), ts.Const([]int32{-1}))
	words = op.GatherV2(ts.Op("GatherV2"), values, keep, ts.Const(int32(0)))
	rowOf := op.GatherV2(ts.Op("GatherV2"), indices, ts.Const(int32(0)), ts.Const(int32(1)))
	rows = op.GatherV2(ts.Op("GatherV2"), rowOf, keep, ts.Const(int32(0)))
	return words, rows
}

// Table emits the vocabulary's hash table (word → index; absent words give OOVIndex) and
// the op that fills it, which belongs in the SavedModel's init op.
func (t *TextTokenizer) Table(s *graphs.Scope) (table tf.Output, fill *tf.Operation) {
	vs := s.Sub("vocabulary")
	words := t.Vocabulary.Words()
	ids := make([]int32, len(words))
	for r, w := range words {
		ids[r] = t.Vocabulary.Index(w)
	}
	table = op.HashTableV2(vs.Op("HashTableV2"), tf.String, tf.Int32, op.HashTableV2SharedName(cmp.Or(t.TableName, "tfrun_vocabulary")))
	if len(words) == 0 { // an empty vocabulary: nothing to fill, every word is OOV
		return table, op.NoOp(vs.Op("NoOp"))
	}
	fill = op.LookupTableImportV2(vs.Op("LookupTableImportV2"), table, vs.Const(words), vs.Const(ids))
	return table, fill
}

// Encode emits the padded id matrix [batch, maxlen] int32 of text [batch] string, looking
// words up in table (from Table).
func (t *TextTokenizer) Encode(s *graphs.Scope, table, text tf.Output) tf.Output {
	words, rows := t.Tokens(s, text)
	es := s.Sub("encode")
	ids := op.LookupTableFindV2(es.Op("LookupTableFindV2"), table, words, es.Const(int32(datasets.OOVIndex)))

	// Row r has n_r words; with the start index in front its sequence is n_r+1 long, and
	// word j of it lands in column maxlen − n_r + j of the output (pre padding), the start
	// index in column maxlen − n_r − 1; columns < 0 are cut (pre truncation).
	batch := op.Cast(es.Op("Cast"), op.Squeeze(es.Op("Squeeze"), op.Shape(es.Op("Shape"), text)), tf.Int64)
	counts := op.UnsortedSegmentSum(es.Op("UnsortedSegmentSum"), op.OnesLike(es.Op("OnesLike"), rows), rows, batch)
	starts := op.Cumsum(es.Op("Cumsum"), counts, es.Const(int32(0)), op.CumsumExclusive(true))
	k := op.Range(es.Op("Range"), es.Const(int64(0)), op.Size(es.Op("Size"), rows, op.SizeOutType(tf.Int64)), es.Const(int64(1)))
	j := op.Sub(es.Op("Sub"), k, op.GatherV2(es.Op("GatherV2"), starts, rows, es.Const(int32(0))))
	maxlen := es.Const(int64(t.Maxlen))
	cols := op.AddV2(es.Op("AddV2"), op.Sub(es.Op("Sub"), maxlen, op.GatherV2(es.Op("GatherV2"), counts, rows, es.Const(int32(0)))), j)

	allRows := op.Range(es.Op("Range"), es.Const(int64(0)), batch, es.Const(int64(1)))
	startCols := op.Sub(es.Op("Sub"), op.Sub(es.Op("Sub"), maxlen, counts), es.Const(int64(1)))
	startIDs := op.Fill(es.Op("Fill"), op.Reshape(es.Op("Reshape"), batch, es.Const([]int32{1})), es.Const(int32(datasets.StartIndex)))

	r := op.ConcatV2(es.Op("ConcatV2"), []tf.Output{rows, allRows}, es.Const(int32(0)))
	c := op.ConcatV2(es.Op("ConcatV2"), []tf.Output{cols, startCols}, es.Const(int32(0)))
	v := op.ConcatV2(es.Op("ConcatV2"), []tf.Output{ids, startIDs}, es.Const(int32(0)))
	inside := op.Reshape(es.Op("Reshape"), op.Where(es.Op("Where"), op.GreaterEqual(es.Op("GreaterEqual"), c, es.Const(int64(0)))), es.Const([]int32{-1}))
	gather := func(x tf.Output) tf.Output { return op.GatherV2(es.Op("GatherV2"), x, inside, es.Const(int32(0))) }
	at := op.Pack(es.Op("Pack"), []tf.Output{gather(r), gather(c)}, op.PackAxis(1))
	shape := op.Pack(es.Op("Pack"), []tf.Output{batch, maxlen})
	return op.ScatterNd(es.Op("ScatterNd"), at, gather(v), shape)
}
