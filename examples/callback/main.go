// Command callback shows a Go func callback (Keras's LambdaCallback): it trains a wine
// classifier (scikit-learn's wine table, 13 measurements, 3 cultivars) and stops training
// once the validation accuracy reaches a target, writing the epoch and its logs to a file.
//
//	go run ./examples/callback -target 0.97 -out stopped.json
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"

	"github.com/tfrun/tfrun"
	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/layers"
)

func main() {
	csv := flag.String("csv", "../shared/data/tabular/wine.csv", "the wine table")
	target := flag.Float64("target", 0.97, "stop once val_accuracy reaches this")
	out := flag.String("out", "stopped.json", "the file the callback writes when it stops training")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, *csv, *target, *out); err != nil {
		log.Fatal(err)
	}
}

// stopped is what the callback writes.
type stopped struct {
	Epoch int        `json:"epoch"` // 1-based, as Keras prints it
	Logs  tfrun.Logs `json:"logs"`
}

func run(ctx context.Context, w io.Writer, csv string, target float64, out string) error {
	t, err := datasets.ReadCSV(csv, datasets.CSVOptions{Label: "target"})
	if err != nil {
		return err
	}
	data := tfrun.Data{X: tfrun.Floats(t.Features, t.NumFeatures()), Y: tfrun.Ints(t.Labels)}
	m, err := tfrun.Sequential(
		layers.New("Normalization"), // adapted to the data before the first fit
		layers.Dense(16, layers.Activation("relu")),
		layers.Dense(3, layers.Activation("softmax")),
	)
	if err != nil {
		return err
	}
	defer m.Close()
	if err := m.Compile(tfrun.Loss("sparse_categorical_crossentropy"), tfrun.Optimizer("adam"), tfrun.Metrics("accuracy")); err != nil {
		return err
	}
	cb := tfrun.LambdaCallback{OnEpochEnd: func(epoch int, logs tfrun.Logs) error {
		if logs["val_accuracy"] < target {
			return nil
		}
		b, err := json.MarshalIndent(stopped{Epoch: epoch + 1, Logs: logs}, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(out, append(b, '\n'), 0o644); err != nil {
			return err // stops Fit with this error
		}
		return tfrun.ErrStopTraining // training ends after this epoch, and Fit returns no error
	}}
	h, err := m.Fit(ctx, data, tfrun.Epochs(200), tfrun.BatchSize(16), tfrun.ValidationData(data), tfrun.Callbacks(cb))
	if err != nil {
		return err
	}
	last := len(h.Epochs) - 1
	fmt.Fprintf(w, "trained %d epochs: val_accuracy %.4f\n", len(h.Epochs), h.Metrics["val_accuracy"][last])
	return nil
}
