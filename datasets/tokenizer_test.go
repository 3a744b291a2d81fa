package datasets

import (
	"slices"
	"strings"
	"testing"
)

// The expectations are worked out by hand from Keras's rules and agree with
// keras_preprocessing 1.1.2's text_to_word_sequence applied after the <br>
// replacement.
func TestTokenize(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
	}{
		{"punctuation and capitals", "Hello, World!", []string{"hello", "world"}},
		{"br tags", "I loved it.<br /><br />The END", []string{"i", "loved", "it", "the", "end"}},
		{"br variants and case", "<BR>line<br/>two<Br />three", []string{"line", "two", "three"}},
		{"br between words", "a<br />b", []string{"a", "b"}},
		{"incomplete br is a word", "<br", []string{"br"}},
		{"other tags become words", "<b>bold</b>", []string{"b", "bold", "b"}},
		{"apostrophes kept", "don't stop: it's 10/10!!", []string{"don't", "stop", "it's", "10", "10"}},
		{"apostrophes at word edges kept", "O'Neil's 'quoted' word'", []string{"o'neil's", "'quoted'", "word'"}},
		{"hyphen and at sign split", "e-mail@x.com", []string{"e", "mail", "x", "com"}},
		{"tab and newline split", "tab\there\nnew", []string{"tab", "here", "new"}},
		{"empty", "", []string{}},
		{"only separators", "   ...   ", []string{}},
		{"every filter character", "a" + strings.Join(strings.Split(KerasFilters, ""), "a") + "a", slices.Repeat([]string{"a"}, len(KerasFilters)+1)},
		{"no-break space is not a separator", "Café\u00a0au lait", []string{"café\u00a0au", "lait"}},
		{"next line is not a separator", "x\u0085y", []string{"x\u0085y"}},
		{"curly quotes are not filtered", "“Quotes” ‘curly’", []string{"“quotes”", "‘curly’"}},
		{"unicode lower-casing", "ÉCOLE", []string{"école"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Tokenize(tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("Tokenize(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func BenchmarkTokenize(b *testing.B) {
	text := strings.Repeat("This movie was <b>great</b>, I'd watch it again!<br /><br />Ten/10. ", 20)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		Tokenize(text)
	}
}
