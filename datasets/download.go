package datasets

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Fetch downloads url to dest and verifies it, for users with a network.
//
// sha256hex is the expected SHA-256 as 64 hex digits, or "" when no checksum is
// known (the download is then not verified). If dest already exists with that
// hash — or exists at all when sha256hex is "" — nothing is downloaded.
// Otherwise the body is written to dest+".part", hashed on the way, fsynced and,
// only if the hash matches, renamed to dest (replacing a dest with a wrong hash);
// the directory is then fsynced. On any failure — HTTP status other than 200, an
// interrupted body, a hash mismatch (ErrChecksum) — the .part file is removed and
// dest is left as it was, so calling Fetch again retries from scratch.
//
// Concurrent Fetch calls for the same dest are not safe.
func Fetch(ctx context.Context, url, dest, sha256hex string) error {
	const op = "fetch"
	want := strings.ToLower(sha256hex)
	if want != "" {
		if b, err := hex.DecodeString(want); err != nil || len(b) != sha256.Size {
			return newError(op, url, ErrInvalidArgument, "sha256 %q is not 64 hex digits (or empty for no verification)", sha256hex)
		}
	}
	if isFile(dest) {
		if want == "" {
			return nil
		}
		if got, err := fileSHA256(dest); err == nil && got == want {
			return nil
		}
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return newError(op, url, ErrIO, "%w", err)
	}
	part := dest + ".part"
	if err := downloadTo(ctx, url, part, want); err != nil {
		os.Remove(part)
		return &Error{Op: op, Path: url, Err: err}
	}
	if err := os.Rename(part, dest); err != nil {
		os.Remove(part)
		return newError(op, url, ErrIO, "%w", err)
	}
	if err := syncDir(filepath.Dir(dest)); err != nil {
		return newError(op, url, ErrIO, "%w", err)
	}
	return nil
}

// downloadTo writes the body of a GET of url to file (created or truncated),
// fsyncs it, and checks its SHA-256 against want unless want is "".
func downloadTo(ctx context.Context, url, file, want string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidArgument, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrIO, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%w: HTTP status %q, want 200 OK", ErrIO, resp.Status)
	}
	f, err := os.OpenFile(file, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrIO, err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), resp.Body)
	if err != nil {
		return fmt.Errorf("%w: download interrupted after %d bytes (of %s) into %s: %w", ErrIO, n, contentLength(resp), file, err)
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		return fmt.Errorf("%w: got %d bytes, Content-Length %d", ErrIO, n, resp.ContentLength)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("%w: %w", ErrIO, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("%w: %w", ErrIO, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); want != "" && got != want {
		return fmt.Errorf("%w: %d bytes with sha256 %s, want %s (removed %s)", ErrChecksum, n, got, want, file)
	}
	return nil
}

// contentLength formats a response's announced length for messages.
func contentLength(resp *http.Response) string {
	if resp.ContentLength < 0 {
		return "unknown length"
	}
	return fmt.Sprint(resp.ContentLength)
}

// fileSHA256 returns the lowercase hex SHA-256 of a file.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Download fetches the data set name (a key of Sources) into root with the layout
// Locate searches, and returns the path Locate would return for it, e.g.
// Download(ctx, "mnist", dir) fills dir/mnist/ and returns it. Files already
// present with the right checksum are kept. Pass os.Getenv("TFRUN_DATA_DIR") or a
// cache directory as root so Locate finds the result later.
func Download(ctx context.Context, name, root string) (string, error) {
	src, ok := Sources[name]
	if !ok {
		return "", newError("download", name, ErrInvalidArgument, "unknown data set (valid: %s)", strings.Join(sourceNames(), ", "))
	}
	return downloadSource(ctx, src, root)
}

// downloadSource fetches every file of src under root.
func downloadSource(ctx context.Context, src Source, root string) (string, error) {
	for _, f := range src.Files {
		if err := Fetch(ctx, f.URL, filepath.Join(root, src.Dir, f.Name), f.SHA256); err != nil {
			return "", err
		}
	}
	return filepath.Join(root, src.Path), nil
}

// sourceNames returns the keys of Sources, sorted.
func sourceNames() []string {
	names := make([]string, 0, len(Sources))
	for n := range Sources {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
