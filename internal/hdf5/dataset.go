package hdf5

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Dataset is an n-dimensional array of one DType.
type Dataset struct {
	object
	values
	layout layout
	// refused is the ErrUnsupported error of a layout or filter this reader cannot decode;
	// the dataset can still be listed and its shape and type read.
	refused error
}

// Layout classes.
const (
	Compact    = 0
	Contiguous = 1
	Chunked    = 2
)

// layout is a parsed data layout message plus the filter pipeline.
type layout struct {
	class   int
	data    []byte   // compact: the data itself
	addr    uint64   // contiguous: the data; chunked: the chunk index
	size    uint64   // contiguous: bytes
	chunk   []uint64 // chunked: chunk dimensions (without the element size dimension)
	index   uint8    // chunked: 0 for a version 1 B-tree, else layout version 4's index type
	single  uint64   // chunked, single chunk index: the filtered size (0 if unfiltered)
	filters []filter
}

type filter struct {
	id     uint16
	name   string
	params []uint32
}

var filterNames = map[uint16]string{1: "deflate", 2: "shuffle", 3: "fletcher32", 4: "szip", 5: "nbit", 6: "scaleoffset", 32000: "lzf", 32001: "blosc", 32004: "lz4", 32015: "zstd", 307: "bzip2"}

// Layout returns the storage layout: Compact, Contiguous or Chunked.
func (ds *Dataset) Layout() int { return ds.layout.class }

// ReadFloat32 reads the dataset into dst, which must hold exactly Len() values.
func (ds *Dataset) ReadFloat32(dst []float32) error {
	v, err := ds.Float32s()
	if err != nil {
		return err
	}
	if len(v) != len(dst) {
		return ds.object.err(fmt.Errorf("destination holds %d values, dataset %v has %d", len(dst), ds.Shape(), len(v)))
	}
	copy(dst, v)
	return nil
}

func (o object) dataset(msgs []message) (*Dataset, error) {
	ds := &Dataset{object: o}
	var haveType, haveSpace, haveLayout bool
	for _, m := range msgs {
		var err error
		switch m.typ {
		case msgDatatype:
			ds.dtype, _, err = parseDatatype(m.data, 0)
			haveType = true
		case msgDataspace:
			ds.space, err = o.file.parseDataspace(m.data)
			haveSpace = true
		case msgLayout:
			ds.at = m.addr
			err = o.file.parseLayout(m.data, &ds.layout)
			haveLayout = true
		case msgFilters:
			ds.layout.filters, err = parseFilters(m.data)
		}
		if errors.Is(err, ErrUnsupported) && (m.typ == msgLayout || m.typ == msgFilters) {
			ds.refused = o.file.errAt(o.path, int64(m.addr+o.file.base), err)
			err = nil
		}
		if err != nil {
			return nil, o.file.errAt(o.path, int64(m.addr+o.file.base), err)
		}
	}
	if !haveType || !haveSpace || !haveLayout {
		return nil, o.err(formatErr("dataset lacks its datatype, dataspace or layout message"))
	}
	if ds.refused == nil && ds.layout.class == Chunked && len(ds.layout.chunk) != len(ds.space.dims) {
		return nil, o.err(formatErr("chunk of rank %d for a dataspace of rank %d", len(ds.layout.chunk), len(ds.space.dims)))
	}
	ds.values.file, ds.values.path = o.file, o.path
	ds.values.raw = ds.readRaw
	return ds, nil
}

func (f *File) parseLayout(b []byte, l *layout) error {
	d := &decoder{b: b}
	version := d.u8()
	l.class = int(d.u8())
	if version == 5 {
		return unsupported("data layout message version 5 (HDF5 2.0, libver=\"latest\")")
	}
	if version != 3 && version != 4 {
		return unsupported("data layout message version %d", version)
	}
	switch l.class {
	case Compact:
		n := int(d.u16())
		l.data = d.take(n)
	case Contiguous:
		l.addr, l.size = d.uvar(f.offsetSize), d.uvar(f.lengthSize)
	case Chunked:
		encSize := 4
		if version == 4 {
			d.skip(1) // flags
		}
		rank := int(d.u8())
		if version == 4 {
			encSize = int(d.u8())
		} else {
			l.addr = d.uvar(f.offsetSize)
		}
		if rank < 1 || rank > 33 || encSize < 1 || encSize > 8 {
			return formatErr("chunked layout of rank %d", rank)
		}
		for i := 0; i < rank; i++ {
			c := d.uvar(encSize)
			if c == 0 {
				return formatErr("chunk dimension 0")
			}
			l.chunk = append(l.chunk, c)
		}
		l.chunk = l.chunk[:rank-1] // the last is the element size
		if version == 4 {
			l.index = d.u8()
			switch l.index {
			case 1: // single chunk
				if b[2]&0x02 != 0 {
					l.single = d.uvar(f.lengthSize)
					d.skip(4)
				}
			case 2:
				return unsupported("implicit chunk index")
			case 3: // fixed array
				d.skip(1) // page bits, repeated in the array's header
			case 4:
				return unsupported("extensible array chunk index (libver latest with unlimited dimensions)")
			case 5:
				return unsupported("version 2 B-tree chunk index")
			default:
				return formatErr("chunk index type %d", l.index)
			}
			l.addr = d.uvar(f.offsetSize)
		}
	case 3:
		return unsupported("virtual dataset layout")
	default:
		return formatErr("layout class %d", l.class)
	}
	return d.err
}

func parseFilters(b []byte) ([]filter, error) {
	d := &decoder{b: b}
	version := d.u8()
	n := int(d.u8())
	if version == 1 {
		d.skip(6)
	} else if version != 2 {
		return nil, formatErr("filter pipeline version %d", version)
	}
	var fs []filter
	for i := 0; i < n && d.err == nil; i++ {
		var ft filter
		ft.id = d.u16()
		nameLen := 0
		if version == 1 || ft.id >= 256 {
			nameLen = int(d.u16())
		}
		d.skip(2) // flags
		nparams := int(d.u16())
		if version == 1 {
			nameLen = (nameLen + 7) &^ 7
		}
		name := d.take(nameLen)
		if j := bytes.IndexByte(name, 0); j >= 0 {
			name = name[:j]
		}
		ft.name = string(name)
		for j := 0; j < nparams && d.err == nil; j++ {
			ft.params = append(ft.params, d.u32())
		}
		if version == 1 && nparams%2 == 1 {
			d.skip(4)
		}
		switch ft.id {
		case 1, 2, 3:
		default:
			name := filterNames[ft.id]
			if name == "" {
				name = ft.name
			}
			return nil, unsupported("filter %q (id %d); only deflate (gzip), shuffle and fletcher32 are read", name, ft.id)
		}
		fs = append(fs, ft)
	}
	return fs, d.err
}

// readRaw returns the dataset's elements as stored, in row-major order.
func (ds *Dataset) readRaw() ([]byte, error) {
	if ds.refused != nil {
		return nil, ds.refused
	}
	f, l := ds.object.file, ds.layout
	n, err := ds.space.count(f.maxDecoded() / uint64(ds.dtype.Size))
	if err != nil {
		return nil, err
	}
	total := n * uint64(ds.dtype.Size)
	switch l.class {
	case Compact:
		if uint64(len(l.data)) < total {
			return nil, formatErr("compact data of %d bytes for %d", len(l.data), total)
		}
		return l.data[:total], nil
	case Contiguous:
		if total == 0 {
			return []byte{}, nil
		}
		if l.addr == undefinedAddr {
			return make([]byte, total), nil // never written: the fill value, zero
		}
		if l.size < total {
			return nil, formatErr("contiguous data of %d bytes for %d", l.size, total)
		}
		return f.read(l.addr, total)
	}
	return ds.readChunked(total)
}

func (ds *Dataset) readChunked(total uint64) ([]byte, error) {
	f, l := ds.object.file, ds.layout
	out := make([]byte, total)
	if total == 0 || l.addr == undefinedAddr {
		return out, nil
	}
	esize := uint64(ds.dtype.Size)
	chunkBytes := esize
	for _, c := range l.chunk {
		if c > f.maxDecoded()/chunkBytes {
			return nil, formatErr("chunk %v too large", l.chunk)
		}
		chunkBytes *= c
	}
	rank := len(l.chunk)
	// Each chunk must fill a distinct cell of the chunk grid: this bounds the bytes a
	// corrupt index can make the reader decompress.
	cells := uint64(1)
	for i, c := range l.chunk {
		n := (ds.space.dims[i] + c - 1) / c
		if n != 0 && cells > f.maxDecoded()/n {
			return nil, formatErr("chunk grid of %v over %v too large", l.chunk, ds.space.dims)
		}
		cells *= n
	}
	if cells > 2*f.maxDecoded()/chunkBytes+1 {
		return nil, formatErr("chunk grid of %v over %v too large", l.chunk, ds.space.dims)
	}
	filled := map[string]bool{}
	place := func(data []byte, origin []uint64) error {
		key := fmt.Sprint(origin)
		if filled[key] {
			return formatErr("two chunks at %v", origin)
		}
		filled[key] = true
		if uint64(len(data)) != chunkBytes {
			return formatErr("chunk at %v decodes to %d bytes, want %d", origin, len(data), chunkBytes)
		}
		copyChunk(out, data, ds.space.dims, l.chunk, origin, esize)
		return nil
	}
	if l.index == 1 { // single chunk
		size := l.single
		if size == 0 {
			size = chunkBytes
		}
		raw, err := f.read(l.addr, size)
		if err != nil {
			return nil, err
		}
		data, err := ds.unfilter(raw, 0, chunkBytes)
		if err != nil {
			return nil, err
		}
		return out, place(data, make([]uint64, rank))
	}
	if l.index == 3 {
		return out, ds.fixedArrayChunks(chunkBytes, place)
	}
	keySize := uint64(8 + 8*(rank+1))
	err := f.walkBTree1(l.addr, 1, keySize, 0, map[uint64]bool{}, func(child uint64, key []byte) error {
		d := &decoder{b: key}
		size, mask := d.u32(), d.u32()
		origin := make([]uint64, rank)
		for i := range origin {
			origin[i] = d.uvar(8)
			if origin[i]%l.chunk[i] != 0 || origin[i] >= ds.space.dims[i] {
				return formatErr("chunk offset %d in dimension %d (chunk %d, size %d)", origin[i], i, l.chunk[i], ds.space.dims[i])
			}
		}
		raw, err := f.read(child, uint64(size))
		if err != nil {
			return err
		}
		data, err := ds.unfilter(raw, mask, chunkBytes)
		if err != nil {
			return fmt.Errorf("chunk at %v: %w", origin, err)
		}
		return place(data, origin)
	})
	return out, err
}

// fixedArrayChunks reads the chunks of a fixed array index (libver="latest", no unlimited
// dimension): one entry per chunk of the chunk grid, in row-major order.
func (ds *Dataset) fixedArrayChunks(chunkBytes uint64, place func([]byte, []uint64) error) error {
	f, l := ds.object.file, ds.layout
	head, err := f.read(l.addr, 8+uint64(f.lengthSize+f.offsetSize)+4)
	if err != nil {
		return err
	}
	if !bytes.HasPrefix(head, []byte("FAHD")) {
		return formatErr("fixed array header at %#x without FAHD signature", l.addr)
	}
	if err := checksum(head[:len(head)-4], binary.LittleEndian.Uint32(head[len(head)-4:])); err != nil {
		return err
	}
	d := &decoder{b: head, off: 5}
	client, entrySize, pageBits := d.u8(), uint64(d.u8()), d.u8()
	n := d.uvar(f.lengthSize)
	block := d.uvar(f.offsetSize)
	filtered := client == 1
	want := uint64(f.offsetSize)
	if filtered {
		want = entrySize
	}
	if d.err != nil || client > 1 || entrySize != want || entrySize < uint64(f.offsetSize) {
		return formatErr("fixed array header at %#x: client %d, entry size %d", l.addr, client, entrySize)
	}
	if pageBits < 64 && n > 1<<pageBits {
		return unsupported("paged fixed array chunk index (%d chunks)", n)
	}
	dims := ds.space.dims
	grid := make([]uint64, len(l.chunk))
	cells := uint64(1)
	for i, c := range l.chunk {
		grid[i] = (dims[i] + c - 1) / c
		cells *= grid[i]
	}
	if n != cells {
		return formatErr("fixed array of %d entries for %d chunks", n, cells)
	}
	prefix := 6 + uint64(f.offsetSize)
	b, err := f.read(block, prefix+n*entrySize+4)
	if err != nil {
		return err
	}
	if !bytes.HasPrefix(b, []byte("FADB")) {
		return formatErr("fixed array data block at %#x without FADB signature", block)
	}
	if err := checksum(b[:len(b)-4], binary.LittleEndian.Uint32(b[len(b)-4:])); err != nil {
		return err
	}
	d = &decoder{b: b, off: int(prefix)}
	for i := uint64(0); i < n; i++ {
		addr := d.uvar(f.offsetSize)
		size, mask := chunkBytes, uint32(0)
		if filtered {
			size = d.uvar(int(entrySize) - f.offsetSize - 4)
			mask = d.u32()
		}
		if d.err != nil {
			return d.err
		}
		if addr == undefinedAddr {
			continue // never written: zeros
		}
		origin := make([]uint64, len(grid))
		for j, rest := len(grid)-1, i; j >= 0; j-- {
			origin[j] = rest % grid[j] * l.chunk[j]
			rest /= grid[j]
		}
		raw, err := f.read(addr, size)
		if err != nil {
			return err
		}
		data, err := ds.unfilter(raw, mask, chunkBytes)
		if err != nil {
			return fmt.Errorf("chunk at %v: %w", origin, err)
		}
		if err := place(data, origin); err != nil {
			return err
		}
	}
	return nil
}

// unfilter undoes the filter pipeline, last filter first. Bit i of mask skips filter i.
func (ds *Dataset) unfilter(b []byte, mask uint32, want uint64) ([]byte, error) {
	fs := ds.layout.filters
	for i := len(fs) - 1; i >= 0; i-- {
		if i < 32 && mask&(1<<i) != 0 {
			continue
		}
		switch fs[i].id {
		case 1:
			zr, err := zlib.NewReader(bytes.NewReader(b))
			if err != nil {
				return nil, fmt.Errorf("%w: deflate: %v", ErrFormat, err)
			}
			out, err := io.ReadAll(io.LimitReader(zr, int64(want)+1))
			if err != nil {
				return nil, fmt.Errorf("%w: deflate: %v", ErrFormat, err)
			}
			b = out
		case 2:
			b = unshuffle(b, ds.dtype.Size)
		case 3:
			if len(b) < 4 {
				return nil, formatErr("fletcher32 chunk of %d bytes", len(b))
			}
			sum := binary.LittleEndian.Uint32(b[len(b)-4:])
			b = b[:len(b)-4]
			if got := fletcher32(b); got != sum {
				return nil, formatErr("fletcher32 checksum %#x, stored %#x", got, sum)
			}
		}
	}
	return b, nil
}

// fletcher32 is HDF5's H5_checksum_fletcher32 over big-endian 16-bit words.
func fletcher32(b []byte) uint32 {
	var s1, s2 uint32 = 0xffff, 0xffff
	for len(b) > 1 {
		n := min(len(b)/2, 360)
		for i := 0; i < n; i++ {
			s1 += uint32(b[0])<<8 | uint32(b[1])
			s2 += s1
			b = b[2:]
		}
		s1 = (s1 & 0xffff) + (s1 >> 16)
		s2 = (s2 & 0xffff) + (s2 >> 16)
	}
	if len(b) == 1 {
		s1 += uint32(b[0]) << 8
		s2 += s1
		s1 = (s1 & 0xffff) + (s1 >> 16)
		s2 = (s2 & 0xffff) + (s2 >> 16)
	}
	s1 = (s1 & 0xffff) + (s1 >> 16)
	s2 = (s2 & 0xffff) + (s2 >> 16)
	return s2<<16 | s1
}

// unshuffle undoes the shuffle filter: byte j of every element was stored together.
func unshuffle(b []byte, size int) []byte {
	if size <= 1 || len(b) < size {
		return b
	}
	n := len(b) / size
	out := make([]byte, len(b))
	for j := 0; j < size; j++ {
		for i := 0; i < n; i++ {
			out[i*size+j] = b[j*n+i]
		}
	}
	copy(out[n*size:], b[n*size:])
	return out
}

// copyChunk copies the part of chunk (of shape chunkDims, at origin) that lies inside the
// dataset of shape dims into out, row-major.
func copyChunk(out, chunk []byte, dims, chunkDims, origin []uint64, esize uint64) {
	rank := len(dims)
	if rank == 0 {
		copy(out, chunk)
		return
	}
	idx := make([]uint64, rank) // position inside the chunk, excluding the last dimension
	last := rank - 1
	run := min(chunkDims[last], dims[last]-origin[last]) * esize
	for {
		inside := true
		var src, dst uint64
		for i := 0; i < rank; i++ {
			if origin[i]+idx[i] >= dims[i] {
				inside = false
				break
			}
			src = src*chunkDims[i] + idx[i]
			dst = dst*dims[i] + origin[i] + idx[i]
		}
		if inside {
			copy(out[dst*esize:dst*esize+run], chunk[src*esize:])
		}
		i := last - 1
		for ; i >= 0; i-- {
			idx[i]++
			if idx[i] < chunkDims[i] {
				break
			}
			idx[i] = 0
		}
		if i < 0 {
			return
		}
	}
}
