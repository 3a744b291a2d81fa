// Command iterator trains a classifier on batches a Go iterator reads from a CSV file, a
// batch at a time, every epoch (Keras's fit on a generator or a keras.utils.PyDataset):
// the wine table (scikit-learn's load_wine: 178 wines, 13 measurements, 3 cultivars),
// every fifth wine held out for validation by a second iterator over the same file. The
// features are standardized in Go with statistics from a first pass over the file (the
// model has no Normalization layer: an iterator is not read ahead to adapt one), and each
// epoch reads the file in an order seeded by the epoch, so a resumed run sees the same
// batches as an uninterrupted one. A malformed row stops training with an error naming
// its line, the epoch and the batch. As Keras's
//
//	class Wine(keras.utils.PyDataset):
//	    def __getitem__(self, i): ...  # batch i of the file, standardized
//	model = keras.Sequential([layers.Dense(16, activation="relu"), layers.Dense(3, activation="softmax")])
//	model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
//	model.fit(Wine(train), validation_data=Wine(validation), epochs=20)
//
//	go run ./examples/iterator -epochs 20 -batch 16
package main

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"os/signal"
	"strconv"

	"github.com/tfrun/tfrun"
	"github.com/tfrun/tfrun/layers"
)

func main() {
	path := flag.String("csv", "../shared/data/tabular/wine.csv", "the wine table")
	epochs := flag.Int("epochs", 20, "epochs")
	batch := flag.Int("batch", 16, "examples per batch")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if _, err := run(ctx, os.Stdout, *path, *epochs, *batch); err != nil {
		log.Fatal(err)
	}
}

// features is the number of measurements per wine; the last column is the cultivar.
const features = 13

// row is one wine: its line in the file, its measurements and its cultivar.
type row struct {
	line int
	x    []float32
	y    int32
}

// rows yields the file's wines, those whose index i has i%5 == 0 when validation and the
// others otherwise, with a parse error naming the line.
func rows(path string, validation bool) iter.Seq2[row, error] {
	return func(yield func(row, error) bool) {
		f, err := os.Open(path)
		if err != nil {
			yield(row{}, err)
			return
		}
		defer f.Close()
		r := csv.NewReader(f)
		r.FieldsPerRecord = features + 1
		if _, err := r.Read(); err != nil { // the header
			yield(row{}, fmt.Errorf("%s: %w", path, err))
			return
		}
		for i := 0; ; i++ {
			rec, err := r.Read()
			if err == io.EOF {
				return
			}
			if err != nil {
				yield(row{}, fmt.Errorf("%s: %w", path, err))
				return
			}
			if (i%5 == 0) != validation {
				continue
			}
			w := row{line: i + 2, x: make([]float32, features)}
			for j, s := range rec {
				v, err := strconv.ParseFloat(s, 32)
				if err != nil {
					yield(row{}, fmt.Errorf("%s:%d: column %d: %w", path, w.line, j+1, err))
					return
				}
				if j < features {
					w.x[j] = float32(v)
				} else {
					w.y = int32(v)
				}
			}
			if !yield(w, nil) {
				return
			}
		}
	}
}

// standardizer is each measurement's mean and standard deviation.
type standardizer struct{ mean, std [features]float64 }

// fitStandardizer makes a first pass over the training wines.
func fitStandardizer(path string) (*standardizer, error) {
	var s standardizer
	var sq [features]float64
	n := 0.0
	for w, err := range rows(path, false) {
		if err != nil {
			return nil, err
		}
		for j, v := range w.x {
			s.mean[j] += float64(v)
			sq[j] += float64(v) * float64(v)
		}
		n++
	}
	if n == 0 {
		return nil, fmt.Errorf("%s: no wines", path)
	}
	for j := range s.mean {
		s.mean[j] /= n
		s.std[j] = math.Sqrt(max(sq[j]/n-s.mean[j]*s.mean[j], 1e-12))
	}
	return &s, nil
}

// batches yields the wines in batches of size, standardized. With a seed, each batch is
// drawn from a window of 4 batches read ahead, shuffled by the seed (a streamed shuffle
// buffer, as tf.data's shuffle): the same seed, the same batches.
func batches(path string, validation bool, s *standardizer, size int, seed uint64, shuffle bool) iter.Seq2[tfrun.Batch, error] {
	return func(yield func(tfrun.Batch, error) bool) {
		rng := rand.New(rand.NewPCG(seed, 1))
		var buf []row
		flush := func(n int) bool {
			if shuffle {
				rng.Shuffle(len(buf), func(i, j int) { buf[i], buf[j] = buf[j], buf[i] })
			}
			for len(buf) >= n && len(buf) > 0 {
				k := min(size, len(buf))
				x, y := make([]float32, 0, k*features), make([]int32, 0, k)
				for _, w := range buf[:k] {
					for j, v := range w.x {
						x = append(x, float32((float64(v)-s.mean[j])/s.std[j]))
					}
					y = append(y, w.y)
				}
				buf = buf[k:]
				if !yield(tfrun.Batch{X: tfrun.Floats(x, features), Y: tfrun.Ints(y)}, nil) {
					return false
				}
			}
			return true
		}
		for w, err := range rows(path, validation) {
			if err != nil {
				yield(tfrun.Batch{}, err)
				return
			}
			if buf = append(buf, w); len(buf) == 4*size && !flush(size) {
				return
			}
		}
		flush(1)
	}
}

// result is what a run trained and measured.
type result struct {
	History *tfrun.History
	Logs    tfrun.Logs // Evaluate on the validation wines
}

// run trains on the file's training wines, validating on the held-out ones each epoch.
func run(ctx context.Context, w io.Writer, path string, epochs, batch int, opts ...tfrun.FitOption) (*result, error) {
	s, err := fitStandardizer(path)
	if err != nil {
		return nil, err
	}
	m, err := tfrun.Sequential(layers.Dense(16, layers.Activation("relu")), layers.Dense(3, layers.Activation("softmax")))
	if err != nil {
		return nil, err
	}
	defer m.Close()
	if err := m.Compile(tfrun.Loss("sparse_categorical_crossentropy"), tfrun.Optimizer("adam", tfrun.Arg("learning_rate", 0.01)),
		tfrun.Metrics("accuracy"), tfrun.Threads(1)); err != nil {
		return nil, err
	}
	train := tfrun.Data{Batches: func(epoch int) iter.Seq2[tfrun.Batch, error] {
		return batches(path, false, s, batch, uint64(epoch), true) // a new order every epoch
	}}
	val := tfrun.FromIterator(batches(path, true, s, batch, 0, false))
	opts = append([]tfrun.FitOption{tfrun.Epochs(epochs), tfrun.ValidationData(val)}, opts...)
	h, err := m.Fit(ctx, train, opts...)
	if err != nil {
		return nil, err
	}
	// Evaluate takes arrays: the held-out wines, gathered from the same iterator.
	var all tfrun.Data
	for b, err := range batches(path, true, s, batch, 0, false) {
		if err != nil {
			return nil, err
		}
		all.X = tfrun.Floats(append(all.X.Floats, b.X.Floats...), features)
		all.Y = tfrun.Ints(append(all.Y.Ints, b.Y.Ints...))
	}
	if all.Len() == 0 {
		return nil, errors.New("no validation wines")
	}
	logs, err := m.Evaluate(ctx, all)
	if err != nil {
		return nil, err
	}
	last := len(h.Epochs) - 1
	fmt.Fprintf(w, "%d epochs: loss %.4f, accuracy %.4f; validation loss %.4f, accuracy %.4f\n", len(h.Epochs),
		h.Metrics["loss"][last], h.Metrics["accuracy"][last], logs["loss"], logs["accuracy"])
	return &result{History: h, Logs: logs}, nil
}
