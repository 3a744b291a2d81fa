//go:build !unix

package datasets

// isSyncUnsupported: directories cannot be fsynced on non-Unix systems; ignore it.
func isSyncUnsupported(err error) bool { return true }
