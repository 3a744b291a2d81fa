package configs

// LayerTimeDistributed is Keras's TimeDistributed wrapper.
const LayerTimeDistributed = "TimeDistributed"

// timeDistributedLayers are the layer types TimeDistributed wraps: those that compute
// each example on its own, so that applying them to every step at once (the steps folded
// into the batch) is Keras's step-by-step loop. BatchNormalization (batch statistics per
// step in Keras) and the recurrent layers are left out.
var timeDistributedLayers = []string{LayerDense, LayerActivation, LayerAveragePooling2D, LayerConv2D,
	LayerConv2DTranspose, LayerCropping2D, LayerDepthwiseConv2D, LayerDropout, LayerELU, LayerFlatten,
	LayerGlobalAveragePooling2D, LayerGlobalMaxPooling2D, LayerLayerNormalization, LayerLeakyReLU,
	LayerMaxPooling2D, LayerPReLU, LayerReLU, LayerSeparableConv2D, LayerSoftmax, LayerUpSampling2D,
	LayerZeroPadding2D}

func init() {
	registerLayer(LayerSpec{
		Type: LayerTimeDistributed,
		Doc: "applies a layer to every step of a sequence (every frame of a video), with one set of weights " +
			"(time_distributed/<layer>/kernel …)",
		Shapes: "[time, ...] → [time, the wrapped layer's output for ...]",
		Args: []Arg{
			{Key: "layer", Kind: KindLayer, Required: true, Layers: timeDistributedLayers,
				Note: "BatchNormalization and recurrent layers are not supported inside TimeDistributed",
				Doc:  "the layer, a nested mapping: {type: Dense, units: 8}"},
		},
		OutputShape: func(l *Layer, in Shape) (Shape, error) {
			if len(in) < 2 || in[0] <= 0 {
				return nil, shapeErr(in, "(None, time, ...) with a fixed number of steps")
			}
			out, err := l.Wrapped().OutputShape(in[1:], false)
			if err != nil {
				if ae, ok := err.(*layerArgError); ok {
					return nil, argErr("layer."+ae.key, "%s", ae.msg)
				}
				return nil, err
			}
			return append(Shape{in[0]}, out...), nil
		},
		Example: Shape{3, 6, 6, 2},
		Weights: func(l *Layer, in Shape) []Tensor {
			w := l.Wrapped()
			if w.Spec().Weights == nil {
				return nil
			}
			return w.Spec().Weights(w, in[1:])
		},
		Kept: func(l *Layer, in, out Shape) []Tensor {
			w := l.Wrapped()
			if w.Spec().Kept == nil {
				return nil
			}
			var kept []Tensor
			for _, t := range w.Spec().Kept(w, in[1:], out[1:]) {
				t.Dims = append(Shape{in[0]}, t.Dims...)
				kept = append(kept, t)
			}
			return kept
		},
	})
}
