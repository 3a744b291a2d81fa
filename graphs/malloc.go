package graphs

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
)

// MallocEnvVar is the environment variable that leaves the C allocator as it is: with
// TFRUN_MALLOC=0 (or false, off) tfrun does not tune glibc's malloc; unset, empty, 1,
// true or on tune it (see TuneMalloc).
const MallocEnvVar = "TFRUN_MALLOC"

// glibcMallocVars are glibc's own environment variables for the settings TuneMalloc
// changes: a user who sets one of them has chosen, and TuneMalloc leaves malloc alone.
// (malloc_linux.go's tfrun_early_limit checks the same list; TestEarlyArenaRule.)
var glibcMallocVars = []string{
	"MALLOC_MMAP_MAX_", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_",
	"MALLOC_ARENA_MAX", "MALLOC_ARENA_TEST", "GLIBC_TUNABLES",
}

// MallocTuning is what TuneMalloc did and why.
type MallocTuning struct {
	Tuned  bool   // glibc's malloc now keeps freed memory (see TuneMalloc)
	Arenas int    // the most arenas glibc's malloc may make, when tuned (MallocArenas)
	Reason string // why not, when not tuned
}

// MallocArenas is the number of malloc arenas TuneMalloc allows on a machine with cpus
// CPUs: one per 4 CPUs, at least one. glibc gives each thread that allocates its own
// arena, up to 8 per CPU, and an arena keeps the memory freed into it, so with the heap
// never trimmed the process holds the sum of every arena's largest footprint instead of
// the largest footprint of all. Measured on a 2-core AMD EPYC (Zen 3), one arena against
// glibc's limit, 4 alternating rounds (docs/results/malloc.md, session 13): imdb_tuned's
// peak RSS 660–700 MiB against 910–990 and its step no slower, dcgan_mnist's 770–830
// against 820–970 MiB at the same speed. More CPUs run more threads that allocate at
// once, which share an arena's lock; one per 4 CPUs there is not measured. The limit is
// set when the program is loaded, before Go's runtime starts its threads (glibc has
// made 5 arenas by a Go package's init), by malloc_linux.go's tfrun_early_arenas, which
// computes the same number.
func MallocArenas(cpus int) int { return max(1, cpus/4) }

var (
	mallocOnce   sync.Once
	mallocResult MallocTuning
	mallocErr    error
)

// TuneMalloc makes glibc's malloc keep the memory TensorFlow frees instead of handing it
// back to the kernel, once per process; NewSession calls it, so every tfrun process that
// runs a graph is tuned before its first step (the arena limit earlier, see
// MallocArenas). TensorFlow's CPU allocator takes each
// tensor from malloc and frees it when the step is done with it. glibc serves a request
// above its mmap threshold (128 KiB at first, adapting up to 32 MiB) with a fresh mmap
// and unmaps it on free, and trims the heap's top when it exceeds the trim threshold, so
// a step that makes large tensors (a Transformer's [batch, heads, length, length]
// attention scores: 41 MB each in configs/imdb_transformer.yaml) pays page faults and
// zeroing for each of them on every step. TuneMalloc sets M_MMAP_MAX to 0 (no chunk is
// served by its own mmap) and M_TRIM_THRESHOLD to 2 GiB, the largest mallopt takes (the
// heap is not trimmed), so the second step reuses the first step's memory, and keeps that
// memory in few arenas (M_ARENA_MAX, MallocArenas). Measured on a 2-core AMD EPYC (Zen 3),
// imdb_transformer, 200 steps of 32 (docs/results/malloc.md): 304–312 ms a step with
// glibc's defaults, 190–255 ms tuned, system CPU time 52–54 s against 11–24 s; peak RSS
// 0.86 against 1.0 GiB.
//
// It does nothing, and says why, when MallocEnvVar turns it off, when the user set one
// of glibc's own MALLOC_* variables or GLIBC_TUNABLES, or on a platform without glibc's
// mallopt. An unknown MallocEnvVar value is an error naming the valid ones.
func TuneMalloc() (MallocTuning, error) {
	mallocOnce.Do(func() {
		mallocResult, mallocErr = decideMalloc(os.Getenv)
		if !mallocResult.Tuned {
			untuneArenas() // tfrun_early_arenas decides the same; this makes sure
		}
		if mallocErr == nil && mallocResult.Tuned {
			if !tuneMalloc(mallocResult.Arenas) {
				mallocResult = MallocTuning{Reason: "this platform's malloc cannot be tuned (no glibc mallopt)"}
			}
		}
	})
	return mallocResult, mallocErr
}

// decideMalloc is TuneMalloc's decision from the environment (getenv), without acting.
func decideMalloc(getenv func(string) string) (MallocTuning, error) {
	v := getenv(MallocEnvVar)
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "1", "true", "on":
	case "0", "false", "off":
		return MallocTuning{Reason: MallocEnvVar + "=" + v}, nil
	default:
		return MallocTuning{}, fmt.Errorf("graphs: %s=%q: unknown value (valid: 1, true, on; 0, false, off)", MallocEnvVar, v)
	}
	for _, name := range glibcMallocVars {
		if getenv(name) != "" {
			return MallocTuning{Reason: name + " is set: the user's choice"}, nil
		}
	}
	return MallocTuning{Tuned: true, Arenas: MallocArenas(runtime.NumCPU())}, nil
}
