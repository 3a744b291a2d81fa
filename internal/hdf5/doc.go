// Package hdf5 reads, read-only, the part of HDF5 that h5py writes for Keras: the
// model.weights.h5 inside a Keras 3 .keras file, Keras 2's legacy .h5 files, and plain h5py
// files of numeric arrays and string attributes.
//
// It is a reader written in Go rather than cgo against libhdf5 so that `go get` users and CI
// need no system library beyond libtensorflow, and because the subset h5py writes for Keras
// is small. What it reads:
//
//   - superblock versions 0, 1, 2 and 3, with a user block before it;
//   - object headers versions 1 and 2 with continuation blocks;
//   - old-style groups (symbol table, version 1 B-tree, local heap) and new-style groups
//     (link messages; dense links in a fractal heap indexed by a version 2 B-tree whose root
//     is a leaf); hard and soft links;
//   - datasets with contiguous, compact and chunked layout (version 1 B-tree chunk index, a
//     single chunk, or an unpaged fixed array), with the deflate (gzip), shuffle and
//     fletcher32 filters; other filters (lzf, szip, ...) are refused by name;
//   - datatypes: integers of 1, 2, 4 and 8 bytes, signed or not, either byte order; floats of
//     2, 4 and 8 bytes; h5py's bool (an enum over int8); fixed-length and variable-length
//     strings (kept in the global heap); dataspaces scalar, simple and null;
//   - attributes stored in object headers.
//
// Not read: compound, array, reference and opaque types, dense attribute storage, shared
// messages, external links, the chunk indexes of libver="latest" files with unlimited
// dimensions (extensible array, version 2 B-tree), and HDF5 2.0's data layout message
// version 5 (libver="latest" with filters). Each is an error naming it; a dataset so stored
// can still be listed, and its shape and type read.
//
// A corrupt or truncated file gives an error wrapping ErrFormat, never a panic: every read is
// checked against the file size, loops are bounded by it, and B-tree walks are bounded in
// depth and refuse revisiting a node. A dataset whose decoded size exceeds what its file
// could encode (MaxExpansion times the file size) is refused before any allocation.
package hdf5
