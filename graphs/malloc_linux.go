//go:build linux && cgo

package graphs

// #include <limits.h>
// #include <malloc.h>
//
// static int tfrun_tune_malloc(void) {
// #if defined(__GLIBC__)
// 	return mallopt(M_MMAP_MAX, 0) == 1 && mallopt(M_TRIM_THRESHOLD, INT_MAX) == 1;
// #else
// 	return 0;
// #endif
// }
import "C"

// tuneMalloc applies TuneMalloc's settings with glibc's mallopt; false where it cannot.
func tuneMalloc() bool { return C.tfrun_tune_malloc() == 1 }
