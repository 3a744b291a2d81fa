package layers

// Dense is keras.layers.Dense(units): a densely connected layer.
func Dense(units int, opts ...Option) Layer {
	return New("Dense", append([]Option{Arg("units", units)}, opts...)...)
}

// Dropout is keras.layers.Dropout(rate).
func Dropout(rate float64, opts ...Option) Layer {
	return New("Dropout", append([]Option{Arg("rate", rate)}, opts...)...)
}

// Embedding is keras.layers.Embedding(input_dim, output_dim): token ids to vectors; a
// model that starts with it takes int32 token ids.
func Embedding(inputDim, outputDim int, opts ...Option) Layer {
	return New("Embedding", append([]Option{Arg("input_dim", inputDim), Arg("output_dim", outputDim)}, opts...)...)
}

// LSTM is keras.layers.LSTM(units).
func LSTM(units int, opts ...Option) Layer {
	return New("LSTM", append([]Option{Arg("units", units)}, opts...)...)
}

// Conv2D is keras.layers.Conv2D(filters, kernel_size) with a square kernel.
func Conv2D(filters, kernelSize int, opts ...Option) Layer {
	return New("Conv2D", append([]Option{Arg("filters", filters), Arg("kernel_size", kernelSize)}, opts...)...)
}

// MaxPooling2D is keras.layers.MaxPooling2D() (pool_size 2 unless set).
func MaxPooling2D(opts ...Option) Layer { return New("MaxPooling2D", opts...) }

// Flatten is keras.layers.Flatten().
func Flatten(opts ...Option) Layer { return New("Flatten", opts...) }
