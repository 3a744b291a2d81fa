// Command functional trains a functional model of two inputs and two outputs, built in
// Go: the wine table (scikit-learn's load_wine: 178 wines, 13 measurements, 3 cultivars)
// split into a "chemistry" input (9 measurements) and a "color" input (3), each through
// its own Normalization (adapted to the data by Fit) and Dense layer, concatenated, to a "cultivar" output (which of the 3 grape
// cultivars, softmax) and an "alcohol" output (the alcohol content, standardized, a
// regression), as Keras's
//
//	chemistry = keras.Input((9,), name="chemistry")
//	color = keras.Input((3,), name="color")
//	h = layers.Concatenate()([layers.Dense(16, activation="relu")(layers.Normalization()(chemistry)),
//	                          layers.Dense(8, activation="relu")(layers.Normalization()(color))])
//	model = keras.Model({"chemistry": chemistry, "color": color},
//	                    {"cultivar": layers.Dense(3, activation="softmax", name="cultivar")(h),
//	                     "alcohol": layers.Dense(1, name="alcohol")(h)})
//	model.compile("adam", loss={"cultivar": "sparse_categorical_crossentropy", "alcohol": "mse"},
//	              loss_weights={"cultivar": 1.0, "alcohol": 0.5},
//	              metrics={"cultivar": ["accuracy"], "alcohol": ["mae"]})
//
//	go run ./examples/functional -epochs 30
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"os/signal"
	"slices"

	"github.com/tfrun/tfrun"
	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/layers"
)

func main() {
	csv := flag.String("csv", "../shared/data/tabular/wine.csv", "the wine table")
	epochs := flag.Int("epochs", 30, "epochs")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if _, err := run(ctx, os.Stdout, *csv, *epochs); err != nil {
		log.Fatal(err)
	}
}

// The inputs' columns.
var (
	chemistry = []string{"malic_acid", "ash", "alcalinity_of_ash", "magnesium", "total_phenols", "flavanoids",
		"nonflavanoid_phenols", "proanthocyanins", "proline"}
	color = []string{"color_intensity", "hue", "od280/od315_of_diluted_wines"}
)

// wine reads the table into the model's named inputs and outputs: the measurements as
// they are (the model's Normalization layers adapt to them), the cultivars as class ids,
// the alcohol content standardized (mean 0, variance 1).
func wine(csv string) (tfrun.Data, error) {
	t, err := datasets.ReadCSV(csv, datasets.CSVOptions{Label: "target"})
	if err != nil {
		return tfrun.Data{}, err
	}
	n, k := t.NumRows, t.NumFeatures()
	table := func(names []string) (tfrun.Array, error) {
		vals := make([]float32, n*len(names))
		for j, name := range names {
			c := slices.Index(t.FeatureNames, name)
			if c < 0 {
				return tfrun.Array{}, fmt.Errorf("%s: no column %q", csv, name)
			}
			for i := range n {
				vals[i*len(names)+j] = t.Features[i*k+c]
			}
		}
		return tfrun.Floats(vals, len(names)), nil
	}
	chem, err := table(chemistry)
	if err != nil {
		return tfrun.Data{}, err
	}
	col, err := table(color)
	if err != nil {
		return tfrun.Data{}, err
	}
	alc, err := table([]string{"alcohol"})
	if err != nil {
		return tfrun.Data{}, err
	}
	var sum, sq float64
	for _, v := range alc.Floats {
		sum, sq = sum+float64(v), sq+float64(v)*float64(v)
	}
	mean := sum / float64(n)
	std := math.Sqrt(sq/float64(n) - mean*mean)
	alcohol := make([]float32, n)
	for i, v := range alc.Floats {
		alcohol[i] = float32((float64(v) - mean) / std)
	}
	return tfrun.Data{
		Inputs:  map[string]tfrun.Array{"chemistry": chem, "color": col},
		Outputs: map[string]tfrun.Array{"cultivar": tfrun.Ints(t.Labels), "alcohol": tfrun.Floats(alcohol)},
	}, nil
}

// model is the two-input, two-output model, compiled.
func model() (*tfrun.Model, error) {
	chem := layers.Input("chemistry", len(chemistry))
	col := layers.Input("color", len(color))
	h := layers.New("Concatenate").On(
		layers.Dense(16, layers.Activation("relu")).On(layers.New("Normalization").On(chem)), // dense
		layers.Dense(8, layers.Activation("relu")).On(layers.New("Normalization").On(col)),   // dense_1
	)
	cultivar := layers.Dense(3, layers.Activation("softmax"), layers.Name("cultivar")).On(h)
	alcohol := layers.Dense(1, layers.Name("alcohol")).On(h)
	m, err := tfrun.Functional([]layers.Node{chem, col}, []layers.Node{cultivar, alcohol})
	if err != nil {
		return nil, err
	}
	err = m.Compile(
		tfrun.Optimizer("adam", tfrun.Arg("learning_rate", 0.01)),
		tfrun.OutputLoss("cultivar", "sparse_categorical_crossentropy"),
		tfrun.OutputLoss("alcohol", "mse"),
		tfrun.LossWeights(map[string]float64{"cultivar": 1.0, "alcohol": 0.5}),
		tfrun.OutputMetrics("cultivar", "accuracy"),
		tfrun.OutputMetrics("alcohol", "mae"),
	)
	if err != nil {
		m.Close()
		return nil, err
	}
	return m, nil
}

// result is what run trained and measured.
type result struct {
	History *tfrun.History
	Logs    tfrun.Logs             // Evaluate on the table
	Pred    map[string]tfrun.Array // PredictOutputs on the table
	Data    tfrun.Data
}

func run(ctx context.Context, w io.Writer, csv string, epochs int) (*result, error) {
	data, err := wine(csv)
	if err != nil {
		return nil, err
	}
	m, err := model()
	if err != nil {
		return nil, err
	}
	defer m.Close()
	h, err := m.Fit(ctx, data, tfrun.Epochs(epochs), tfrun.BatchSize(16))
	if err != nil {
		return nil, err
	}
	summary, err := m.Summary()
	if err != nil {
		return nil, err
	}
	fmt.Fprint(w, summary)
	last := len(h.Epochs) - 1
	fmt.Fprintf(w, "epoch %d: loss %.4f, cultivar_loss %.4f, cultivar_accuracy %.4f, alcohol_loss %.4f, alcohol_mae %.4f\n",
		last+1, h.Metrics["loss"][last], h.Metrics["cultivar_loss"][last], h.Metrics["cultivar_accuracy"][last],
		h.Metrics["alcohol_loss"][last], h.Metrics["alcohol_mae"][last])
	logs, err := m.Evaluate(ctx, data)
	if err != nil {
		return nil, err
	}
	pred, err := m.PredictOutputs(ctx, data.Inputs)
	if err != nil {
		return nil, err
	}
	return &result{History: h, Logs: logs, Pred: pred, Data: data}, nil
}
