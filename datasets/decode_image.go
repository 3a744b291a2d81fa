package datasets

// DecodeImage is LoadImage for an image file's bytes already in memory (a PNG, JPEG, GIF
// or BMP): decoded, converted to o.ColorMode and resized to o.ImageSize exactly as
// LoadImage reads the same bytes from a file. Errors wrap ErrFormat as LoadImage's do.
func DecodeImage(data []byte, o ImageLoadOptions) (*Image, error) {
	const op = "decode image"
	l, err := o.resolve()
	if err != nil {
		return nil, &Error{Op: op, Err: err}
	}
	img, err := decodeImage(data, l)
	if err != nil {
		return nil, &Error{Op: op, Err: err}
	}
	return img, nil
}
