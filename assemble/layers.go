package assemble

import (
	"fmt"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/configs"
)

// kerasNames are the default layer names Keras derives from class names.
var kerasNames = map[string]string{
	configs.LayerEmbedding:          "embedding",
	configs.LayerLSTM:               "lstm",
	configs.LayerDense:              "dense",
	configs.LayerDropout:            "dropout",
	configs.LayerConv1D:             "conv1d",
	configs.LayerMaxPooling1D:       "max_pooling1d",
	configs.LayerConv2D:             "conv2d",
	configs.LayerConv2DTranspose:    "conv2d_transpose",
	configs.LayerBatchNormalization: "batch_normalization",
	configs.LayerLeakyReLU:          "leaky_re_lu",
	configs.LayerReshape:            "reshape",
	configs.LayerFlatten:            "flatten",
	configs.LayerActivation:         "activation",
}

// Namer hands out Keras's default names: dense, dense_1, dense_2, ... One Namer per
// model (a GAN's network and its branches share one).
type Namer map[string]int

func (n Namer) name(l configs.Layer) string {
	if l.Name != "" {
		return l.Name
	}
	base := kerasNames[l.Type]
	if base == "" {
		base = l.Type
	}
	k := n[base]
	n[base]++
	if k == 0 {
		return base
	}
	return fmt.Sprintf("%s_%d", base, k)
}

// Layers turns config layers into builders' layers, naming them with names. An error
// names the layer as layers[i].
func Layers(ls []configs.Layer, names Namer) ([]builders.Layer, error) {
	var out []builders.Layer
	for i, l := range ls {
		name := names.name(l)
		var b builders.Layer
		switch l.Type {
		case configs.LayerEmbedding:
			b = builders.NewEmbedding(name, l.InputDim, l.OutputDim)
		case configs.LayerLSTM:
			if l.Activation != "tanh" || l.RecurrentActivation != "sigmoid" || !l.UnitForgetBias || !l.UseBias ||
				l.Dropout != 0 || l.RecurrentDropout != 0 {
				return nil, fmt.Errorf("layers[%d] (LSTM): only Keras's default activations, unit_forget_bias, use_bias and no in-cell dropout are supported", i)
			}
			lstm := builders.NewLSTM(name, l.Units)
			lstm.ReturnSequences = l.ReturnSequences
			b = lstm
		case configs.LayerDense:
			if l.KernelInitializer != "glorot_uniform" || l.BiasInitializer != "zeros" {
				return nil, fmt.Errorf("layers[%d] (Dense): only the default initializers are supported", i)
			}
			d := builders.NewDense(name, l.Units, l.Activation)
			d.UseBias = l.UseBias
			b = d
		case configs.LayerDropout:
			b = builders.NewDropout(name, l.Rate)
		case configs.LayerConv1D:
			c := builders.NewConv1D(name, l.Filters, l.KernelSize, l.Activation)
			c.Strides, c.Padding, c.UseBias = l.Strides, l.Padding, l.UseBias
			b = c
		case configs.LayerMaxPooling1D:
			m := builders.NewMaxPooling1D(name, l.PoolSize)
			m.Strides, m.Padding = l.Strides, l.Padding
			b = m
		case configs.LayerConv2D:
			c := builders.NewConv2D(name, l.Filters, l.KernelSize2D, l.Strides2D, l.Padding)
			c.Activation, c.UseBias = l.Activation, l.UseBias
			b = c
		case configs.LayerConv2DTranspose:
			c := builders.NewConv2DTranspose(name, l.Filters, l.KernelSize2D, l.Strides2D, l.Padding)
			c.Activation, c.UseBias = l.Activation, l.UseBias
			b = c
		case configs.LayerBatchNormalization:
			bn := builders.NewBatchNormalization(name)
			bn.Momentum, bn.Epsilon, bn.Center, bn.Scale = l.Momentum, l.Epsilon, l.Center, l.Scale
			b = bn
		case configs.LayerLeakyReLU:
			b = builders.NewLeakyReLU(name, l.NegativeSlope)
		case configs.LayerReshape:
			b = builders.NewReshape(name, l.TargetShape...)
		case configs.LayerFlatten:
			b = builders.NewFlatten(name)
		case configs.LayerActivation:
			b = builders.NewActivation(name, l.Activation)
		case configs.LayerConcatenate:
			// The join of a conditional network's branches (builders.Network), on the
			// channel axis.
			if l.Axis != -1 {
				return nil, fmt.Errorf("layers[%d] (Concatenate): axis %d: only -1 (the channel axis) is supported", i, l.Axis)
			}
			continue
		default:
			return nil, fmt.Errorf("layers[%d]: layer type %s is not supported yet", i, l.Type)
		}
		out = append(out, b)
	}
	return out, nil
}

// ChooseLSTMImplementations gives every LSTM the implementation that trains faster at the
// run's batch size (builders.LSTMImplementationFor). Both compute the same function.
func ChooseLSTMImplementations(layers []builders.Layer, batchSize int) {
	for _, l := range layers {
		if lstm, ok := l.(*builders.LSTM); ok && lstm.Implementation == "" {
			lstm.Implementation = builders.LSTMImplementationFor(batchSize)
		}
	}
}
