package datasets

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"slices"
	"strings"
)

// Reserved indices of the keras.datasets.imdb encoding (its pad, start_char and
// oov_char defaults) and the offset of the first word (its index_from default).
const (
	PadIndex   = 0 // padding value of PadSequences
	StartIndex = 1 // prepended to every encoded text
	OOVIndex   = 2 // any word not in the vocabulary or ranked past NumWords
	IndexFrom  = 3 // the word of rank r (1 = most frequent) has index r + IndexFrom
)

// Vocabulary maps words to the integer indices of keras.datasets.imdb.
//
// Words are ranked by descending frequency in the texts it was built from; rank 1
// is the most frequent. Words with equal counts keep the order in which they first
// appeared, as Keras's Tokenizer does (its word_counts is an OrderedDict and
// Python's sort with reverse=True is stable). The word of rank r has index
// r + IndexFrom, so the most frequent word is 4 — exactly keras.datasets.imdb's
// layout, where Tokenizer rank r is shifted by index_from=3 (so, as there,
// index 3 is never used). Only indices below NumWords are used: words ranked past
// NumWords-IndexFrom-1 encode as OOVIndex, like unknown words.
//
// A Vocabulary is immutable once built and safe for concurrent use.
type Vocabulary struct {
	numWords int
	words    []string         // words[r-1] has rank r; only those with index < numWords
	index    map[string]int32 // word → rank + IndexFrom
}

// BuildVocabulary ranks the words of texts (each a token list, as from Tokenize).
// Build it from the training texts only, so test data does not leak into it.
//
// numWords is keras.datasets.imdb's num_words: only indices below numWords are
// used, so at most numWords-IndexFrom-1 words are kept (ranks 1..numWords-4;
// numWords=10000 keeps 9996 words, indices 4..9999). numWords <= 0 keeps every
// word (Keras's num_words=None); NumWords then reports the resulting bound.
func BuildVocabulary(texts [][]string, numWords int) *Vocabulary {
	first := make(map[string]int) // word → position in words
	var words []string            // in order of first appearance
	var counts []int              // counts[i] is the count of words[i]
	for _, text := range texts {
		for _, w := range text {
			if i, seen := first[w]; seen {
				counts[i]++
				continue
			}
			first[w] = len(words)
			words = append(words, w)
			counts = append(counts, 1)
		}
	}
	// Rank: descending count; a stable sort keeps first appearance among equals.
	ranked := make([]int, len(words))
	for i := range ranked {
		ranked[i] = i
	}
	slices.SortStableFunc(ranked, func(a, b int) int { return counts[b] - counts[a] })
	if numWords <= 0 {
		numWords = len(words) + IndexFrom + 1
	}
	keep := make([]string, max(0, min(len(words), maxWords(numWords))))
	for r := range keep {
		keep[r] = strings.Clone(words[ranked[r]]) // do not pin the tokenized texts
	}
	return newVocabulary(numWords, keep)
}

// maxWords is the number of ranked words whose index is below numWords.
func maxWords(numWords int) int { return numWords - IndexFrom - 1 }

// newVocabulary builds the lookup map for ranked words, all of which must be kept.
func newVocabulary(numWords int, words []string) *Vocabulary {
	if words == nil {
		words = []string{} // saved as [], not null
	}
	index := make(map[string]int32, len(words))
	for r, w := range words {
		index[w] = int32(r + 1 + IndexFrom)
	}
	return &Vocabulary{numWords: numWords, words: words, index: index}
}

// NumWords returns the exclusive upper bound of the indices Encode emits: the
// input_dim of an Embedding layer that reads them.
func (v *Vocabulary) NumWords() int { return v.numWords }

// Len returns the number of words the vocabulary encodes (ranks 1..Len()).
func (v *Vocabulary) Len() int { return len(v.words) }

// Words returns the kept words by rank: Words()[r-1] has rank r and index
// r+IndexFrom. The slice is a copy.
func (v *Vocabulary) Words() []string { return slices.Clone(v.words) }

// Index returns the index of word, or OOVIndex if it is not kept.
func (v *Vocabulary) Index(word string) int32 {
	if i, ok := v.index[word]; ok {
		return i
	}
	return OOVIndex
}

// Word returns the word with the given index, or "" and false for the reserved
// indices 0–3 and indices past the vocabulary.
func (v *Vocabulary) Word(index int) (string, bool) {
	r := index - IndexFrom
	if r < 1 || r > len(v.words) {
		return "", false
	}
	return v.words[r-1], true
}

// Encode turns tokens into keras.datasets.imdb indices: StartIndex, then each
// token's Index (OOVIndex for unknown or cut-off words). The result has
// len(tokens)+1 elements.
func (v *Vocabulary) Encode(tokens []string) []int32 {
	out := make([]int32, 0, len(tokens)+1)
	out = append(out, StartIndex)
	for _, t := range tokens {
		out = append(out, v.Index(t))
	}
	return out
}

// vocabularyFile is the JSON form of a Vocabulary.
type vocabularyFile struct {
	NumWords  int      `json:"num_words"`
	IndexFrom int      `json:"index_from"`
	Words     []string `json:"words"`
}

// Save writes the vocabulary to path as JSON
// {"num_words": N, "index_from": 3, "words": [rank 1, rank 2, ...]}, atomically:
// a temporary file in the same directory is written, fsynced and renamed over path.
func (v *Vocabulary) Save(path string) error {
	data, err := json.Marshal(vocabularyFile{NumWords: v.numWords, IndexFrom: IndexFrom, Words: v.words})
	if err != nil {
		return &Error{Op: "save vocabulary", Path: path, Err: err}
	}
	data = append(data, '\n')
	err = writeFileAtomic(path, 0o644, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
	if err != nil {
		return newError("save vocabulary", path, ErrIO, "%w", err)
	}
	return nil
}

// LoadVocabulary reads a vocabulary written by Save. Unknown JSON fields, an
// index_from other than 3, empty or duplicate words, or more words than num_words
// allows are errors.
func LoadVocabulary(path string) (*Vocabulary, error) {
	const op = "load vocabulary"
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, wrapIOError(op, path, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f vocabularyFile
	if err := dec.Decode(&f); err != nil {
		return nil, newError(op, path, ErrFormat, "%w (want {\"num_words\": int, \"index_from\": 3, \"words\": [string...]})", err)
	}
	if dec.More() {
		return nil, newError(op, path, ErrFormat, "trailing data after the JSON object")
	}
	if f.IndexFrom != IndexFrom {
		return nil, newError(op, path, ErrFormat, "index_from is %d, want %d (keras.datasets.imdb layout)", f.IndexFrom, IndexFrom)
	}
	if f.NumWords <= IndexFrom || len(f.Words) > maxWords(f.NumWords) {
		return nil, newError(op, path, ErrFormat, "num_words is %d with %d words, want num_words >= number of words + %d", f.NumWords, len(f.Words), IndexFrom+1)
	}
	seen := make(map[string]int, len(f.Words))
	for r, w := range f.Words {
		if w == "" {
			return nil, newError(op, path, ErrFormat, "words[%d] is empty", r)
		}
		if prev, dup := seen[w]; dup {
			return nil, newError(op, path, ErrFormat, "words[%d] %q repeats words[%d]", r, w, prev)
		}
		seen[w] = r
	}
	return newVocabulary(f.NumWords, f.Words), nil
}
