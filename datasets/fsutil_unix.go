//go:build unix

package datasets

import (
	"errors"
	"syscall"
)

// isSyncUnsupported reports whether fsync on a directory failed only because the
// file system does not support it.
func isSyncUnsupported(err error) bool {
	return errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOTSUP)
}
