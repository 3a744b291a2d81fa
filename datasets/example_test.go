package datasets_test

import (
	"fmt"

	"github.com/tfrun/tfrun/datasets"
)

// Preparing texts for an Embedding + LSTM classifier the way the Keras IMDB
// examples do: tokenize, rank words on the training texts, encode, pad.
func ExampleVocabulary_Encode() {
	train := []string{"A great movie!<br /><br />Great cast.", "Not a good movie."}
	var tokens [][]string
	for _, text := range train {
		tokens = append(tokens, datasets.Tokenize(text))
	}
	vocab := datasets.BuildVocabulary(tokens, 8) // keeps indices < 8: 4 words
	var seqs [][]int32
	for _, t := range tokens {
		seqs = append(seqs, vocab.Encode(t))
	}
	padded, err := datasets.PadSequences(seqs, 6)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tokens[0])
	fmt.Println(vocab.Words())
	fmt.Println(padded[:6])
	fmt.Println(padded[6:])
	// Output:
	// [a great movie great cast]
	// [a great movie cast]
	// [1 4 5 6 5 7]
	// [0 1 2 4 2 6]
}

func ExampleValidationSplit() {
	train, val, err := datasets.ValidationSplit(10, 0.2)
	fmt.Println(train, val, err)
	// Output: [0 1 2 3 4 5 6 7] [8 9] <nil>
}

func ExamplePadSequences() {
	padded, _ := datasets.PadSequences([][]int32{{1, 2}, {1, 2, 3, 4, 5}}, 3)
	fmt.Println(padded)
	// Output: [0 1 2 3 4 5]
}
