package datasets

// ScaleToTanh maps pixels to [-1, 1] as (x - 127.5) / 127.5, computed in float32
// like (x.astype("float32") - 127.5) / 127.5 in the DCGAN examples whose generator
// ends in tanh: 0 → -1, 255 → 1.
func ScaleToTanh(u []uint8) []float32 {
	var table [256]float32
	for i := range table {
		table[i] = (float32(i) - 127.5) / 127.5
	}
	return lookup(u, &table)
}

// ScaleToUnit maps pixels to [0, 1] as x / 255, computed in float32 like
// x.astype("float32") / 255: 0 → 0, 255 → 1.
func ScaleToUnit(u []uint8) []float32 {
	var table [256]float32
	for i := range table {
		table[i] = float32(i) / 255
	}
	return lookup(u, &table)
}

// lookup maps every byte of u through table.
func lookup(u []uint8, table *[256]float32) []float32 {
	out := make([]float32, len(u))
	for i, x := range u {
		out[i] = table[x]
	}
	return out
}

// ScaleFloatsToUnit maps decoded pixels p in [0, 255] to [0, 1] in place, as x / 255
// in float32 (Keras's Rescaling(1./255)).
func ScaleFloatsToUnit(p []float32) {
	for i, v := range p {
		p[i] = v / 255
	}
}

// ScaleFloatsToTanh maps decoded pixels p in [0, 255] to [-1, 1] in place, as
// (x - 127.5) / 127.5 in float32.
func ScaleFloatsToTanh(p []float32) {
	for i, v := range p {
		p[i] = (v - 127.5) / 127.5
	}
}
