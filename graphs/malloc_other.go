//go:build !linux || !cgo

package graphs

// tuneMalloc: no glibc here.
func tuneMalloc(int) bool { return false }

func untuneArenas() {}

func earlyArenas() int { return 0 }

func earlyLimit() int { return 0 }

func mallocArenas() int { return -1 }

func allocOnThreads(int) error { return nil }
