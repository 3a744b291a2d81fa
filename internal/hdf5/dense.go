package hdf5

import (
	"bytes"
	"math/bits"
)

// denseLinks reads the links of a new-style group from a link info message: nothing when the
// links are link messages in the header, else the fractal heap its name index points into.
func (f *File) denseLinks(b []byte, links map[string]link) error {
	d := &decoder{b: b}
	d.skip(1)
	if d.u8()&1 != 0 {
		d.skip(8) // maximum creation index
	}
	heapAddr, nameIndex := d.uvar(f.offsetSize), d.uvar(f.offsetSize)
	if d.err != nil {
		return d.err
	}
	if heapAddr == undefinedAddr {
		return nil
	}
	heap, err := f.fractalHeap(heapAddr)
	if err != nil {
		return err
	}
	return f.walkBTree2(nameIndex, 5, func(rec []byte) error {
		obj, err := heap.object(rec[4:])
		if err != nil {
			return err
		}
		return f.parseLink(obj, links)
	})
}

// fractalHeap is the part of a fractal heap header needed to find managed and tiny objects.
type fractalHeap struct {
	f          *File
	addr       uint64
	idLen      int
	width      uint64
	startBlock uint64
	maxDirect  uint64
	offBytes   int // bytes of a heap offset in IDs and block headers
	lenBytes   int // bytes of an object length in IDs
	rootAddr   uint64
	rootRows   uint64
	checksums  bool
}

func (f *File) fractalHeap(addr uint64) (*fractalHeap, error) {
	b, err := f.readUpTo(addr, 512)
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(b, []byte("FRHP")) {
		return nil, formatErr("fractal heap at %#x without FRHP signature", addr)
	}
	d := &decoder{b: b, off: 5}
	h := &fractalHeap{f: f, addr: addr}
	h.idLen = int(d.u16())
	filterLen := d.u16()
	flags := d.u8()
	h.checksums = flags&0x02 != 0
	maxManaged := uint64(d.u32())
	d.skip(f.lengthSize + f.offsetSize + f.lengthSize + f.offsetSize + 8*f.lengthSize)
	h.width = uint64(d.u16())
	h.startBlock = d.uvar(f.lengthSize)
	h.maxDirect = d.uvar(f.lengthSize)
	maxHeapBits := int(d.u16())
	d.skip(2) // starting rows of the root indirect block
	h.rootAddr = d.uvar(f.offsetSize)
	h.rootRows = uint64(d.u16())
	if d.err != nil {
		return nil, d.err
	}
	if filterLen != 0 {
		return nil, unsupported("fractal heap with I/O filters")
	}
	pow2 := func(v uint64) bool { return v != 0 && v&(v-1) == 0 }
	if !pow2(h.width) || !pow2(h.startBlock) || !pow2(h.maxDirect) || h.maxDirect < h.startBlock ||
		h.maxDirect > uint64(f.size)+1<<16 || maxHeapBits < 1 || maxHeapBits > 64 || h.rootRows > 64 {
		return nil, formatErr("fractal heap at %#x: table width %d, block sizes %d..%d, %d offset bits",
			addr, h.width, h.startBlock, h.maxDirect, maxHeapBits)
	}
	h.offBytes = (maxHeapBits + 7) / 8
	// H5HF__hdr_finish_init_phase1: the smaller of the bytes for a direct block offset and
	// for the largest managed object.
	h.lenBytes = min((bits.Len64(h.maxDirect)-1+7)/8, (max(bits.Len64(maxManaged), 1)-1)/8+1)
	return h, nil
}

// rowSize is the size of the blocks in row r of the doubling table.
func (h *fractalHeap) rowSize(r uint64) uint64 {
	if r == 0 {
		return h.startBlock
	}
	return h.startBlock << (r - 1)
}

// maxDirectRows is the number of rows whose blocks are direct blocks.
func (h *fractalHeap) maxDirectRows() uint64 {
	return uint64(bits.Len64(h.maxDirect)-bits.Len64(h.startBlock)) + 2
}

// object returns the bytes of the object a heap ID names.
func (h *fractalHeap) object(id []byte) ([]byte, error) {
	if len(id) < 1 {
		return nil, formatErr("empty heap ID")
	}
	switch (id[0] >> 4) & 3 {
	case 0: // managed
	case 2: // tiny: the object is in the ID
		n := int(id[0]&0x0f) + 1
		if n > len(id)-1 {
			return nil, formatErr("tiny heap object of %d bytes in a %d-byte ID", n, len(id))
		}
		return id[1 : 1+n], nil
	default:
		return nil, unsupported("huge fractal heap object")
	}
	d := &decoder{b: id, off: 1}
	off, n := d.uvar(h.offBytes), d.uvar(h.lenBytes)
	if d.err != nil {
		return nil, d.err
	}
	block, blockOff, err := h.directBlock(off)
	if err != nil {
		return nil, err
	}
	rel := off - blockOff
	if rel > uint64(len(block)) || n > uint64(len(block))-rel {
		return nil, formatErr("heap object at %d (+%d) outside its block", off, n)
	}
	return block[rel : rel+n], nil
}

// directBlock finds and reads the direct block holding heap offset off; it returns the
// block and the heap offset of its first byte.
func (h *fractalHeap) directBlock(off uint64) ([]byte, uint64, error) {
	addr, rows, base := h.rootAddr, h.rootRows, uint64(0)
	if rows == 0 {
		b, err := h.f.read(addr, h.startBlock)
		return b, 0, err
	}
	for depth := 0; depth < maxTreeDepth; depth++ {
		if off < base {
			return nil, 0, formatErr("heap offset %d", off)
		}
		rel := off - base
		var r, rowStart uint64
		for r = 0; r < rows; r++ {
			span := h.width * h.rowSize(r)
			if rel < rowStart+span {
				break
			}
			rowStart += span
		}
		if r == rows {
			return nil, 0, formatErr("heap offset %d beyond its indirect block", off)
		}
		col := (rel - rowStart) / h.rowSize(r)
		entry := r*h.width + col
		directRows := min(rows, h.maxDirectRows())
		// Entries: direct block addresses for the first rows, then indirect ones.
		head := 5 + uint64(h.f.offsetSize) + uint64(h.offBytes)
		b, err := h.f.read(addr, head+(rows*h.width)*uint64(h.f.offsetSize))
		if err != nil {
			return nil, 0, err
		}
		if !bytes.HasPrefix(b, []byte("FHIB")) {
			return nil, 0, formatErr("fractal heap indirect block at %#x without FHIB signature", addr)
		}
		d := &decoder{b: b, off: int(head + entry*uint64(h.f.offsetSize))}
		child := d.uvar(h.f.offsetSize)
		if d.err != nil {
			return nil, 0, d.err
		}
		childBase := base + rowStart + col*h.rowSize(r)
		if r < directRows {
			blk, err := h.f.read(child, h.rowSize(r))
			return blk, childBase, err
		}
		addr, base = child, childBase
		rows = uint64(bits.Len64(h.rowSize(r))-bits.Len64(h.startBlock*h.width)) + 1
	}
	return nil, 0, formatErr("fractal heap deeper than %d levels", maxTreeDepth)
}

// walkBTree2 visits every record of the version 2 B-tree at addr, whose records are of type typ.
func (f *File) walkBTree2(addr uint64, typ uint8, visit func(rec []byte) error) error {
	b, err := f.readUpTo(addr, 64)
	if err != nil {
		return err
	}
	if !bytes.HasPrefix(b, []byte("BTHD")) {
		return formatErr("B-tree v2 header at %#x without BTHD signature", addr)
	}
	d := &decoder{b: b, off: 5}
	if t := d.u8(); t != typ {
		return formatErr("B-tree v2 at %#x of type %d, want %d", addr, t, typ)
	}
	nodeSize := uint64(d.u32())
	recSize := uint64(d.u16())
	depth := int(d.u16())
	d.skip(2)
	root := d.uvar(f.offsetSize)
	rootRecs := uint64(d.u16())
	if d.err != nil {
		return d.err
	}
	if recSize == 0 || nodeSize < 10+recSize || nodeSize > uint64(f.size) || depth > maxTreeDepth {
		return formatErr("B-tree v2 at %#x: node size %d, record size %d, depth %d", addr, nodeSize, recSize, depth)
	}
	// Sizes of the child pointers' record counts, as H5B2__hdr_init computes them.
	encSize := func(v uint64) int { return bits.Len64(v)/8 + 1 }
	maxRec := make([]uint64, depth+1)
	cumMax := make([]uint64, depth+1)
	cumSize := make([]int, depth+1)
	maxRec[0] = (nodeSize - 10) / recSize
	cumMax[0] = maxRec[0]
	maxRecSize := encSize(maxRec[0])
	ptrSize := func(u int) int {
		s := f.offsetSize + maxRecSize
		if u > 1 {
			s += cumSize[u-1]
		}
		return s
	}
	for u := 1; u <= depth; u++ {
		ps := uint64(ptrSize(u))
		if nodeSize < 10+ps {
			return formatErr("B-tree v2 at %#x: node size %d too small", addr, nodeSize)
		}
		maxRec[u] = (nodeSize - 10 - ps) / (recSize + ps)
		cumMax[u] = (maxRec[u]+1)*cumMax[u-1] + maxRec[u]
		cumSize[u] = encSize(cumMax[u])
	}
	seen := map[uint64]bool{}
	var walk func(addr uint64, nrec uint64, depth int) error
	walk = func(addr uint64, nrec uint64, depth int) error {
		if seen[addr] {
			return formatErr("B-tree v2 node %#x visited twice", addr)
		}
		seen[addr] = true
		if nrec > maxRec[depth] {
			return formatErr("B-tree v2 node %#x with %d records (at most %d)", addr, nrec, maxRec[depth])
		}
		b, err := f.read(addr, nodeSize)
		if err != nil {
			return err
		}
		sig := "BTLF"
		if depth > 0 {
			sig = "BTIN"
		}
		if !bytes.HasPrefix(b, []byte(sig)) {
			return formatErr("B-tree v2 node at %#x without %s signature", addr, sig)
		}
		d := &decoder{b: b, off: 6}
		recs := make([][]byte, nrec)
		for i := range recs {
			recs[i] = d.take(int(recSize))
		}
		type child struct{ addr, nrec uint64 }
		var children []child
		if depth > 0 {
			for i := uint64(0); i <= nrec; i++ {
				c := child{d.uvar(f.offsetSize), d.uvar(maxRecSize)}
				if depth > 1 {
					d.skip(cumSize[depth-1])
				}
				children = append(children, c)
			}
		}
		if d.err != nil {
			return d.err
		}
		if err := checksum(b[:d.off], (&decoder{b: b[d.off:]}).u32()); err != nil {
			return err
		}
		for i, rec := range recs {
			if depth > 0 {
				if err := walk(children[i].addr, children[i].nrec, depth-1); err != nil {
					return err
				}
			}
			if err := visit(rec); err != nil {
				return err
			}
		}
		if depth > 0 {
			return walk(children[nrec].addr, children[nrec].nrec, depth-1)
		}
		return nil
	}
	if root == undefinedAddr || rootRecs == 0 {
		return nil
	}
	return walk(root, rootRecs, depth)
}
