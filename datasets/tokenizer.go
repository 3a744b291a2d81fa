package datasets

import (
	"strings"
	"unicode/utf8"
)

// KerasFilters is the default filters argument of Keras's Tokenizer and
// text_to_word_sequence: each of these characters becomes a word separator.
// The apostrophe is not among them, so "don't" stays one word.
const KerasFilters = "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n"

// kerasSplit is Keras's default split argument: the only separator besides the
// filtered characters (which are replaced by it).
const kerasSplit = ' '

// separators is the lookup table for KerasFilters plus kerasSplit over ASCII.
// It is built once and only read.
var separators = func() (t [utf8.RuneSelf]bool) {
	for i := 0; i < len(KerasFilters); i++ {
		t[KerasFilters[i]] = true
	}
	t[kerasSplit] = true
	return t
}()

// lineBreakTags are the HTML line breaks of the IMDB reviews, matched after
// lower-casing; each is replaced by a separator rather than becoming the word "br".
var lineBreakTags = [...]string{"<br />", "<br/>", "<br>"}

// Tokenize splits a text into words the way keras.preprocessing.text's
// text_to_word_sequence does with its defaults (lower=True, filters=KerasFilters,
// split=" "), after removing HTML line breaks:
//
//  1. lower-case the text (Unicode, strings.ToLower);
//  2. replace each "<br />", "<br/>" and "<br>" with a separator;
//  3. turn every character of KerasFilters into a separator;
//  4. split on separators and drop empty strings.
//
// As in Keras, the separators are exactly the space and KerasFilters (which
// includes tab and newline). Other white space, such as U+00A0 NO-BREAK SPACE or
// U+0085 NEXT LINE (both occur in IMDB reviews), stays inside words, and the
// apostrophe is kept. The words are substrings of one lower-cased copy of text.
func Tokenize(text string) []string {
	s := strings.ToLower(text)
	words := make([]string, 0, len(s)/5+1)
	start := -1
	flush := func(end int) {
		if start >= 0 {
			words = append(words, s[start:end])
			start = -1
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c == '<' {
			if n := lineBreakLen(s[i:]); n > 0 {
				flush(i)
				i += n
				continue
			}
		}
		if c < utf8.RuneSelf && separators[c] {
			flush(i)
		} else if start < 0 {
			start = i
		}
		i++
	}
	flush(len(s))
	return words
}

// lineBreakLen returns the length of the line-break tag s starts with, or 0.
func lineBreakLen(s string) int {
	for _, tag := range lineBreakTags {
		if strings.HasPrefix(s, tag) {
			return len(tag)
		}
	}
	return 0
}
