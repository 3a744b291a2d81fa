package hdf5

import (
	"bytes"
	"io"
	"os"
)

// MaxExpansion bounds the decoded size of a dataset or attribute: at most MaxExpansion times
// the file size plus 1 MiB. Deflate cannot compress better than about 1032:1, so no honest
// file exceeds it except a chunked dataset left mostly unwritten, which Keras never saves.
const MaxExpansion = 1100

var signature = []byte("\x89HDF\r\n\x1a\n")

const undefinedAddr = ^uint64(0)

// File is an open HDF5 file. Its methods may be called from one goroutine at a time.
type File struct {
	r           io.ReaderAt
	size        int64
	name        string
	closer      io.Closer
	base        uint64 // base address: every address in the file is relative to it
	offsetSize  int    // bytes in an address ("size of offsets")
	lengthSize  int    // bytes in a length ("size of lengths")
	rootAddr    uint64 // object header of the root group
	globalHeaps map[uint64]map[uint16][]byte
	links       map[uint64]map[string]link // each group's links, by object header address
}

// Open opens the HDF5 file at path. Close it when done.
func Open(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	h, err := openReader(f, st.Size(), path, true)
	if err != nil {
		f.Close()
		return nil, err
	}
	h.closer = f
	return h, nil
}

// OpenReader reads an HDF5 file of size bytes from r, such as a zip entry read into memory
// with bytes.NewReader.
func OpenReader(r io.ReaderAt, size int64) (*File, error) {
	return openReader(r, size, "", true)
}

// Close closes the file opened by Open; it does nothing for OpenReader.
func (f *File) Close() error {
	if f.closer != nil {
		return f.closer.Close()
	}
	return nil
}

// Root returns the root group, "/".
func (f *File) Root() *Group {
	return &Group{object{file: f, path: "/", addr: f.rootAddr}}
}

func openReader(r io.ReaderAt, size int64, name string, checkEOF bool) (*File, error) {
	f := &File{r: r, size: size, name: name, globalHeaps: map[uint64]map[uint16][]byte{}, links: map[uint64]map[string]link{}}
	// The superblock sits at 0, 512, 1024, 2048, ... after an optional user block.
	for off := int64(0); off+8 <= size; off = max(512, off*2) {
		sig, err := f.readAbs(off, 8)
		if err != nil {
			return nil, f.errAt("", off, err)
		}
		if bytes.Equal(sig, signature) {
			if err := f.readSuperblock(off, checkEOF); err != nil {
				return nil, f.errAt("", off, err)
			}
			return f, nil
		}
	}
	return nil, f.errAt("", -1, formatErr("no HDF5 signature"))
}

func (f *File) readSuperblock(off int64, checkEOF bool) error {
	head, err := f.readAbs(off, min(f.size-off, 256))
	if err != nil {
		return err
	}
	d := &decoder{b: head}
	d.skip(8)
	version := d.u8()
	var eof uint64 // end-of-file address: the size the file had when written
	switch version {
	case 0, 1:
		d.skip(3) // free-space, root symbol table and reserved versions
		d.skip(1) // shared header message format version
		f.offsetSize, f.lengthSize = int(d.u8()), int(d.u8())
		d.skip(1)
		d.skip(2 + 2 + 4) // group leaf/internal K, consistency flags
		if version == 1 {
			d.skip(4) // indexed storage K and reserved
		}
		if err := f.checkSizes(); err != nil {
			return err
		}
		f.base = d.uvar(f.offsetSize)
		d.skip(f.offsetSize) // free space
		eof = d.uvar(f.offsetSize)
		d.skip(f.offsetSize) // driver info
		// Root group symbol table entry: link name offset, object header address, ...
		d.skip(f.offsetSize)
		f.rootAddr = d.uvar(f.offsetSize)
	case 2, 3:
		f.offsetSize, f.lengthSize = int(d.u8()), int(d.u8())
		d.skip(1) // consistency flags
		if err := f.checkSizes(); err != nil {
			return err
		}
		f.base = d.uvar(f.offsetSize)
		d.skip(f.offsetSize) // superblock extension
		eof = d.uvar(f.offsetSize)
		f.rootAddr = d.uvar(f.offsetSize)
		if d.err == nil {
			if err := checksum(head[:d.off], d.u32()); err != nil {
				return err
			}
		}
	default:
		return unsupported("superblock version %d", version)
	}
	if d.err != nil {
		return d.err
	}
	if end := f.base + eof; checkEOF && (end < eof || end > uint64(f.size)) {
		return formatErr("file truncated: it ends at %d bytes, its superblock says %d", f.size, end)
	}
	if f.base != uint64(off) && f.base != 0 {
		return formatErr("base address %#x with superblock at %#x", f.base, off)
	}
	return nil
}

func (f *File) checkSizes() error {
	for _, s := range []int{f.offsetSize, f.lengthSize} {
		if s != 2 && s != 4 && s != 8 {
			return formatErr("size of offsets/lengths %d (want 2, 4 or 8)", s)
		}
	}
	return nil
}

// readAbs reads n bytes at absolute file offset off, checking the bounds first.
func (f *File) readAbs(off, n int64) ([]byte, error) {
	if off < 0 || n < 0 || off > f.size || n > f.size-off {
		return nil, formatErr("read of %d bytes at %#x beyond the file's %d bytes", n, off, f.size)
	}
	b := make([]byte, n)
	if _, err := f.r.ReadAt(b, off); err != nil && !(err == io.EOF && off+n == f.size) {
		return nil, err
	}
	return b, nil
}

// read reads n bytes at file address addr (relative to the base address).
func (f *File) read(addr uint64, n uint64) ([]byte, error) {
	if addr == undefinedAddr {
		return nil, formatErr("undefined address")
	}
	abs := addr + f.base
	if abs < addr || abs > uint64(f.size) || n > uint64(f.size) {
		return nil, formatErr("address %#x (+%d bytes) beyond the file's %d bytes", addr, n, f.size)
	}
	return f.readAbs(int64(abs), int64(n))
}

// readUpTo reads up to n bytes at addr, fewer if the file ends first.
func (f *File) readUpTo(addr uint64, n uint64) ([]byte, error) {
	abs := addr + f.base
	if addr == undefinedAddr || abs < addr || abs >= uint64(f.size) {
		return nil, formatErr("address %#x beyond the file's %d bytes", addr, f.size)
	}
	return f.readAbs(int64(abs), int64(min(n, uint64(f.size)-abs)))
}

func (f *File) errAt(path string, off int64, err error) error {
	if e, ok := err.(*Error); ok {
		return e
	}
	return &Error{File: f.name, Path: path, Offset: off, Err: err}
}

// maxDecoded is the largest dataset or attribute size, in bytes, this file may decode to.
func (f *File) maxDecoded() uint64 {
	return uint64(f.size)*MaxExpansion + 1<<20
}
