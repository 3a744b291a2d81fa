package hdf5_test

import (
	"fmt"
	"log"

	"github.com/tfrun/tfrun/internal/hdf5"
)

// Reading a Keras legacy .h5 file: the layer names, and one layer's kernel.
func Example() {
	f, err := hdf5.Open("testdata/legacy.h5")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	weights, err := f.Root().Group("model_weights")
	if err != nil {
		log.Fatal(err)
	}
	names, err := weights.Attr("layer_names")
	if err != nil {
		log.Fatal(err)
	}
	layers, err := names.Strings()
	if err != nil {
		log.Fatal(err)
	}
	kernel, err := weights.Dataset("dense/dense/kernel")
	if err != nil {
		log.Fatal(err)
	}
	values, err := kernel.Float32s()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(layers)
	fmt.Println(kernel.DType(), kernel.Shape(), len(values))
	// Output:
	// [input_layer conv input_layer_1 bn embed flatten lstm dense head]
	// float32 [108 4] 432
}
