package datasets

import (
	"bufio"
	"fmt"
	"image"
	"os"
	"runtime"
	"sync"
)

// CheckImageHeaders reads the header of every file, on workers goroutines (<= 0:
// GOMAXPROCS), and returns the error of the first bad one in paths' order, naming it:
// not a regular file, too large, not a PNG, JPEG, GIF or BMP image, or declaring a size
// LoadImage refuses. It reads only the headers, so a folder streamed from disk is
// checked before training starts; pixel data that is truncated or corrupt is found only
// when the image is decoded.
func CheckImageHeaders(paths []string, workers int) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	errs := make([]error, len(paths))
	next := make(chan int)
	var wg sync.WaitGroup
	wg.Add(workers)
	for range workers {
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = checkImageHeader(paths[i])
			}
		}()
	}
	for i := range paths {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// checkImageHeader checks one file's header.
func checkImageHeader(path string) error {
	const op = "check image"
	f, err := os.Open(path)
	if err != nil {
		return wrapIOError(op, path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return wrapIOError(op, path, err)
	}
	switch {
	case !fi.Mode().IsRegular():
		return &Error{Op: op, Path: path, Err: fmt.Errorf("%w: not a regular file (%v)", ErrFormat, fi.Mode().Type())}
	case fi.Size() > MaxImageFileBytes:
		return &Error{Op: op, Path: path, Err: fmt.Errorf("%w: %d bytes, more than the %d an image file may have", ErrFormat, fi.Size(), MaxImageFileBytes)}
	}
	if err := readImageHeader(bufio.NewReader(f)); err != nil {
		return &Error{Op: op, Path: path, Err: err}
	}
	return nil
}

// readImageHeader reads an image's header from r and refuses it as decodeImage would
// before decoding any pixel.
func readImageHeader(r *bufio.Reader) error {
	magic, _ := r.Peek(16)
	cfg, format, err := image.DecodeConfig(r)
	if err != nil {
		if err == image.ErrFormat {
			return fmt.Errorf("%w: not a PNG, JPEG, GIF or BMP image", ErrFormat)
		}
		return fmt.Errorf("%w: reading the %s header: %w", ErrFormat, imageFormatName(magic), err)
	}
	return checkImageConfig(cfg, format)
}
