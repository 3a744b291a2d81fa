package hdf5

import "bytes"

// Header message types used by this reader.
const (
	msgDataspace    = 0x01
	msgLinkInfo     = 0x02
	msgDatatype     = 0x03
	msgLink         = 0x06
	msgLayout       = 0x08
	msgFilters      = 0x0B
	msgAttribute    = 0x0C
	msgContinuation = 0x10
	msgSymbolTable  = 0x11
	msgAttrInfo     = 0x15
)

// message is one object header message.
type message struct {
	typ   uint16
	flags uint8
	data  []byte
	addr  uint64 // address of data, for errors
}

// maxHeaderBlocks bounds the continuation blocks of one object header.
const maxHeaderBlocks = 1 << 12

// readHeader reads the messages of the object header at addr, following continuations.
func (f *File) readHeader(addr uint64) ([]message, error) {
	prefix, err := f.readUpTo(addr, 16)
	if err != nil {
		return nil, err
	}
	if bytes.HasPrefix(prefix, []byte("OHDR")) {
		return f.readHeaderV2(addr)
	}
	d := &decoder{b: prefix}
	version := d.u8()
	if version != 1 {
		return nil, formatErr("object header version %d (want 1, or the OHDR signature)", version)
	}
	d.skip(1)
	nmsgs := int(d.u16())
	d.skip(4) // reference count
	size := uint64(d.u32())
	if d.err != nil {
		return nil, d.err
	}
	var msgs []message
	blocks := []struct{ addr, size uint64 }{{addr + 16, size}}
	seen := map[uint64]bool{}
	for i := 0; i < len(blocks); i++ {
		if i >= maxHeaderBlocks || seen[blocks[i].addr] {
			return nil, formatErr("object header continuation loop")
		}
		seen[blocks[i].addr] = true
		b, err := f.read(blocks[i].addr, blocks[i].size)
		if err != nil {
			return nil, err
		}
		d := &decoder{b: b}
		for d.remaining() >= 8 {
			typ, msize, flags := d.u16(), int(d.u16()), d.u8()
			d.skip(3)
			at := blocks[i].addr + uint64(d.off)
			data := d.take(msize)
			if d.err != nil {
				return nil, d.err
			}
			d.align(8)
			if flags&0x02 != 0 && typ != msgContinuation {
				return nil, unsupported("shared object header message (type %#x)", typ)
			}
			if typ == msgContinuation {
				c := &decoder{b: data}
				blocks = append(blocks, struct{ addr, size uint64 }{c.uvar(f.offsetSize), c.uvar(f.lengthSize)})
				if c.err != nil {
					return nil, c.err
				}
				continue
			}
			msgs = append(msgs, message{typ: typ, flags: flags, data: data, addr: at})
		}
	}
	if len(msgs) > nmsgs {
		return nil, formatErr("object header holds %d messages, says %d", len(msgs), nmsgs)
	}
	return msgs, nil
}

func (f *File) readHeaderV2(addr uint64) ([]message, error) {
	head, err := f.readUpTo(addr, 4+2+16+4+8)
	if err != nil {
		return nil, err
	}
	d := &decoder{b: head}
	d.skip(4)
	if v := d.u8(); v != 2 {
		return nil, formatErr("object header version %d after OHDR", v)
	}
	flags := d.u8()
	if flags&0x20 != 0 {
		d.skip(16) // access, modification, change, birth times
	}
	if flags&0x10 != 0 {
		d.skip(4) // attribute phase change values
	}
	size := d.uvar(1 << (flags & 3))
	if d.err != nil {
		return nil, d.err
	}
	prefixLen := uint64(d.off)
	if size > uint64(f.size) {
		return nil, formatErr("object header chunk of %d bytes", size)
	}
	var msgs []message
	type block struct{ addr, size, skip uint64 }
	blocks := []block{{addr, prefixLen + size + 4, prefixLen}}
	seen := map[uint64]bool{}
	for i := 0; i < len(blocks); i++ {
		bl := blocks[i]
		if i >= maxHeaderBlocks || seen[bl.addr] {
			return nil, formatErr("object header continuation loop")
		}
		seen[bl.addr] = true
		if bl.size < bl.skip+4 {
			return nil, formatErr("object header block of %d bytes", bl.size)
		}
		b, err := f.read(bl.addr, bl.size)
		if err != nil {
			return nil, err
		}
		if i > 0 && !bytes.HasPrefix(b, []byte("OCHK")) {
			return nil, formatErr("continuation block without OCHK signature")
		}
		body := b[:len(b)-4]
		if err := checksum(body, (&decoder{b: b[len(b)-4:]}).u32()); err != nil {
			return nil, err
		}
		d := &decoder{b: body, off: int(bl.skip)}
		hlen := 4
		if flags&0x04 != 0 {
			hlen = 6
		}
		for d.remaining() >= hlen {
			typ, msize, mflags := uint16(d.u8()), int(d.u16()), d.u8()
			if flags&0x04 != 0 {
				d.skip(2) // creation order
			}
			at := bl.addr + uint64(d.off)
			data := d.take(msize)
			if d.err != nil {
				return nil, d.err
			}
			if mflags&0x02 != 0 && typ != msgContinuation {
				return nil, unsupported("shared object header message (type %#x)", typ)
			}
			if typ == msgContinuation {
				c := &decoder{b: data}
				a, n := c.uvar(f.offsetSize), c.uvar(f.lengthSize)
				if c.err != nil {
					return nil, c.err
				}
				blocks = append(blocks, block{a, n, 4})
				continue
			}
			msgs = append(msgs, message{typ: typ, flags: mflags, data: data, addr: at})
		}
	}
	return msgs, nil
}
