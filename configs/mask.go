package configs

// Masks, Keras's _keras_mask: a boolean [batch, steps] beside a tensor that marks its
// padded steps (false). Embedding(mask_zero) and Masking make one; each layer then
// consumes it, passes it on, or drops it, as its Keras class does (supports_masking and
// compute_mask, keras/src/layers/layer.py): a layer without supports_masking drops the
// mask silently, as Keras 3 does.

// How a layer treats the mask of its input (MaskRule).
const (
	MaskDrops    = "drops"    // the output has no mask (Keras: supports_masking False)
	MaskPasses   = "passes"   // the output has the input's mask (the merge layers: Keras 3's Merge.compute_mask, the OR of their inputs' masks, none if an input has none)
	MaskMakes    = "makes"    // makes a mask (Embedding with mask_zero, Masking)
	MaskConsumes = "consumes" // uses the mask; the output has none (GlobalAveragePooling1D; a recurrent layer without return_sequences)
	MaskUses     = "uses"     // uses the mask and passes it on (a recurrent layer with return_sequences; attention: the query's)
)

// maskRules are the Keras classes whose outputs keep or make a mask, and what they do
// with it; every other layer drops it. The rules come from Keras 3.15.1's classes
// (builders/testdata/make_mask_rules.py records each class's supports_masking and
// compute_mask; a test checks this table against it).
var maskRules = map[string]string{
	// supports_masking with Layer.compute_mask: the mask passes unchanged.
	"Dense": MaskPasses, "Dropout": MaskPasses, "SpatialDropout1D": MaskPasses, "Activation": MaskPasses,
	"LeakyReLU": MaskPasses, "ReLU": MaskPasses, "PReLU": MaskPasses, "ELU": MaskPasses, "Softmax": MaskPasses,
	"LayerNormalization": MaskPasses, "BatchNormalization": MaskPasses, "GaussianNoise": MaskPasses,
	"GaussianDropout": MaskPasses, "Identity": MaskPasses, "TimeDistributed": MaskPasses,
	"Rescaling": MaskPasses, "Normalization": MaskPasses,
	// Merge.compute_mask: the OR of the inputs' masks; none when an input has none.
	"Add": MaskPasses, "Subtract": MaskPasses, "Multiply": MaskPasses, "Average": MaskPasses,
	"Maximum": MaskPasses, "Minimum": MaskPasses,
	// Concatenate.compute_mask: the inputs' masks concatenated along its axis.
	"Concatenate": MaskPasses,
	// Their own compute_mask.
	"Embedding": MaskMakes, "Masking": MaskMakes,
	// keras_hub's: the token embedding's mask set on the sum (set_keras_mask).
	"TokenAndPositionEmbedding": MaskMakes,
	"GlobalAveragePooling1D":    MaskConsumes,
	"LSTM":                      MaskUses, "GRU": MaskUses, "SimpleRNN": MaskUses, "Bidirectional": MaskUses,
	"MultiHeadAttention": MaskUses, "Attention": MaskUses,
}

// MaskRule says what a layer type does with a mask on its input: one of MaskDrops,
// MaskPasses, MaskMakes, MaskConsumes, MaskUses.
func MaskRule(typ string) string {
	if r, ok := maskRules[typ]; ok {
		return r
	}
	return MaskDrops
}

// maskRuleDoc is the layer reference's words for a type's rule.
func maskRuleDoc(typ string) string {
	switch MaskRule(typ) {
	case MaskPasses:
		if typ == "Concatenate" {
			return "passes (its inputs' masks joined as Keras does: the OR along the features, concatenated along the steps)"
		}
		if spec, ok := LookupLayer(typ); ok && spec.Merge {
			return "passes (the OR of its inputs' masks; none if an input has none)"
		}
		return "passes"
	case MaskMakes:
		if typ == "Embedding" || typ == "TokenAndPositionEmbedding" {
			return "makes one with mask_zero"
		}
		return "makes"
	case MaskConsumes:
		return "consumes (averages unmasked steps)"
	case MaskUses:
		switch typ {
		case "MultiHeadAttention", "Attention":
			return "uses (masked keys ignored), passes the query's"
		}
		return "uses (skips masked steps), passes with return_sequences"
	}
	return "drops"
}
