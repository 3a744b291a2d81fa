package export

import (
	"strconv"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/configs"
)

// builtinData describes what a model trained on a built-in data set takes and predicts.
type builtinData struct {
	image   builders.Shape // [height, width, channels]; nil for text
	classes []string       // class names by label
}

// builtins are the data sets export knows: IMDB's labels (keras.datasets.imdb: 0
// negative, 1 positive) and the image sets' shapes and class names (as the Keras
// documentation of keras.datasets lists them).
var builtins = map[string]builtinData{
	configs.DatasetIMDB:  {classes: []string{"negative", "positive"}},
	configs.DatasetMNIST: {image: builders.Shape{28, 28, 1}, classes: digits()},
	configs.DatasetFashionMNIST: {image: builders.Shape{28, 28, 1}, classes: []string{
		"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}},
	configs.DatasetCIFAR10: {image: builders.Shape{32, 32, 3}, classes: []string{
		"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"}},
}

func digits() []string {
	d := make([]string, 10)
	for i := range d {
		d[i] = strconv.Itoa(i)
	}
	return d
}

// classNames are n class names for a data set: its own when it has n, else "0".."n-1".
func classNames(dataset string, n int) []string {
	if c := builtins[dataset].classes; len(c) == n {
		return c
	}
	names := make([]string, n)
	for i := range names {
		names[i] = strconv.Itoa(i)
	}
	return names
}
