package export_test

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/export"
	"github.com/tfrun/tfrun/graphs"
)

// The in-graph tokenizer in a graph of its own: raw text in, the ids of Keras's
// tokenization and pad_sequences out (start 1, words from 4 by frequency, OOV 2, zeros in
// front), as the Go tokenizer makes them.
func ExampleTextTokenizer() {
	vocab := datasets.BuildVocabulary([][]string{{"a", "wonderful", "film"}, {"wonderful"}}, 10)
	tok := &export.TextTokenizer{Vocabulary: vocab, Maxlen: 8}
	g := graphs.NewGraph(tf.Float, 1)
	s := g.Root()
	text := s.Placeholder("text", tf.String, -1)
	table, fill := tok.Table(s)
	ids := tok.Encode(s, table, text)
	sess, err := graphs.NewSession(g, graphs.SessionOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sess.Close()
	if _, err := sess.Run(nil, nil, fill); err != nil { // what a SavedModel's init op does
		fmt.Println(err)
		return
	}
	texts := []string{"A WONDERFUL film!<br />Wonderful, truly.", ""}
	in, _ := tf.NewTensor(texts)
	out, err := sess.Run(map[tf.Output]*tf.Tensor{text: in}, []tf.Output{ids})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("graph:", graphs.Value(out[0]))
	goIDs, _ := datasets.PadSequences([][]int32{vocab.Encode(datasets.Tokenize(texts[0]))}, 8)
	fmt.Println("Go:   ", goIDs)
	// Output:
	// graph: [[0 0 1 5 4 6 4 2] [0 0 0 0 0 0 0 1]]
	// Go:    [0 0 1 5 4 6 4 2]
}
