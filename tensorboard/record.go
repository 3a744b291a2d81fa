package tensorboard

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// Sentinel errors a damaged record wraps; see RecordError.
var (
	// ErrTruncated means the stream ended inside a record, as it does when a
	// writer crashed mid-write. The records before it are intact.
	ErrTruncated = errors.New("tensorboard: truncated record")
	// ErrCorrupt means a record's length or data does not match its checksum.
	ErrCorrupt = errors.New("tensorboard: corrupt record")
)

// A RecordError reports a damaged record: where it starts in the stream and
// what is wrong with it. Err is ErrTruncated or ErrCorrupt.
type RecordError struct {
	Path   string // the file, if known
	Offset int64  // byte offset of the record's first byte
	Err    error  // ErrTruncated or ErrCorrupt
	Detail string // what was found, e.g. "have 5 of 12 header bytes"
}

func (e *RecordError) Error() string {
	if e.Path != "" {
		return fmt.Sprintf("%v in %s at byte %d: %s", e.Err, e.Path, e.Offset, e.Detail)
	}
	return fmt.Sprintf("%v at byte %d: %s", e.Err, e.Offset, e.Detail)
}

func (e *RecordError) Unwrap() error { return e.Err }

// A TFRecord is framed as
//
//	uint64 length (little endian)
//	uint32 masked CRC32C of the 8 length bytes
//	length bytes of data
//	uint32 masked CRC32C of the data
const (
	headerSize = 8 + 4
	footerSize = 4
	// maskDelta is added to a rotated CRC so that a CRC stored inside data
	// that is itself checksummed does not make the outer CRC degenerate.
	maskDelta = 0xa282ead8
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// crc32c returns the CRC-32C (Castagnoli) checksum of b.
func crc32c(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

// mask rotates crc right by 15 bits and adds maskDelta, as TFRecord stores it.
func mask(crc uint32) uint32 { return (crc>>15 | crc<<17) + maskDelta }

// unmask inverts mask.
func unmask(m uint32) uint32 {
	rot := m - maskDelta
	return rot>>17 | rot<<15
}

// WriteRecord writes data to w as one TFRecord: its length, the masked CRC32C
// of the length, the data and the masked CRC32C of the data.
func WriteRecord(w io.Writer, data []byte) error {
	var header [headerSize]byte
	binary.LittleEndian.PutUint64(header[:8], uint64(len(data)))
	binary.LittleEndian.PutUint32(header[8:], mask(crc32c(header[:8])))
	var footer [footerSize]byte
	binary.LittleEndian.PutUint32(footer[:], mask(crc32c(data)))
	if _, err := w.Write(header[:]); err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		return err
	}
	_, err := w.Write(footer[:])
	return err
}

// A RecordReader reads TFRecords from a stream and verifies both checksums
// of each.
type RecordReader struct {
	r      *bufio.Reader
	offset int64 // offset of the next record
	err    error // sticky error
}

// NewRecordReader returns a RecordReader reading from r.
func NewRecordReader(r io.Reader) *RecordReader {
	return &RecordReader{r: bufio.NewReader(r)}
}

// Next returns the data of the next record, in a new slice the caller owns.
// At the clean end of the stream it returns io.EOF. A stream that ends inside
// a record yields a *RecordError wrapping ErrTruncated; a checksum mismatch, a
// *RecordError wrapping ErrCorrupt. Errors are sticky: once Next returns an
// error, it returns the same error on every later call.
func (rr *RecordReader) Next() ([]byte, error) {
	if rr.err != nil {
		return nil, rr.err
	}
	data, err := rr.next()
	if err != nil {
		rr.err = err
		return nil, err
	}
	return data, nil
}

// Offset returns the byte offset just past the last record Next returned
// whole: the length of the stream's intact prefix.
func (rr *RecordReader) Offset() int64 { return rr.offset }

func (rr *RecordReader) next() ([]byte, error) {
	start := rr.offset
	damaged := func(err error, format string, args ...any) error {
		return &RecordError{Offset: start, Err: err, Detail: fmt.Sprintf(format, args...)}
	}

	var header [headerSize]byte
	n, err := io.ReadFull(rr.r, header[:])
	switch {
	case err == io.EOF:
		return nil, io.EOF
	case err == io.ErrUnexpectedEOF:
		return nil, damaged(ErrTruncated, "have %d of %d header bytes", n, headerSize)
	case err != nil:
		return nil, err
	}
	length := binary.LittleEndian.Uint64(header[:8])
	if got, want := binary.LittleEndian.Uint32(header[8:]), mask(crc32c(header[:8])); got != want {
		return nil, damaged(ErrCorrupt, "length checksum is 0x%08x, want 0x%08x", got, want)
	}

	// Read through a LimitReader so that a damaged length that happens to
	// pass its checksum cannot make us allocate it all up front.
	data, err := io.ReadAll(io.LimitReader(rr.r, int64(min(length, 1<<62))))
	if err != nil {
		return nil, err
	}
	if uint64(len(data)) < length {
		return nil, damaged(ErrTruncated, "have %d of %d data bytes", len(data), length)
	}
	var footer [footerSize]byte
	n, err = io.ReadFull(rr.r, footer[:])
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return nil, damaged(ErrTruncated, "have %d of %d data checksum bytes", n, footerSize)
	case err != nil:
		return nil, err
	}
	if got, want := binary.LittleEndian.Uint32(footer[:]), mask(crc32c(data)); got != want {
		return nil, damaged(ErrCorrupt, "data checksum is 0x%08x, want 0x%08x", got, want)
	}
	rr.offset += headerSize + int64(length) + footerSize
	return data, nil
}
