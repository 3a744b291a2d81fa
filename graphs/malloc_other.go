//go:build !linux || !cgo

package graphs

// tuneMalloc: no glibc here.
func tuneMalloc() bool { return false }
