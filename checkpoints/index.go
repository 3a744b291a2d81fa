package checkpoints

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/core/protobuf/for_core_protos_go_proto"
	"google.golang.org/protobuf/proto"

	"github.com/tfrun/tfrun/graphs"
)

// Entry is one tensor of a checkpoint as the bundle's index describes it: what
// tf.train.list_variables reports (name and shape) plus the dtype and where its bytes lie.
type Entry struct {
	Name   string
	DType  tf.DataType
	Shape  []int64
	Shard  int32  // which data file (always 0 for tfrun's single-shard bundles)
	Offset int64  // first byte in the data file
	Size   int64  // bytes
	CRC32C uint32 // masked CRC-32C of the bytes, as TensorFlow stores it
}

// String prints the entry as "name float32 [20000 32]".
func (e Entry) String() string {
	return fmt.Sprintf("%s %s %v", e.Name, graphs.DTypeName(e.DType), e.Shape)
}

// DataFile is the name of a bundle's data file shard of num: <prefix>.data-00000-of-00001.
func DataFile(prefix string, shard, num int) string {
	return fmt.Sprintf("%s.data-%05d-of-%05d", prefix, shard, num)
}

// IndexFile is the name of a bundle's index: <prefix>.index.
func IndexFile(prefix string) string { return prefix + ".index" }

// List reads the index of the bundle at prefix and returns its tensors in name order, as
// tf.train.list_variables does. It checks what can be checked without TensorFlow: the
// index's table structure and block checksums, the header (little-endian, its shard
// count), that every tensor's bytes lie inside its data file, and each tensor's CRC-32C.
// A problem is an *Error wrapping ErrCorrupt that names the file and the tensor.
func List(prefix string) ([]Entry, error) {
	fail := func(format string, args ...any) error {
		return &Error{Op: "reading", Path: prefix, Kind: ErrCorrupt, Err: fmt.Errorf(format, args...)}
	}
	idxName := IndexFile(prefix)
	raw, err := os.ReadFile(idxName)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, &Error{Op: "reading", Path: prefix, Kind: ErrCorrupt, Err: fmt.Errorf("%s is missing", filepath.Base(idxName))}
		}
		return nil, &Error{Op: "reading", Path: prefix, Err: err}
	}
	kvs, err := readTable(raw)
	if err != nil {
		return nil, fail("%s: %v", filepath.Base(idxName), err)
	}
	if len(kvs) == 0 || kvs[0].key != "" {
		return nil, fail("%s has no bundle header", filepath.Base(idxName))
	}
	var header for_core_protos_go_proto.BundleHeaderProto
	if err := proto.Unmarshal(kvs[0].value, &header); err != nil {
		return nil, fail("%s: bundle header: %v", filepath.Base(idxName), err)
	}
	if header.Endianness != for_core_protos_go_proto.BundleHeaderProto_LITTLE {
		return nil, fail("%s: big-endian bundles are not supported", filepath.Base(idxName))
	}
	shards := int(header.NumShards)
	if shards < 1 {
		return nil, fail("%s: header names %d data files", filepath.Base(idxName), shards)
	}
	data := make([][]byte, shards)
	for i := range data {
		name := DataFile(prefix, i, shards)
		data[i], err = os.ReadFile(name)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, fail("%s is missing", filepath.Base(name))
			}
			return nil, &Error{Op: "reading", Path: prefix, Err: err}
		}
	}
	entries := make([]Entry, 0, len(kvs)-1)
	for _, kv := range kvs[1:] {
		var be for_core_protos_go_proto.BundleEntryProto
		if err := proto.Unmarshal(kv.value, &be); err != nil {
			return nil, fail("%s: entry %q: %v", filepath.Base(idxName), kv.key, err)
		}
		e := Entry{Name: kv.key, DType: tf.DataType(be.Dtype), Shard: be.ShardId, Offset: be.Offset, Size: be.Size, CRC32C: be.Crc32C}
		e.Shape = []int64{}
		for _, d := range be.GetShape().GetDim() {
			e.Shape = append(e.Shape, d.Size)
		}
		if len(be.Slices) > 0 {
			return nil, fail("tensor %q is partitioned (slices); tfrun reads whole tensors only", e.Name)
		}
		if int(e.Shard) < 0 || int(e.Shard) >= shards {
			return nil, fail("tensor %q names data file %d of %d", e.Name, e.Shard, shards)
		}
		file := data[e.Shard]
		if e.Offset < 0 || e.Size < 0 || e.Offset+e.Size > int64(len(file)) {
			return nil, fail("tensor %q needs bytes [%d, %d) of %s, which has %d bytes (truncated)",
				e.Name, e.Offset, e.Offset+e.Size, filepath.Base(DataFile(prefix, int(e.Shard), shards)), len(file))
		}
		if e.DType != tf.String {
			if got := crc32.Checksum(file[e.Offset:e.Offset+e.Size], castagnoli); got != unmaskCRC(e.CRC32C) {
				return nil, fail("tensor %q: checksum mismatch in %s (the data is damaged)", e.Name, filepath.Base(DataFile(prefix, int(e.Shard), shards)))
			}
		}
		entries = append(entries, e)
	}
	return entries, nil
}

// The index is a TensorFlow table (tensorflow/core/lib/io/table_format.h, LevelDB's
// format): data blocks of prefix-compressed key/value entries, an index block mapping
// keys to data blocks, and a fixed-size footer; each block is followed by a compression
// byte and a masked CRC-32C.
const (
	tableMagic      = 0xdb4775248b80fb57
	tableFooterLen  = 48 // two block handles padded to 40 bytes, then the magic
	blockTrailerLen = 5
	noCompression   = 0
	crcMaskDelta    = 0xa282ead8
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// unmaskCRC undoes TensorFlow's crc32c::Mask (rotate right 15 bits, add a constant).
func unmaskCRC(masked uint32) uint32 {
	rot := masked - crcMaskDelta
	return rot>>17 | rot<<15
}

type keyValue struct {
	key   string
	value []byte
}

type blockHandle struct{ offset, size uint64 }

func readHandle(b []byte) (blockHandle, int, error) {
	off, n1 := binary.Uvarint(b)
	if n1 <= 0 {
		return blockHandle{}, 0, errors.New("bad block handle")
	}
	size, n2 := binary.Uvarint(b[n1:])
	if n2 <= 0 {
		return blockHandle{}, 0, errors.New("bad block handle")
	}
	return blockHandle{off, size}, n1 + n2, nil
}

// readTable returns every key/value of a table file, in order.
func readTable(b []byte) ([]keyValue, error) {
	if len(b) < tableFooterLen {
		return nil, fmt.Errorf("%d bytes, too short for a table (truncated)", len(b))
	}
	footer := b[len(b)-tableFooterLen:]
	if binary.LittleEndian.Uint64(footer[tableFooterLen-8:]) != tableMagic {
		return nil, errors.New("not a TensorFlow table (bad magic number; truncated or not an index)")
	}
	_, n, err := readHandle(footer) // the metaindex block, unused by bundles
	if err != nil {
		return nil, err
	}
	ih, _, err := readHandle(footer[n:])
	if err != nil {
		return nil, err
	}
	index, err := readBlock(b, ih)
	if err != nil {
		return nil, fmt.Errorf("index block: %w", err)
	}
	handles, err := blockEntries(index)
	if err != nil {
		return nil, fmt.Errorf("index block: %w", err)
	}
	var out []keyValue
	for _, h := range handles {
		dh, _, err := readHandle(h.value)
		if err != nil {
			return nil, err
		}
		block, err := readBlock(b, dh)
		if err != nil {
			return nil, fmt.Errorf("data block at %d: %w", dh.offset, err)
		}
		kvs, err := blockEntries(block)
		if err != nil {
			return nil, fmt.Errorf("data block at %d: %w", dh.offset, err)
		}
		out = append(out, kvs...)
	}
	return out, nil
}

// readBlock returns a block's contents after checking its trailer.
func readBlock(b []byte, h blockHandle) ([]byte, error) {
	end := h.offset + h.size + blockTrailerLen
	if end < h.offset || end > uint64(len(b)) {
		return nil, fmt.Errorf("block [%d, %d) lies outside the file (%d bytes)", h.offset, end, len(b))
	}
	contents := b[h.offset : h.offset+h.size]
	trailer := b[h.offset+h.size : end]
	crc := crc32.Update(crc32.Checksum(contents, castagnoli), castagnoli, trailer[:1])
	if crc != unmaskCRC(binary.LittleEndian.Uint32(trailer[1:])) {
		return nil, errors.New("checksum mismatch (the file is damaged)")
	}
	if trailer[0] != noCompression {
		return nil, fmt.Errorf("compression type %d is not supported", trailer[0])
	}
	return contents, nil
}

// blockEntries decodes a block: entries (shared key length, unshared key length, value
// length as varints, the unshared key bytes, the value), then the restart offsets.
func blockEntries(block []byte) ([]keyValue, error) {
	if len(block) < 4 {
		return nil, errors.New("block too short")
	}
	restarts := binary.LittleEndian.Uint32(block[len(block)-4:])
	limit := len(block) - 4 - 4*int(restarts)
	if restarts > uint32(len(block)) || limit < 0 {
		return nil, errors.New("bad restart count")
	}
	var out []keyValue
	var key []byte
	for p := 0; p < limit; {
		var lens [3]uint64
		for i := range lens {
			v, n := binary.Uvarint(block[p:limit])
			if n <= 0 {
				return nil, errors.New("bad entry header")
			}
			lens[i] = v
			p += n
		}
		shared, unshared, vlen := lens[0], lens[1], lens[2]
		if shared > uint64(len(key)) || unshared > uint64(limit-p) || vlen > uint64(limit-p)-unshared {
			return nil, errors.New("bad entry lengths")
		}
		key = append(key[:shared], block[p:p+int(unshared)]...)
		p += int(unshared)
		out = append(out, keyValue{string(key), block[p : p+int(vlen)]})
		p += int(vlen)
	}
	return out, nil
}
