package configs

import (
	"fmt"
	"slices"
)

// LayerConcatenate is Keras's Concatenate: a merge layer of functional models (a
// conditional GAN network's join of its label and noise or image branches).
const LayerConcatenate = "Concatenate"

func init() {
	registerLayer(LayerSpec{
		Type:      LayerConcatenate,
		Doc:       "joins its inputs along axis",
		Shapes:    "tensors of one rank, equal but along axis → one, their sizes along axis summed",
		Merge:     true,
		MinInputs: 1,
		Args: []Arg{
			{Key: "axis", Kind: KindInt, Default: -1, Samples: []any{1},
				Doc: "the axis joined along, Keras's numbering (0 is the batch axis, which cannot be joined; -1 the last)"},
		},
		MergeShape: func(l *Layer, ins []Shape) (Shape, error) {
			axis := l.Int("axis")
			out := slices.Clone(ins[0])
			a, err := kerasAxis("axis", axis, len(out)+1)
			if err != nil {
				return nil, err
			}
			for _, s := range ins[1:] {
				if len(s) != len(out) {
					return nil, fmt.Errorf("inputs of ranks %d and %d: Concatenate joins tensors of one rank (%v and %v)", len(ins[0])+1, len(s)+1, ins[0], s)
				}
				for i := range s {
					if i != a && s[i] != out[i] {
						return nil, fmt.Errorf("inputs %v and %v differ on axis %d, not only on the joined axis %d", ins[0], s, i+1, axis)
					}
				}
				var ok bool
				if out[a], ok = addInt(out[a], s[a]); !ok {
					return nil, fmt.Errorf("joining %v overflows int64", ins)
				}
			}
			return out, nil
		},
	})
}
