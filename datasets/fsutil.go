package datasets

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// gzipMagic is the two-byte header of every gzip member (RFC 1952, section 2.3.1).
var gzipMagic = [2]byte{0x1f, 0x8b}

// decompressed returns a reader over r's bytes, transparently gunzipping them when
// they start with the gzip magic number, whatever the file is called.
func decompressed(r io.Reader) (io.Reader, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	head, err := br.Peek(2)
	if err != nil && err != io.EOF {
		return nil, err
	}
	if len(head) == 2 && head[0] == gzipMagic[0] && head[1] == gzipMagic[1] {
		return gzip.NewReader(br)
	}
	return br, nil
}

// walkTar streams the (gzipped) tar archive at path and calls fn for each regular file,
// with its name (without a leading "./"), its size and a reader of its contents. It reads
// the archive to its end so that gzip verifies its CRC and length.
func walkTar(path string, fn func(name string, size int64, r io.Reader) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r, err := decompressed(f)
	if err != nil {
		return fmt.Errorf("%w: not a gzip or tar archive: %w", ErrFormat, err)
	}
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%w: reading tar archive: %w", ErrFormat, err)
		}
		if !hdr.FileInfo().Mode().IsRegular() {
			continue
		}
		if err := fn(strings.TrimPrefix(hdr.Name, "./"), hdr.Size, tr); err != nil {
			return err
		}
	}
	if _, err := io.Copy(io.Discard, r); err != nil {
		return fmt.Errorf("%w: reading archive trailer: %w", ErrFormat, err)
	}
	return nil
}

// isDir reports whether path exists and is a directory.
func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// isFile reports whether path exists and is a regular file (after symlinks).
func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

// writeFileAtomic writes a file so that readers see either the old contents or
// the complete new ones: write calls fill a temporary file in path's directory,
// which is fsynced, closed and renamed over path; the directory is then fsynced so
// the rename survives a crash. On any error the temporary file is removed and path
// is left untouched.
func writeFileAtomic(path string, perm os.FileMode, write func(w io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 1<<16)
	if err = write(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	if err = tmp.Chmod(perm); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir fsyncs a directory so a rename inside it is durable. File systems that
// cannot sync a directory (EINVAL) are not an error.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !isSyncUnsupported(err) {
		return err
	}
	return nil
}
