package datasets

import "fmt"

// PadSequences packs variable-length sequences into one row-major [len(seqs),
// maxlen] matrix with the defaults of keras.utils.pad_sequences:
// padding="pre" (short sequences get PadIndex (0) in front), truncating="pre"
// (long sequences keep their last maxlen elements), value=0.
//
// maxlen must be positive; Keras's maxlen=None (the longest sequence) is spelled
// here by passing that length.
func PadSequences(seqs [][]int32, maxlen int) ([]int32, error) {
	if maxlen <= 0 {
		return nil, &Error{Op: "pad sequences", Err: fmt.Errorf("%w: maxlen is %d, want > 0", ErrInvalidArgument, maxlen)}
	}
	out := make([]int32, len(seqs)*maxlen)
	for i, s := range seqs {
		if len(s) > maxlen {
			s = s[len(s)-maxlen:]
		}
		copy(out[(i+1)*maxlen-len(s):], s)
	}
	return out, nil
}
