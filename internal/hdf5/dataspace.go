package hdf5

// dataspace is a parsed dataspace message: nil dims for a scalar, null for no data.
type dataspace struct {
	dims []uint64
	null bool
}

func (f *File) parseDataspace(b []byte) (dataspace, error) {
	d := &decoder{b: b}
	version := d.u8()
	rank := int(d.u8())
	flags := d.u8()
	var s dataspace
	switch version {
	case 1:
		d.skip(5)
	case 2:
		switch d.u8() {
		case 0: // scalar
		case 1: // simple
		case 2:
			s.null = true
		default:
			return s, formatErr("dataspace type")
		}
	default:
		return s, formatErr("dataspace version %d", version)
	}
	if rank > 32 {
		return s, formatErr("dataspace of rank %d", rank)
	}
	for i := 0; i < rank; i++ {
		s.dims = append(s.dims, d.uvar(f.lengthSize))
	}
	_ = flags // maximum dimensions and permutations follow; not needed to read
	return s, d.err
}

// count returns the number of elements, or an error if it overflows limit.
func (s dataspace) count(limit uint64) (uint64, error) {
	if s.null {
		return 0, nil
	}
	n := uint64(1)
	for _, v := range s.dims {
		if v != 0 && n > limit/v {
			return 0, formatErr("dataspace %v exceeds %d elements", s.dims, limit)
		}
		n *= v
	}
	return n, nil
}
