package builders

import (
	"math"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
)

// Stacks of the recurrent, pooling and normalisation layers train: Scope.Gradients reaches
// every trainable variable through the layers' Calls (BlockLSTMV2's custom gradient
// behind Bidirectional's ReverseV2 included), in float32 as a training run builds them,
// and the gradients are finite and not all zero.
func TestLayerStacksDifferentiable(t *testing.T) {
	seqGRU := NewGRU("gru", 4)
	seqGRU.ReturnSequences = true
	seqLSTM := NewLSTM("lstm", 3)
	seqLSTM.ReturnSequences = true
	seqRNN := NewSimpleRNN("simple_rnn", 5)
	seqRNN.ReturnSequences = true
	for _, tc := range []struct {
		name   string
		in     Shape
		layers []Layer
	}{
		{"recurrent_stack", Shape{6, 3}, []Layer{
			NewBidirectional("bidirectional", seqLSTM), NewSpatialDropout1D("spatial_dropout1d", 0.2),
			NewLayerNormalization("layer_normalization"), NewBidirectional("bidirectional_1", seqGRU),
			seqRNN, NewGlobalMaxPooling1D("global_max_pooling1d"), NewDense("dense", 1, "sigmoid")}},
		{"bidirectional_simple_rnn", Shape{6, 3}, []Layer{
			NewBidirectional("bidirectional", NewSimpleRNN("simple_rnn", 2)), NewDense("dense", 1, "")}},
		{"gru_layer_normalization", Shape{6, 3}, []Layer{
			NewGRU("gru", 2), NewLayerNormalization("layer_normalization"), NewDense("dense", 1, "")}},
		{"image", Shape{5, 6, 2}, []Layer{
			NewUpSampling2D("up_sampling2d"), NewConv2D("conv2d", 4, [2]int{3, 3}, [2]int{1, 1}, "same"),
			NewMaxPooling2D("max_pooling2d"), NewAveragePooling2D("average_pooling2d", [2]int{2, 2}),
			NewLayerNormalization("layer_normalization"), NewGlobalAveragePooling2D("global_average_pooling2d"),
			NewDense("dense", 1, "")}},
		{"conv1d_global_average", Shape{6, 3}, []Layer{
			NewConv1D("conv1d", 4, 3, "relu"), NewGlobalAveragePooling1D("global_average_pooling1d"), NewDense("dense", 1, "")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := graphs.NewGraph(tf.Float, 9)
			s := g.Root()
			m := NewSequential("", tc.layers...)
			if err := m.Build(s, tc.in); err != nil {
				t.Fatal(err)
			}
			x := s.Placeholder("x", tf.Float, append([]int64{-1}, int64s(tc.in)...)...)
			y, _ := m.Call(x, true)
			loss := op.Sum(s.Op("Sum"), op.Square(s.Op("Square"), y), s.Const([]int32{0, 1}))
			vars := m.TrainableVariables()
			xs := make([]tf.Output, len(vars))
			for i, v := range vars {
				xs[i] = v.Value()
			}
			grads, err := s.Gradients(loss, xs)
			if err != nil {
				t.Fatal(err)
			}
			sess, err := graphs.NewSession(g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
			if err != nil {
				t.Fatal(err)
			}
			defer sess.Close()
			if err := sess.InitVariables(); err != nil {
				t.Fatal(err)
			}
			n := 3 * tc.in.Size()
			vals := make([]float32, n)
			for i := range vals {
				vals[i] = float32(math.Sin(float64(i)))
			}
			xt, err := graphs.NewTensor(vals, append([]int64{3}, int64s(tc.in)...)...)
			if err != nil {
				t.Fatal(err)
			}
			out, err := sess.Run(map[tf.Output]*tf.Tensor{x: xt}, grads)
			if err != nil {
				t.Fatal(err)
			}
			for i, gt := range out {
				nonzero := false
				for _, v := range graphs.Float64s(gt) {
					if math.IsNaN(v) || math.IsInf(v, 0) {
						t.Fatalf("gradient of %s: %v", vars[i].Name, v)
					}
					nonzero = nonzero || v != 0
				}
				if !nonzero {
					t.Errorf("gradient of %s is all zeros", vars[i].Name)
				}
			}
		})
	}
}
