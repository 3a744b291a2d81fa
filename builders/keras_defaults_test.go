package builders

import (
	"fmt"
	"testing"
)

// The constructors' defaults are Keras's: each is compared with the config Keras 3.15.1
// reports for the same layer built with its defaults (testdata/keras_golden.json; the
// cases named after the layer were made with no arguments but the required ones).
func TestKerasDefaults(t *testing.T) {
	cases := loadKerasGolden(t)
	gru := NewGRU("gru", 4)
	rnn := NewSimpleRNN("simple_rnn", 4)
	bi := NewBidirectional("bidirectional", NewLSTM("lstm", 4))
	maxPool := NewMaxPooling2D("max_pooling2d")
	avgPool := NewAveragePooling2D("average_pooling2d", [2]int{2, 2})
	up := NewUpSampling2D("up_sampling2d")
	ln := NewLayerNormalization("layer_normalization")
	for _, tc := range []struct {
		golden string
		want   map[string]any // Keras config key → tfrun's value
	}{
		{"gru", map[string]any{"units": gru.Units, "activation": gru.Activation, "recurrent_activation": gru.RecurrentActivation,
			"use_bias": gru.UseBias, "reset_after": gru.ResetAfter, "return_sequences": gru.ReturnSequences, "go_backwards": gru.GoBackwards}},
		{"simple_rnn", map[string]any{"units": rnn.Units, "activation": rnn.Activation, "use_bias": rnn.UseBias,
			"return_sequences": rnn.ReturnSequences, "go_backwards": rnn.GoBackwards}},
		{"bidirectional_lstm", map[string]any{"merge_mode": bi.MergeMode}},
		{"global_max_pooling1d", map[string]any{"keepdims": NewGlobalMaxPooling1D("g").Keepdims}},
		{"global_average_pooling1d", map[string]any{"keepdims": NewGlobalAveragePooling1D("g").Keepdims}},
		{"global_average_pooling2d", map[string]any{"keepdims": NewGlobalAveragePooling2D("g").Keepdims}},
		{"max_pooling2d", map[string]any{"pool_size": maxPool.PoolSize, "strides": pool2DStrides(maxPool.PoolSize, maxPool.Strides), "padding": maxPool.Padding}},
		{"average_pooling2d", map[string]any{"strides": pool2DStrides(avgPool.PoolSize, avgPool.Strides), "padding": avgPool.Padding}},
		{"up_sampling2d", map[string]any{"size": up.Size, "interpolation": up.Interpolation}},
		{"layer_normalization", map[string]any{"axis": []int{ln.Axis}, "epsilon": ln.Epsilon, "center": ln.Center, "scale": ln.Scale}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			kc, ok := cases[tc.golden]
			if !ok {
				t.Fatalf("no case %q in testdata/keras_golden.json", tc.golden)
			}
			for key, got := range tc.want {
				want, ok := kc.Config[key]
				if !ok {
					t.Errorf("Keras's config has no %q", key)
					continue
				}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("%s: tfrun %v, Keras %v", key, got, want)
				}
			}
		})
	}
}
