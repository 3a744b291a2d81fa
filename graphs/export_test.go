package graphs

// SetTransposedConvMinChannels lets the external tests take the sub-pixel path with few
// channels (small enough for finite differences); the returned func restores the value.
func SetTransposedConvMinChannels(n int64) (restore func()) {
	old := transposedConvMinChannels
	transposedConvMinChannels = n
	return func() { transposedConvMinChannels = old }
}

// SetBatchContractedAnyStride makes the filter gradient take its Conv2D form at every
// stride; the returned func restores the default.
func SetBatchContractedAnyStride(on bool) (restore func()) {
	old := batchContractedAnyStride
	batchContractedAnyStride = on
	return func() { batchContractedAnyStride = old }
}
