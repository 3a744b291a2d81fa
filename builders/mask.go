package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

// Masks are Keras's: a boolean [batch, steps] beside a tensor [batch, steps, ...], false
// at padded steps. Embedding(mask_zero) and Masking make one; a model (Sequential,
// Functional) carries each tensor's mask to the layers called on it, which consume it,
// pass it on or drop it as configs.MaskRule says their Keras class does. A model without
// a mask-making layer builds exactly the graph it built before masks existed.

// MaskedLayer is a layer that reads or makes masks (configs.MaskRule "makes", "consumes"
// or "uses"): Embedding, Masking, GlobalAveragePooling1D, the recurrent layers and the
// attention layers.
type MaskedLayer interface {
	Layer
	// CallMasked calls the layer on xs (one tensor, or a merge layer's several), masks[i]
	// being the mask of xs[i] (a zero Output when it has none), and returns the output and
	// its mask (a zero Output for none).
	CallMasked(xs, masks []tf.Output, training bool) (out, mask tf.Output)
}

// callMasked calls layer l on xs with their masks, as Keras's Layer.__call__ does: a
// MaskedLayer gets them; any other layer is called as usual and its output keeps the
// input's mask (a merge layer's: Keras 3's rule, mergeMasks) when its Keras class passes
// masks on (configs.MaskPasses), none otherwise.
// A layer set to SetInferenceCall is called in inference mode.
func callMasked(s *graphs.Scope, l Layer, xs, masks []tf.Output, training bool) (out, mask tf.Output) {
	training = callTraining(l, training)
	if ml, ok := l.(MaskedLayer); ok {
		return ml.CallMasked(xs, masks, training)
	}
	if ml, ok := l.(MergeLayer); ok {
		out = ml.CallMerge(xs, training)
	} else {
		out = l.Call(xs[0], training)
	}
	if configs.MaskRule(l.Type()) != configs.MaskPasses {
		return out, tf.Output{}
	}
	if _, ok := l.(MergeLayer); ok {
		return out, mergeMasks(s, masks)
	}
	return out, andMasks(s, masks)
}

// mergeMasks is Keras 3's Merge.compute_mask (Add, Subtract, Multiply, Average, Maximum,
// Minimum): no mask when any input has none, else the OR of the masks. So an Add of masked
// token embeddings and an unmasked position embedding has no mask, as in Keras 3.15.1
// (Keras 2 ANDed the masks it had, ignoring unmasked inputs).
func mergeMasks(s *graphs.Scope, masks []tf.Output) tf.Output {
	var out tf.Output
	for _, m := range masks {
		switch {
		case m.Op == nil:
			return tf.Output{}
		case out.Op == nil:
			out = m
		default:
			out = op.LogicalOr(s.Op("LogicalOr"), out, m)
		}
	}
	return out
}

// andMasks is the AND of the masks given (attention's query and key masks), a zero Output
// when none is.
func andMasks(s *graphs.Scope, masks []tf.Output) tf.Output {
	var out tf.Output
	for _, m := range masks {
		switch {
		case m.Op == nil:
		case out.Op == nil:
			out = m
		default:
			out = op.LogicalAnd(s.Op("LogicalAnd"), out, m)
		}
	}
	return out
}

// firstMask is masks[0], or a zero Output.
func firstMask(masks []tf.Output) tf.Output {
	if len(masks) == 0 {
		return tf.Output{}
	}
	return masks[0]
}

// maskAsFloat is mask [batch, steps] as 1s and 0s of the type s computes in, with a
// trailing axis of 1: [batch, steps, 1], to multiply [batch, steps, features] by.
func maskAsFloat(s *graphs.Scope, mask tf.Output) tf.Output {
	m := op.Cast(s.Op("Cast"), mask, s.DType())
	return op.ExpandDims(s.Op("ExpandDims"), m, s.Const(int32(-1)))
}
