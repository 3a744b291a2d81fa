// Command imdb trains the seed's model, configs/imdb_lstm.yaml (an Embedding, an LSTM and
// a sigmoid Dense on IMDB reviews, 20,000 words, 80 per review), written in Go with
// tfrun's API instead of YAML. At the same seed it trains to the same losses as
// bin/tfrun -config configs/imdb_lstm.yaml (its test checks the first 20 steps).
//
//	go run ./examples/imdb -epochs 2 -limit 2000
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"

	"github.com/tfrun/tfrun"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/layers"
	"github.com/tfrun/tfrun/runner"
)

func main() {
	epochs := flag.Int("epochs", 15, "epochs to train")
	limit := flag.Int("limit", 0, "use only the first `n` training and test reviews (0: all 25,000 each)")
	dataDir := flag.String("data", "", "where to look for aclImdb_v1.tar.gz first")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt) // Ctrl-C stops between two steps
	defer stop()
	if _, err := run(ctx, os.Stdout, *dataDir, *epochs, *limit, 0); err != nil {
		log.Fatal(err)
	}
}

// run trains the model on IMDB and evaluates it on the test reviews; extra are more fit
// options (the test's callback).
func run(ctx context.Context, out io.Writer, dataDir string, epochs, limit, threads int, extra ...tfrun.FitOption) (*tfrun.History, error) {
	train, test, err := tfrun.LoadDataset(configs.Data{Dataset: configs.DatasetIMDB, NumWords: 20000, Maxlen: 80}, dataDir, limit)
	if err != nil {
		return nil, err
	}
	m, err := tfrun.Sequential(
		layers.Embedding(20000, 32),
		layers.LSTM(32),
		layers.Dense(1, layers.Activation("sigmoid")),
	)
	if err != nil {
		return nil, err
	}
	defer m.Close()
	err = m.Compile(tfrun.Loss("binary_crossentropy"), tfrun.Optimizer("RMSprop"), tfrun.Metrics("accuracy"),
		tfrun.Seed(42), tfrun.Threads(threads))
	if err != nil {
		return nil, err
	}
	opts := append([]tfrun.FitOption{tfrun.Epochs(epochs), tfrun.BatchSize(32), tfrun.ValidationData(test),
		tfrun.Progress(out, runner.VerboseLines)}, extra...)
	h, err := m.Fit(ctx, train, opts...)
	if err != nil {
		return nil, err
	}
	logs, err := m.Evaluate(ctx, test)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "Test score: %.4f\nTest accuracy: %.4f\n", logs["loss"], logs["accuracy"])
	return h, nil
}
