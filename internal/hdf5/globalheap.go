package hdf5

import "bytes"

// vlenString resolves a variable-length string reference: a length, a global heap
// collection address and an object index.
func (f *File) vlenString(ref []byte) (string, error) {
	d := &decoder{b: ref}
	n := uint64(d.u32())
	addr := d.uvar(f.offsetSize)
	index := d.u32()
	if d.err != nil {
		return "", d.err
	}
	if n == 0 {
		return "", nil
	}
	objs, err := f.globalHeap(addr)
	if err != nil {
		return "", err
	}
	obj, ok := objs[uint16(index)]
	if !ok || index > 0xffff {
		return "", formatErr("global heap %#x has no object %d", addr, index)
	}
	if n > uint64(len(obj)) {
		return "", formatErr("string of %d bytes in a heap object of %d", n, len(obj))
	}
	return string(obj[:n]), nil
}

// globalHeap reads (once) the objects of the global heap collection at addr.
func (f *File) globalHeap(addr uint64) (map[uint16][]byte, error) {
	if objs, ok := f.globalHeaps[addr]; ok {
		return objs, nil
	}
	head, err := f.read(addr, 8+uint64(f.lengthSize))
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(head, []byte("GCOL")) {
		return nil, formatErr("global heap at %#x without GCOL signature", addr)
	}
	d := &decoder{b: head, off: 8}
	size := d.uvar(f.lengthSize)
	b, err := f.read(addr, size)
	if err != nil {
		return nil, err
	}
	d = &decoder{b: b, off: 8 + f.lengthSize}
	objs := map[uint16][]byte{}
	for d.remaining() >= 8+f.lengthSize {
		index := d.u16()
		d.skip(6) // reference count, reserved
		n := d.uvar(f.lengthSize)
		if index == 0 {
			break // free space runs to the end
		}
		if n > uint64(d.remaining()) {
			return nil, formatErr("global heap object %d of %d bytes overruns its collection", index, n)
		}
		objs[index] = d.take(int(n))
		d.align(8)
	}
	if d.err != nil {
		return nil, d.err
	}
	f.globalHeaps[addr] = objs
	return objs, nil
}
