package assemble

import (
	"fmt"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/configs"
)

// Namer hands out Keras's default names: dense, dense_1, dense_2, ... (each layer type's
// configs.LayerSpec.DefaultName). One Namer per model (a GAN's network and its branches
// share one).
type Namer map[string]int

func (n Namer) name(l *configs.Layer) string {
	if l.Name != "" {
		return l.Name
	}
	base := l.Type
	if spec := l.Spec(); spec != nil {
		base = spec.DefaultName
	}
	k := n[base]
	n[base]++
	if k == 0 {
		return base
	}
	return fmt.Sprintf("%s_%d", base, k)
}

// Layers turns config layers into builders' layers (builders.FromConfig), naming them with
// names; a wrapper's layer is made and named first, as Keras constructs it first. Each
// layer is validated first (configs.Layer.Validate: Load did, but a config may have been
// built or changed in Go), an error being an ErrModelConfig. An error names the layer as
// layers[i].
func Layers(ls []configs.Layer, names Namer) ([]builders.Layer, error) {
	var out []builders.Layer
	for i := range ls {
		if err := ls[i].Validate(); err != nil {
			return nil, ModelErrorf("layers[%d] (%s): %w", i, ls[i].Type, err)
		}
		b, err := layer(&ls[i], names)
		if err != nil {
			return nil, fmt.Errorf("layers[%d] (%s): %w", i, ls[i].Type, err)
		}
		out = append(out, b)
	}
	return out, nil
}

// layer makes one layer, a wrapped one first.
func layer(l *configs.Layer, names Namer) (builders.Layer, error) {
	var wrapped builders.Layer
	if w := l.Wrapped(); w != nil {
		var err error
		if wrapped, err = layer(w, names); err != nil {
			return nil, fmt.Errorf("layer: %w", err)
		}
	}
	b, err := builders.FromConfig(l, names.name(l), wrapped)
	if err == nil && l.Frozen && !builders.Freeze(b) {
		err = fmt.Errorf("%s: trainable: false: this layer cannot be frozen", l.Type)
	}
	return b, err
}

// ChooseLSTMImplementations gives every LSTM (a Bidirectional's included) the
// implementation that trains faster at the run's batch size: with ownKernels
// builders.LSTMImplementationWithKernels (tfrun's cell kernels), otherwise
// builders.LSTMImplementationFor. All compute the same function.
func ChooseLSTMImplementations(layers []builders.Layer, batchSize int, ownKernels bool) {
	choose := builders.LSTMImplementationFor
	if ownKernels {
		choose = builders.LSTMImplementationWithKernels
	}
	for _, l := range layers {
		if b, ok := l.(*builders.Bidirectional); ok {
			l = b.Layer
		}
		if lstm, ok := l.(*builders.LSTM); ok && lstm.Implementation == "" {
			lstm.Implementation = choose(batchSize)
		}
	}
}
