package classifier

import (
	"fmt"
	"path/filepath"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/datasets"
)

// kerasIMDBSeed is the seed keras.datasets.imdb.load_data shuffles each split with.
const kerasIMDBSeed = 113

// loadIMDB prepares IMDB as keras.datasets.imdb.load_data + pad_sequences do: tokenize,
// rank the training words, keep numWords, encode with start 1 / OOV 2 / index_from 3,
// shuffle each split (seed 113), pad and truncate at the front to maxlen. limit > 0 keeps
// the first limit examples of each split after the shuffle. The vocabulary is saved in
// outDir.
func loadIMDB(dataDir, outDir string, numWords, maxlen, limit int) (train, test *Dataset, err error) {
	path, err := datasets.Locate("imdb", dataDir)
	if err != nil {
		return nil, nil, err
	}
	trainRev, testRev, err := datasets.LoadIMDBText(path)
	if err != nil {
		return nil, nil, err
	}
	trainTok := make([][]string, len(trainRev))
	for i, r := range trainRev {
		trainTok[i] = datasets.Tokenize(r.Text)
	}
	vocab := datasets.BuildVocabulary(trainTok, numWords)
	if outDir != "" {
		if err := vocab.Save(filepath.Join(outDir, "vocabulary.json")); err != nil {
			return nil, nil, err
		}
	}
	encode := func(revs []datasets.Review, toks [][]string) (*Dataset, error) {
		order := datasets.Shuffle(len(revs), kerasIMDBSeed)
		if limit > 0 && limit < len(order) {
			order = order[:limit]
		}
		seqs := make([][]int32, len(order))
		labels := make([]float32, len(order))
		for k, i := range order {
			t := toks[i]
			if t == nil {
				t = datasets.Tokenize(revs[i].Text)
			}
			seqs[k] = vocab.Encode(t)
			labels[k] = float32(revs[i].Label)
		}
		ids, err := datasets.PadSequences(seqs, maxlen)
		if err != nil {
			return nil, err
		}
		return &Dataset{Ints: ids, Shape: builders.Shape{maxlen}, Labels: labels, Source: path}, nil
	}
	if train, err = encode(trainRev, trainTok); err != nil {
		return nil, nil, fmt.Errorf("imdb train: %w", err)
	}
	if test, err = encode(testRev, make([][]string, len(testRev))); err != nil {
		return nil, nil, fmt.Errorf("imdb test: %w", err)
	}
	return train, test, nil
}
