package graphs

// IsOwnOp reports whether opType is one of tfrun's own kernels (OpLSTMCell,
// OpLSTMCellGrad, OpDropoutMask, OpLeakyReluGrad): a graph holding one runs only in a process that
// registered them, never in Python TensorFlow or TensorFlow Serving.
func IsOwnOp(opType string) bool {
	switch opType {
	case OpLSTMCell, OpLSTMCellGrad, OpDropoutMask, OpLeakyReluGrad:
		return true
	}
	return false
}
