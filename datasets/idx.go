package datasets

import (
	"encoding/binary"
	"io"
	"os"
)

// IDX magic numbers (http://yann.lecun.com/exdb/mnist/): two zero bytes, the type
// byte 0x08 (unsigned byte) and the number of dimensions.
const (
	idxImagesMagic = 0x0803 // 2051: unsigned bytes, 3 dimensions (count, rows, cols)
	idxLabelsMagic = 0x0801 // 2049: unsigned bytes, 1 dimension (count)
)

// idxMaxPayload bounds the payload an IDX header may announce (16 GiB), so a
// corrupt header fails cleanly instead of overflowing or exhausting memory.
const idxMaxPayload = 1 << 34

// ReadIDXImages reads an IDX file of unsigned-byte images (magic 2051, dimensions
// count, rows, cols), gzipped or raw — gzip is recognised by its magic bytes, not
// by the file name. data holds n*rows*cols bytes, image after image, row-major.
//
// The payload must be exactly n*rows*cols bytes: a truncated file or trailing
// bytes are ErrFormat errors giving the expected and actual byte counts.
func ReadIDXImages(path string) (data []uint8, n, rows, cols int, err error) {
	dims, data, err := readIDX(path, "read IDX images", idxImagesMagic, "images (count, rows, cols)")
	if err != nil {
		return nil, 0, 0, 0, err
	}
	return data, dims[0], dims[1], dims[2], nil
}

// ReadIDXLabels reads an IDX file of unsigned-byte labels (magic 2049, one
// dimension: count), gzipped or raw, with the same checks as ReadIDXImages.
func ReadIDXLabels(path string) ([]uint8, error) {
	_, data, err := readIDX(path, "read IDX labels", idxLabelsMagic, "labels (count)")
	return data, err
}

// readIDX reads one IDX file whose magic must be wantMagic; the low byte of the
// magic is the number of big-endian int32 dimensions that follow it.
func readIDX(path, op string, wantMagic uint32, what string) (dims []int, data []byte, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, wrapIOError(op, path, err)
	}
	defer f.Close()
	r, err := decompressed(f)
	if err != nil {
		return nil, nil, newError(op, path, ErrFormat, "gzip header: %w", err)
	}
	ndims := int(wantMagic & 0xff)
	header := make([]byte, 4*(1+ndims))
	readHeader := func(part []byte, have int) error {
		got, err := io.ReadFull(r, part)
		if err == io.ErrUnexpectedEOF || err == io.EOF {
			return newError(op, path, ErrFormat, "file has %d bytes, shorter than the %d-byte IDX header of %s", have+got, len(header), what)
		}
		if err != nil {
			return newError(op, path, ErrFormat, "reading the IDX header: %w", err)
		}
		return nil
	}
	if err := readHeader(header[:4], 0); err != nil {
		return nil, nil, err
	}
	if magic := binary.BigEndian.Uint32(header); magic != wantMagic {
		return nil, nil, newError(op, path, ErrFormat, "magic number %d (%#08x), want %d (%#08x: IDX unsigned-byte %s)%s",
			magic, magic, wantMagic, wantMagic, what, idxMagicHint(magic))
	}
	if err := readHeader(header[4:], 4); err != nil {
		return nil, nil, err
	}
	size := int64(1)
	dims = make([]int, ndims)
	for i := range dims {
		d := int64(int32(binary.BigEndian.Uint32(header[4*(i+1):])))
		if d < 0 || (i > 0 && d == 0) {
			return nil, nil, newError(op, path, ErrFormat, "dimension %d is %d, want > 0 (the count may be 0)", i, d)
		}
		if d > 0 && size > idxMaxPayload/d {
			return nil, nil, newError(op, path, ErrFormat, "dimension %d is %d: the header announces more than %d bytes", i, d, int64(idxMaxPayload))
		}
		size *= d
		dims[i] = int(d)
	}
	data, got, err := readExactly(r, size)
	if err != nil {
		return nil, nil, newError(op, path, ErrFormat, "after %d payload bytes: %w", got, err)
	}
	if got < size {
		return nil, nil, newError(op, path, ErrFormat, "truncated: payload is %d bytes, want exactly %d for %s %v", got, size, what, dims)
	}
	if got > size {
		return nil, nil, newError(op, path, ErrFormat, "trailing data: payload is %d bytes, want exactly %d for %s %v", got, size, what, dims)
	}
	return dims, data, nil
}

// idxMagicHint explains the common mix-up of an images file for a labels file.
func idxMagicHint(magic uint32) string {
	switch magic {
	case idxImagesMagic:
		return "; this is an images file"
	case idxLabelsMagic:
		return "; this is a labels file"
	}
	return ""
}

// readExactly reads want bytes from r and then counts any bytes that remain.
// got is the total number of bytes r delivered; data holds the first
// min(got, want) of them. Memory grows with the data actually read, so a header
// announcing too much does not allocate it up front.
func readExactly(r io.Reader, want int64) (data []byte, got int64, err error) {
	const firstChunk = 64 << 20
	data = make([]byte, 0, min(want, firstChunk))
	for int64(len(data)) < want {
		if len(data) == cap(data) {
			grown := make([]byte, len(data), min(want, 2*int64(cap(data))))
			copy(grown, data)
			data = grown
		}
		n, err := r.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			return data, int64(len(data)), nil
		}
		if err != nil {
			return data, int64(len(data)), err
		}
	}
	extra, err := io.Copy(io.Discard, r)
	return data, want + extra, err
}
