package graphs

// SetTransposedConvMinChannels lets the external tests take the sub-pixel path with few
// channels (small enough for finite differences); the returned func restores the value.
func SetTransposedConvMinChannels(n int64) (restore func()) {
	old := transposedConvMinChannels
	transposedConvMinChannels = n
	return func() { transposedConvMinChannels = old }
}
