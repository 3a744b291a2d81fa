package configs

// LayerBidirectional is Keras's Bidirectional wrapper.
const LayerBidirectional = "Bidirectional"

// Bidirectional's merge modes (Keras's, without None, which gives two outputs).
const (
	MergeConcat = "concat"
	MergeSum    = "sum"
	MergeMul    = "mul"
	MergeAve    = "ave"
)

func init() {
	registerLayer(LayerSpec{
		Type: LayerBidirectional,
		Doc:  "runs a copy of a recurrent layer forwards and one backwards (forward_<name>, backward_<name>) and merges them",
		Shapes: "[time, features] → the wrapped layer's output with its last axis doubled (concat) or not; " +
			"with return_sequences, step t of both halves belongs to input step t",
		Args: []Arg{
			{Key: "layer", Kind: KindLayer, Required: true, Layers: []string{LayerGRU, LayerLSTM, LayerSimpleRNN},
				Doc: "the recurrent layer, a nested mapping: {type: LSTM, units: 64}"},
			{Key: "merge_mode", Kind: KindString, Default: MergeConcat, Choices: []string{MergeConcat, MergeSum, MergeMul, MergeAve},
				Note: "None (two outputs) is not supported", Doc: "how the two outputs combine"},
		},
		Check: func(l *Layer) error {
			if w := l.Wrapped(); w != nil {
				if _, ok := w.Spec().Arg("go_backwards"); ok && w.Bool("go_backwards") {
					return argErr("layer.go_backwards", "must be false: the backward copy reads backwards")
				}
			}
			return nil
		},
		OutputShape: func(l *Layer, in Shape) (Shape, error) {
			out, err := l.Wrapped().OutputShape(in, false)
			if err != nil {
				if ae, ok := err.(*layerArgError); ok {
					return nil, argErr("layer."+ae.key, "%s", ae.msg)
				}
				return nil, err
			}
			if l.String("merge_mode") == MergeConcat {
				n, ok := mulInt(out[len(out)-1], 2)
				if !ok {
					return nil, argErr("layer.units", "%d: both directions' outputs concatenated overflow int64", out[len(out)-1])
				}
				out[len(out)-1] = n
			}
			return out, nil
		},
		Example: Shape{3, 2},
		Weights: func(l *Layer, in Shape) []Tensor {
			return bothDirections(l.Wrapped().Spec().Weights(l.Wrapped(), in))
		},
		Kept: func(l *Layer, in, out Shape) []Tensor {
			w := l.Wrapped()
			wout, _ := w.OutputShape(in, false)
			return bothDirections(append(w.Spec().Kept(w, in, wout), Tensor{Name: "output", Dims: wout}))
		},
	})
}

// bothDirections are a wrapped layer's tensors for its forward and its backward copy.
func bothDirections(ts []Tensor) []Tensor {
	var out []Tensor
	for _, dir := range []string{"forward_", "backward_"} {
		for _, t := range ts {
			t.Name = dir + t.Name
			out = append(out, t)
		}
	}
	return out
}
