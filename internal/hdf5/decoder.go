package hdf5

import "encoding/binary"

// decoder reads little-endian fields from a byte slice. After the first short read it keeps
// returning zeros and remembers the error, so callers check err once after a group of fields.
type decoder struct {
	b   []byte
	off int
	err error
}

func (d *decoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.b)-d.off {
		d.err = formatErr("structure ends early (need %d bytes at %d of %d)", n, d.off, len(d.b))
		return nil
	}
	s := d.b[d.off : d.off+n]
	d.off += n
	return s
}

func (d *decoder) skip(n int) { d.take(n) }

func (d *decoder) u8() uint8 {
	s := d.take(1)
	if s == nil {
		return 0
	}
	return s[0]
}

func (d *decoder) u16() uint16 {
	s := d.take(2)
	if s == nil {
		return 0
	}
	return binary.LittleEndian.Uint16(s)
}

func (d *decoder) u32() uint32 {
	s := d.take(4)
	if s == nil {
		return 0
	}
	return binary.LittleEndian.Uint32(s)
}

// uvar reads an unsigned little-endian integer of n bytes (n ≤ 8).
func (d *decoder) uvar(n int) uint64 {
	if n > 8 {
		d.err = formatErr("integer field of %d bytes", n)
		return 0
	}
	s := d.take(n)
	var v uint64
	for i := len(s) - 1; i >= 0; i-- {
		v = v<<8 | uint64(s[i])
	}
	return v
}

func (d *decoder) remaining() int { return len(d.b) - d.off }

// align moves to the next multiple of n from the start of the slice.
func (d *decoder) align(n int) {
	if r := d.off % n; r != 0 {
		d.skip(n - r)
	}
}
