package configs_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/tfrun/tfrun/configs"
)

func ExampleLoad() {
	c, err := configs.Load("imdb_lstm.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	s := c.Supervised() // task classifier's section: model and train
	for _, l := range s.Model.Layers {
		switch l.Type {
		case configs.LayerEmbedding:
			fmt.Println(l.Type, l.Int("input_dim"), l.Int("output_dim"))
		case configs.LayerLSTM:
			fmt.Println(l.Type, l.Int("units"), l.String("activation"), l.String("recurrent_activation"))
		case configs.LayerDense:
			fmt.Println(l.Type, l.Int("units"), l.String("activation"))
		}
	}
	fmt.Println(s.Train.Optimizer.Type, s.Train.Optimizer.LearningRate, s.Train.HasValidation())
	// Output:
	// Embedding 20000 32
	// LSTM 32 tanh sigmoid
	// Dense 1 sigmoid
	// RMSprop 0.001 true
}

func ExampleError() {
	dir, _ := os.MkdirTemp("", "configs")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "x.yaml")
	os.WriteFile(path, []byte(`task: classifier
data: {dataset: mnist}
model:
  layers:
    - {type: Flatten}
    - {type: Dense, units: 128, activation: relu}
    - {type: Dense, units: 10, activation: relux}
train: {epochs: 1, loss: sparse_categorical_crossentropy}
`), 0o644)
	_, err := configs.Load(path)
	fmt.Println(err.(*configs.Error).Key)
	fmt.Println(err.(*configs.Error).Err)
	// Output:
	// model.layers[2].activation
	// unknown "relux" (valid: elu, exponential, gelu, gelu_approximate, hard_sigmoid, leaky_relu, linear, log_softmax, mish, relu, relu6, selu, sigmoid, silu, softmax, softplus, softsign, swish, tanh)
}

// A layer type's spec says what its arguments are and what Keras defaults them to.
func ExampleLookupLayer() {
	spec, _ := configs.LookupLayer("GRU")
	fmt.Println(spec.Type, spec.DefaultName, spec.Shapes)
	for _, a := range spec.Args[:3] {
		fmt.Println(a.Key, a.Default, a.Required)
	}
	l, _ := configs.NewLayer("gru")
	fmt.Println(l.String("activation"), l.Bool("reset_after"))
	// Output:
	// GRU gru [time, features] → [units] ([time, units] with return_sequences)
	// units <nil> true
	// activation tanh false
	// recurrent_activation sigmoid false
	// tanh true
}
