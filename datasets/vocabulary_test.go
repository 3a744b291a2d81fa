package datasets

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestIndexConstants(t *testing.T) {
	// keras.datasets.imdb.load_data defaults: start_char=1, oov_char=2,
	// index_from=3; pad_sequences value=0.
	tests := []struct {
		name      string
		got, want int
	}{
		{"PadIndex", PadIndex, 0},
		{"StartIndex", StartIndex, 1},
		{"OOVIndex", OOVIndex, 2},
		{"IndexFrom", IndexFrom, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("%s = %d, want %d", tt.name, tt.got, tt.want)
			}
		})
	}
}

func TestBuildVocabulary(t *testing.T) {
	// Counts: the 3, cat 2, hat 2, a 2, and 1, end 1. Ties keep first appearance
	// (cat before hat before a; and before end), as Keras's Tokenizer does:
	// word_index {the:1, cat:2, hat:3, a:4, and:5, end:6}, so indices are 4..9.
	texts := [][]string{
		Tokenize("The cat and the hat."),
		Tokenize("A cat, a HAT; the end"),
	}
	tests := []struct {
		name         string
		numWords     int
		wantNumWords int
		wantWords    []string
		tokens       []string
		wantEncoded  []int32
	}{
		{"all words", 0, 10, []string{"the", "cat", "hat", "a", "and", "end"},
			[]string{"the", "end", "dog", "a"}, []int32{1, 4, 9, 2, 7}},
		{"negative means all words", -1, 10, []string{"the", "cat", "hat", "a", "and", "end"},
			[]string{"end"}, []int32{1, 9}},
		{"num_words cuts at index", 7, 7, []string{"the", "cat", "hat"},
			[]string{"the", "hat", "a", "end"}, []int32{1, 4, 6, 2, 2}},
		{"num_words larger than vocabulary", 100, 100, []string{"the", "cat", "hat", "a", "and", "end"},
			[]string{"and"}, []int32{1, 8}},
		{"num_words keeps one word", 5, 5, []string{"the"},
			[]string{"the", "cat"}, []int32{1, 4, 2}},
		{"index 3 is never used", 4, 4, []string{},
			[]string{"the"}, []int32{1, 2}},
		{"num_words below the reserved indices", 2, 2, []string{},
			[]string{"the"}, []int32{1, 2}},
		{"empty tokens give only the start index", 0, 10, []string{"the", "cat", "hat", "a", "and", "end"},
			[]string{}, []int32{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := BuildVocabulary(texts, tt.numWords)
			if got := v.NumWords(); got != tt.wantNumWords {
				t.Errorf("NumWords() = %d, want %d", got, tt.wantNumWords)
			}
			if got := v.Words(); !slices.Equal(got, tt.wantWords) {
				t.Errorf("Words() = %q, want %q", got, tt.wantWords)
			}
			if got := v.Len(); got != len(tt.wantWords) {
				t.Errorf("Len() = %d, want %d", got, len(tt.wantWords))
			}
			if got := v.Encode(tt.tokens); !slices.Equal(got, tt.wantEncoded) {
				t.Errorf("Encode(%q) = %v, want %v", tt.tokens, got, tt.wantEncoded)
			}
			for i, w := range tt.wantWords {
				if got, ok := v.Word(i + 1 + IndexFrom); !ok || got != w {
					t.Errorf("Word(%d) = %q, %v, want %q, true", i+1+IndexFrom, got, ok, w)
				}
			}
			for _, index := range []int{PadIndex, StartIndex, OOVIndex, IndexFrom, len(tt.wantWords) + 1 + IndexFrom} {
				if got, ok := v.Word(index); ok {
					t.Errorf("Word(%d) = %q, true, want false", index, got)
				}
			}
		})
	}
}

func TestBuildVocabularyTies(t *testing.T) {
	// Every word occurs once: the ranking is the order of first appearance, even
	// across texts, and later repeats of equal counts do not reorder.
	tests := []struct {
		name  string
		texts [][]string
		want  []string
	}{
		{"all once", [][]string{{"z", "y"}, {"x"}}, []string{"z", "y", "x"}},
		{"equal counts keep first appearance", [][]string{{"b", "a"}, {"a", "b"}}, []string{"b", "a"}},
		{"frequency beats appearance", [][]string{{"b", "a", "c"}, {"a", "c", "d"}, {"c"}}, []string{"c", "a", "b", "d"}},
		{"no texts", nil, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := BuildVocabulary(tt.texts, 0).Words(); !slices.Equal(got, tt.want) {
				t.Errorf("Words() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestVocabularySaveLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "vocab.json")
	v := BuildVocabulary([][]string{Tokenize("The cat and the hat."), Tokenize("A cat, a HAT; the end")}, 7)
	if err := os.WriteFile(path, []byte("old contents"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := v.Save(path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"num_words":7,"index_from":3,"words":["the","cat","hat"]}` + "\n"; string(data) != want {
		t.Errorf("saved %q, want %q", data, want)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("directory holds %d entries after Save, want only vocab.json (no temporary files)", len(entries))
	}
	got, err := LoadVocabulary(path)
	if err != nil {
		t.Fatal(err)
	}
	tokens := Tokenize("the hat and a cat")
	if got.NumWords() != v.NumWords() || !slices.Equal(got.Words(), v.Words()) || !slices.Equal(got.Encode(tokens), v.Encode(tokens)) {
		t.Errorf("loaded vocabulary %d %q encodes %v, want %d %q encoding %v",
			got.NumWords(), got.Words(), got.Encode(tokens), v.NumWords(), v.Words(), v.Encode(tokens))
	}
}

func TestVocabularySaveError(t *testing.T) {
	v := BuildVocabulary(nil, 10)
	err := v.Save(filepath.Join(t.TempDir(), "missing-dir", "vocab.json"))
	checkErr(t, err, ErrIO, "save vocabulary", "missing-dir")
}

func TestLoadVocabularyErrors(t *testing.T) {
	tests := []struct {
		name, json string
		want       error
		fragment   string
	}{
		{"not JSON", "words", ErrFormat, "invalid character"},
		{"unknown field", `{"num_words":10,"index_from":3,"words":[],"counts":[]}`, ErrFormat, `unknown field "counts"`},
		{"wrong index_from", `{"num_words":10,"index_from":1,"words":["a"]}`, ErrFormat, "index_from is 1, want 3"},
		{"too many words", `{"num_words":5,"index_from":3,"words":["a","b"]}`, ErrFormat, "num_words is 5 with 2 words"},
		{"num_words too small", `{"num_words":3,"index_from":3,"words":[]}`, ErrFormat, "num_words is 3"},
		{"empty word", `{"num_words":10,"index_from":3,"words":["a",""]}`, ErrFormat, "words[1] is empty"},
		{"duplicate word", `{"num_words":10,"index_from":3,"words":["a","b","a"]}`, ErrFormat, `words[2] "a" repeats words[0]`},
		{"trailing data", `{"num_words":10,"index_from":3,"words":[]} {}`, ErrFormat, "trailing data"},
		{"good", `{"num_words":10,"index_from":3,"words":["a","b"]}`, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "vocab.json", []byte(tt.json))
			_, err := LoadVocabulary(path)
			checkErr(t, err, tt.want, path, tt.fragment)
		})
	}
	t.Run("missing file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "none.json")
		_, err := LoadVocabulary(path)
		checkErr(t, err, ErrNotFound, path)
	})
}
